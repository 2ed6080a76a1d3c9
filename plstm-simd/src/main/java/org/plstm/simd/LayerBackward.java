package org.plstm.simd;

import static org.plstm.simd.VectorLevel.L;

import java.util.Arrays;
import org.plstm.PhasedLstmConfig;

/**
 * The backward recurrence (BPTT) of one layer over one worker's share of the batch. Per step, from the last: the
 * fused cell backward of every active row and unit block ({@link CellKernel#backward}: {@code dz}, the carried
 * {@code dh}/{@code dc} and {@code dL/dk}), the time-gate parameter gradients per distinct timestamp, {@code dx_t}
 * and {@code dh_{t-1} += dz_t·recurrentKernel^T} as blocked products ({@link GateProduct} on the transposed strips
 * of {@link PackedLayer}), and for small layers the step's weight gradients ({@link WeightGradients#step}).
 */
final class LayerBackward {
    private LayerBackward() {
    }

    /** Backward over worker {@code w}'s samples; writes dz, dx, dh0, dc0 and the worker's accumulators. */
    static void run(LayerPass pass, int w, int workers) {
        SimdWorkspace ws = pass.ws();
        int b0 = ws.sampleStart(w, workers);
        int b1 = ws.sampleStart(w + 1, workers);
        if (b0 >= b1) {
            return;
        }
        PackedLayer layer = ws.layer;
        PhasedLstmConfig cfg = layer.config;
        SimdWorkspace.Worker s = ws.workers[w];
        int steps = ws.steps();
        int hp = ws.hPad;
        int hs = ws.hidden;
        Arrays.fill(s.peepAcc, 0.0);
        Arrays.fill(s.tgAcc, 0.0);
        if (ws.fusedWeightGradients) {
            Arrays.fill(s.dw, 0f);
            Arrays.fill(s.dwBias, 0f);
        }
        if (!layer.timeGate) {
            Arrays.fill(s.kS, 0, hp, 1f); // k = 1: the cell backward's time-gate terms vanish exactly
        }
        float[] dhT = pass.dhT();
        float[] dcT = pass.dcT();
        for (int b = b0; b < b1; b++) {
            int r = (b - b0) * hp;
            Arrays.fill(s.dhN, r, r + hp, 0f);
            Arrays.fill(s.dcN, r, r + hp, 0f);
            if (dhT != null) {
                System.arraycopy(dhT, b * hs, s.dhN, r, hs);
            }
            if (dcT != null) {
                System.arraycopy(dcT, b * hs, s.dcN, r, hs);
            }
        }
        float[] dh = pass.dh();
        float[] x = pass.input().x();
        for (int t = steps - 1; t >= 0; t--) {
            if (layer.peepholes) {
                Arrays.fill(s.peepStep, 0f);
            }
            int n = 0;
            for (int b = b0; b < b1; b++) {
                if (dh != null) {
                    int src = (b * steps + t) * hs;
                    int dst = (b - b0) * hp;
                    for (int j = 0; j < hs; j++) {
                        s.dhN[dst + j] += dh[src + j];
                    }
                }
                if (t < ws.lengths[b]) {
                    s.rows[n++] = b;
                }
            }
            cells(pass, cfg, s, b0, t, n);
            for (int q = 0; q < n; q++) {
                s.aAt[q] = (t * ws.batch() + s.rows[q]) * ws.gateWidth; // the rows' dz
            }
            if (ws.inputGradientsNeeded()) {
                inputGradients(ws, s, t, n);
            }
            if (ws.fusedWeightGradients) {
                WeightGradients.step(ws, s, x, t, n);
            }
            if (layer.peepholes) {
                for (int j = 0; j < 3 * hp; j++) {
                    s.peepAcc[j] += s.peepStep[j];
                }
            }
            // dh_{t-1} += dz_t · recurrentKernel^T for the active rows, one strip of output vectors at a time.
            int vecs = hp / L;
            for (int vec = 0; vec < vecs; ) {
                int width = PackedLayer.stripWidth(vec, vecs);
                for (int q = 0; q < n; q++) {
                    s.outAt[q] = (s.rows[q] - b0) * hp + vec * L;
                }
                GateProduct.accumulate(n, ws.dz, s.aAt, 0, ws.gateWidth, layer.uT,
                        PackedLayer.stripStart(vec, vecs, ws.gateWidth), width, s.dhN, s.outAt, 0);
                vec += width;
            }
        }
        for (int b = b0; b < b1; b++) {
            int r = (b - b0) * hp;
            System.arraycopy(s.dhN, r, ws.dh0(), b * hs, hs);
            System.arraycopy(s.dcN, r, ws.dc0(), b * hs, hs);
        }
        if (ws.inputGradientsNeeded()) {
            for (int b = b0; b < b1; b++) {
                int from = (b * steps + ws.lengths[b]) * ws.in;
                Arrays.fill(ws.dx(), from, (b + 1) * steps * ws.in, 0f); // padded steps
            }
        }
    }

