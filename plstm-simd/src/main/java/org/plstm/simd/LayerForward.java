package org.plstm.simd;

import static org.plstm.simd.VectorLevel.L;

import java.util.Arrays;

/**
 * The forward pass of one layer over one part of the work ({@link SimdWorkspace#unitSplit}: a range of samples with
 * every unit, or every sample with a range of unit blocks). Per step: the time gate of each distinct timestamp
 * ({@link TimeGateKernel}), then for every unit block and every tile of up to 4 samples the gate product
 * ({@link GateProduct}, {@code z = bias + x_t·kernel + h_{t-1}·recurrentKernel}) straight into the fused cell
 * update ({@link CellKernel}) while the tile is in L1; with the unit split, a barrier ends the step. Samples past
 * their length carry their state.
 *
 * <p>In inference with leak 0 ({@code Mode.INFERENCE}: no training caches, {@code alpha = 0}) a closed unit's
 * {@code k} is exactly 0 and its update copies its state (paper section 3). A sample whose gate is closed at every
 * unit of a block skips that block: no product, no cell update, its {@code c} and {@code h} there copied. The rest
 * of the batch runs the same tiles as before, so the values are those of the dense update: equal bit for bit
 * wherever that update is exact, i.e. unless {@code c~} is not finite (then the dense {@code 0·c~} would have made
 * the state NaN) or the state is {@code -0} (which {@code 0·c~ + (-0)} turns into {@code +0}).
 */
final class LayerForward {
    /** How many distinct timestamps of one step the forward remembers for reuse of k. */
    static final int K_REUSE_SEARCH = 4;

    private LayerForward() {
    }

