package org.plstm.train;

/**
 * The outcome of {@link ClassifierTrainer#evaluate evaluating} one batch.
 *
 * @param loss    mean softmax cross-entropy over the batch, in nats (for
 *                {@link ClassifierTrainer#evaluateRegression}: the mean squared error)
 * @param correct samples whose arg-max class equals the label
 * @param batch   {@code B}, samples in the batch
 */
public record EvalResult(double loss, int correct, int batch) {
    /** @return {@code correct / batch}, in {@code [0, 1]} */
    public double accuracy() {
        return (double) correct / batch;
    }
}
