package org.plstm.simd;

/**
 * The regression head's loss on float32 rows: mean squared error {@code (1/N)·sum (pred − target)²} over
 * {@code N = B·K} values and its gradient {@code 2·(pred − target)/N}. Allocation-free.
 *
 * <p>The gradient is a plain loop that C2 vectorises (subtract, multiply: IEEE-exact per element, so the same bits
 * at any level). The loss is summed in double, in index order, by a scalar loop over the same
 * differences: a vector {@code reduceLanes(ADD)} has an unspecified order, and the engine promises the same bits on
 * every run; {@code N} is a batch of scalars (hundreds), so this loop costs nothing beside the layers.
 */
final class SquaredErrorKernel {
    private SquaredErrorKernel() {
    }

    /**
     * @param dPred   written {@code [N]}, or null
     * @param pred    {@code [N]}
     * @param targets {@code [N]}
     * @param n       {@code N = B·K >= 1}
     * @return the mean squared error
     */
    static double meanSquaredError(float[] dPred, float[] pred, float[] targets, int n) {
        assert n >= 1 && pred.length >= n && targets.length >= n && (dPred == null || dPred.length >= n);
        if (dPred != null) {
            gradient(dPred, pred, targets, n);
        }
        return loss(pred, targets, n);
    }

    /**
     * {@code dPred = 2·(pred − target)/N}: a plain loop, which C2 vectorises itself (subtract and multiply are exact
     * per element, so any vector width gives these bits). Not a Vector API loop: {@code N = B·K} is a batch of
     * scalars, and a hand-written vector loop here was seen allocating a few bytes per call now and then
     * ({@code HotPathAllocationTest}), where C2 had compiled it from a profile of the evaluation path.
     */
    private static void gradient(float[] dPred, float[] pred, float[] targets, int n) {
        float scale = (float) (2.0 / n);
        for (int i = 0; i < n; i++) {
            dPred[i] = (pred[i] - targets[i]) * scale;
        }
    }

    /** The mean of {@code (pred − target)²} in double, summed in index order. */
    private static double loss(float[] pred, float[] targets, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double d = (double) pred[i] - targets[i];
            sum += d * d;
        }
        return sum / n;
    }
}
