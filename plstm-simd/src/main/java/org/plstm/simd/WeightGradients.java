package org.plstm.simd;

import static org.plstm.simd.VectorLevel.FMA;
import static org.plstm.simd.VectorLevel.FS;
import static org.plstm.simd.VectorLevel.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;

/**
 * Weight gradients {@code d[kernel; recurrentKernel] += [x_t, h_{t-1}]^T · dz_t} and {@code d bias += dz_t}, summed
 * over every active row {@code (b, t)}, in the packed layout of {@link PackedLayer#w} ({@code [NB][I+H][4L]}), then
 * unpacked into the caller's Keras-layout gradients with the peephole and time-gate gradients.
 *
 * <p>Two schedules: small layers ({@link SimdWorkspace#fusedWeightGradients}) accumulate each step's rows into a
 * per-worker buffer inside the backward recurrence ({@link #step}) while dz, x and h are in cache, and the buffers
 * are summed in worker order; larger layers get one blocked pass over all rows after the recurrence ({@link #run}),
 * split over workers by output tile, so each element is summed over the rows in the same order whatever the number
 * of workers. Both are blocked products with the rows of {@code dw} in registers: the pass packs each chunk of rows
 * ({@code [x_t, h_{t-1}]} transposed, and each unit block's dz columns) and runs {@link GateProduct}'s kernels on
 * it; the fused step does the same for its rows, or with 32 registers reads them in place at constant strides
 * ({@link #STRIDED}). Looking up every row's offsets inside the loop, as an earlier kernel of their own did, left
 * the 2 × 4 tiles of the 16-register levels at half the product's rate (JMH, AMD Zen 5, 1 thread, jars before and
 * after side by side: training (b) at 128 bits 371 → 283-303 ms, AVX2 222 → 204 ms, AVX-512 109 → 89 ms; for the
 * fused step, training (a) at {@code UseAVX=2} 54.1-56.9 → 50.0-52.7 ms).
 */
final class WeightGradients {
    private WeightGradients() {
    }

    /**
     * Whether the fused weight gradients read the caches in place at constant strides ({@link #strided}) where the
     * step's rows are consecutive samples: with 32 registers. With 16 the same per-row loop (its offsets and range
     * checks every row) was slower than packing the rows for {@link GateProduct}: JMH training (a), 1 thread, AMD Zen
     * 5, jars alternating: AVX-512 strided 29.2-31.7 ms, packed 31.7-33.0; {@code UseAVX=2} strided 52.8-56.1,
     * packed 50.0-52.7; equal at 128 bits and without FMA.
     */
    static final boolean STRIDED = VectorLevel.REGISTERS >= 32;

