package org.plstm.simd;

import static org.plstm.simd.VectorLevel.FS;
import static org.plstm.simd.VectorLevel.L;

import jdk.incubator.vector.FloatVector;

/**
 * The regression head's loss on float32 rows: mean squared error {@code (1/N)·sum (pred − target)²} over
 * {@code N = B·K} values and its gradient {@code 2·(pred − target)/N}. Allocation-free.
 *
 * <p>The gradient is written by a vector loop (subtract, multiply: IEEE-exact lane-wise, so the same bits as the
 * scalar tail and as any level). The loss is summed in double, in index order, by a scalar loop over the same
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
     * {@code dPred = 2·(pred − target)/N}. The vector loop sits in a method of its own, not behind the caller's
     * null check: C2 compiles a branch that C1 saw cold (a JVM that first evaluated, {@code dPred == null}) from that
     * stale profile, and its vector code then falls back to the boxing Java implementation
     * ({@code HotPathAllocationTest} caught it in a JVM that had run other tests first); see {@link CellKernel}.
     */
    private static void gradient(float[] dPred, float[] pred, float[] targets, int n) {
        float scale = (float) (2.0 / n);
        int bound = FS.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector p = FloatVector.fromArray(FS, pred, i);
            FloatVector t = FloatVector.fromArray(FS, targets, i);
            p.sub(t).mul(scale).intoArray(dPred, i);
        }
        for (; i < n; i++) {
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
