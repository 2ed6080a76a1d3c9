package org.plstm.simd;

import static org.plstm.simd.VectorLevel.FMA;
import static org.plstm.simd.VectorLevel.FS;
import static org.plstm.simd.VectorLevel.L;
import static org.plstm.simd.VectorLevel.TILE_ROWS;

import jdk.incubator.vector.FloatVector;

/**
 * The blocked matrix products of the engine, {@code out[row] += a[row] · W} for a few rows at a time, where
 * {@code W} is a contiguous strip of {@code n} rows of {@code 4L} (or {@code L}) floats: the gate product
 * {@code z = [x_t, h_{t-1}]·[kernel; recurrentKernel]} of one unit block (forward, streaming), and with transposed
 * strips {@code dh_{t-1} = dz_t·recurrentKernel^T} and {@code dx_t = dz_t·kernel^T} (backward).
 *
 * <p>Each kernel keeps {@code rows × cols} accumulators in registers over the whole strip, loads {@code cols} weight
 * vectors and broadcasts one value per row per step of {@code k}: the weights are read once per tile, the row values
 * once per column group. Tiles of {@link VectorLevel#TILE_ROWS} rows × 4 vectors fill the level's registers (4 × 4
 * with 32 registers, 2 × 4 with 16). Every row sums in the same order (k ascending, from the initial value of
 * {@code out}) whatever tile it falls in, so results do not depend on the tiling or the thread split.
 *
 * <p>Without hardware FMA ({@link VectorLevel#FMA}) the kernels multiply and add. The {@code FMA ? ... : ...} choices
 * are constants: C2 keeps one branch.
 */
final class GateProduct {
    private GateProduct() {
    }

    /**
     * {@code out[outAt[outFirst + q] .. + cols·L) += sum_{k < n} a[aAt[aFirst + q] + k] · w[wOff + k·cols·L ..]}
     * for rows {@code q < count}, in tiles of {@link VectorLevel#TILE_ROWS} rows, then 2 and 1.
     *
     * @param count rows
     * @param a     row values, {@code n} per row from {@code aAt[first + q]}
     * @param aAt   offset of each row in {@code a}
     * @param aFirst first row index in {@code aAt}
     * @param n     the strip's rows (the reduction length)
     * @param w     the strip's array
     * @param wOff  the strip's first float
     * @param cols  4 or 1 vectors per strip row
     * @param out   accumulated rows, {@code cols·L} floats from {@code outAt[first + q]}
     * @param outAt offset of each row in {@code out}
     * @param outFirst first row index in {@code outAt}
     */
    static void accumulate(int count, float[] a, int[] aAt, int aFirst, int n, float[] w, int wOff, int cols,
                           float[] out, int[] outAt, int outFirst) {
        assert cols == 4 || cols == 1 : cols;
        int q = aFirst;
        int end = aFirst + count;
        int d = outFirst - aFirst; // outAt index = aAt index + d
        if (TILE_ROWS == 4) {
            for (; q + 4 <= end; q += 4) {
                if (cols == 4) {
                    rows4x4(a, aAt[q], aAt[q + 1], aAt[q + 2], aAt[q + 3], n, w, wOff, out, outAt[q + d], outAt[q + d + 1],
                            outAt[q + d + 2], outAt[q + d + 3]);
                } else {
                    rows4x1(a, aAt[q], aAt[q + 1], aAt[q + 2], aAt[q + 3], n, w, wOff, out, outAt[q + d], outAt[q + d + 1],
                            outAt[q + d + 2], outAt[q + d + 3]);
                }
            }
        }
        for (; q + 2 <= end; q += 2) {
            if (cols == 4) {
                rows2x4(a, aAt[q], aAt[q + 1], n, w, wOff, out, outAt[q + d], outAt[q + d + 1]);
            } else {
                rows2x1(a, aAt[q], aAt[q + 1], n, w, wOff, out, outAt[q + d], outAt[q + d + 1]);
            }
        }
        if (q < end) {
            if (cols == 4) {
                rows1x4(a, aAt[q], n, w, wOff, out, outAt[q + d]);
            } else {
                rows1x1(a, aAt[q], n, w, wOff, out, outAt[q + d]);
            }
        }
    }

