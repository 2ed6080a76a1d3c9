package org.plstm.train;

/**
 * What a {@link SequenceClassifier}'s dense outputs mean and which loss trains them ({@link Fit#task}).
 */
public enum Task {
    /** {@code C} logits, softmax, cross-entropy against {@link LabeledSequence#label()}; accuracy is reported. */
    CLASSIFICATION,
    /**
     * One value per sequence (a model with {@code K = 1} output, no activation), mean squared error against
     * {@link LabeledSequence#target()}; accuracy is NaN.
     */
    REGRESSION
}
