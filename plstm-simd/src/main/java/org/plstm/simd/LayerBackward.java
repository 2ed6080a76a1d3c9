package org.plstm.simd;

import static org.plstm.simd.VectorLevel.L;

import java.util.Arrays;
import org.plstm.PhasedLstmConfig;

/**
 * The backward recurrence (BPTT) of one layer over one part of the work (samples or unit blocks, as the forward).
 * Per step, from the last: the fused cell backward of every active row and unit block ({@link CellKernel#backwardRows}:
 * {@code dz}, the carried {@code dh}/{@code dc} and {@code dL/dk}), the time-gate parameter gradients per distinct
 * timestamp, for small layers the step's weight gradients ({@link WeightGradients#step}), then
 * {@code dh_{t-1} += dz_t·recurrentKernel^T} and {@code dx_t = dz_t·kernel^T} as blocked products
 * ({@link GateProduct} on the transposed strips of {@link PackedLayer}). With the unit split, a barrier separates
 * the cell backward (which writes this part's columns of {@code dz_t}) from the products (which read all of them);
 * each part then computes {@code dh} of its own units, the only ones its next step reads, and {@code dx} of a share
 * of the rows.
 */
final class LayerBackward {
    private LayerBackward() {
    }

    /** Part {@code w} of the backward; writes dz, dx, dh0, dc0 and the worker's accumulators. */
    static void run(LayerPass pass, int w) {
        SimdWorkspace ws = pass.ws();
        int b0 = ws.sampleStart(w);
        int b1 = ws.sampleEnd(w);
        int nb0 = ws.blockStart(w);
        int nb1 = ws.blockEnd(w);
        int u0 = nb0 * L;
        int u1 = nb1 * L;
        PackedLayer layer = ws.layer;
        PhasedLstmConfig cfg = layer.config;
        SimdWorkspace.Worker s = ws.workers[w];
        int steps = ws.steps();
        int hPad = ws.hPad;
        int hs = ws.hidden;
        Arrays.fill(s.peepAcc, 0.0);
        Arrays.fill(s.tgAcc, 0.0);
        if (ws.fusedWeightGradients) {
            Arrays.fill(s.dw, 0f);
            Arrays.fill(s.dwBias, 0f);
        }
        if (!layer.timeGate) {
            Arrays.fill(s.kS, 0, hPad, 1f); // k = 1: the cell backward's time-gate terms vanish exactly
        }
        s.dz = ws.fusedWeightGradients && !ws.unitSplit ? s.dzStep : ws.dz;
        float[] dhT = pass.dhT();
        float[] dcT = pass.dcT();
        int n0 = Math.max(0, Math.min(u1, hs) - u0); // this part's real units
        for (int b = b0; b < b1; b++) {
            int r = b * hPad;
            Arrays.fill(ws.dhN, r + u0, r + u1, 0f);
            Arrays.fill(ws.dcN, r + u0, r + u1, 0f);
            if (dhT != null && n0 > 0) {
                System.arraycopy(dhT, b * hs + u0, ws.dhN, r + u0, n0);
            }
            if (dcT != null && n0 > 0) {
                System.arraycopy(dcT, b * hs + u0, ws.dcN, r + u0, n0);
            }
        }
        float[] dh = pass.dh();
        float[] x = pass.input().x();
        GateProduct.ProductRows pr = s.product;
        int vecs = hPad / L;
        for (int t = steps - 1; t >= 0; t--) {
            if (layer.peepholes) {
                Arrays.fill(s.peepStep, 0f);
            }
            int n = 0;
            for (int b = b0; b < b1; b++) {
                if (dh != null) {
                    int src = (b * steps + t) * hs;
                    int dst = b * hPad;
                    for (int j = u0; j < u0 + n0; j++) {
                        ws.dhN[dst + j] += dh[src + j];
                    }
                }
                if (t < ws.lengths[b]) {
                    s.rows[n++] = b;
                }
            }
            cells(pass, cfg, s, t, n, nb0, nb1);
            if (ws.fusedWeightGradients) {
                WeightGradients.step(ws, s, x, t, n, nb0, nb1);
            }
            if (layer.peepholes) {
                for (int j = 0; j < 3 * hPad; j++) {
                    s.peepAcc[j] += s.peepStep[j];
                }
            }
            pr.a = s.dz;
            pr.aLen = ws.gateWidth;
            pr.bLen = 0;
            for (int q = 0; q < n; q++) {
                pr.aAt[q] = dzRow(ws, t, s.rows[q], q); // the rows' dz
            }
            if (ws.barrier != null) {
                ws.barrier.await(); // every part's columns of dz_t written
            }
            if (ws.inputGradientsNeeded()) {
                inputGradients(ws, s, t, n, w);
            }
            // dh_{t-1} += dz_t · recurrentKernel^T for the active rows, this part's units, one strip at a time.
            pr.init = ws.dhN;
            pr.out = ws.dhN;
            for (int vec = nb0; vec < nb1; ) {
                int width = PackedLayer.stripWidth(vec, vecs);
                for (int q = 0; q < n; q++) {
                    pr.outAt[q] = s.rows[q] * hPad + vec * L;
                    pr.initAt[q] = pr.outAt[q];
                }
                GateProduct.accumulate(pr, 0, n, layer.uT, PackedLayer.stripStart(vec, vecs, ws.gateWidth), width);
                vec += width;
            }
            // No second barrier: the next step's cells read only this part's dh and dc, and write dz_{t-1}, which no
            // part reads before the next barrier.
        }
        if (n0 > 0) {
            for (int b = b0; b < b1; b++) {
                int r = b * hPad;
                System.arraycopy(ws.dhN, r + u0, ws.dh0(), b * hs + u0, n0);
                System.arraycopy(ws.dcN, r + u0, ws.dc0(), b * hs + u0, n0);
            }
        }
        if (ws.inputGradientsNeeded()) {
            int in = ws.in;
            for (int b = ws.unitSplit ? w : b0; b < b1; b += ws.unitSplit ? ws.parts : 1) {
                int from = (b * steps + ws.lengths[b]) * in;
                Arrays.fill(ws.dx(), from, (b + 1) * steps * in, 0f); // padded steps
            }
        }
    }

