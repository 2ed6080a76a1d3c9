package org.plstm.simd;

import static org.plstm.simd.VectorLevel.FMA;
import static org.plstm.simd.VectorLevel.FS;
import static org.plstm.simd.VectorLevel.L;
import static org.plstm.simd.VectorLevel.PRODUCT_ROWS;
import static org.plstm.simd.VectorLevel.TILE_ROWS;

import jdk.incubator.vector.FloatVector;

/**
 * The blocked matrix products of the engine: for a few rows at a time,
 * {@code out[row] = init[row] + [a[row], b[row]] · W}, where {@code W} is a contiguous strip of
 * {@code aLen + bLen} rows of {@code cols·L} floats ({@code cols} = 4, 2 or 1 vectors) and a row's values come in
 * two segments from two arrays. The gate product of one unit block is {@code z = bias + [x_t, h_{t-1}]·[kernel;
 * recurrentKernel]} (forward and streaming); with the transposed strips of {@link PackedLayer},
 * {@code dh_{t-1} += dz_t·recurrentKernel^T} and {@code dx_t = dz_t·kernel^T} (backward, one segment).
 *
 * <p>Each kernel keeps {@code rows × cols} accumulators in registers over the whole strip, loads {@code cols} weight
 * vectors and broadcasts one value per row per step of {@code i}: the weights are read once per tile, the row values
 * once per column group. The tiles fill the level's registers: with 32 (AVX-512), 6 rows × 4 vectors (24
 * accumulators, 4 weight vectors, broadcasts; 10 loads per 24 FMAs instead of 8 per 16 with 4 rows), then 4-row
 * tiles; 8 × 2 then 4 × 2 for 2-vector strips (16 accumulators: 10 loads per 16 FMAs instead of 6 per 8; a small
 * layer's backward, H = 32 at 512 bits, is one such strip), 4 × 1 for 1-vector ones; with 16 (AVX2, 128-bit),
 * {@link VectorLevel#TILE_ROWS} = 2 rows; with SSE only, 1 row for 4-vector strips ({@link VectorLevel#PRODUCT_ROWS}:
 * two-operand instructions need copies, and 2 rows spilled). The same kernels compute the weight gradients
 * ({@link WeightGradients#run}) on packed operands. Every row sums in the same order (i ascending from its initial
 * value, segment {@code a} before {@code b}) whatever tile it falls in, so results do not depend on the tiling or the
 * thread split.
 *
 * <p>Without hardware FMA ({@link VectorLevel#FMA}) the kernels multiply and add. The {@code FMA ? ... : ...} choices
 * are constants: C2 keeps one branch. The kernels are generated code in spirit (one body per tile shape); their
 * loops carry no branch.
 */
final class GateProduct {
    private GateProduct() {
    }

    /**
     * The rows of one product, filled by the caller (per worker, reused): row {@code q}'s first segment is
     * {@code a[aAt[q] .. + aLen)}, its second {@code b[bAt[q] .. + bLen)}, its accumulators start at
     * {@code init[initAt[q] ..]} and end at {@code out[outAt[q] ..]} ({@code init} may be {@code out}).
     */
    static final class ProductRows {
        float[] a = new float[0];
        int[] aAt;
        int aLen;
        float[] b = new float[0];
        int[] bAt;
        int bLen;
        float[] init;
        int[] initAt;
        float[] out;
        int[] outAt;

        /** @param rows the most rows a product will have */
        ProductRows(int rows) {
            aAt = new int[rows];
            bAt = new int[rows];
            initAt = new int[rows];
            outAt = new int[rows];
        }
    }

    /**
     * {@code out[outAt[q] .. + cols·L) = init[initAt[q] ..] + sum_i [a, b][q][i] · w[wOff + i·cols·L ..]} for rows
     * {@code q} in {@code [first, first + count)}, in tiles of 6 and 4 rows (4 vectors wide), 8 and 4 rows (2 vectors)
     * or 4 rows (1 vector) with 32 registers, of 2 rows with 16 (1 row for 4 vectors with SSE only), then 2 and 1.
     *
     * @param r     the rows (segments, initial values, outputs)
     * @param first first row
     * @param count rows
     * @param w     the strip's array
     * @param wOff  the strip's first float
     * @param cols  4, 2 or 1 vectors per strip row
     */
    static void accumulate(ProductRows r, int first, int count, float[] w, int wOff, int cols) {
        int q = first;
        int end = first + count;
        switch (cols) {
            case 4 -> {
                if (PRODUCT_ROWS == 6) {
                    for (; q + 6 <= end; q += 6) {
                        rows6x4(r, q, w, wOff);
                    }
                    for (; q + 4 <= end; q += 4) {
                        rows4x4(r, q, w, wOff);
                    }
                }
                if (PRODUCT_ROWS >= 2) {
                    for (; q + 2 <= end; q += 2) {
                        rows2x4(r, q, w, wOff);
                    }
                }
                for (; q < end; q++) {
                    rows1x4(r, q, w, wOff);
                }
            }
            case 2 -> {
                if (TILE_ROWS == 4) {
                    for (; q + 8 <= end; q += 8) {
                        rows8x2(r, q, w, wOff);
                    }
                    for (; q + 4 <= end; q += 4) {
                        rows4x2(r, q, w, wOff);
                    }
                }
                for (; q + 2 <= end; q += 2) {
                    rows2x2(r, q, w, wOff);
                }
                if (q < end) {
                    rows1x2(r, q, w, wOff);
                }
            }
            case 1 -> {
                if (TILE_ROWS == 4) {
                    for (; q + 4 <= end; q += 4) {
                        rows4x1(r, q, w, wOff);
                    }
                }
                for (; q + 2 <= end; q += 2) {
                    rows2x1(r, q, w, wOff);
                }
                if (q < end) {
                    rows1x1(r, q, w, wOff);
                }
            }
            default -> throw new AssertionError(cols);
        }
    }