    /** 4 rows × 4 vectors; see {@link #accumulate}. */
    static void rows4x4(float[] a, int a0, int a1, int a2, int a3, int n, float[] w, int wOff, float[] out, int o0, int o1, int o2, int o3) {
        FloatVector c00 = FloatVector.fromArray(FS, out, o0);
        FloatVector c01 = FloatVector.fromArray(FS, out, o0 + L);
        FloatVector c02 = FloatVector.fromArray(FS, out, o0 + 2 * L);
        FloatVector c03 = FloatVector.fromArray(FS, out, o0 + 3 * L);
        FloatVector c10 = FloatVector.fromArray(FS, out, o1);
        FloatVector c11 = FloatVector.fromArray(FS, out, o1 + L);
        FloatVector c12 = FloatVector.fromArray(FS, out, o1 + 2 * L);
        FloatVector c13 = FloatVector.fromArray(FS, out, o1 + 3 * L);
        FloatVector c20 = FloatVector.fromArray(FS, out, o2);
        FloatVector c21 = FloatVector.fromArray(FS, out, o2 + L);
        FloatVector c22 = FloatVector.fromArray(FS, out, o2 + 2 * L);
        FloatVector c23 = FloatVector.fromArray(FS, out, o2 + 3 * L);
        FloatVector c30 = FloatVector.fromArray(FS, out, o3);
        FloatVector c31 = FloatVector.fromArray(FS, out, o3 + L);
        FloatVector c32 = FloatVector.fromArray(FS, out, o3 + 2 * L);
        FloatVector c33 = FloatVector.fromArray(FS, out, o3 + 3 * L);
        int o = wOff;
        for (int k = 0; k < n; k++, o += 4 * L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector w1 = FloatVector.fromArray(FS, w, o + L);
            FloatVector w2 = FloatVector.fromArray(FS, w, o + 2 * L);
            FloatVector w3 = FloatVector.fromArray(FS, w, o + 3 * L);
            FloatVector v0 = FloatVector.broadcast(FS, a[a0 + k]);
            FloatVector v1 = FloatVector.broadcast(FS, a[a1 + k]);
            FloatVector v2 = FloatVector.broadcast(FS, a[a2 + k]);
            FloatVector v3 = FloatVector.broadcast(FS, a[a3 + k]);
            c00 = FMA ? w0.fma(v0, c00) : w0.mul(v0).add(c00);
            c01 = FMA ? w1.fma(v0, c01) : w1.mul(v0).add(c01);
            c02 = FMA ? w2.fma(v0, c02) : w2.mul(v0).add(c02);
            c03 = FMA ? w3.fma(v0, c03) : w3.mul(v0).add(c03);
            c10 = FMA ? w0.fma(v1, c10) : w0.mul(v1).add(c10);
            c11 = FMA ? w1.fma(v1, c11) : w1.mul(v1).add(c11);
            c12 = FMA ? w2.fma(v1, c12) : w2.mul(v1).add(c12);
            c13 = FMA ? w3.fma(v1, c13) : w3.mul(v1).add(c13);
            c20 = FMA ? w0.fma(v2, c20) : w0.mul(v2).add(c20);
            c21 = FMA ? w1.fma(v2, c21) : w1.mul(v2).add(c21);
            c22 = FMA ? w2.fma(v2, c22) : w2.mul(v2).add(c22);
            c23 = FMA ? w3.fma(v2, c23) : w3.mul(v2).add(c23);
            c30 = FMA ? w0.fma(v3, c30) : w0.mul(v3).add(c30);
            c31 = FMA ? w1.fma(v3, c31) : w1.mul(v3).add(c31);
            c32 = FMA ? w2.fma(v3, c32) : w2.mul(v3).add(c32);
            c33 = FMA ? w3.fma(v3, c33) : w3.mul(v3).add(c33);
        }
        c00.intoArray(out, o0);
        c01.intoArray(out, o0 + L);
        c02.intoArray(out, o0 + 2 * L);
        c03.intoArray(out, o0 + 3 * L);
        c10.intoArray(out, o1);
        c11.intoArray(out, o1 + L);
        c12.intoArray(out, o1 + 2 * L);
        c13.intoArray(out, o1 + 3 * L);
        c20.intoArray(out, o2);
        c21.intoArray(out, o2 + L);
        c22.intoArray(out, o2 + 2 * L);
        c23.intoArray(out, o2 + 3 * L);
        c30.intoArray(out, o3);
        c31.intoArray(out, o3 + L);
        c32.intoArray(out, o3 + 2 * L);
        c33.intoArray(out, o3 + 3 * L);
    }

