package org.plstm.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.plstm.simd.KernelProbe;

/**
 * The SIMD engine's kernels on their own, one step of a whole batch per operation, single-threaded, so a reader
 * can see where a layer's time goes: {@code gateProduct} is the gate matrix product {@code [B][I+H] x [I+H][4H]}
 * (the report gives GFLOP/s, {@code 2·B·4H·(I+H)} FLOPs per op); {@code cellUpdate} the fused gates, cell, time
 * gate and state update over {@code [B][H]}; {@code timeGate} the phase and openness of one row per sample
 * (distinct timestamps), both reported as ns per unit-step ({@code B·H} per op). The kernels are reached through
 * {@link KernelProbe}, plstm-simd's one internal entry for benchmarks.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class KernelBenchmark {
    /** {@code BxTxIxH}; T is ignored (one step). */
    @Param({"128x784x1x32", "64x100x64x256", "32x100x128x1024"})
    public String shape;

    private KernelProbe probe;

    /** Packs random parameters and draws one step of inputs. */
    @Setup(Level.Trial)
    public void setUp() {
        Shape s = Shape.parse(shape);
        probe = KernelProbe.create(s.batch(), s.inputs(), s.hidden(), 7);
        probe.gateProduct();
    }

    /** @return the gate pre-activations */
    @Benchmark
    public float[] gateProduct() {
        return probe.gateProduct();
    }

    /** @return the state written */
    @Benchmark
    public float[] cellUpdate() {
        return probe.cellUpdate();
    }

    /** @return the openness rows */
    @Benchmark
    public float[] timeGate() {
        return probe.timeGate();
    }
}