    /**
     * Part {@code w} of the forward: samples {@code [sampleStart(w), sampleEnd(w))} and unit blocks
     * {@code [blockStart(w), blockEnd(w))} of the workspace's split.
     *
     * @param pass the call's arguments
     * @param w    this part (worker)
     */
    static void run(LayerPass pass, int w) {
        SimdWorkspace ws = pass.ws();
        int b0 = ws.sampleStart(w);
        int b1 = ws.sampleEnd(w);
        int nb0 = ws.blockStart(w);
        int nb1 = ws.blockEnd(w);
        PackedLayer layer = ws.layer;
        SimdWorkspace.Worker s = ws.workers[w];
        int steps = ws.steps();
        int batch = ws.batch();
        int hPad = ws.hPad;
        int hs = ws.hidden;
        int in = ws.in;
        int u0 = nb0 * L; // this part's units [u0, u1)
        int u1 = nb1 * L;
        if (!pass.rerun()) {
            float[] h0 = pass.h0();
            float[] c0 = pass.c0();
            for (int b = b0; b < b1; b++) {
                int slot = ws.state(0, b);
                Arrays.fill(ws.hc, slot + u0, slot + u1, 0f);
                Arrays.fill(ws.cc, slot + u0, slot + u1, 0f);
                int n = Math.min(u1, hs) - u0;
                if (h0 != null && n > 0) {
                    System.arraycopy(h0, b * hs + u0, ws.hc, slot + u0, n);
                }
                if (c0 != null && n > 0) {
                    System.arraycopy(c0, b * hs + u0, ws.cc, slot + u0, n);
                }
            }
        }
        if (ws.barrier != null) {
            ws.barrier.await(); // every part's units of h0, c0 in slot 0 before step 0 reads them all
        }
        CellTile tile = s.tile;
        tile.c = ws.cc;
        tile.h = ws.hc;
        tile.cOut = ws.cc;
        tile.hOut = ws.hc;
        tile.k = layer.timeGate ? s.kS : layer.ones;
        tile.peep = layer.peep;
        tile.peepStride = hPad;
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
        // Inference with leak 0: a closed unit's k is exactly 0, and its state is copied (paper section 3; DESIGN).
        // A row whose gate is closed at all L units of a block skips that block's product and cell update. The
        // training caches need every gate, so only a pass without caches skips.
        boolean skipClosed = layer.timeGate && !cache && alpha == 0;
        GateProduct.ProductRows pr = s.product;
        pr.a = x;
        pr.aLen = in;
        pr.b = ws.hc;
        pr.bLen = hs;
        pr.init = layer.bias;
        pr.out = tile.z;
        for (int t = 0; t < steps; t++) {
            int n = 0;
            for (int b = b0; b < b1; b++) {
                if (t < ws.lengths[b]) {
                    s.rows[n++] = b;
                } else {
                    carry(ws, b, t, u0, u1);
                }
            }
            if (layer.timeGate) {
                timeGateRows(ws, s, time, t, n, alpha, pass.vectorPhase(), u0, u1);
            }
            // Unit blocks outer, sample tiles inner: a block's strip of weights streams once per tile from L2 (it
            // is read front to back, which the prefetchers follow) while the tiles' rows of h stay in L1.
            for (int nb = nb0; nb < nb1; nb++) {
                int u = nb * L;
                // The rows this block computes, in s.open; with skipClosed, a row whose gate is closed (k = 0) at
                // every unit of the block keeps its state instead (the dense update's values; see the class comment).
                int m = 0;
                for (int r = 0; r < n; r++) {
                    int b = s.rows[r];
                    if (skipClosed && closed(s.kS, s.kOff[r] + u)) {
                        carry(ws, b, t, u, u + L);
                        continue;
                    }
                    s.open[m] = r;
                    pr.aAt[m] = (b * steps + t) * in;
                    pr.bAt[m] = ws.state(t, b);
                    pr.initAt[m] = nb * 4 * L;
                    pr.outAt[m] = (m % CellTile.MAX_ROWS) * 4 * L; // the row's place in its tile's z
                    m++;
                }
                for (int first = 0; first < m; first += CellTile.MAX_ROWS) {
                    int count = Math.min(CellTile.MAX_ROWS, m - first);
                    tile.rows = count;
                    for (int q = 0; q < count; q++) {
                        tile.prev[q] = pr.bAt[first + q] + u;
                        tile.next[q] = pr.bAt[first + q] + batch * hPad + u;
                        tile.kAt[q] = layer.timeGate ? s.kOff[s.open[first + q]] + u : u;
                        tile.peepAt[q] = u;
                        if (cache) {
                            tile.cacheAt[q] = tile.prev[q];
                        }
                    }
                    GateProduct.accumulate(pr, first, count, layer.w, layer.stripRow(nb, 0), 4);
                    CellKernel.forward(layer, tile);
                }
            }
            if (ws.barrier != null) {
                ws.barrier.await(); // h_t complete before any part starts step t + 1
            }
        }
        // Public outputs: h [B][T][H] (unless not needed), hT, cT: this part's samples and units.
        int n = Math.min(u1, hs) - u0;
        if (n <= 0) {
            return;
        }
        if (ws.hiddenSequenceNeeded()) {
            for (int b = b0; b < b1; b++) {
                for (int t = 0; t < steps; t++) {
                    System.arraycopy(ws.hc, ws.state(t + 1, b) + u0, ws.h(), (b * steps + t) * hs + u0, n);
                }
            }
        }
        for (int b = b0; b < b1; b++) {
            int last = ws.state(ws.lengths[b], b);
            System.arraycopy(ws.hc, last + u0, ws.hT(), b * hs + u0, n);
            System.arraycopy(ws.cc, last + u0, ws.cT(), b * hs + u0, n);
        }
    }

    /**
     * The time gate of the step's {@code n} active rows, units {@code [u0, u1)}, into {@code s.kS}, row {@code r}'s at
     * {@code s.kOff[r]}. {@code k} depends on the timestamp only: samples that share one (regular sampling, e.g.
     * sequential MNIST) share one computed row, found by a bounded look-back over the last distinct timestamps.
     */
    private static void timeGateRows(SimdWorkspace ws, SimdWorkspace.Worker s, double[] time, int t, int n,
                                     double alpha, boolean vectorPhase, int u0, int u1) {
        int steps = ws.steps();
        int hPad = ws.hPad;
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
                TimeGateKernel.openness(ws.layer.tg, tb, alpha, s.kS, same * hPad, s.phi, s.kWide, vectorPhase, u0, u1);
            }
            s.kOff[r] = same * hPad;
        }
    }

    /** True if the time gate is closed ({@code k == 0}) at all {@code L} units of {@code k[at .. at + L)}. */
    private static boolean closed(float[] k, int at) {
        for (int j = at; j < at + L; j++) {
            if (k[j] != 0f) {
                return false;
            }
        }
        return true;
    }

    /** A padded step: units {@code [u0, u1)} of the state slot after step t repeat the one before it. */
    private static void carry(SimdWorkspace ws, int b, int t, int u0, int u1) {
        int prev = ws.state(t, b);
        int next = ws.state(t + 1, b);
        System.arraycopy(ws.hc, prev + u0, ws.hc, next + u0, u1 - u0);
        System.arraycopy(ws.cc, prev + u0, ws.cc, next + u0, u1 - u0);
    }
}