    /**
     * The step's contribution over the worker's {@code n} active rows ({@code s.rows}), unit blocks
     * {@code [nb0, nb1)}, fused mode: {@code dw[k] += sum_q [x_t, h_{t-1}][q][k] · dz[q]}, every element summing the
     * rows in ascending order from its previous value. With {@link #STRIDED} and the rows consecutive samples (every
     * sample of the worker's share still active), {@link #strided} reads x, h and dz in place, at the caches' own
     * strides ({@code I·T}, {@code Hp} and the gate width); otherwise the step's {@code [x_t, h_{t-1}]} is packed
     * transposed into {@code s.gradA} ({@code [I+H][n]}) and each unit block's dz columns into {@code s.gradDz}
     * ({@code [n][4L]}) for {@link GateProduct#accumulate}.
     */
    static void step(SimdWorkspace ws, SimdWorkspace.Worker s, float[] x, int t, int n, int nb0, int nb1) {
        if (n == 0) {
            return;
        }
        PackedLayer layer = ws.layer;
        int steps = ws.steps();
        int in = ws.in;
        int hs = ws.hidden;
        for (int q = 0; q < n; q++) {
            s.stepDz[q] = LayerBackward.dzRow(ws, t, s.rows[q], q);
        }
        int b0 = s.rows[0];
        if (STRIDED && s.rows[n - 1] - b0 == n - 1) { // the rows ascend: b0 .. b0 + n - 1
            int gw = ws.gateWidth;
            int xAt = (b0 * steps + t) * in;
            int hAt = ws.state(t, b0);
            int dAt = s.stepDz[0];
            for (int nb = nb0; nb < nb1; nb++) {
                int col = nb * 4 * L;
                for (int block = 0; block < ws.dwBlockStart.length; block++) {
                    int row0 = ws.dwBlockStart[block];
                    int count = ws.dwBlockCount[block];
                    int o = layer.stripRow(nb, row0);
                    if (row0 < in) {
                        strided(s.dw, o, count, x, xAt + row0, steps * in, s.dz, dAt + col, gw, n);
                    } else {
                        strided(s.dw, o, count, ws.hc, hAt + row0 - in, ws.hPad, s.dz, dAt + col, gw, n);
                    }
                }
                biasTile(s.dwBias, col, s.dz, s.stepDz, col, 0, n);
            }
            return;
        }
        float[] aT = s.gradA;
        for (int q = 0; q < n; q++) {
            int b = s.rows[q];
            int xr = (b * steps + t) * in;
            for (int k = 0; k < in; k++) {
                aT[k * n + q] = x[xr + k];
            }
            int hr = ws.state(t, b);
            for (int j = 0; j < hs; j++) {
                aT[(in + j) * n + q] = ws.hc[hr + j];
            }
        }
        GateProduct.ProductRows pr = s.gradRows;
        pr.a = aT;
        pr.aLen = n;
        pr.bLen = 0;
        pr.init = s.dw;
        pr.out = s.dw;
        for (int nb = nb0; nb < nb1; nb++) {
            int col = nb * 4 * L;
            packDz(s.dz, s.stepDz, col, 0, n, s.gradDz, 0);
            for (int block = 0; block < ws.dwBlockStart.length; block++) {
                int row0 = ws.dwBlockStart[block];
                int count = ws.dwBlockCount[block];
                for (int q = 0; q < count; q++) {
                    pr.aAt[q] = (row0 + q) * n;
                    pr.initAt[q] = layer.stripRow(nb, row0 + q);
                    pr.outAt[q] = pr.initAt[q];
                }
                GateProduct.accumulate(pr, 0, count, s.gradDz, 0, 4);
            }
            biasTile(s.dwBias, col, s.dz, s.stepDz, col, 0, n);
        }
    }

    /**
     * {@code dw[o + k·4L .. + 4L) += sum_q a[aAt + k + q·aStride] · dz[dAt + q·dStride .. + 4L)} for {@code k <
     * count} and {@code q < n} (levels with 32 registers, see {@link #STRIDED}): register tiles of 6 rows of
     * {@code dw} × 4 vectors (24 accumulators, 4 dz vectors, a broadcast), then 2 and 1 rows. Each element sums
     * {@code q} in ascending order from its previous value, whatever the tiling.
     */
    private static void strided(float[] dw, int o, int count, float[] a, int aAt, int aStride, float[] dz, int dAt,
                                int dStride, int n) {
        int k = 0;
        for (; k + 6 <= count; k += 6) {
            rows6(dw, o + k * 4 * L, a, aAt + k, aStride, dz, dAt, dStride, n);
        }
        for (; k + 2 <= count; k += 2) {
            rows2(dw, o + k * 4 * L, a, aAt + k, aStride, dz, dAt, dStride, n);
        }
        for (; k < count; k++) {
            rows1(dw, o + k * 4 * L, a, aAt + k, aStride, dz, dAt, dStride, n);
        }
    }