    /** 2 rows × 4 vectors; see {@link #accumulate}. */
    static void rows2x4(float[] a, int a0, int a1, int n, float[] w, int wOff, float[] out, int o0, int o1) {
        FloatVector c00 = FloatVector.fromArray(FS, out, o0);
        FloatVector c01 = FloatVector.fromArray(FS, out, o0 + L);
        FloatVector c02 = FloatVector.fromArray(FS, out, o0 + 2 * L);
        FloatVector c03 = FloatVector.fromArray(FS, out, o0 + 3 * L);
        FloatVector c10 = FloatVector.fromArray(FS, out, o1);
        FloatVector c11 = FloatVector.fromArray(FS, out, o1 + L);
        FloatVector c12 = FloatVector.fromArray(FS, out, o1 + 2 * L);
        FloatVector c13 = FloatVector.fromArray(FS, out, o1 + 3 * L);
        int o = wOff;
        for (int k = 0; k < n; k++, o += 4 * L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector w1 = FloatVector.fromArray(FS, w, o + L);
            FloatVector w2 = FloatVector.fromArray(FS, w, o + 2 * L);
            FloatVector w3 = FloatVector.fromArray(FS, w, o + 3 * L);
            FloatVector v0 = FloatVector.broadcast(FS, a[a0 + k]);
            FloatVector v1 = FloatVector.broadcast(FS, a[a1 + k]);
            c00 = FMA ? w0.fma(v0, c00) : w0.mul(v0).add(c00);
            c01 = FMA ? w1.fma(v0, c01) : w1.mul(v0).add(c01);
            c02 = FMA ? w2.fma(v0, c02) : w2.mul(v0).add(c02);
            c03 = FMA ? w3.fma(v0, c03) : w3.mul(v0).add(c03);
            c10 = FMA ? w0.fma(v1, c10) : w0.mul(v1).add(c10);
            c11 = FMA ? w1.fma(v1, c11) : w1.mul(v1).add(c11);
            c12 = FMA ? w2.fma(v1, c12) : w2.mul(v1).add(c12);
            c13 = FMA ? w3.fma(v1, c13) : w3.mul(v1).add(c13);
        }
        c00.intoArray(out, o0);
        c01.intoArray(out, o0 + L);
        c02.intoArray(out, o0 + 2 * L);
        c03.intoArray(out, o0 + 3 * L);
        c10.intoArray(out, o1);
        c11.intoArray(out, o1 + L);
        c12.intoArray(out, o1 + 2 * L);
        c13.intoArray(out, o1 + 3 * L);
    }

