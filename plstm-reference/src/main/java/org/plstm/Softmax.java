package org.plstm;

/**
 * Softmax, softmax cross-entropy and argmax on float32 rows, computed in double: the one implementation the SIMD
 * engine, batched and streaming inference and the trainers share. {@code org.plstm.reference.ReferenceSoftmaxCrossEntropy}
 * is its specification in double precision (the reference engine's), and a test holds the two together.
 *
 * <p>Rows are {@code [B][C]} row-major. As Keras' {@code softmax} and
 * {@code sparse_categorical_crossentropy(from_logits=True)}: {@code p = exp(z − max z) / sum exp(z − max z)},
 * loss {@code log sum exp(z) − z_y}, averaged over the batch. Arguments are not validated here: callers validate at
 * their public boundary ({@link Engine#softmaxCrossEntropy}, the inference API), and assertions check the rest.
 */
public final class Softmax {
    private Softmax() {
    }

    /**
     * Softmax of every row and, with labels, the mean cross-entropy and its gradient.
     *
     * @param probs   written {@code [B][C]} probabilities, or null
     * @param dLogits written {@code (softmax − onehot(y)) / B}, {@code [B][C]}, or null (needs labels)
     * @param logits  {@code [B][C]}
     * @param labels  {@code [B]} in {@code [0, C)}, or null for probabilities only
     * @param batch   {@code B}
     * @param classes {@code C}
     * @return the mean loss in nats, or NaN without labels
     */
    public static double crossEntropy(float[] probs, float[] dLogits, float[] logits, int[] labels, int batch,
                                      int classes) {
        assert logits.length >= batch * classes && (dLogits == null || labels != null);
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
            if (labels != null) {
                loss += logSum - logits[off + labels[b]];
            }
            for (int c = 0; c < classes; c++) {
                double p = Math.exp(logits[off + c] - logSum);
                if (probs != null) {
                    probs[off + c] = (float) p;
                }
                if (dLogits != null) {
                    dLogits[off + c] = (float) ((p - (c == labels[b] ? 1 : 0)) / batch);
                }
            }
        }
        return labels == null ? Double.NaN : loss / batch;
    }

    /**
     * The index of the largest of {@code a[off .. off + n)}; the first one on ties (as NumPy's {@code argmax}).
     *
     * @param a   values
     * @param off first index
     * @param n   count, {@code >= 1}
     * @return the index in {@code [0, n)}
     */
    public static int argmax(float[] a, int off, int n) {
        assert n >= 1;
        int best = 0;
        for (int c = 1; c < n; c++) {
            if (a[off + c] > a[off + best]) {
                best = c;
            }
        }
        return best;
    }
}
