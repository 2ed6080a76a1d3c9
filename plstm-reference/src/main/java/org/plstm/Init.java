package org.plstm;

import java.util.SplittableRandom;

/**
 * Keras-compatible weight initialisers (package-private helpers of {@link PhasedLstmParams} and
 * {@link DenseParams}).
 */
final class Init {
    private Init() {
    }

    /** Glorot/Xavier uniform: {@code U(-l, l)}, {@code l = sqrt(6 / (fanIn + fanOut))}, for a {@code [rows][cols]} matrix. */
    static void glorotUniform(float[] w, int rows, int cols, SplittableRandom rng) {
        double limit = Math.sqrt(6.0 / (rows + cols));
        for (int n = 0; n < w.length; n++) {
            w[n] = (float) ((2.0 * rng.nextDouble() - 1.0) * limit);
        }
    }

    /**
     * Orthogonal initialiser as Keras: a {@code [rows][cols]} matrix whose rows (if {@code rows <= cols}) or
     * columns are orthonormal. Draws a standard normal matrix of shape {@code [max][min]}, orthonormalises its
     * columns (modified Gram-Schmidt, which equals QR with the sign of {@code diag(R)} made positive), and
     * transposes when {@code rows < cols}.
     */
    static void orthogonal(float[] w, int rows, int cols, SplittableRandom rng) {
        int big = Math.max(rows, cols);
        int small = Math.min(rows, cols);
        double[][] q = new double[small][big]; // q[column][row] of the [big][small] matrix
        for (int c = 0; c < small; c++) {
            for (int r = 0; r < big; r++) {
                q[c][r] = gaussian(rng);
            }
        }
        for (int c = 0; c < small; c++) {
            for (int p = 0; p < c; p++) {
                double dot = 0;
                for (int r = 0; r < big; r++) {
                    dot += q[c][r] * q[p][r];
                }
                for (int r = 0; r < big; r++) {
                    q[c][r] -= dot * q[p][r];
                }
            }
            double norm = 0;
            for (int r = 0; r < big; r++) {
                norm += q[c][r] * q[c][r];
            }
            norm = Math.sqrt(norm);
            for (int r = 0; r < big; r++) {
                q[c][r] /= norm;
            }
        }
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                // rows <= cols: w = Q^T (Q is [cols][rows]); otherwise w = Q ([rows][cols]).
                w[r * cols + c] = (float) (rows <= cols ? q[r][c] : q[c][r]);
            }
        }
    }

    /** Standard normal by Box-Muller from a {@link SplittableRandom} (deterministic for a seed). */
    static double gaussian(SplittableRandom rng) {
        double u1 = 1.0 - rng.nextDouble(); // (0, 1]
        double u2 = rng.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
