package org.plstm.train;

import org.plstm.Check;

/**
 * One sequence of events and its class or target value, the unit of {@link Fit}'s data: {@code T} events of {@code I}
 * features with their timestamps. Sequences of one data set may have different lengths; {@link Fit} batches them by
 * length.
 *
 * @param x      features, {@code [T][I]} row-major, finite
 * @param time   timestamps, {@code [T]}, finite, in any unit (the unit of the layers' periods); in any order
 * @param label  the class, {@code >= 0} ({@code < C} of the model it is used with); ignored by {@link Fit#predict}
 *               and by {@link Task#REGRESSION}
 * @param target the regression target ({@link Task#REGRESSION}), finite, or NaN for none (classification)
 */
public record LabeledSequence(float[] x, double[] time, int label, float target) {
    /**
     * Validates the arrays (not copied).
     *
     * @throws IllegalArgumentException if an array is null or empty, {@code x.length} is not a multiple of
     *     {@code time.length}, a value is NaN or infinite, the label is negative, or the target is infinite
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
        if (Float.isInfinite(target)) {
            throw new IllegalArgumentException("target: expected a finite value or NaN (none), got " + target);
        }
    }

    /**
     * A sequence with a class and no regression target.
     *
     * @param x     features {@code [T][I]}
     * @param time  timestamps {@code [T]}
     * @param label the class, {@code >= 0}
     * @throws IllegalArgumentException as the canonical constructor
     */
    public LabeledSequence(float[] x, double[] time, int label) {
        this(x, time, label, Float.NaN);
    }

    /**
     * A sequence with a regression target (label 0).
     *
     * @param x      features {@code [T][I]}
     * @param time   timestamps {@code [T]}
     * @param target the value to predict, finite
     * @return the sequence
     * @throws IllegalArgumentException as the canonical constructor, or if {@code target} is NaN
     */
    public static LabeledSequence regression(float[] x, double[] time, float target) {
        if (Float.isNaN(target)) {
            throw new IllegalArgumentException("target: expected a finite value, got NaN");
        }
        return new LabeledSequence(x, time, 0, target);
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
