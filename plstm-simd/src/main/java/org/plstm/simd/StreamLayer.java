package org.plstm.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.plstm.Check;
import org.plstm.GateActivation;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;

/**
 * One Phased LSTM layer packed for inference on a single stream, one event at a time, in inference mode (leak 0).
 * This is the kernel behind {@code org.plstm.inference.StreamSession}; most users want that class.
 *
 * <p>Two paths. {@link #stepDense} updates every unit: the gate product is the engine's blocked kernel for one
 * sample, and the result equals {@link SimdEngine}'s batched forward bitwise. {@link #stepSkipping} is event-driven
 * (the paper's "order of magnitude fewer computes", section 3): it first evaluates the time gate of every unit,
 * then computes gates and state only for the units whose gate is open ({@code k > 0}), reading only their columns
 * of {@code kernel} and {@code recurrentKernel} (kept unit-major: each unit's four gate columns contiguous); a closed
 * unit keeps {@code c} and {@code h} bitwise, as the model defines with {@code alpha = 0}. The open units' values
 * equal the dense path's within float32 rounding (their dot products are summed in another order).
 *
 * <p>Immutable and thread-safe; each stream keeps its own {@link State}. The layer copies the parameters, so later
 * changes to the {@link PhasedLstmParams} do not affect it.
 */
public final class StreamLayer {
    private static final int L = SimdPhasedLstm.L;

    final PhasedLstmConfig cfg;
    final int in;
    final int hs;
    final int hp;
    final int nb;
    final int g4;
    final int kp;
    final boolean hard;
    final boolean peepholes;
    final boolean timeGate;
    final float[] wx;     // [I][NB][4][L], the engine's packed layout
    final float[] wh;     // [H][NB][4][L]
    final float[] bias;   // [NB][4][L]
    final float[] wu;     // [H][4][kp]: unit j, gate g, row [kernel[:, g·H + j], recurrentKernel[:, g·H + j], 0 ...]
    final float[] biasU;  // [4][H]
    final float[] peep;   // [3][Hp]
    final TimeGateParams tg;
    private final double maxAbsShift;
    private final double maxInvPeriod;

    /**
     * Packs a layer.
     *
     * @param params the layer's parameters (copied)
     * @throws IllegalArgumentException if {@code params} is null or invalid (NaN/Inf, period &lt;= 0, ratioOn outside
     *     {@code (0, 1]})
     */
    public StreamLayer(PhasedLstmParams params) {
        Check.notNull("params", params);
        params.validate("params");
        cfg = params.config();
        in = cfg.inputSize();
        hs = cfg.hiddenSize();
        hp = (hs + L - 1) / L * L;
        nb = hp / L;
        g4 = 4 * hp;
        kp = (in + hs + L - 1) / L * L;
        hard = cfg.gateActivation() == GateActivation.HARD_SIGMOID;
        peepholes = cfg.peepholes();
        timeGate = cfg.timeGate();
        wx = new float[in * g4];
        wh = new float[hs * g4];
        bias = new float[g4];
        SimdPhasedLstm.packColumns(params.kernel(), wx, in, hs, g4);
        SimdPhasedLstm.packColumns(params.recurrentKernel(), wh, hs, hs, g4);
        SimdPhasedLstm.packColumns(params.bias(), bias, 1, hs, g4);
        wu = new float[hs * 4 * kp];
        biasU = params.bias().clone();
        for (int j = 0; j < hs; j++) {
            for (int g = 0; g < 4; g++) {
                int row = (j * 4 + g) * kp;
                int col = g * hs + j;
                for (int k = 0; k < in; k++) {
                    wu[row + k] = params.kernel()[k * 4 * hs + col];
                }
                for (int k = 0; k < hs; k++) {
                    wu[row + in + k] = params.recurrentKernel()[k * 4 * hs + col];
                }
            }
        }
        peep = new float[3 * hp];
        if (peepholes) {
            for (int q = 0; q < 3; q++) {
                System.arraycopy(params.peephole(), q * hs, peep, q * hp, hs);
            }
        }
        tg = new TimeGateParams(hp);
        tg.set(params);
        double s = 0;
        double inv = 0;
        for (int j = 0; j < hs; j++) {
            s = Math.max(s, Math.abs(tg.shift[j]));
            inv = Math.max(inv, tg.invPeriod[j]);
        }
        maxAbsShift = s;
        maxInvPeriod = inv;
    }

    /** @return the layer configuration */
    public PhasedLstmConfig config() {
        return cfg;
    }

    /** Per-stream state and scratch of one layer; not thread-safe. */
    public static final class State {
        final float[] h;
        final float[] c;
        final float[] hNew;
        final float[] cNew;
        final float[] k;
        final float[] z;
        final float[] a;
        final int[] open;
        final float[] gz;   // gathered z of open units: [4][mp]
        final float[] gc;
        final float[] gh;
        final float[] gk;
        final float[] gp;   // gathered peepholes [3][mp]
        final float[] outC;
        final float[] outH;
        final float[] lanes;
        final float[] e;
        final int[] off;
        final int mp;
        int lastOpen;

