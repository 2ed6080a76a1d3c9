package org.plstm.train;

import org.plstm.Check;

/**
 * One sequence of events and its class, the unit of {@link Fit}'s data: {@code T} events of {@code I} features
 * with their timestamps. Sequences of one data set may have different lengths; {@link Fit} batches them by length.
 *
 * @param x     features, {@code [T][I]} row-major, finite
 * @param time  timestamps, {@code [T]}, finite, in any unit (the unit of the layers' periods); in any order
 * @param label the class, {@code >= 0} ({@code < C} of the model it is used with); ignored by
 *              {@link Fit#predict}
 */
public record LabeledSequence(float[] x, double[] time, int label) {
    /**
     * Validates the arrays (not copied).
     *
     * @throws IllegalArgumentException if an array is null or empty, {@code x.length} is not a multiple of
     *     {@code time.length}, a value is NaN or infinite, or the label is negative
     */
    public LabeledSequence {
        Check.notNull("x", x);
        Check.notNull("time", time);
        if (time.length == 0) {
            throw new IllegalArgumentException("time: expected at least one event, got none");
        }
        if (x.length == 0 || x.length % time.length != 0) {
            throw new IllegalArgumentException("x: expected T*I values for T = " + time.length + " events, got "
                    + x.length);
        }
        Check.finite("x", x);
        Check.finite("time", time);
        if (label < 0) {
            throw new IllegalArgumentException("label: expected a class >= 0, got " + label);
        }
    }

    /** @return {@code T}, the number of events */
    public int length() {
        return time.length;
    }

    /** @return {@code I}, the features per event */
    public int inputSize() {
        return x.length / time.length;
    }
}
