package org.plstm.reference;

import org.plstm.Check;

/**
 * Softmax cross-entropy, averaged over the batch, in double: {@code L = −(1/B)·sum_b log softmax(logits_b)[y_b]}.
 * As Keras' {@code sparse_categorical_crossentropy(from_logits=True)} with the default mean reduction.
 */
public final class ReferenceSoftmaxCrossEntropy {
    private ReferenceSoftmaxCrossEntropy() {
    }

    /**
     * Computes the mean loss, the probabilities and {@code dL/dlogits = (softmax − onehot(y)) / B}.
     *
     * @param probs   written, {@code [B][C]} softmax probabilities, or {@code null}
     * @param dLogits written, {@code [B][C]}, or {@code null} to skip the gradient
     * @param logits  {@code [B][C]}
     * @param labels  {@code [B]}, each in {@code [0, C)}
     * @param batch   {@code B >= 1}
     * @param classes {@code C >= 1}
     * @return the mean loss (nats)
     * @throws IllegalArgumentException on a wrong length, non-finite logits, a label outside {@code [0, C)}, or
     *     {@code probs}/{@code dLogits} being the same array as {@code logits} or as each other (as
     *     {@code Engine.softmaxCrossEntropy})
     */
    public static double forwardBackward(double[] probs, double[] dLogits, double[] logits, int[] labels, int batch,
                                         int classes) {
        Check.atLeast("batch", batch, 1);
        Check.atLeast("classes", classes, 1);
        Check.length("logits", logits, "B", batch, "C", classes);
        Check.finite("logits", logits);
        Check.labels(labels, batch, classes);
        if (probs != null) {
            Check.length("probs", probs, "B", batch, "C", classes);
        }
        if (dLogits != null) {
            Check.length("dLogits", dLogits, "B", batch, "C", classes);
        }
        Check.distinct("probs", probs, "logits", logits, "dLogits", dLogits);
        Check.distinct("dLogits", dLogits, "logits", logits);
        return compute(probs, dLogits, logits, labels, batch, classes);
    }

    /** {@link #forwardBackward} without its checks (for {@link ReferenceEngine}, behind the Engine's). */
    static double compute(double[] probs, double[] dLogits, double[] logits, int[] labels, int batch, int classes) {
        double loss = 0;
        for (int b = 0; b < batch; b++) {
            int off = b * classes;
            double max = logits[off];
            for (int c = 1; c < classes; c++) {
                max = Math.max(max, logits[off + c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(logits[off + c] - max);
            }
            double logSum = Math.log(sum) + max;
            loss += logSum - logits[off + labels[b]];
            for (int c = 0; c < classes; c++) {
                double pr = Math.exp(logits[off + c] - logSum);
                if (probs != null) {
                    probs[off + c] = pr;
                }
                if (dLogits != null) {
                    dLogits[off + c] = (pr - (c == labels[b] ? 1 : 0)) / batch;
                }
            }
        }
        return loss / batch;
    }
}