        /** @param layer the layer this state belongs to */
        public State(StreamLayer layer) {
            int hp = layer.hp;
            h = new float[hp];
            c = new float[hp];
            hNew = new float[hp];
            cNew = new float[hp];
            k = new float[hp];
            z = new float[4 * L];
            a = new float[layer.kp];
            open = new int[layer.hs];
            mp = hp;
            gz = new float[4 * mp];
            gc = new float[mp];
            gh = new float[mp];
            gk = new float[mp];
            gp = new float[3 * mp];
            outC = new float[mp];
            outH = new float[mp];
            lanes = new float[4 * L];
            e = new float[SimdPhasedLstm.CELL_SCRATCH];
            off = new int[4 * SimdPhasedLstm.ROW];
        }

        /** @return the hidden state {@code h [Hp]}, live; the first {@code H} entries are the units */
        public float[] h() {
            return h;
        }

        /** @return the cell state {@code c [Hp]}, live */
        public float[] c() {
            return c;
        }

        /** @return how many units the last {@link StreamLayer#stepSkipping} updated */
        public int lastOpenUnits() {
            return lastOpen;
        }
    }

    /** Writes the openness {@code k} of every unit at time {@code t} (leak 0) into {@code s.k}. */
    private void openness(State s, double t) {
        if ((Math.abs(t) + maxAbsShift) * maxInvPeriod < SimdPhasedLstm.MAX_VECTOR_PHASE_QUOTIENT) {
            SimdPhasedLstm.timeGateRow(tg, t, 0.0, s.k, 0, null);
        } else {
            SimdPhasedLstm.timeGateRowScalar(tg, t, 0.0, s.k, 0, null);
        }
    }

    /**
     * One event through every unit (dense). Arguments are not checked (the session validates).
     *
     * @param s    this stream's state, updated
     * @param x    input values, {@code I} of them from {@code xOff}
     * @param xOff offset of the event's inputs in {@code x}
     * @param t    the event's timestamp
     */
    public void stepDense(State s, float[] x, int xOff, double t) {
        if (timeGate) {
            openness(s, t);
        }
        for (int blk = 0; blk < nb; blk++) {
            int col = blk * 4 * L;
            FloatVector ai = FloatVector.fromArray(SimdPhasedLstm.FS, bias, col);
            FloatVector af = FloatVector.fromArray(SimdPhasedLstm.FS, bias, col + L);
            FloatVector ag = FloatVector.fromArray(SimdPhasedLstm.FS, bias, col + 2 * L);
            FloatVector ao = FloatVector.fromArray(SimdPhasedLstm.FS, bias, col + 3 * L);
            for (int k = 0; k < in; k++) {
                int o = k * g4 + col;
                FloatVector v = FloatVector.broadcast(SimdPhasedLstm.FS, x[xOff + k]);
                ai = FloatVector.fromArray(SimdPhasedLstm.FS, wx, o).fma(v, ai);
                af = FloatVector.fromArray(SimdPhasedLstm.FS, wx, o + L).fma(v, af);
                ag = FloatVector.fromArray(SimdPhasedLstm.FS, wx, o + 2 * L).fma(v, ag);
                ao = FloatVector.fromArray(SimdPhasedLstm.FS, wx, o + 3 * L).fma(v, ao);
            }
            for (int k = 0; k < hs; k++) {
                int o = k * g4 + col;
                FloatVector v = FloatVector.broadcast(SimdPhasedLstm.FS, s.h[k]);
                ai = FloatVector.fromArray(SimdPhasedLstm.FS, wh, o).fma(v, ai);
                af = FloatVector.fromArray(SimdPhasedLstm.FS, wh, o + L).fma(v, af);
                ag = FloatVector.fromArray(SimdPhasedLstm.FS, wh, o + 2 * L).fma(v, ag);
                ao = FloatVector.fromArray(SimdPhasedLstm.FS, wh, o + 3 * L).fma(v, ao);
            }
            ai.intoArray(s.z, 0);
            af.intoArray(s.z, L);
            ag.intoArray(s.z, 2 * L);
            ao.intoArray(s.z, 3 * L);
            int u = blk * L;
            row(s.off, 0, 0, u, u, u, u);
            SimdPhasedLstm.cellUpdateRows(1, peepholes, hard, timeGate, s.z, s.c, s.h, s.k, peep, hp, s.cNew, s.hNew,
                    s.off, s.e, null, null, null, null, null);
        }
        System.arraycopy(s.hNew, 0, s.h, 0, hp);
        System.arraycopy(s.cNew, 0, s.c, 0, hp);
        s.lastOpen = hs;
    }

