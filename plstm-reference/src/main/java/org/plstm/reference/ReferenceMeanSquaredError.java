package org.plstm.reference;

import org.plstm.Check;

/**
 * Mean squared error, averaged over the batch and the outputs, in double:
 * {@code L = (1/(B·K))·sum_b sum_k (pred[b][k] − target[b][k])²}, and its gradient
 * {@code dL/dpred = 2·(pred − target)/(B·K)}. As Keras' {@code mean_squared_error} with the default mean reduction.
 * The regression head's loss: the dense layer's {@code K} outputs are the predicted values (no activation).
 */
public final class ReferenceMeanSquaredError {
    private ReferenceMeanSquaredError() {
    }

    /**
     * Computes the mean loss and, optionally, its gradient.
     *
     * @param dPred   written, {@code [B][K]}, or {@code null} to skip the gradient
     * @param pred    predictions {@code [B][K]}, finite
     * @param targets targets {@code [B][K]}, finite (same unit as {@code pred})
     * @param batch   {@code B >= 1}
     * @param outputs {@code K >= 1}
     * @return the mean squared error, in the targets' unit squared
     * @throws IllegalArgumentException on a wrong length, a NaN/infinite prediction or target, or {@code dPred} being
     *     the same array as {@code pred} or {@code targets} (as {@code Engine.meanSquaredError})
     */
    public static double forwardBackward(double[] dPred, double[] pred, double[] targets, int batch, int outputs) {
        Check.atLeast("batch", batch, 1);
        Check.atLeast("outputs", outputs, 1);
        Check.length("pred", pred, "B", batch, "K", outputs);
        Check.length("targets", targets, "B", batch, "K", outputs);
        Check.finite("pred", pred);
        Check.finite("targets", targets);
        if (dPred != null) {
            Check.length("dPred", dPred, "B", batch, "K", outputs);
        }
        Check.distinct("dPred", dPred, "pred", pred, "targets", targets);
        return compute(dPred, pred, targets, batch, outputs);
    }

    /** {@link #forwardBackward} without its checks (for {@link ReferenceEngine}, behind the Engine's). */
    static double compute(double[] dPred, double[] pred, double[] targets, int batch, int outputs) {
        int n = batch * outputs;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double d = pred[i] - targets[i];
            sum += d * d;
            if (dPred != null) {
                dPred[i] = 2 * d / n;
            }
        }
        return sum / n;
    }
}
