/**
 * The Phased LSTM on the JDK Vector API, behind {@link org.plstm.simd.SimdBackend} (chosen by
 * {@link org.plstm.engine.Backend#get()}; needs {@code --add-modules jdk.incubator.vector}): the training engine
 * {@link org.plstm.simd.SimdEngine} and the streaming kernel {@link org.plstm.simd.StreamLayer}. The kernels, one
 * class per section of the layer: {@code PackedLayer} (packing), {@code TimeGateKernel}, {@code GateProduct},
 * {@code CellKernel}, {@code WeightGradients}, {@code VectorMath}; {@code LayerForward} and {@code LayerBackward}
 * orchestrate a pass; {@link org.plstm.simd.VectorLevel} decides once what the level's kernels look like.
 * {@link org.plstm.simd.KernelProbe} is the one internal entry for benchmarks. docs/ARCHITECTURE.md maps every
 * equation to its reference and SIMD code.
 */
package org.plstm.simd;
