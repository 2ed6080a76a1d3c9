package org.plstm.train;

import org.plstm.Check;

/**
 * The outcome of {@link ClassifierTrainer#evaluate evaluating} one batch.
 *
 * @param loss    mean softmax cross-entropy over the batch, in nats (for
 *                {@link ClassifierTrainer#evaluateRegression}: the mean squared error)
 * @param correct samples whose arg-max class equals the label
 * @param batch   {@code B}, samples in the batch
 */
public record EvalResult(double loss, int correct, int batch) {
    /**
     * Checks the counts.
     *
     * @throws IllegalArgumentException if {@code batch < 1} or {@code correct} is outside {@code [0, batch]}
     */
    public EvalResult {
        Check.atLeast("batch", batch, 1);
        if (correct < 0 || correct > batch) {
            throw new IllegalArgumentException("correct: expected 0.." + batch + " (the batch), got " + correct);
        }
    }

    /** @return {@code correct / batch}, in {@code [0, 1]} */
    public double accuracy() {
        return (double) correct / batch;
    }
}