    /** 6 rows of {@code dw} × 4 vectors; see {@link #strided}. */
    private static void rows6(float[] dw, int o, float[] a, int aAt, int aStride, float[] dz, int dAt, int dStride,
                              int n) {
        FloatVector c00 = FloatVector.fromArray(FS, dw, o);
        FloatVector c01 = FloatVector.fromArray(FS, dw, o + L);
        FloatVector c02 = FloatVector.fromArray(FS, dw, o + 2 * L);
        FloatVector c03 = FloatVector.fromArray(FS, dw, o + 3 * L);
        FloatVector c10 = FloatVector.fromArray(FS, dw, o + 4 * L);
        FloatVector c11 = FloatVector.fromArray(FS, dw, o + 5 * L);
        FloatVector c12 = FloatVector.fromArray(FS, dw, o + 6 * L);
        FloatVector c13 = FloatVector.fromArray(FS, dw, o + 7 * L);
        FloatVector c20 = FloatVector.fromArray(FS, dw, o + 8 * L);
        FloatVector c21 = FloatVector.fromArray(FS, dw, o + 9 * L);
        FloatVector c22 = FloatVector.fromArray(FS, dw, o + 10 * L);
        FloatVector c23 = FloatVector.fromArray(FS, dw, o + 11 * L);
        FloatVector c30 = FloatVector.fromArray(FS, dw, o + 12 * L);
        FloatVector c31 = FloatVector.fromArray(FS, dw, o + 13 * L);
        FloatVector c32 = FloatVector.fromArray(FS, dw, o + 14 * L);
        FloatVector c33 = FloatVector.fromArray(FS, dw, o + 15 * L);
        FloatVector c40 = FloatVector.fromArray(FS, dw, o + 16 * L);
        FloatVector c41 = FloatVector.fromArray(FS, dw, o + 17 * L);
        FloatVector c42 = FloatVector.fromArray(FS, dw, o + 18 * L);
        FloatVector c43 = FloatVector.fromArray(FS, dw, o + 19 * L);
        FloatVector c50 = FloatVector.fromArray(FS, dw, o + 20 * L);
        FloatVector c51 = FloatVector.fromArray(FS, dw, o + 21 * L);
        FloatVector c52 = FloatVector.fromArray(FS, dw, o + 22 * L);
        FloatVector c53 = FloatVector.fromArray(FS, dw, o + 23 * L);
        for (int q = 0, ar = aAt, d = dAt; q < n; q++, ar += aStride, d += dStride) {
            FloatVector d0 = FloatVector.fromArray(FS, dz, d);
            FloatVector d1 = FloatVector.fromArray(FS, dz, d + L);
            FloatVector d2 = FloatVector.fromArray(FS, dz, d + 2 * L);
            FloatVector d3 = FloatVector.fromArray(FS, dz, d + 3 * L);
            FloatVector v0 = FloatVector.broadcast(FS, a[ar]);
            FloatVector v1 = FloatVector.broadcast(FS, a[ar + 1]);
            FloatVector v2 = FloatVector.broadcast(FS, a[ar + 2]);
            FloatVector v3 = FloatVector.broadcast(FS, a[ar + 3]);
            FloatVector v4 = FloatVector.broadcast(FS, a[ar + 4]);
            FloatVector v5 = FloatVector.broadcast(FS, a[ar + 5]);
            c00 = FMA ? d0.fma(v0, c00) : d0.mul(v0).add(c00);
            c01 = FMA ? d1.fma(v0, c01) : d1.mul(v0).add(c01);
            c02 = FMA ? d2.fma(v0, c02) : d2.mul(v0).add(c02);
            c03 = FMA ? d3.fma(v0, c03) : d3.mul(v0).add(c03);
            c10 = FMA ? d0.fma(v1, c10) : d0.mul(v1).add(c10);
            c11 = FMA ? d1.fma(v1, c11) : d1.mul(v1).add(c11);
            c12 = FMA ? d2.fma(v1, c12) : d2.mul(v1).add(c12);
            c13 = FMA ? d3.fma(v1, c13) : d3.mul(v1).add(c13);
            c20 = FMA ? d0.fma(v2, c20) : d0.mul(v2).add(c20);
            c21 = FMA ? d1.fma(v2, c21) : d1.mul(v2).add(c21);
            c22 = FMA ? d2.fma(v2, c22) : d2.mul(v2).add(c22);
            c23 = FMA ? d3.fma(v2, c23) : d3.mul(v2).add(c23);
            c30 = FMA ? d0.fma(v3, c30) : d0.mul(v3).add(c30);
            c31 = FMA ? d1.fma(v3, c31) : d1.mul(v3).add(c31);
            c32 = FMA ? d2.fma(v3, c32) : d2.mul(v3).add(c32);
            c33 = FMA ? d3.fma(v3, c33) : d3.mul(v3).add(c33);
            c40 = FMA ? d0.fma(v4, c40) : d0.mul(v4).add(c40);
            c41 = FMA ? d1.fma(v4, c41) : d1.mul(v4).add(c41);
            c42 = FMA ? d2.fma(v4, c42) : d2.mul(v4).add(c42);
            c43 = FMA ? d3.fma(v4, c43) : d3.mul(v4).add(c43);
            c50 = FMA ? d0.fma(v5, c50) : d0.mul(v5).add(c50);
            c51 = FMA ? d1.fma(v5, c51) : d1.mul(v5).add(c51);
            c52 = FMA ? d2.fma(v5, c52) : d2.mul(v5).add(c52);
            c53 = FMA ? d3.fma(v5, c53) : d3.mul(v5).add(c53);
        }
        c00.intoArray(dw, o);
        c01.intoArray(dw, o + L);
        c02.intoArray(dw, o + 2 * L);
        c03.intoArray(dw, o + 3 * L);
        c10.intoArray(dw, o + 4 * L);
        c11.intoArray(dw, o + 5 * L);
        c12.intoArray(dw, o + 6 * L);
        c13.intoArray(dw, o + 7 * L);
        c20.intoArray(dw, o + 8 * L);
        c21.intoArray(dw, o + 9 * L);
        c22.intoArray(dw, o + 10 * L);
        c23.intoArray(dw, o + 11 * L);
        c30.intoArray(dw, o + 12 * L);
        c31.intoArray(dw, o + 13 * L);
        c32.intoArray(dw, o + 14 * L);
        c33.intoArray(dw, o + 15 * L);
        c40.intoArray(dw, o + 16 * L);
        c41.intoArray(dw, o + 17 * L);
        c42.intoArray(dw, o + 18 * L);
        c43.intoArray(dw, o + 19 * L);
        c50.intoArray(dw, o + 20 * L);
        c51.intoArray(dw, o + 21 * L);
        c52.intoArray(dw, o + 22 * L);
        c53.intoArray(dw, o + 23 * L);
    }