    /** 1 rows × 4 vectors; see {@link #accumulate}. */
    static void rows1x4(float[] a, int a0, int n, float[] w, int wOff, float[] out, int o0) {
        FloatVector c00 = FloatVector.fromArray(FS, out, o0);
        FloatVector c01 = FloatVector.fromArray(FS, out, o0 + L);
        FloatVector c02 = FloatVector.fromArray(FS, out, o0 + 2 * L);
        FloatVector c03 = FloatVector.fromArray(FS, out, o0 + 3 * L);
        int o = wOff;
        for (int k = 0; k < n; k++, o += 4 * L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector w1 = FloatVector.fromArray(FS, w, o + L);
            FloatVector w2 = FloatVector.fromArray(FS, w, o + 2 * L);
            FloatVector w3 = FloatVector.fromArray(FS, w, o + 3 * L);
            FloatVector v0 = FloatVector.broadcast(FS, a[a0 + k]);
            c00 = FMA ? w0.fma(v0, c00) : w0.mul(v0).add(c00);
            c01 = FMA ? w1.fma(v0, c01) : w1.mul(v0).add(c01);
            c02 = FMA ? w2.fma(v0, c02) : w2.mul(v0).add(c02);
            c03 = FMA ? w3.fma(v0, c03) : w3.mul(v0).add(c03);
        }
        c00.intoArray(out, o0);
        c01.intoArray(out, o0 + L);
        c02.intoArray(out, o0 + 2 * L);
        c03.intoArray(out, o0 + 3 * L);
    }

    /** 4 rows × 1 vector; see {@link #accumulate}. */
    static void rows4x1(float[] a, int a0, int a1, int a2, int a3, int n, float[] w, int wOff, float[] out, int o0, int o1, int o2, int o3) {
        FloatVector c00 = FloatVector.fromArray(FS, out, o0);
        FloatVector c10 = FloatVector.fromArray(FS, out, o1);
        FloatVector c20 = FloatVector.fromArray(FS, out, o2);
        FloatVector c30 = FloatVector.fromArray(FS, out, o3);
        int o = wOff;
        for (int k = 0; k < n; k++, o += L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector v0 = FloatVector.broadcast(FS, a[a0 + k]);
            FloatVector v1 = FloatVector.broadcast(FS, a[a1 + k]);
            FloatVector v2 = FloatVector.broadcast(FS, a[a2 + k]);
            FloatVector v3 = FloatVector.broadcast(FS, a[a3 + k]);
            c00 = FMA ? w0.fma(v0, c00) : w0.mul(v0).add(c00);
            c10 = FMA ? w0.fma(v1, c10) : w0.mul(v1).add(c10);
            c20 = FMA ? w0.fma(v2, c20) : w0.mul(v2).add(c20);
            c30 = FMA ? w0.fma(v3, c30) : w0.mul(v3).add(c30);
        }
        c00.intoArray(out, o0);
        c10.intoArray(out, o1);
        c20.intoArray(out, o2);
        c30.intoArray(out, o3);
    }

    /** 2 rows × 1 vector; see {@link #accumulate}. */
    static void rows2x1(float[] a, int a0, int a1, int n, float[] w, int wOff, float[] out, int o0, int o1) {
        FloatVector c00 = FloatVector.fromArray(FS, out, o0);
        FloatVector c10 = FloatVector.fromArray(FS, out, o1);
        int o = wOff;
        for (int k = 0; k < n; k++, o += L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector v0 = FloatVector.broadcast(FS, a[a0 + k]);
            FloatVector v1 = FloatVector.broadcast(FS, a[a1 + k]);
            c00 = FMA ? w0.fma(v0, c00) : w0.mul(v0).add(c00);
            c10 = FMA ? w0.fma(v1, c10) : w0.mul(v1).add(c10);
        }
        c00.intoArray(out, o0);
        c10.intoArray(out, o1);
    }

    /** 1 rows × 1 vector; see {@link #accumulate}. */
    static void rows1x1(float[] a, int a0, int n, float[] w, int wOff, float[] out, int o0) {
        FloatVector c00 = FloatVector.fromArray(FS, out, o0);
        int o = wOff;
        for (int k = 0; k < n; k++, o += L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector v0 = FloatVector.broadcast(FS, a[a0 + k]);
            c00 = FMA ? w0.fma(v0, c00) : w0.mul(v0).add(c00);
        }
        c00.intoArray(out, o0);
    }
}
