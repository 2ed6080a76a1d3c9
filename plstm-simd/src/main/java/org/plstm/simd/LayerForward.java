package org.plstm.simd;

import static org.plstm.simd.VectorLevel.FS;
import static org.plstm.simd.VectorLevel.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import org.plstm.SequenceBatch;

/**
 * The forward pass of one layer over one worker's share of the batch (a contiguous range of samples; the workers
 * need no synchronisation between steps). Per step: the time gate of each distinct timestamp
 * ({@link TimeGateKernel}), then for every unit block and every tile of up to 4 samples the gate product
 * ({@link GateProduct}, {@code z = bias + x_t·kernel + h_{t-1}·recurrentKernel}) straight into the fused cell
 * update ({@link CellKernel}) while the tile is in L1. Samples past their length carry their state.
 */
final class LayerForward {
    /** How many distinct timestamps of one step the forward remembers for reuse of k. */
    static final int K_REUSE_SEARCH = 4;

    private LayerForward() {
    }

    /**
     * Forward over samples {@code [b0, b1)} of worker {@code w}.
     *
     * @param pass  the call's arguments
     * @param w     this worker
     * @param workers workers sharing the batch
     */
    static void run(LayerPass pass, int w, int workers) {
        SimdWorkspace ws = pass.ws();
        int b0 = ws.sampleStart(w, workers);
        int b1 = ws.sampleStart(w + 1, workers);
        if (b0 >= b1) {
            return;
        }
        PackedLayer layer = ws.layer;
        SimdWorkspace.Worker s = ws.workers[w];
        int steps = ws.steps();
        int batch = ws.batch();
        int hp = ws.hPad;
        int hs = ws.hidden;
        int in = ws.in;
        if (!pass.rerun()) {
            float[] h0 = pass.h0();
            float[] c0 = pass.c0();
            for (int b = b0; b < b1; b++) {
                int slot = ws.state(0, b);
                Arrays.fill(ws.hc, slot, slot + hp, 0f);
                Arrays.fill(ws.cc, slot, slot + hp, 0f);
                if (h0 != null) {
                    System.arraycopy(h0, b * hs, ws.hc, slot, hs);
                }
                if (c0 != null) {
                    System.arraycopy(c0, b * hs, ws.cc, slot, hs);
                }
            }
        }
        CellTile tile = s.tile;
        tile.c = ws.cc;
        tile.h = ws.hc;
        tile.cOut = ws.cc;
        tile.hOut = ws.hc;
        tile.k = layer.timeGate ? s.kS : layer.ones;
        tile.peep = layer.peep;
        tile.peepStride = hp;
        tile.hard = layer.hardFlag;
        boolean cache = pass.cache();
        if (cache) {
            tile.gi = ws.gi;
            tile.gf = ws.gf;
            tile.gg = ws.gg;
            tile.go = ws.go;
            tile.tc = ws.tc;
        } else {
            tile.noCaches();
            tile.sinkRows();
        }
        float[] x = pass.input().x();
        double[] time = pass.input().time();
        double alpha = pass.alpha();
        for (int t = 0; t < steps; t++) {
            int n = 0;
            for (int b = b0; b < b1; b++) {
                if (t < ws.lengths[b]) {
                    s.rows[n++] = b;
                } else {
                    carry(ws, b, t);
                }
            }
            if (layer.timeGate) {
                timeGateRows(ws, s, time, t, n, alpha, pass.vectorPhase());
            }
            for (int r = 0; r < n; r++) {
                int b = s.rows[r];
                s.aAt[r] = (b * steps + t) * in;
                s.bAt[r] = ws.state(t, b);
            }
            // Unit blocks outer, sample tiles inner: a block's strip of weights streams once per tile from L2 (it
            // is read front to back, which the prefetchers follow) while the tiles' rows of h stay in L1.
            for (int nb = 0; nb < layer.blocks; nb++) {
                int u = nb * L;
                for (int first = 0; first < n; first += CellTile.MAX_ROWS) {
                    int count = Math.min(CellTile.MAX_ROWS, n - first);
                    tile.rows = count;
                    for (int q = 0; q < count; q++) {
                        copy(layer.bias, nb * 4 * L, tile.z, q * 4 * L, 4 * L);
                        tile.prev[q] = s.bAt[first + q] + u;
                        tile.next[q] = s.bAt[first + q] + batch * hp + u;
                        tile.kAt[q] = layer.timeGate ? s.kOff[first + q] + u : u;
                        tile.peepAt[q] = u;
                        if (cache) {
                            tile.cacheAt[q] = tile.prev[q];
                        }
                    }
                    GateProduct.accumulate(count, x, s.aAt, first, in, layer.w, layer.stripRow(nb, 0), 4, tile.z,
                            CellTile.Z_ROWS, 0);
                    GateProduct.accumulate(count, ws.hc, s.bAt, first, hs, layer.w, layer.stripRow(nb, in), 4,
                            tile.z, CellTile.Z_ROWS, 0);
                    CellKernel.forward(layer, tile);
                }
            }
        }
        // Public outputs: h [B][T][H] (unless not needed), hT, cT.
        if (ws.hiddenSequenceNeeded()) {
            for (int b = b0; b < b1; b++) {
                for (int t = 0; t < steps; t++) {
                    System.arraycopy(ws.hc, ws.state(t + 1, b), ws.h(), (b * steps + t) * hs, hs);
                }
            }
        }
        for (int b = b0; b < b1; b++) {
            int last = ws.state(ws.lengths[b], b);
            System.arraycopy(ws.hc, last, ws.hT(), b * hs, hs);
            System.arraycopy(ws.cc, last, ws.cT(), b * hs, hs);
        }
    }

    /**
     * The time gate of the step's {@code n} active rows into {@code s.kS}, row {@code r}'s at {@code s.kOff[r]}.
     * {@code k} depends on the timestamp only: samples that share one (regular sampling, e.g. sequential MNIST)
     * share one computed row, found by a bounded look-back over the last distinct timestamps.
     */
    private static void timeGateRows(SimdWorkspace ws, SimdWorkspace.Worker s, double[] time, int t, int n,
                                     double alpha, boolean vectorPhase) {
        int steps = ws.steps();
        int hp = ws.hPad;
        int computed = 0;
        for (int r = 0; r < n; r++) {
            double tb = time[s.rows[r] * steps + t];
            int same = -1;
            for (int q = computed - 1; q >= Math.max(0, computed - K_REUSE_SEARCH) && same < 0; q--) {
                if (Double.doubleToRawLongBits(s.kTime[q]) == Double.doubleToRawLongBits(tb)) {
                    same = q;
                }
            }
            if (same < 0) {
                same = computed++;
                s.kTime[same] = tb;
                TimeGateKernel.openness(ws.layer.tg, tb, alpha, s.kS, same * hp, s.phi, vectorPhase);
            }
            s.kOff[r] = same * hp;
        }
    }

    /** A padded step: the state slot after step t repeats the one before it. */
    private static void carry(SimdWorkspace ws, int b, int t) {
        int hp = ws.hPad;
        int prev = ws.state(t, b);
        int next = ws.state(t + 1, b);
        System.arraycopy(ws.hc, prev, ws.hc, next, hp);
        System.arraycopy(ws.cc, prev, ws.cc, next, hp);
    }

    /** {@code dst[d ..] = src[s ..]} for {@code n} floats, a multiple of the lane count. */
    static void copy(float[] src, int s, float[] dst, int d, int n) {
        for (int i = 0; i < n; i += L) {
            FloatVector.fromArray(FS, src, s + i).intoArray(dst, d + i);
        }
    }
}