    /** 2 rows of {@code dw} × 4 vectors; see {@link #strided}. */
    private static void rows2(float[] dw, int o, float[] a, int aAt, int aStride, float[] dz, int dAt, int dStride,
                              int n) {
        FloatVector c00 = FloatVector.fromArray(FS, dw, o);
        FloatVector c01 = FloatVector.fromArray(FS, dw, o + L);
        FloatVector c02 = FloatVector.fromArray(FS, dw, o + 2 * L);
        FloatVector c03 = FloatVector.fromArray(FS, dw, o + 3 * L);
        FloatVector c10 = FloatVector.fromArray(FS, dw, o + 4 * L);
        FloatVector c11 = FloatVector.fromArray(FS, dw, o + 5 * L);
        FloatVector c12 = FloatVector.fromArray(FS, dw, o + 6 * L);
        FloatVector c13 = FloatVector.fromArray(FS, dw, o + 7 * L);
        for (int q = 0, ar = aAt, d = dAt; q < n; q++, ar += aStride, d += dStride) {
            FloatVector d0 = FloatVector.fromArray(FS, dz, d);
            FloatVector d1 = FloatVector.fromArray(FS, dz, d + L);
            FloatVector d2 = FloatVector.fromArray(FS, dz, d + 2 * L);
            FloatVector d3 = FloatVector.fromArray(FS, dz, d + 3 * L);
            FloatVector v0 = FloatVector.broadcast(FS, a[ar]);
            FloatVector v1 = FloatVector.broadcast(FS, a[ar + 1]);
            c00 = FMA ? d0.fma(v0, c00) : d0.mul(v0).add(c00);
            c01 = FMA ? d1.fma(v0, c01) : d1.mul(v0).add(c01);
            c02 = FMA ? d2.fma(v0, c02) : d2.mul(v0).add(c02);
            c03 = FMA ? d3.fma(v0, c03) : d3.mul(v0).add(c03);
            c10 = FMA ? d0.fma(v1, c10) : d0.mul(v1).add(c10);
            c11 = FMA ? d1.fma(v1, c11) : d1.mul(v1).add(c11);
            c12 = FMA ? d2.fma(v1, c12) : d2.mul(v1).add(c12);
            c13 = FMA ? d3.fma(v1, c13) : d3.mul(v1).add(c13);
        }
        c00.intoArray(dw, o);
        c01.intoArray(dw, o + L);
        c02.intoArray(dw, o + 2 * L);
        c03.intoArray(dw, o + 3 * L);
        c10.intoArray(dw, o + 4 * L);
        c11.intoArray(dw, o + 5 * L);
        c12.intoArray(dw, o + 6 * L);
        c13.intoArray(dw, o + 7 * L);
    }

