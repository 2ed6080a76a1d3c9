package org.plstm;

/**
 * A validated batch of timestamped sequences, the input of a Phased LSTM layer.
 *
 * <p>Layout (row-major, flat arrays, not copied): {@code x [B][T][I]} float32, element
 * {@code x[(b·T + t)·I + i]}; {@code time [B][T]} double, element {@code time[b·T + t]}, in any unit (the same
 * unit as {@code period} and {@code shift}). Doubles because float32 cannot hold wall-clock times: its spacing
 * is 64 at 1e9. Timestamps may be any finite reals: the model is defined for every {@code t} (the phase wraps),
 * so they need not be increasing, may be negative and may repeat; a streaming session is the place that
 * insists on non-decreasing time.
 *
 * <p>{@code lengths [B]} is optional ({@code null}: every sample has {@code T} valid steps). A step
 * {@code t >= lengths[b]} is padding: the layer carries that sample's state and output unchanged through it
 * (like a Keras mask), so it contributes no parameter gradient; its {@code x} and {@code time} values are
 * ignored but must still be finite.
 *
 * @param batch     {@code B >= 1}
 * @param steps     {@code T >= 1}
 * @param inputSize {@code I >= 1}
 * @param x         inputs {@code [B][T][I]}
 * @param time      timestamps {@code [B][T]}
 * @param lengths   valid steps per sample {@code [B]}, each in {@code [0, T]}, or {@code null}
 */
public record SequenceBatch(int batch, int steps, int inputSize, float[] x, double[] time, int[] lengths) {

    /**
     * Validates shapes and values.
     *
     * @throws IllegalArgumentException if a dimension is below 1, {@code B·T·I} exceeds the largest Java array, an
     *     array has the wrong length, {@code x} or {@code time} holds NaN or ±Infinity, or a length is outside
     *     {@code [0, T]}
     */
    public SequenceBatch {
        Check.atLeast("batch", batch, 1);
        Check.atLeast("steps", steps, 1);
        Check.atLeast("inputSize", inputSize, 1);
        Check.elements("x", batch, steps, inputSize);
        checkArrays(batch, steps, inputSize, x, time, lengths);
    }

    /**
     * Checks the arrays again. They are not copied, so a caller may refill them after construction (the trainer reuses
     * one batch's arrays); every engine and model entry point calls this before it reads them, so a value changed to
     * NaN, or a length changed out of range, is an {@link IllegalArgumentException} there rather than garbage or an
     * index error in a kernel ({@link Engine#backward}, which reads the forward pass's batch again, checks instead that
     * its arrays still hold the values forward read). Costs one pass over {@code x} and {@code time}.
     *
     * @return this batch
     * @throws IllegalArgumentException if {@code x} or {@code time} now holds NaN or ±Infinity, or a length is now
     *     outside {@code [0, T]}
     */
    public SequenceBatch validate() {
        checkArrays(batch, steps, inputSize, x, time, lengths);
        return this;
    }

    private static void checkArrays(int batch, int steps, int inputSize, float[] x, double[] time, int[] lengths) {
        Check.length("x", x, "B", batch, "T", steps, "I", inputSize);
        Check.length("time", time, "B", batch, "T", steps);
        Check.finite("x", x);
        Check.finite("time", time);
        if (lengths != null) {
            Check.lengths(lengths, batch, steps);
        }
    }

    /**
     * A batch whose every sample has all {@code T} steps valid.
     *
     * @param batch     {@code B}
     * @param steps     {@code T}
     * @param inputSize {@code I}
     * @param x         {@code [B][T][I]}
     * @param time      {@code [B][T]}
     * @return the validated batch
     * @throws IllegalArgumentException as the canonical constructor
     */
    public static SequenceBatch of(int batch, int steps, int inputSize, float[] x, double[] time) {
        return new SequenceBatch(batch, steps, inputSize, x, time, null);
    }

    /**
     * @param b sample index, in {@code [0, B)}
     * @return the number of valid steps of sample {@code b} ({@code T} when no lengths were given)
     * @throws IllegalArgumentException if {@code b} is outside {@code [0, B)}
     */
    public int length(int b) {
        if (b < 0 || b >= batch) {
            throw new IllegalArgumentException("b: expected a sample index in [0, " + batch + "), got " + b);
        }
        return lengths == null ? steps : lengths[b];
    }
}