    /**
     * One event, updating only the units whose time gate is open (see the class comment). Without a time gate this
     * is {@link #stepDense}.
     *
     * @param s    this stream's state, updated
     * @param x    input values, {@code I} of them from {@code xOff}
     * @param xOff offset of the event's inputs in {@code x}
     * @param t    the event's timestamp
     */
    public void stepSkipping(State s, float[] x, int xOff, double t) {
        if (!timeGate) {
            stepDense(s, x, xOff, t);
            return;
        }
        openness(s, t);
        int m = 0;
        for (int j = 0; j < hp; j += L) {
            VectorMask<Float> on = FloatVector.fromArray(SimdPhasedLstm.FS, s.k, j).compare(VectorOperators.GT, 0f);
            long bits = on.toLong();
            while (bits != 0) {
                int unit = j + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                if (unit < hs) {
                    s.open[m++] = unit;
                }
            }
        }
        s.lastOpen = m;
        if (m == 0) {
            return;
        }
        // a = [x, h_{t-1}, 0...]: the open units' dot products read it while their state is overwritten.
        System.arraycopy(x, xOff, s.a, 0, in);
        System.arraycopy(s.h, 0, s.a, in, hs);
        int mp = s.mp;
        for (int q = 0; q < m; q++) {
            int j = s.open[q];
            int row = j * 4 * kp;
            FloatVector ci = FloatVector.zero(SimdPhasedLstm.FS);
            FloatVector cf = FloatVector.zero(SimdPhasedLstm.FS);
            FloatVector cg = FloatVector.zero(SimdPhasedLstm.FS);
            FloatVector co = FloatVector.zero(SimdPhasedLstm.FS);
            for (int k = 0; k < kp; k += L) {
                FloatVector av = FloatVector.fromArray(SimdPhasedLstm.FS, s.a, k);
                ci = FloatVector.fromArray(SimdPhasedLstm.FS, wu, row + k).fma(av, ci);
                cf = FloatVector.fromArray(SimdPhasedLstm.FS, wu, row + kp + k).fma(av, cf);
                cg = FloatVector.fromArray(SimdPhasedLstm.FS, wu, row + 2 * kp + k).fma(av, cg);
                co = FloatVector.fromArray(SimdPhasedLstm.FS, wu, row + 3 * kp + k).fma(av, co);
            }
            // Lane sums in a fixed order (deterministic in every JIT tier), written out rather than a helper taking
            // a vector (which C2 would box if it declined to inline it).
            ci.intoArray(s.lanes, 0);
            cf.intoArray(s.lanes, L);
            cg.intoArray(s.lanes, 2 * L);
            co.intoArray(s.lanes, 3 * L);
            int zq = (q / L) * 4 * L + q % L; // gathered pre-activations in blocks of [4][L], as the cell expects
            for (int g = 0; g < 4; g++) {
                float s0 = 0f;
                float s1 = 0f;
                for (int l = g * L; l < (g + 1) * L; l += 2) {
                    s0 += s.lanes[l];
                    s1 += s.lanes[l + 1];
                }
                s.gz[zq + g * L] = biasU[g * hs + j] + (s0 + s1);
            }
            s.gc[q] = s.c[j];
            s.gh[q] = s.h[j];
            s.gk[q] = s.k[j];
            s.gp[q] = peep[j];
            s.gp[mp + q] = peep[hp + j];
            s.gp[2 * mp + q] = peep[2 * hp + j];
        }
        for (int q = m; q < (m + L - 1) / L * L; q++) {
            int zq = (q / L) * 4 * L + q % L;
            s.gz[zq] = 0f;
            s.gz[zq + L] = 0f;
            s.gz[zq + 2 * L] = 0f;
            s.gz[zq + 3 * L] = 0f;
            s.gc[q] = 0f;
            s.gh[q] = 0f;
            s.gk[q] = 0f;
            s.gp[q] = 0f;
            s.gp[mp + q] = 0f;
            s.gp[2 * mp + q] = 0f;
        }
        // The open units in groups of L, up to 4 groups per call (their chains overlap).
        for (int q = 0; q < m; q += 4 * L) {
            int count = Math.min(4, (m - q + L - 1) / L);
            for (int g = 0; g < count; g++) {
                int v = q + g * L;
                row(s.off, g, 4 * v, v, v, v, v);
            }
            SimdPhasedLstm.cellUpdateRows(count, peepholes, hard, timeGate, s.gz, s.gc, s.gh, s.gk, s.gp, mp, s.outC,
                    s.outH, s.off, s.e, null, null, null, null, null);
        }
        for (int q = 0; q < m; q++) {
            int j = s.open[q];
            s.c[j] = s.outC[q];
            s.h[j] = s.outH[q];
        }
    }

    /** Sets the offsets of row {@code q} for {@link SimdPhasedLstm#cellUpdateRows}. */
    private static void row(int[] off, int q, int z, int state, int k, int out, int peep) {
        int r = SimdPhasedLstm.ROW * q;
        off[r] = z;
        off[r + 1] = state;
        off[r + 2] = k;
        off[r + 3] = out;
        off[r + 4] = peep;
    }
}