    /** 6 rows × 4 vectors from row {@code q} of {@code r} (levels with 32 registers); see {@link #accumulate}. */
    private static void rows6x4(ProductRows r, int q, float[] w, int wOff) {
        int i0 = r.initAt[q + 0];
        int i1 = r.initAt[q + 1];
        int i2 = r.initAt[q + 2];
        int i3 = r.initAt[q + 3];
        int i4 = r.initAt[q + 4];
        int i5 = r.initAt[q + 5];
        FloatVector c00 = FloatVector.fromArray(FS, r.init, i0);
        FloatVector c01 = FloatVector.fromArray(FS, r.init, i0 + L);
        FloatVector c02 = FloatVector.fromArray(FS, r.init, i0 + 2 * L);
        FloatVector c03 = FloatVector.fromArray(FS, r.init, i0 + 3 * L);
        FloatVector c10 = FloatVector.fromArray(FS, r.init, i1);
        FloatVector c11 = FloatVector.fromArray(FS, r.init, i1 + L);
        FloatVector c12 = FloatVector.fromArray(FS, r.init, i1 + 2 * L);
        FloatVector c13 = FloatVector.fromArray(FS, r.init, i1 + 3 * L);
        FloatVector c20 = FloatVector.fromArray(FS, r.init, i2);
        FloatVector c21 = FloatVector.fromArray(FS, r.init, i2 + L);
        FloatVector c22 = FloatVector.fromArray(FS, r.init, i2 + 2 * L);
        FloatVector c23 = FloatVector.fromArray(FS, r.init, i2 + 3 * L);
        FloatVector c30 = FloatVector.fromArray(FS, r.init, i3);
        FloatVector c31 = FloatVector.fromArray(FS, r.init, i3 + L);
        FloatVector c32 = FloatVector.fromArray(FS, r.init, i3 + 2 * L);
        FloatVector c33 = FloatVector.fromArray(FS, r.init, i3 + 3 * L);
        FloatVector c40 = FloatVector.fromArray(FS, r.init, i4);
        FloatVector c41 = FloatVector.fromArray(FS, r.init, i4 + L);
        FloatVector c42 = FloatVector.fromArray(FS, r.init, i4 + 2 * L);
        FloatVector c43 = FloatVector.fromArray(FS, r.init, i4 + 3 * L);
        FloatVector c50 = FloatVector.fromArray(FS, r.init, i5);
        FloatVector c51 = FloatVector.fromArray(FS, r.init, i5 + L);
        FloatVector c52 = FloatVector.fromArray(FS, r.init, i5 + 2 * L);
        FloatVector c53 = FloatVector.fromArray(FS, r.init, i5 + 3 * L);
        float[] a = r.a;
        int a0 = r.aAt[q + 0];
        int a1 = r.aAt[q + 1];
        int a2 = r.aAt[q + 2];
        int a3 = r.aAt[q + 3];
        int a4 = r.aAt[q + 4];
        int a5 = r.aAt[q + 5];
        int o = wOff;
        for (int i = 0, n = r.aLen; i < n; i++, o += 4 * L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector w1 = FloatVector.fromArray(FS, w, o + L);
            FloatVector w2 = FloatVector.fromArray(FS, w, o + 2 * L);
            FloatVector w3 = FloatVector.fromArray(FS, w, o + 3 * L);
            FloatVector v0 = FloatVector.broadcast(FS, a[a0 + i]);
            c00 = FMA ? w0.fma(v0, c00) : w0.mul(v0).add(c00);
            c01 = FMA ? w1.fma(v0, c01) : w1.mul(v0).add(c01);
            c02 = FMA ? w2.fma(v0, c02) : w2.mul(v0).add(c02);
            c03 = FMA ? w3.fma(v0, c03) : w3.mul(v0).add(c03);
            FloatVector v1 = FloatVector.broadcast(FS, a[a1 + i]);
            c10 = FMA ? w0.fma(v1, c10) : w0.mul(v1).add(c10);
            c11 = FMA ? w1.fma(v1, c11) : w1.mul(v1).add(c11);
            c12 = FMA ? w2.fma(v1, c12) : w2.mul(v1).add(c12);
            c13 = FMA ? w3.fma(v1, c13) : w3.mul(v1).add(c13);
            FloatVector v2 = FloatVector.broadcast(FS, a[a2 + i]);
            c20 = FMA ? w0.fma(v2, c20) : w0.mul(v2).add(c20);
            c21 = FMA ? w1.fma(v2, c21) : w1.mul(v2).add(c21);
            c22 = FMA ? w2.fma(v2, c22) : w2.mul(v2).add(c22);
            c23 = FMA ? w3.fma(v2, c23) : w3.mul(v2).add(c23);
            FloatVector v3 = FloatVector.broadcast(FS, a[a3 + i]);
            c30 = FMA ? w0.fma(v3, c30) : w0.mul(v3).add(c30);
            c31 = FMA ? w1.fma(v3, c31) : w1.mul(v3).add(c31);
            c32 = FMA ? w2.fma(v3, c32) : w2.mul(v3).add(c32);
            c33 = FMA ? w3.fma(v3, c33) : w3.mul(v3).add(c33);
            FloatVector v4 = FloatVector.broadcast(FS, a[a4 + i]);
            c40 = FMA ? w0.fma(v4, c40) : w0.mul(v4).add(c40);
            c41 = FMA ? w1.fma(v4, c41) : w1.mul(v4).add(c41);
            c42 = FMA ? w2.fma(v4, c42) : w2.mul(v4).add(c42);
            c43 = FMA ? w3.fma(v4, c43) : w3.mul(v4).add(c43);
            FloatVector v5 = FloatVector.broadcast(FS, a[a5 + i]);
            c50 = FMA ? w0.fma(v5, c50) : w0.mul(v5).add(c50);
            c51 = FMA ? w1.fma(v5, c51) : w1.mul(v5).add(c51);
            c52 = FMA ? w2.fma(v5, c52) : w2.mul(v5).add(c52);
            c53 = FMA ? w3.fma(v5, c53) : w3.mul(v5).add(c53);
        }
        float[] b = r.b;
        int b0 = r.bAt[q + 0];
        int b1 = r.bAt[q + 1];
        int b2 = r.bAt[q + 2];
        int b3 = r.bAt[q + 3];
        int b4 = r.bAt[q + 4];
        int b5 = r.bAt[q + 5];
        for (int i = 0, n = r.bLen; i < n; i++, o += 4 * L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector w1 = FloatVector.fromArray(FS, w, o + L);
            FloatVector w2 = FloatVector.fromArray(FS, w, o + 2 * L);
            FloatVector w3 = FloatVector.fromArray(FS, w, o + 3 * L);
            FloatVector v0 = FloatVector.broadcast(FS, b[b0 + i]);
            c00 = FMA ? w0.fma(v0, c00) : w0.mul(v0).add(c00);
            c01 = FMA ? w1.fma(v0, c01) : w1.mul(v0).add(c01);
            c02 = FMA ? w2.fma(v0, c02) : w2.mul(v0).add(c02);
            c03 = FMA ? w3.fma(v0, c03) : w3.mul(v0).add(c03);
            FloatVector v1 = FloatVector.broadcast(FS, b[b1 + i]);
            c10 = FMA ? w0.fma(v1, c10) : w0.mul(v1).add(c10);
            c11 = FMA ? w1.fma(v1, c11) : w1.mul(v1).add(c11);
            c12 = FMA ? w2.fma(v1, c12) : w2.mul(v1).add(c12);
            c13 = FMA ? w3.fma(v1, c13) : w3.mul(v1).add(c13);
            FloatVector v2 = FloatVector.broadcast(FS, b[b2 + i]);
            c20 = FMA ? w0.fma(v2, c20) : w0.mul(v2).add(c20);
            c21 = FMA ? w1.fma(v2, c21) : w1.mul(v2).add(c21);
            c22 = FMA ? w2.fma(v2, c22) : w2.mul(v2).add(c22);
            c23 = FMA ? w3.fma(v2, c23) : w3.mul(v2).add(c23);
            FloatVector v3 = FloatVector.broadcast(FS, b[b3 + i]);
            c30 = FMA ? w0.fma(v3, c30) : w0.mul(v3).add(c30);
            c31 = FMA ? w1.fma(v3, c31) : w1.mul(v3).add(c31);
            c32 = FMA ? w2.fma(v3, c32) : w2.mul(v3).add(c32);
            c33 = FMA ? w3.fma(v3, c33) : w3.mul(v3).add(c33);
            FloatVector v4 = FloatVector.broadcast(FS, b[b4 + i]);
            c40 = FMA ? w0.fma(v4, c40) : w0.mul(v4).add(c40);
            c41 = FMA ? w1.fma(v4, c41) : w1.mul(v4).add(c41);
            c42 = FMA ? w2.fma(v4, c42) : w2.mul(v4).add(c42);
            c43 = FMA ? w3.fma(v4, c43) : w3.mul(v4).add(c43);
            FloatVector v5 = FloatVector.broadcast(FS, b[b5 + i]);
            c50 = FMA ? w0.fma(v5, c50) : w0.mul(v5).add(c50);
            c51 = FMA ? w1.fma(v5, c51) : w1.mul(v5).add(c51);
            c52 = FMA ? w2.fma(v5, c52) : w2.mul(v5).add(c52);
            c53 = FMA ? w3.fma(v5, c53) : w3.mul(v5).add(c53);
        }
        int o0 = r.outAt[q + 0];
        int o1 = r.outAt[q + 1];
        int o2 = r.outAt[q + 2];
        int o3 = r.outAt[q + 3];
        int o4 = r.outAt[q + 4];
        int o5 = r.outAt[q + 5];
        c00.intoArray(r.out, o0);
        c01.intoArray(r.out, o0 + L);
        c02.intoArray(r.out, o0 + 2 * L);
        c03.intoArray(r.out, o0 + 3 * L);
        c10.intoArray(r.out, o1);
        c11.intoArray(r.out, o1 + L);
        c12.intoArray(r.out, o1 + 2 * L);
        c13.intoArray(r.out, o1 + 3 * L);
        c20.intoArray(r.out, o2);
        c21.intoArray(r.out, o2 + L);
        c22.intoArray(r.out, o2 + 2 * L);
        c23.intoArray(r.out, o2 + 3 * L);
        c30.intoArray(r.out, o3);
        c31.intoArray(r.out, o3 + L);
        c32.intoArray(r.out, o3 + 2 * L);
        c33.intoArray(r.out, o3 + 3 * L);
        c40.intoArray(r.out, o4);
        c41.intoArray(r.out, o4 + L);
        c42.intoArray(r.out, o4 + 2 * L);
        c43.intoArray(r.out, o4 + 3 * L);
        c50.intoArray(r.out, o5);
        c51.intoArray(r.out, o5 + L);
        c52.intoArray(r.out, o5 + 2 * L);
        c53.intoArray(r.out, o5 + 3 * L);
    }

