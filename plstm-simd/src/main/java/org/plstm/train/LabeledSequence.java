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
        if (x.length == 0) {
            throw new IllegalArgumentException("x: expected at least one feature per event (I >= 1), got none for T = "
                    + time.length + " events");
        }
        if (x.length % time.length != 0) {
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

    /**
     * The samples of a padded batch with their classes: sample {@code b} becomes a sequence of its
     * {@code batch.length(b)} events (the padding is dropped), its arrays copied out of the batch's.
     *
     * @param batch  {@code [B][T][I]} features and {@code [B][T]} times, with {@code lengths} or all of length T
     * @param labels {@code [B]} classes, {@code >= 0}
     * @return {@code B} sequences, in the batch's order
     * @throws IllegalArgumentException if an argument is null, {@code labels.length != B}, a value is NaN or infinite
     *     or a label negative (naming the sample)
     */
    public static java.util.List<LabeledSequence> fromBatch(org.plstm.SequenceBatch batch, int[] labels) {
        Check.notNull("batch", batch);
        Check.notNull("labels", labels);
        if (labels.length != batch.batch()) {
            throw new IllegalArgumentException("labels: expected B = " + batch.batch() + " labels, got "
                    + labels.length);
        }
        int steps = batch.steps();
        int in = batch.inputSize();
        java.util.List<LabeledSequence> out = new java.util.ArrayList<>(batch.batch());
        for (int b = 0; b < batch.batch(); b++) {
            int len = batch.length(b);
            float[] x = java.util.Arrays.copyOfRange(batch.x(), b * steps * in, (b * steps + len) * in);
            double[] t = java.util.Arrays.copyOfRange(batch.time(), b * steps, b * steps + len);
            try {
                out.add(new LabeledSequence(x, t, labels[b]));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("batch sample " + b + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * Every sequence a source yields, in order, in a new list: {@link Fit} shuffles and revisits its data every
     * epoch, so a one-pass source (a database cursor, a generator, a file reader of your own) is read once into
     * memory here.
     *
     * @param source the sequences; not closed (close it yourself if it holds a resource)
     * @return the sequences, a mutable list
     * @throws IllegalArgumentException if {@code source} is null or yields a null (naming its position)
     */
    public static java.util.List<LabeledSequence> collect(java.util.Iterator<LabeledSequence> source) {
        Check.notNull("source", source);
        java.util.List<LabeledSequence> out = new java.util.ArrayList<>();
        while (source.hasNext()) {
            LabeledSequence s = source.next();
            if (s == null) {
                throw new IllegalArgumentException("source: expected sequences, got null at position " + out.size());
            }
            out.add(s);
        }
        return out;
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