    /**
     * Offset of the dz of sample {@code b} at step {@code t}, the step's row {@code q} (see {@code Worker.dz} and
     * {@link SimdWorkspace#dz}): all steps for large layers; for small ones the row in the worker's buffer (split by
     * samples) or the sample in the shared buffer of two steps (split by units).
     */
    static int dzRow(SimdWorkspace ws, int t, int b, int q) {
        if (!ws.fusedWeightGradients) {
            return (t * ws.batch() + b) * ws.gateWidth;
        }
        return ws.unitSplit ? ((t & 1) * ws.batch() + b) * ws.gateWidth : q * ws.gateWidth;
    }

    /**
     * The cell backward of the step's {@code n} active rows ({@code s.rows}), unit blocks {@code [nb0, nb1)}, with
     * {@code k} recomputed once per distinct timestamp (bitwise as in forward) and the time-gate parameter gradients,
     * which are linear in {@code dk} for a fixed timestamp: {@code dk} is summed over the rows sharing one and applied
     * once.
     */
    private static void cells(LayerPass pass, PhasedLstmConfig cfg, SimdWorkspace.Worker s, int t, int n, int nb0,
                              int nb1) {
        SimdWorkspace ws = pass.ws();
        PackedLayer layer = ws.layer;
        int steps = ws.steps();
        int hPad = ws.hPad;
        int u0 = nb0 * L;
        int u1 = nb1 * L;
        double[] time = pass.input().time();
        boolean tgGrads = cfg.timeGate() && (cfg.trainPeriod() || cfg.trainShift() || cfg.trainRatioOn());
        // Runs of rows that share a timestamp: one k, one cell-backward call, their dk summed in row order.
        for (int q0 = 0; q0 < n; ) {
            double tb = time[s.rows[q0] * steps + t];
            long bits = Double.doubleToRawLongBits(tb);
            int q1 = q0 + 1;
            while (q1 < n && Double.doubleToRawLongBits(time[s.rows[q1] * steps + t]) == bits) {
                q1++;
            }
            if (layer.timeGate) {
                TimeGateKernel.openness(layer.tg, tb, pass.alpha(), s.kS, 0, s.phi, s.kWide, pass.vectorPhase(), u0, u1);
            }
            CellKernel.backwardRows(layer, ws, s, t, q0, q1, nb0, nb1);
            if (tgGrads) {
                Arrays.fill(s.dkSum, u0, u1, 0.0);
                for (int q = q0; q < q1; q++) {
                    TimeGateKernel.accumulate(s.dk, (q - q0) * hPad, s.dkSum, u0, u1);
                }
                TimeGateKernel.gradients(layer.tg, tb, pass.alpha(), s.phi, s.dkSum, s.tgAcc, u0, u1);
            }
            q0 = q1;
        }
    }

    /**
     * {@code dx_t = dz_t · kernel^T} for the step's rows (dz offsets in {@code s.product}; with the unit split every
     * {@code parts}-th row from {@code w}), through the row scratch.
     */
    private static void inputGradients(SimdWorkspace ws, SimdWorkspace.Worker s, int t, int n, int w) {
        PackedLayer layer = ws.layer;
        int ip = layer.inPad;
        int in = ws.in;
        int first = ws.unitSplit ? w : 0;
        int stride = ws.unitSplit ? ws.parts : 1;
        GateProduct.ProductRows pr = s.product;
        // This part's rows, compacted to the front of the product's rows (their dz offsets move with them).
        int m = 0;
        for (int q = first; q < n; q += stride) {
            pr.aAt[m] = pr.aAt[q];
            s.stepX[m++] = s.rows[q];
        }
        Arrays.fill(s.dxRows, 0, m * ip, 0f);
        pr.init = s.dxRows;
        pr.out = s.dxRows;
        int vecs = ip / L;
        for (int vec = 0; vec < vecs; ) {
            int width = PackedLayer.stripWidth(vec, vecs);
            for (int q = 0; q < m; q++) {
                pr.outAt[q] = q * ip + vec * L;
                pr.initAt[q] = pr.outAt[q];
            }
            GateProduct.accumulate(pr, 0, m, layer.xT, PackedLayer.stripStart(vec, vecs, ws.gateWidth), width);
            vec += width;
        }
        float[] dx = ws.dx();
        for (int q = 0; q < m; q++) {
            System.arraycopy(s.dxRows, q * ip, dx, (s.stepX[q] * ws.steps() + t) * in, in);
        }
        // Restore the dz offsets of all rows for the dh product.
        for (int q = 0; q < n; q++) {
            pr.aAt[q] = dzRow(ws, t, s.rows[q], q);
        }
    }
}