    /** 1 row of {@code dw} × 4 vectors; see {@link #strided}. */
    private static void rows1(float[] dw, int o, float[] a, int aAt, int aStride, float[] dz, int dAt, int dStride,
                              int n) {
        FloatVector c00 = FloatVector.fromArray(FS, dw, o);
        FloatVector c01 = FloatVector.fromArray(FS, dw, o + L);
        FloatVector c02 = FloatVector.fromArray(FS, dw, o + 2 * L);
        FloatVector c03 = FloatVector.fromArray(FS, dw, o + 3 * L);
        for (int q = 0, ar = aAt, d = dAt; q < n; q++, ar += aStride, d += dStride) {
            FloatVector d0 = FloatVector.fromArray(FS, dz, d);
            FloatVector d1 = FloatVector.fromArray(FS, dz, d + L);
            FloatVector d2 = FloatVector.fromArray(FS, dz, d + 2 * L);
            FloatVector d3 = FloatVector.fromArray(FS, dz, d + 3 * L);
            FloatVector v0 = FloatVector.broadcast(FS, a[ar]);
            c00 = FMA ? d0.fma(v0, c00) : d0.mul(v0).add(c00);
            c01 = FMA ? d1.fma(v0, c01) : d1.mul(v0).add(c01);
            c02 = FMA ? d2.fma(v0, c02) : d2.mul(v0).add(c02);
            c03 = FMA ? d3.fma(v0, c03) : d3.mul(v0).add(c03);
        }
        c00.intoArray(dw, o);
        c01.intoArray(dw, o + L);
        c02.intoArray(dw, o + 2 * L);
        c03.intoArray(dw, o + 3 * L);
    }

    /**
     * Worker {@code w}'s output tiles of the pass after the recurrence (large layers): tiles
     * {@code w, w + workers, ...} of the {@code (row block, unit block)} grid plus the bias tiles, each summed over
     * all active rows (listed step-major by {@link #listRows}) in chunks small enough for their dz to stay in L2.
     *
     * <p>Each chunk is first packed into the worker's scratch: {@code [x_t, h_{t-1}]} transposed ({@code [I+H][n]},
     * each row of {@code dw}'s values over the chunk's {@code n} rows, contiguous) and, for each unit block the worker
     * touches, that block's {@code dz} columns ({@code [n][4L]}). A tile is then the plain blocked product
     * {@code dw[rows] += A^T[rows] · dz[block]} of {@link GateProduct} (its register tiles for the level: 6 × 4 with
     * 32 registers), whose loops index by constant strides instead of looking up every row's offsets. Every element
     * still sums the rows in ascending order from its previous value, so the result is the same bits as before and
     * does not depend on the number of workers.
     */
    static void run(LayerPass pass, int w, int workers) {
        SimdWorkspace ws = pass.ws();
        PackedLayer layer = ws.layer;
        int blocks = ws.dwBlockStart.length + 1; // the last one is the bias
        int tiles = blocks * layer.blocks;
        if (w >= tiles) {
            return;
        }
        SimdWorkspace.Worker s = ws.workers[w];
        float[] x = pass.input().x();
        int[] packed = s.gradPacked;
        Arrays.fill(packed, 0);
        GateProduct.ProductRows pr = s.gradRows;
        pr.a = s.gradA;
        pr.bLen = 0;
        pr.init = ws.dw;
        pr.out = ws.dw;
        int chunkIndex = 0;
        for (int start = 0; start < ws.rowCount; start += ws.chunk, chunkIndex++) {
            int end = Math.min(ws.rowCount, start + ws.chunk);
            int n = end - start;
            boolean aPacked = false;
            for (int tile = w; tile < tiles; tile += workers) {
                int block = tile / layer.blocks;
                int nb = tile % layer.blocks;
                int col = nb * 4 * L;
                if (block == blocks - 1) {
                    biasTile(ws.dwBias, col, ws.dz, ws.rowDz, col, start, end);
                    continue;
                }
                if (!aPacked) {
                    packRows(ws, x, start, end, s.gradA);
                    aPacked = true;
                }
                if (packed[nb] != chunkIndex + 1) {
                    packDz(ws.dz, ws.rowDz, col, start, end, s.gradDz, nb * n * 4 * L);
                    packed[nb] = chunkIndex + 1;
                }
                int row0 = ws.dwBlockStart[block];
                int count = ws.dwBlockCount[block];
                for (int q = 0; q < count; q++) {
                    pr.aAt[q] = (row0 + q) * n;
                    pr.initAt[q] = layer.stripRow(nb, row0 + q);
                    pr.outAt[q] = pr.initAt[q];
                }
                pr.aLen = n;
                GateProduct.accumulate(pr, 0, count, s.gradDz, nb * n * 4 * L, 4);
            }
        }
    }