    /**
     * The cell backward of the step's {@code n} active rows ({@code s.rows}), with {@code k} recomputed once per
     * distinct timestamp (bitwise as in forward) and the time-gate parameter gradients, which are linear in
     * {@code dk} for a fixed timestamp: {@code dk} is summed over the rows sharing one and applied once.
     */
    private static void cells(LayerPass pass, PhasedLstmConfig cfg, SimdWorkspace.Worker s, int b0, int t, int n) {
        SimdWorkspace ws = pass.ws();
        PackedLayer layer = ws.layer;
        int steps = ws.steps();
        int hp = ws.hPad;
        double[] time = pass.input().time();
        boolean tgGrads = cfg.timeGate() && (cfg.trainPeriod() || cfg.trainShift() || cfg.trainRatioOn());
        boolean pending = false; // dk summed over rows that share the timestamp lastT
        double lastT = 0;
        for (int q = 0; q <= n; q++) {
            boolean end = q == n;
            int b = end ? -1 : s.rows[q];
            double tb = end ? 0 : time[b * steps + t];
            boolean newTime = end || q == 0 || Double.doubleToRawLongBits(tb) != Double.doubleToRawLongBits(lastT);
            if (pending && newTime) {
                TimeGateKernel.gradients(layer.tg, lastT, pass.alpha(), s.phi, s.dkSum, s.tgAcc);
                pending = false;
            }
            if (end) {
                break;
            }
            if (layer.timeGate && newTime) {
                TimeGateKernel.openness(layer.tg, tb, pass.alpha(), s.kS, 0, s.phi, pass.vectorPhase());
                lastT = tb;
            }
            int cache = ws.state(t, b);
            int row = (b - b0) * hp;
            int dzAt = (t * ws.batch() + b) * ws.gateWidth;
            for (int nb = 0; nb < layer.blocks; nb++) {
                int u = nb * L;
                CellKernel.backward(layer, ws, s, cache + u, row + u, dzAt + nb * 4 * L, u);
            }
            if (tgGrads) {
                if (!pending) {
                    Arrays.fill(s.dkSum, 0.0);
                    pending = true;
                }
                TimeGateKernel.accumulate(s.dk, 0, s.dkSum, hp);
            }
        }
    }

    /** {@code dx_t = dz_t · kernel^T} for the step's rows (dz offsets in {@code s.aAt}), via the row scratch. */
    private static void inputGradients(SimdWorkspace ws, SimdWorkspace.Worker s, int t, int n) {
        PackedLayer layer = ws.layer;
        int ip = layer.inPad;
        int in = ws.in;
        Arrays.fill(s.dxRows, 0, n * ip, 0f);
        int vecs = ip / L;
        for (int vec = 0; vec < vecs; ) {
            int width = PackedLayer.stripWidth(vec, vecs);
            for (int q = 0; q < n; q++) {
                s.outAt[q] = q * ip + vec * L;
            }
            GateProduct.accumulate(n, ws.dz, s.aAt, 0, ws.gateWidth, layer.xT,
                    PackedLayer.stripStart(vec, vecs, ws.gateWidth), width, s.dxRows, s.outAt, 0);
            vec += width;
        }
        float[] dx = ws.dx();
        for (int q = 0; q < n; q++) {
            System.arraycopy(s.dxRows, q * ip, dx, (s.rows[q] * ws.steps() + t) * in, in);
        }
    }
}
