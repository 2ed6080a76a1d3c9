/**
 * The model definition shared by every engine: layer configuration ({@link org.plstm.PhasedLstmConfig}),
 * parameters and gradients in the Keras layout ({@link org.plstm.PhasedLstmParams}, {@link org.plstm.DenseParams}),
 * the time gate ({@link org.plstm.TimeGate}), modes, input batches ({@link org.plstm.SequenceBatch}) and the
 * {@link org.plstm.Engine} API the reference and SIMD engines implement.
 *
 * <p>Dimension letters: {@code B} batch, {@code T} steps, {@code I} input features, {@code H} hidden units,
 * {@code C} classes. Arrays are flat and row-major. Time is in any unit, the same as {@code period} and
 * {@code shift}.
 */
package org.plstm;