    /**
     * {@code aT[k·n + (r − start)] = [x_t, h_{t-1}][k]} of the rows {@code r} in {@code [start, end)}: the chunk's
     * inputs and previous states, transposed ({@code n = end − start}).
     */
    private static void packRows(SimdWorkspace ws, float[] x, int start, int end, float[] aT) {
        int n = end - start;
        int in = ws.in;
        int hs = ws.hidden;
        for (int r = start; r < end; r++) {
            int q = r - start;
            int xr = ws.rowX[r];
            for (int k = 0; k < in; k++) {
                aT[k * n + q] = x[xr + k];
            }
            int hr = ws.rowH[r];
            for (int j = 0; j < hs; j++) {
                aT[(in + j) * n + q] = ws.hc[hr + j];
            }
        }
    }

    /** {@code out[o + (r − start)·4L ..] = dz[dzAt[r] + col ..]} (4 vectors) for the rows in {@code [start, end)}. */
    private static void packDz(float[] dz, int[] dzAt, int col, int start, int end, float[] out, int o) {
        for (int r = start; r < end; r++, o += 4 * L) {
            int d = dzAt[r] + col;
            FloatVector.fromArray(FS, dz, d).intoArray(out, o);
            FloatVector.fromArray(FS, dz, d + L).intoArray(out, o + L);
            FloatVector.fromArray(FS, dz, d + 2 * L).intoArray(out, o + 2 * L);
            FloatVector.fromArray(FS, dz, d + 3 * L).intoArray(out, o + 3 * L);
        }
    }

