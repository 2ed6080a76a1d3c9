package org.plstm.train;

import org.plstm.Check;

/**
 * The outcome of one {@link ClassifierTrainer#step training step}.
 *
 * @param loss         mean softmax cross-entropy over the batch, in nats, before the update (for
 *                     {@link ClassifierTrainer#stepRegression}: the mean squared error)
 * @param correct      samples whose arg-max class equals the label, before the update
 * @param batch        {@code B}, samples in the batch
 * @param gradientNorm global L2 norm of all trainable gradients before clipping
 */
public record TrainStepResult(double loss, int correct, int batch, double gradientNorm) {
    /**
     * Checks the counts.
     *
     * @throws IllegalArgumentException if {@code batch < 1} or {@code correct} is outside {@code [0, batch]}
     */
    public TrainStepResult {
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