    /** 4 rows × 4 vectors from row {@code q} of {@code r}; see {@link #accumulate}. */
    private static void rows4x4(ProductRows r, int q, float[] w, int wOff) {
        int i0 = r.initAt[q + 0];
        int i1 = r.initAt[q + 1];
        int i2 = r.initAt[q + 2];
        int i3 = r.initAt[q + 3];
        FloatVector c00 = FloatVector.fromArray(FS, r.init, i0);
        FloatVector c01 = FloatVector.fromArray(FS, r.init, i0 + L);
        FloatVector c02 = FloatVector.fromArray(FS, r.init, i0 + 2 * L);
        FloatVector c03 = FloatVector.fromArray(FS, r.init, i0 + 3 * L);
        FloatVector c10 = FloatVector.fromArray(FS, r.init, i1);
        FloatVector c11 = FloatVector.fromArray(FS, r.init, i1 + L);
        FloatVector c12 = FloatVector.fromArray(FS, r.init, i1 + 2 * L);
        FloatVector c13 = FloatVector.fromArray(FS, r.init, i1 + 3 * L);
        FloatVector c20 = FloatVector.fromArray(FS, r.init, i2);
        FloatVector c21 = FloatVector.fromArray(FS, r.init, i2 + L);
        FloatVector c22 = FloatVector.fromArray(FS, r.init, i2 + 2 * L);
        FloatVector c23 = FloatVector.fromArray(FS, r.init, i2 + 3 * L);
        FloatVector c30 = FloatVector.fromArray(FS, r.init, i3);
        FloatVector c31 = FloatVector.fromArray(FS, r.init, i3 + L);
        FloatVector c32 = FloatVector.fromArray(FS, r.init, i3 + 2 * L);
        FloatVector c33 = FloatVector.fromArray(FS, r.init, i3 + 3 * L);
        float[] a = r.a;
        int a0 = r.aAt[q + 0];
        int a1 = r.aAt[q + 1];
        int a2 = r.aAt[q + 2];
        int a3 = r.aAt[q + 3];
        int o = wOff;
        for (int i = 0, n = r.aLen; i < n; i++, o += 4 * L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector w1 = FloatVector.fromArray(FS, w, o + L);
            FloatVector w2 = FloatVector.fromArray(FS, w, o + 2 * L);
            FloatVector w3 = FloatVector.fromArray(FS, w, o + 3 * L);
            FloatVector v0 = FloatVector.broadcast(FS, a[a0 + i]);
            FloatVector v1 = FloatVector.broadcast(FS, a[a1 + i]);
            FloatVector v2 = FloatVector.broadcast(FS, a[a2 + i]);
            FloatVector v3 = FloatVector.broadcast(FS, a[a3 + i]);
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
        float[] b = r.b;
        int b0 = r.bAt[q + 0];
        int b1 = r.bAt[q + 1];
        int b2 = r.bAt[q + 2];
        int b3 = r.bAt[q + 3];
        for (int i = 0, n = r.bLen; i < n; i++, o += 4 * L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector w1 = FloatVector.fromArray(FS, w, o + L);
            FloatVector w2 = FloatVector.fromArray(FS, w, o + 2 * L);
            FloatVector w3 = FloatVector.fromArray(FS, w, o + 3 * L);
            FloatVector v0 = FloatVector.broadcast(FS, b[b0 + i]);
            FloatVector v1 = FloatVector.broadcast(FS, b[b1 + i]);
            FloatVector v2 = FloatVector.broadcast(FS, b[b2 + i]);
            FloatVector v3 = FloatVector.broadcast(FS, b[b3 + i]);
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
        int o0 = r.outAt[q + 0];
        int o1 = r.outAt[q + 1];
        int o2 = r.outAt[q + 2];
        int o3 = r.outAt[q + 3];
        c00.intoArray(r.out, o0);
        c01.intoArray(r.out, o0 + L);
        c02.intoArray(r.out, o0 + 2 * L);
        c03.intoArray(r.out, o0 + 3 * L);
        c10.intoArray(r.out, o1);
        c11.intoArray(r.out, o1 + L);
        c12.intoArray(r.out, o1 + 2 * L);
        c13.intoArray(r.out, o1 + 3 * L);
        c20.intoArray(r.out, o2);
        c21.intoArray(r.out, o2 + L);
        c22.intoArray(r.out, o2 + 2 * L);
        c23.intoArray(r.out, o2 + 3 * L);
        c30.intoArray(r.out, o3);
        c31.intoArray(r.out, o3 + L);
        c32.intoArray(r.out, o3 + 2 * L);
        c33.intoArray(r.out, o3 + 3 * L);
    }

    /** 2 rows × 4 vectors from row {@code q} of {@code r}; see {@link #accumulate}. */
    private static void rows2x4(ProductRows r, int q, float[] w, int wOff) {
        int i0 = r.initAt[q + 0];
        int i1 = r.initAt[q + 1];
        FloatVector c00 = FloatVector.fromArray(FS, r.init, i0);
        FloatVector c01 = FloatVector.fromArray(FS, r.init, i0 + L);
        FloatVector c02 = FloatVector.fromArray(FS, r.init, i0 + 2 * L);
        FloatVector c03 = FloatVector.fromArray(FS, r.init, i0 + 3 * L);
        FloatVector c10 = FloatVector.fromArray(FS, r.init, i1);
        FloatVector c11 = FloatVector.fromArray(FS, r.init, i1 + L);
        FloatVector c12 = FloatVector.fromArray(FS, r.init, i1 + 2 * L);
        FloatVector c13 = FloatVector.fromArray(FS, r.init, i1 + 3 * L);
        float[] a = r.a;
        int a0 = r.aAt[q + 0];
        int a1 = r.aAt[q + 1];
        int o = wOff;
        for (int i = 0, n = r.aLen; i < n; i++, o += 4 * L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector w1 = FloatVector.fromArray(FS, w, o + L);
            FloatVector w2 = FloatVector.fromArray(FS, w, o + 2 * L);
            FloatVector w3 = FloatVector.fromArray(FS, w, o + 3 * L);
            FloatVector v0 = FloatVector.broadcast(FS, a[a0 + i]);
            FloatVector v1 = FloatVector.broadcast(FS, a[a1 + i]);
            c00 = FMA ? w0.fma(v0, c00) : w0.mul(v0).add(c00);
            c01 = FMA ? w1.fma(v0, c01) : w1.mul(v0).add(c01);
            c02 = FMA ? w2.fma(v0, c02) : w2.mul(v0).add(c02);
            c03 = FMA ? w3.fma(v0, c03) : w3.mul(v0).add(c03);
            c10 = FMA ? w0.fma(v1, c10) : w0.mul(v1).add(c10);
            c11 = FMA ? w1.fma(v1, c11) : w1.mul(v1).add(c11);
            c12 = FMA ? w2.fma(v1, c12) : w2.mul(v1).add(c12);
            c13 = FMA ? w3.fma(v1, c13) : w3.mul(v1).add(c13);
        }
        float[] b = r.b;
        int b0 = r.bAt[q + 0];
        int b1 = r.bAt[q + 1];
        for (int i = 0, n = r.bLen; i < n; i++, o += 4 * L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector w1 = FloatVector.fromArray(FS, w, o + L);
            FloatVector w2 = FloatVector.fromArray(FS, w, o + 2 * L);
            FloatVector w3 = FloatVector.fromArray(FS, w, o + 3 * L);
            FloatVector v0 = FloatVector.broadcast(FS, b[b0 + i]);
            FloatVector v1 = FloatVector.broadcast(FS, b[b1 + i]);
            c00 = FMA ? w0.fma(v0, c00) : w0.mul(v0).add(c00);
            c01 = FMA ? w1.fma(v0, c01) : w1.mul(v0).add(c01);
            c02 = FMA ? w2.fma(v0, c02) : w2.mul(v0).add(c02);
            c03 = FMA ? w3.fma(v0, c03) : w3.mul(v0).add(c03);
            c10 = FMA ? w0.fma(v1, c10) : w0.mul(v1).add(c10);
            c11 = FMA ? w1.fma(v1, c11) : w1.mul(v1).add(c11);
            c12 = FMA ? w2.fma(v1, c12) : w2.mul(v1).add(c12);
            c13 = FMA ? w3.fma(v1, c13) : w3.mul(v1).add(c13);
        }
        int o0 = r.outAt[q + 0];
        int o1 = r.outAt[q + 1];
        c00.intoArray(r.out, o0);
        c01.intoArray(r.out, o0 + L);
        c02.intoArray(r.out, o0 + 2 * L);
        c03.intoArray(r.out, o0 + 3 * L);
        c10.intoArray(r.out, o1);
        c11.intoArray(r.out, o1 + L);
        c12.intoArray(r.out, o1 + 2 * L);
        c13.intoArray(r.out, o1 + 3 * L);
    }

    /** 1 row × 4 vectors from row {@code q} of {@code r}; see {@link #accumulate}. */
    private static void rows1x4(ProductRows r, int q, float[] w, int wOff) {
        int i0 = r.initAt[q + 0];
        FloatVector c00 = FloatVector.fromArray(FS, r.init, i0);
        FloatVector c01 = FloatVector.fromArray(FS, r.init, i0 + L);
        FloatVector c02 = FloatVector.fromArray(FS, r.init, i0 + 2 * L);
        FloatVector c03 = FloatVector.fromArray(FS, r.init, i0 + 3 * L);
        float[] a = r.a;
        int a0 = r.aAt[q + 0];
        int o = wOff;
        for (int i = 0, n = r.aLen; i < n; i++, o += 4 * L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector w1 = FloatVector.fromArray(FS, w, o + L);
            FloatVector w2 = FloatVector.fromArray(FS, w, o + 2 * L);
            FloatVector w3 = FloatVector.fromArray(FS, w, o + 3 * L);
            FloatVector v0 = FloatVector.broadcast(FS, a[a0 + i]);
            c00 = FMA ? w0.fma(v0, c00) : w0.mul(v0).add(c00);
            c01 = FMA ? w1.fma(v0, c01) : w1.mul(v0).add(c01);
            c02 = FMA ? w2.fma(v0, c02) : w2.mul(v0).add(c02);
            c03 = FMA ? w3.fma(v0, c03) : w3.mul(v0).add(c03);
        }
        float[] b = r.b;
        int b0 = r.bAt[q + 0];
        for (int i = 0, n = r.bLen; i < n; i++, o += 4 * L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector w1 = FloatVector.fromArray(FS, w, o + L);
            FloatVector w2 = FloatVector.fromArray(FS, w, o + 2 * L);
            FloatVector w3 = FloatVector.fromArray(FS, w, o + 3 * L);
            FloatVector v0 = FloatVector.broadcast(FS, b[b0 + i]);
            c00 = FMA ? w0.fma(v0, c00) : w0.mul(v0).add(c00);
            c01 = FMA ? w1.fma(v0, c01) : w1.mul(v0).add(c01);
            c02 = FMA ? w2.fma(v0, c02) : w2.mul(v0).add(c02);
            c03 = FMA ? w3.fma(v0, c03) : w3.mul(v0).add(c03);
        }
        int o0 = r.outAt[q + 0];
        c00.intoArray(r.out, o0);
        c01.intoArray(r.out, o0 + L);
        c02.intoArray(r.out, o0 + 2 * L);
        c03.intoArray(r.out, o0 + 3 * L);
    }

    /** 4 rows × 2 vectors from row {@code q} of {@code r}; see {@link #accumulate}. */
    private static void rows4x2(ProductRows r, int q, float[] w, int wOff) {
        int i0 = r.initAt[q + 0];
        int i1 = r.initAt[q + 1];
        int i2 = r.initAt[q + 2];
        int i3 = r.initAt[q + 3];
        FloatVector c00 = FloatVector.fromArray(FS, r.init, i0);
        FloatVector c01 = FloatVector.fromArray(FS, r.init, i0 + L);
        FloatVector c10 = FloatVector.fromArray(FS, r.init, i1);
        FloatVector c11 = FloatVector.fromArray(FS, r.init, i1 + L);
        FloatVector c20 = FloatVector.fromArray(FS, r.init, i2);
        FloatVector c21 = FloatVector.fromArray(FS, r.init, i2 + L);
        FloatVector c30 = FloatVector.fromArray(FS, r.init, i3);
        FloatVector c31 = FloatVector.fromArray(FS, r.init, i3 + L);
        float[] a = r.a;
        int a0 = r.aAt[q + 0];
        int a1 = r.aAt[q + 1];
        int a2 = r.aAt[q + 2];
        int a3 = r.aAt[q + 3];
        int o = wOff;
        for (int i = 0, n = r.aLen; i < n; i++, o += 2 * L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector w1 = FloatVector.fromArray(FS, w, o + L);
            FloatVector v0 = FloatVector.broadcast(FS, a[a0 + i]);
            FloatVector v1 = FloatVector.broadcast(FS, a[a1 + i]);
            FloatVector v2 = FloatVector.broadcast(FS, a[a2 + i]);
            FloatVector v3 = FloatVector.broadcast(FS, a[a3 + i]);
            c00 = FMA ? w0.fma(v0, c00) : w0.mul(v0).add(c00);
            c01 = FMA ? w1.fma(v0, c01) : w1.mul(v0).add(c01);
            c10 = FMA ? w0.fma(v1, c10) : w0.mul(v1).add(c10);
            c11 = FMA ? w1.fma(v1, c11) : w1.mul(v1).add(c11);
            c20 = FMA ? w0.fma(v2, c20) : w0.mul(v2).add(c20);
            c21 = FMA ? w1.fma(v2, c21) : w1.mul(v2).add(c21);
            c30 = FMA ? w0.fma(v3, c30) : w0.mul(v3).add(c30);
            c31 = FMA ? w1.fma(v3, c31) : w1.mul(v3).add(c31);
        }
        float[] b = r.b;
        int b0 = r.bAt[q + 0];
        int b1 = r.bAt[q + 1];
        int b2 = r.bAt[q + 2];
        int b3 = r.bAt[q + 3];
        for (int i = 0, n = r.bLen; i < n; i++, o += 2 * L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector w1 = FloatVector.fromArray(FS, w, o + L);
            FloatVector v0 = FloatVector.broadcast(FS, b[b0 + i]);
            FloatVector v1 = FloatVector.broadcast(FS, b[b1 + i]);
            FloatVector v2 = FloatVector.broadcast(FS, b[b2 + i]);
            FloatVector v3 = FloatVector.broadcast(FS, b[b3 + i]);
            c00 = FMA ? w0.fma(v0, c00) : w0.mul(v0).add(c00);
            c01 = FMA ? w1.fma(v0, c01) : w1.mul(v0).add(c01);
            c10 = FMA ? w0.fma(v1, c10) : w0.mul(v1).add(c10);
            c11 = FMA ? w1.fma(v1, c11) : w1.mul(v1).add(c11);
            c20 = FMA ? w0.fma(v2, c20) : w0.mul(v2).add(c20);
            c21 = FMA ? w1.fma(v2, c21) : w1.mul(v2).add(c21);
            c30 = FMA ? w0.fma(v3, c30) : w0.mul(v3).add(c30);
            c31 = FMA ? w1.fma(v3, c31) : w1.mul(v3).add(c31);
        }
        int o0 = r.outAt[q + 0];
        int o1 = r.outAt[q + 1];
        int o2 = r.outAt[q + 2];
        int o3 = r.outAt[q + 3];
        c00.intoArray(r.out, o0);
        c01.intoArray(r.out, o0 + L);
        c10.intoArray(r.out, o1);
        c11.intoArray(r.out, o1 + L);
        c20.intoArray(r.out, o2);
        c21.intoArray(r.out, o2 + L);
        c30.intoArray(r.out, o3);
        c31.intoArray(r.out, o3 + L);
    }

    /**
     * 8 rows × 2 vectors from row {@code q} of {@code r} (levels with 32 registers: 16 accumulators, 2 weights
     * and a broadcast); see {@link #accumulate}. Small layers' backward (H = 32 at 512 bits is one 2-vector strip)
     * runs its {@code dh} product here.
     */
    private static void rows8x2(ProductRows r, int q, float[] w, int wOff) {
        int i0 = r.initAt[q + 0];
        int i1 = r.initAt[q + 1];
        int i2 = r.initAt[q + 2];
        int i3 = r.initAt[q + 3];
        int i4 = r.initAt[q + 4];
        int i5 = r.initAt[q + 5];
        int i6 = r.initAt[q + 6];
        int i7 = r.initAt[q + 7];
        FloatVector c00 = FloatVector.fromArray(FS, r.init, i0);
        FloatVector c01 = FloatVector.fromArray(FS, r.init, i0 + L);
        FloatVector c10 = FloatVector.fromArray(FS, r.init, i1);
        FloatVector c11 = FloatVector.fromArray(FS, r.init, i1 + L);
        FloatVector c20 = FloatVector.fromArray(FS, r.init, i2);
        FloatVector c21 = FloatVector.fromArray(FS, r.init, i2 + L);
        FloatVector c30 = FloatVector.fromArray(FS, r.init, i3);
        FloatVector c31 = FloatVector.fromArray(FS, r.init, i3 + L);
        FloatVector c40 = FloatVector.fromArray(FS, r.init, i4);
        FloatVector c41 = FloatVector.fromArray(FS, r.init, i4 + L);
        FloatVector c50 = FloatVector.fromArray(FS, r.init, i5);
        FloatVector c51 = FloatVector.fromArray(FS, r.init, i5 + L);
        FloatVector c60 = FloatVector.fromArray(FS, r.init, i6);
        FloatVector c61 = FloatVector.fromArray(FS, r.init, i6 + L);
        FloatVector c70 = FloatVector.fromArray(FS, r.init, i7);
        FloatVector c71 = FloatVector.fromArray(FS, r.init, i7 + L);
        float[] a = r.a;
        int a0 = r.aAt[q + 0];
        int a1 = r.aAt[q + 1];
        int a2 = r.aAt[q + 2];
        int a3 = r.aAt[q + 3];
        int a4 = r.aAt[q + 4];
        int a5 = r.aAt[q + 5];
        int a6 = r.aAt[q + 6];
        int a7 = r.aAt[q + 7];
        int o = wOff;
        for (int i = 0, n = r.aLen; i < n; i++, o += 2 * L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector w1 = FloatVector.fromArray(FS, w, o + L);
            FloatVector v0 = FloatVector.broadcast(FS, a[a0 + i]);
            c00 = FMA ? w0.fma(v0, c00) : w0.mul(v0).add(c00);
            c01 = FMA ? w1.fma(v0, c01) : w1.mul(v0).add(c01);
            FloatVector v1 = FloatVector.broadcast(FS, a[a1 + i]);
            c10 = FMA ? w0.fma(v1, c10) : w0.mul(v1).add(c10);
            c11 = FMA ? w1.fma(v1, c11) : w1.mul(v1).add(c11);
            FloatVector v2 = FloatVector.broadcast(FS, a[a2 + i]);
            c20 = FMA ? w0.fma(v2, c20) : w0.mul(v2).add(c20);
            c21 = FMA ? w1.fma(v2, c21) : w1.mul(v2).add(c21);
            FloatVector v3 = FloatVector.broadcast(FS, a[a3 + i]);
            c30 = FMA ? w0.fma(v3, c30) : w0.mul(v3).add(c30);
            c31 = FMA ? w1.fma(v3, c31) : w1.mul(v3).add(c31);
            FloatVector v4 = FloatVector.broadcast(FS, a[a4 + i]);
            c40 = FMA ? w0.fma(v4, c40) : w0.mul(v4).add(c40);
            c41 = FMA ? w1.fma(v4, c41) : w1.mul(v4).add(c41);
            FloatVector v5 = FloatVector.broadcast(FS, a[a5 + i]);
            c50 = FMA ? w0.fma(v5, c50) : w0.mul(v5).add(c50);
            c51 = FMA ? w1.fma(v5, c51) : w1.mul(v5).add(c51);
            FloatVector v6 = FloatVector.broadcast(FS, a[a6 + i]);
            c60 = FMA ? w0.fma(v6, c60) : w0.mul(v6).add(c60);
            c61 = FMA ? w1.fma(v6, c61) : w1.mul(v6).add(c61);
            FloatVector v7 = FloatVector.broadcast(FS, a[a7 + i]);
            c70 = FMA ? w0.fma(v7, c70) : w0.mul(v7).add(c70);
            c71 = FMA ? w1.fma(v7, c71) : w1.mul(v7).add(c71);
        }
        float[] b = r.b;
        int b0 = r.bAt[q + 0];
        int b1 = r.bAt[q + 1];
        int b2 = r.bAt[q + 2];
        int b3 = r.bAt[q + 3];
        int b4 = r.bAt[q + 4];
        int b5 = r.bAt[q + 5];
        int b6 = r.bAt[q + 6];
        int b7 = r.bAt[q + 7];
        for (int i = 0, n = r.bLen; i < n; i++, o += 2 * L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector w1 = FloatVector.fromArray(FS, w, o + L);
            FloatVector v0 = FloatVector.broadcast(FS, b[b0 + i]);
            c00 = FMA ? w0.fma(v0, c00) : w0.mul(v0).add(c00);
            c01 = FMA ? w1.fma(v0, c01) : w1.mul(v0).add(c01);
            FloatVector v1 = FloatVector.broadcast(FS, b[b1 + i]);
            c10 = FMA ? w0.fma(v1, c10) : w0.mul(v1).add(c10);
            c11 = FMA ? w1.fma(v1, c11) : w1.mul(v1).add(c11);
            FloatVector v2 = FloatVector.broadcast(FS, b[b2 + i]);
            c20 = FMA ? w0.fma(v2, c20) : w0.mul(v2).add(c20);
            c21 = FMA ? w1.fma(v2, c21) : w1.mul(v2).add(c21);
            FloatVector v3 = FloatVector.broadcast(FS, b[b3 + i]);
            c30 = FMA ? w0.fma(v3, c30) : w0.mul(v3).add(c30);
            c31 = FMA ? w1.fma(v3, c31) : w1.mul(v3).add(c31);
            FloatVector v4 = FloatVector.broadcast(FS, b[b4 + i]);
            c40 = FMA ? w0.fma(v4, c40) : w0.mul(v4).add(c40);
            c41 = FMA ? w1.fma(v4, c41) : w1.mul(v4).add(c41);
            FloatVector v5 = FloatVector.broadcast(FS, b[b5 + i]);
            c50 = FMA ? w0.fma(v5, c50) : w0.mul(v5).add(c50);
            c51 = FMA ? w1.fma(v5, c51) : w1.mul(v5).add(c51);
            FloatVector v6 = FloatVector.broadcast(FS, b[b6 + i]);
            c60 = FMA ? w0.fma(v6, c60) : w0.mul(v6).add(c60);
            c61 = FMA ? w1.fma(v6, c61) : w1.mul(v6).add(c61);
            FloatVector v7 = FloatVector.broadcast(FS, b[b7 + i]);
            c70 = FMA ? w0.fma(v7, c70) : w0.mul(v7).add(c70);
            c71 = FMA ? w1.fma(v7, c71) : w1.mul(v7).add(c71);
        }
        int o0 = r.outAt[q + 0];
        int o1 = r.outAt[q + 1];
        int o2 = r.outAt[q + 2];
        int o3 = r.outAt[q + 3];
        int o4 = r.outAt[q + 4];
        int o5 = r.outAt[q + 5];
        int o6 = r.outAt[q + 6];
        int o7 = r.outAt[q + 7];
        c00.intoArray(r.out, o0);
        c01.intoArray(r.out, o0 + L);
        c10.intoArray(r.out, o1);
        c11.intoArray(r.out, o1 + L);
        c20.intoArray(r.out, o2);
        c21.intoArray(r.out, o2 + L);
        c30.intoArray(r.out, o3);
        c31.intoArray(r.out, o3 + L);
        c40.intoArray(r.out, o4);
        c41.intoArray(r.out, o4 + L);
        c50.intoArray(r.out, o5);
        c51.intoArray(r.out, o5 + L);
        c60.intoArray(r.out, o6);
        c61.intoArray(r.out, o6 + L);
        c70.intoArray(r.out, o7);
        c71.intoArray(r.out, o7 + L);
    }

    /** 2 rows × 2 vectors from row {@code q} of {@code r}; see {@link #accumulate}. */
    private static void rows2x2(ProductRows r, int q, float[] w, int wOff) {
        int i0 = r.initAt[q + 0];
        int i1 = r.initAt[q + 1];
        FloatVector c00 = FloatVector.fromArray(FS, r.init, i0);
        FloatVector c01 = FloatVector.fromArray(FS, r.init, i0 + L);
        FloatVector c10 = FloatVector.fromArray(FS, r.init, i1);
        FloatVector c11 = FloatVector.fromArray(FS, r.init, i1 + L);
        float[] a = r.a;
        int a0 = r.aAt[q + 0];
        int a1 = r.aAt[q + 1];
        int o = wOff;
        for (int i = 0, n = r.aLen; i < n; i++, o += 2 * L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector w1 = FloatVector.fromArray(FS, w, o + L);
            FloatVector v0 = FloatVector.broadcast(FS, a[a0 + i]);
            FloatVector v1 = FloatVector.broadcast(FS, a[a1 + i]);
            c00 = FMA ? w0.fma(v0, c00) : w0.mul(v0).add(c00);
            c01 = FMA ? w1.fma(v0, c01) : w1.mul(v0).add(c01);
            c10 = FMA ? w0.fma(v1, c10) : w0.mul(v1).add(c10);
            c11 = FMA ? w1.fma(v1, c11) : w1.mul(v1).add(c11);
        }
        float[] b = r.b;
        int b0 = r.bAt[q + 0];
        int b1 = r.bAt[q + 1];
        for (int i = 0, n = r.bLen; i < n; i++, o += 2 * L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector w1 = FloatVector.fromArray(FS, w, o + L);
            FloatVector v0 = FloatVector.broadcast(FS, b[b0 + i]);
            FloatVector v1 = FloatVector.broadcast(FS, b[b1 + i]);
            c00 = FMA ? w0.fma(v0, c00) : w0.mul(v0).add(c00);
            c01 = FMA ? w1.fma(v0, c01) : w1.mul(v0).add(c01);
            c10 = FMA ? w0.fma(v1, c10) : w0.mul(v1).add(c10);
            c11 = FMA ? w1.fma(v1, c11) : w1.mul(v1).add(c11);
        }
        int o0 = r.outAt[q + 0];
        int o1 = r.outAt[q + 1];
        c00.intoArray(r.out, o0);
        c01.intoArray(r.out, o0 + L);
        c10.intoArray(r.out, o1);
        c11.intoArray(r.out, o1 + L);
    }

    /** 1 row × 2 vectors from row {@code q} of {@code r}; see {@link #accumulate}. */
    private static void rows1x2(ProductRows r, int q, float[] w, int wOff) {
        int i0 = r.initAt[q + 0];
        FloatVector c00 = FloatVector.fromArray(FS, r.init, i0);
        FloatVector c01 = FloatVector.fromArray(FS, r.init, i0 + L);
        float[] a = r.a;
        int a0 = r.aAt[q + 0];
        int o = wOff;
        for (int i = 0, n = r.aLen; i < n; i++, o += 2 * L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector w1 = FloatVector.fromArray(FS, w, o + L);
            FloatVector v0 = FloatVector.broadcast(FS, a[a0 + i]);
            c00 = FMA ? w0.fma(v0, c00) : w0.mul(v0).add(c00);
            c01 = FMA ? w1.fma(v0, c01) : w1.mul(v0).add(c01);
        }
        float[] b = r.b;
        int b0 = r.bAt[q + 0];
        for (int i = 0, n = r.bLen; i < n; i++, o += 2 * L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector w1 = FloatVector.fromArray(FS, w, o + L);
            FloatVector v0 = FloatVector.broadcast(FS, b[b0 + i]);
            c00 = FMA ? w0.fma(v0, c00) : w0.mul(v0).add(c00);
            c01 = FMA ? w1.fma(v0, c01) : w1.mul(v0).add(c01);
        }
        int o0 = r.outAt[q + 0];
        c00.intoArray(r.out, o0);
        c01.intoArray(r.out, o0 + L);
    }

    /** 4 rows × 1 vector from row {@code q} of {@code r}; see {@link #accumulate}. */
    private static void rows4x1(ProductRows r, int q, float[] w, int wOff) {
        int i0 = r.initAt[q + 0];
        int i1 = r.initAt[q + 1];
        int i2 = r.initAt[q + 2];
        int i3 = r.initAt[q + 3];
        FloatVector c00 = FloatVector.fromArray(FS, r.init, i0);
        FloatVector c10 = FloatVector.fromArray(FS, r.init, i1);
        FloatVector c20 = FloatVector.fromArray(FS, r.init, i2);
        FloatVector c30 = FloatVector.fromArray(FS, r.init, i3);
        float[] a = r.a;
        int a0 = r.aAt[q + 0];
        int a1 = r.aAt[q + 1];
        int a2 = r.aAt[q + 2];
        int a3 = r.aAt[q + 3];
        int o = wOff;
        for (int i = 0, n = r.aLen; i < n; i++, o += L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector v0 = FloatVector.broadcast(FS, a[a0 + i]);
            FloatVector v1 = FloatVector.broadcast(FS, a[a1 + i]);
            FloatVector v2 = FloatVector.broadcast(FS, a[a2 + i]);
            FloatVector v3 = FloatVector.broadcast(FS, a[a3 + i]);
            c00 = FMA ? w0.fma(v0, c00) : w0.mul(v0).add(c00);
            c10 = FMA ? w0.fma(v1, c10) : w0.mul(v1).add(c10);
            c20 = FMA ? w0.fma(v2, c20) : w0.mul(v2).add(c20);
            c30 = FMA ? w0.fma(v3, c30) : w0.mul(v3).add(c30);
        }
        float[] b = r.b;
        int b0 = r.bAt[q + 0];
        int b1 = r.bAt[q + 1];
        int b2 = r.bAt[q + 2];
        int b3 = r.bAt[q + 3];
        for (int i = 0, n = r.bLen; i < n; i++, o += L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector v0 = FloatVector.broadcast(FS, b[b0 + i]);
            FloatVector v1 = FloatVector.broadcast(FS, b[b1 + i]);
            FloatVector v2 = FloatVector.broadcast(FS, b[b2 + i]);
            FloatVector v3 = FloatVector.broadcast(FS, b[b3 + i]);
            c00 = FMA ? w0.fma(v0, c00) : w0.mul(v0).add(c00);
            c10 = FMA ? w0.fma(v1, c10) : w0.mul(v1).add(c10);
            c20 = FMA ? w0.fma(v2, c20) : w0.mul(v2).add(c20);
            c30 = FMA ? w0.fma(v3, c30) : w0.mul(v3).add(c30);
        }
        int o0 = r.outAt[q + 0];
        int o1 = r.outAt[q + 1];
        int o2 = r.outAt[q + 2];
        int o3 = r.outAt[q + 3];
        c00.intoArray(r.out, o0);
        c10.intoArray(r.out, o1);
        c20.intoArray(r.out, o2);
        c30.intoArray(r.out, o3);
    }

    /** 2 rows × 1 vector from row {@code q} of {@code r}; see {@link #accumulate}. */
    private static void rows2x1(ProductRows r, int q, float[] w, int wOff) {
        int i0 = r.initAt[q + 0];
        int i1 = r.initAt[q + 1];
        FloatVector c00 = FloatVector.fromArray(FS, r.init, i0);
        FloatVector c10 = FloatVector.fromArray(FS, r.init, i1);
        float[] a = r.a;
        int a0 = r.aAt[q + 0];
        int a1 = r.aAt[q + 1];
        int o = wOff;
        for (int i = 0, n = r.aLen; i < n; i++, o += L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector v0 = FloatVector.broadcast(FS, a[a0 + i]);
            FloatVector v1 = FloatVector.broadcast(FS, a[a1 + i]);
            c00 = FMA ? w0.fma(v0, c00) : w0.mul(v0).add(c00);
            c10 = FMA ? w0.fma(v1, c10) : w0.mul(v1).add(c10);
        }
        float[] b = r.b;
        int b0 = r.bAt[q + 0];
        int b1 = r.bAt[q + 1];
        for (int i = 0, n = r.bLen; i < n; i++, o += L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector v0 = FloatVector.broadcast(FS, b[b0 + i]);
            FloatVector v1 = FloatVector.broadcast(FS, b[b1 + i]);
            c00 = FMA ? w0.fma(v0, c00) : w0.mul(v0).add(c00);
            c10 = FMA ? w0.fma(v1, c10) : w0.mul(v1).add(c10);
        }
        int o0 = r.outAt[q + 0];
        int o1 = r.outAt[q + 1];
        c00.intoArray(r.out, o0);
        c10.intoArray(r.out, o1);
    }

    /** 1 row × 1 vector from row {@code q} of {@code r}; see {@link #accumulate}. */
    private static void rows1x1(ProductRows r, int q, float[] w, int wOff) {
        int i0 = r.initAt[q + 0];
        FloatVector c00 = FloatVector.fromArray(FS, r.init, i0);
        float[] a = r.a;
        int a0 = r.aAt[q + 0];
        int o = wOff;
        for (int i = 0, n = r.aLen; i < n; i++, o += L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector v0 = FloatVector.broadcast(FS, a[a0 + i]);
            c00 = FMA ? w0.fma(v0, c00) : w0.mul(v0).add(c00);
        }
        float[] b = r.b;
        int b0 = r.bAt[q + 0];
        for (int i = 0, n = r.bLen; i < n; i++, o += L) {
            FloatVector w0 = FloatVector.fromArray(FS, w, o);
            FloatVector v0 = FloatVector.broadcast(FS, b[b0 + i]);
            c00 = FMA ? w0.fma(v0, c00) : w0.mul(v0).add(c00);
        }
        int o0 = r.outAt[q + 0];
        c00.intoArray(r.out, o0);
    }
}