    /**
     * Lists the active rows step-major (the order of dz in memory) for {@link #run}, with each row's offsets into
     * dz, the state cache ({@code h_{t-1}}) and the input ({@code x_t}).
     */
    static void listRows(SimdWorkspace ws) {
        int n = 0;
        int batch = ws.batch();
        int steps = ws.steps();
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < batch; b++) {
                if (t < ws.lengths[b]) {
                    ws.rowDz[n] = (t * batch + b) * ws.gateWidth;
                    ws.rowH[n] = ws.state(t, b);
                    ws.rowX[n] = (b * steps + t) * ws.in;
                    n++;
                }
            }
        }
        ws.rowCount = n;
    }

    /**
     * {@code dwBias[o .. o + 4L) += sum_r dz[dzAt[r] + col ..]}: the bias gradient of one unit block. Each sum is
     * written {@code load.add(sum)}, not {@code sum.add(load)} (the same value: IEEE addition commutes): a call on the
     * loop-carried sum reached its class only through a type profile, and where C2 compiled the caller before that
     * profile existed it boxed both vectors on every row (see {@link CellKernel}'s class comment).
     */
    static void biasTile(float[] dwBias, int o, float[] dz, int[] dzAt, int col, int start, int end) {
        FloatVector c0 = FloatVector.fromArray(FS, dwBias, o);
        FloatVector c1 = FloatVector.fromArray(FS, dwBias, o + L);
        FloatVector c2 = FloatVector.fromArray(FS, dwBias, o + 2 * L);
        FloatVector c3 = FloatVector.fromArray(FS, dwBias, o + 3 * L);
        for (int r = start; r < end; r++) {
            int d = dzAt[r] + col;
            c0 = FloatVector.fromArray(FS, dz, d).add(c0);
            c1 = FloatVector.fromArray(FS, dz, d + L).add(c1);
            c2 = FloatVector.fromArray(FS, dz, d + 2 * L).add(c2);
            c3 = FloatVector.fromArray(FS, dz, d + 3 * L).add(c3);
        }
        c0.intoArray(dwBias, o);
        c1.intoArray(dwBias, o + L);
        c2.intoArray(dwBias, o + 2 * L);
        c3.intoArray(dwBias, o + 3 * L);
    }

    /** Adds the packed weight gradients and the per-worker accumulators to the caller's gradient buffer. */
    static void unpack(SimdWorkspace ws, PhasedLstmParams grads) {
        PackedLayer layer = ws.layer;
        PhasedLstmConfig cfg = layer.config;
        int in = ws.in;
        int hs = ws.hidden;
        int hPad = ws.hPad;
        int workers = ws.parts;
        if (ws.fusedWeightGradients) {
            // Sum the workers' buffers in worker order (deterministic for a thread count) into the shared one.
            System.arraycopy(ws.workers[0].dw, 0, ws.dw, 0, ws.dw.length);
            System.arraycopy(ws.workers[0].dwBias, 0, ws.dwBias, 0, ws.dwBias.length);
            for (int w = 1; w < workers; w++) {
                float[] dw = ws.workers[w].dw;
                for (int i = 0; i < dw.length; i++) {
                    ws.dw[i] += dw[i];
                }
                float[] db = ws.workers[w].dwBias;
                for (int i = 0; i < db.length; i++) {
                    ws.dwBias[i] += db[i];
                }
            }
        }
        float[] kernel = grads.kernel();
        float[] rec = grads.recurrentKernel();
        float[] bias = grads.bias();
        for (int g = 0; g < 4; g++) {
            for (int j = 0; j < hs; j++) {
                int nb = j / L;
                int c = g * L + j % L;
                int col = g * hs + j;
                for (int r = 0; r < in; r++) {
                    kernel[r * 4 * hs + col] += ws.dw[layer.stripRow(nb, r) + c];
                }
                for (int r = 0; r < hs; r++) {
                    rec[r * 4 * hs + col] += ws.dw[layer.stripRow(nb, in + r) + c];
                }
                bias[col] += ws.dwBias[PackedLayer.column(g, j)];
            }
        }
        if (cfg.peepholes()) {
            float[] pg = grads.peephole();
            for (int q = 0; q < 3; q++) {
                for (int j = 0; j < hs; j++) {
                    double sum = 0;
                    for (int w = 0; w < workers; w++) {
                        sum += ws.workers[w].peepAcc[q * hPad + j];
                    }
                    pg[q * hs + j] += (float) sum;
                }
            }
        }
        if (cfg.timeGate()) {
            float[][] dst = {grads.period(), grads.shift(), grads.ratioOn()};
            boolean[] on = {cfg.trainPeriod(), cfg.trainShift(), cfg.trainRatioOn()};
            for (int q = 0; q < 3; q++) {
                if (!on[q]) {
                    continue;
                }
                for (int j = 0; j < hs; j++) {
                    double sum = 0;
                    for (int w = 0; w < workers; w++) {
                        sum += ws.workers[w].tgAcc[q * hPad + j];
                    }
                    dst[q][j] += (float) sum;
                }
            }
        }
    }
}
