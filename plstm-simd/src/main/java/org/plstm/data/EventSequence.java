package org.plstm.data;

import org.plstm.Check;
import org.plstm.train.LabeledSequence;

/**
 * One sequence of events read from a file: its id, its {@code T} events sorted by time, and its label.
 *
 * @param id    the sequence id as written in the file
 * @param x     features {@code [T][I]} row-major, finite (arrays are not copied)
 * @param time  timestamps {@code [T]}, finite, non-decreasing, in the file's unit (the unit of the layers' periods)
 * @param label the label as written in the file (trimmed), or null when the file has no label column
 */
public record EventSequence(String id, float[] x, double[] time, String label) {
    /**
     * @throws IllegalArgumentException if {@code id}, {@code x} or {@code time} is null, {@code time} is empty,
     *     {@code x.length} is not a multiple of {@code time.length}, a value is NaN or infinite, or the times decrease
     */
    public EventSequence {
        Check.notNull("id", id);
        Check.notNull("x", x);
        Check.notNull("time", time);
        if (time.length == 0 || x.length % time.length != 0) {
            throw new IllegalArgumentException("x: expected T*I values for T = " + time.length + " events, got "
                    + x.length);
        }
        Check.finite("x", x);
        Check.finite("time", time);
        for (int t = 1; t < time.length; t++) {
            if (time[t] < time[t - 1]) {
                throw new IllegalArgumentException("time: expected non-decreasing timestamps (events sorted by time), "
                        + "got " + time[t] + " after " + time[t - 1] + " at event " + t + " of sequence '" + id + "'");
            }
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

    /**
     * @param x features {@code [T][I]} of the same length
     * @return this sequence with other features (e.g. standardised)
     * @throws IllegalArgumentException if {@code x} has another length
     */
    public EventSequence withX(float[] x) {
        Check.length("x", x, "T", length(), "I", inputSize());
        return new EventSequence(id, x, time, label);
    }

    /**
     * For {@link org.plstm.train.Fit}: this sequence with its class index.
     *
     * @param labels the class map (label string to index)
     * @return a labeled sequence sharing the arrays
     * @throws IllegalArgumentException if the label is null or not one of {@code labels}' classes
     */
    public LabeledSequence toLabeled(Labels labels) {
        Check.notNull("labels", labels);
        return new LabeledSequence(x, time, labels.index(id, label));
    }

    /**
     * For {@link org.plstm.train.Fit} with {@link org.plstm.train.Task#REGRESSION}: this sequence with its label as
     * the target value (as written; standardise it with {@link Standardizer#scaleTarget} if the model should learn
     * standardised targets).
     *
     * @return a sequence sharing the arrays, with {@code target = label} as a float
     * @throws IllegalArgumentException if the label is missing or not a finite number
     */
    public LabeledSequence toRegression() {
        return LabeledSequence.regression(x, time, (float) Standardizer.target(this));
    }
}
