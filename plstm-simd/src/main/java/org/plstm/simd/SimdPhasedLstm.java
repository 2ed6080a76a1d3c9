package org.plstm.simd;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.plstm.GateActivation;
import org.plstm.Mode;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.SequenceBatch;
import org.plstm.TimeGate;

/**
 * The Phased LSTM layer on the Vector API: forward and full BPTT over a batch, float32 except the phase, which is
 * computed in double. Arguments were validated by {@link org.plstm.Engine}; nothing here checks again.
 *
 * <p>Per step and per worker (a contiguous share of the batch): the gate pre-activations of 4 samples × one unit
 * block ({@code L} units, 4 gates) are one register tile of 16 vectors, accumulated over {@code x_t·kernel} and
 * {@code h_{t-1}·recurrentKernel}; the tile then goes straight through the fused elementwise pass (gates, cell,
 * time gate, state update) while it is in L1. The backward mirrors it: a fused elementwise pass yields
 * {@code dz}, then {@code dh_{t-1} += dz·recurrentKernel^T} as tiles; the weight gradients
 * {@code [x, h_{t-1}, 1]^T·dz} are accumulated step by step into a per-worker buffer while dz is in cache when that
 * buffer is small ({@link #stepWeightGradients}), else computed as one blocked product over all rows after the
 * recurrence, split over workers by output tile ({@link #weightGradientWorker}).
 *
 * <p>Equations: {@link org.plstm.reference.ReferencePhasedLstm} (paper eq. 1-11, DESIGN.md).
 */
final class SimdPhasedLstm {
    static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    /** Float lanes. */
    static final int L = FS.length();
    /** Double lanes (L / 2). */
    static final int DL = DS.length();
    /** Float species with as many lanes as {@link #DS}: the target of double-to-float conversions. */
    static final VectorSpecies<Float> FH = VectorSpecies.of(float.class,
            VectorShape.forBitSize(DS.vectorBitSize() / 2));
    /** Above this |(t − s)/tau| the vector phase reduction is not exact; such inputs take the scalar path. */
    static final double MAX_VECTOR_PHASE_QUOTIENT = 0x1p50;
    /** How many distinct timestamps of one step the forward remembers for reuse of k. */
    static final int K_REUSE_SEARCH = 4;

    private SimdPhasedLstm() {
    }

    // ------------------------------------------------------------------------------------------------ packing

    /** Copies the parameters into the workspace's packed, padded layout (see {@link SimdWorkspace}). */
    static void pack(SimdWorkspace ws, PhasedLstmParams p) {
        int hs = ws.hs;
        int g4 = ws.g4;
        packColumns(p.kernel(), ws.wx, ws.in, hs, g4);
        packColumns(p.recurrentKernel(), ws.wh, hs, hs, g4);
        packColumns(p.bias(), ws.bias, 1, hs, g4);
        java.util.Arrays.fill(ws.peep, 0f);
        if (p.peephole() != null) {
            for (int q = 0; q < 3; q++) {
                System.arraycopy(p.peephole(), q * hs, ws.peep, q * ws.hp, hs);
            }
        }
        ws.tg.set(p);
    }

    /** {@code src [rows][4H]} (gate blocks i, f, g, o) to {@code dst [rows][NB][4][L]}, zero-padded. */
    static void packColumns(float[] src, float[] dst, int rows, int hs, int g4) {
        java.util.Arrays.fill(dst, 0f);
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < 4; g++) {
                for (int j = 0; j < hs; j++) {
                    dst[r * g4 + packedColumn(g, j)] = src[r * 4 * hs + g * hs + j];
                }
            }
        }
    }

    /** Packed column of gate {@code g} of unit {@code j}. */
    static int packedColumn(int g, int j) {
        return (j / L) * 4 * L + g * L + j % L;
    }

    /** {@code uT[c][j] = recurrentKernel[j][col(c)]} for the backward {@code dz·U^T}, zero-padded. */
    static void packRecurrentTransposed(SimdWorkspace ws, PhasedLstmParams p) {
        int hs = ws.hs;
        int hp = ws.hp;
        float[] u = p.recurrentKernel();
        java.util.Arrays.fill(ws.uT, 0f);
        for (int g = 0; g < 4; g++) {
            for (int unit = 0; unit < hs; unit++) {
                int c = packedColumn(g, unit);
                for (int j = 0; j < hs; j++) {
                    ws.uT[c * hp + j] = u[j * 4 * hs + g * hs + unit];
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ forward

    /** Forward over worker {@code w}'s samples. */
    static void forwardWorker(SimdWorkspace ws, SequenceBatch input, float[] h0, float[] c0, Mode mode,
                              int w, int workers, boolean vectorPhase) {
        int b0 = ws.sampleStart(w, workers);
        int b1 = ws.sampleStart(w + 1, workers);
        if (b0 >= b1) {
            return;
        }
        PhasedLstmConfig cfg = ws.config();
        int steps = ws.steps();
        int hp = ws.hp;
        int hs = ws.hs;
        SimdWorkspace.ThreadScratch s = ws.scratch[w];
        double alpha = mode.alpha(cfg);
        // Initial state into slot 0.
        int batch = ws.batch();
        for (int b = b0; b < b1; b++) {
            int slot = b * hp;
            java.util.Arrays.fill(ws.hc, slot, slot + hp, 0f);
            java.util.Arrays.fill(ws.cc, slot, slot + hp, 0f);
            if (h0 != null) {
                System.arraycopy(h0, b * hs, ws.hc, slot, hs);
            }
            if (c0 != null) {
                System.arraycopy(c0, b * hs, ws.cc, slot, hs);
            }
        }
        float[] x = input.x();
        double[] time = input.time();
        for (int t = 0; t < steps; t++) {
            int n = 0;
            for (int b = b0; b < b1; b++) {
                if (t < ws.lengths[b]) {
                    s.rows[n++] = b;
                } else {
                    carry(ws, b, t);
                }
            }
            if (cfg.timeGate()) {
                // k depends on the timestamp only: samples that share this step's timestamp (regular sampling,
                // e.g. sequential MNIST) share one computed row of k.
                int computed = 0;
                for (int r = 0; r < n; r++) {
                    double tb = time[s.rows[r] * steps + t];
                    int same = -1;
                    // A bounded look-back over the last distinct timestamps: irregular ones rarely repeat.
                    for (int q = computed - 1; q >= Math.max(0, computed - K_REUSE_SEARCH) && same < 0; q--) {
                        if (Double.doubleToRawLongBits(s.kTime[q]) == Double.doubleToRawLongBits(tb)) {
                            same = q;
                        }
                    }
                    if (same < 0) {
                        same = computed++;
                        s.kTime[same] = tb;
                        if (vectorPhase) {
                            timeGateRow(ws.tg, tb, alpha, s.kS, same * hp, null);
                        } else {
                            timeGateRowScalar(ws.tg, tb, alpha, s.kS, same * hp, null);
                        }
                    }
                    s.kOff[r] = same * hp;
                }
            }
            int r = 0;
            for (; r + 4 <= n; r += 4) {
                for (int blk = 0; blk < ws.nb; blk++) {
                    gateTile4(ws, x, s.rows[r], s.rows[r + 1], s.rows[r + 2], s.rows[r + 3], t, blk, s.z);
                    cellForward(ws, cfg, s.z, 4, s.rows, r, t, blk, s.kS, s.kOff, s.cellOff, s.e);
                }
            }
            for (; r < n; r++) {
                for (int blk = 0; blk < ws.nb; blk++) {
                    gateTile1(ws, x, s.rows[r], t, blk, s.z);
                    cellForward(ws, cfg, s.z, 1, s.rows, r, t, blk, s.kS, s.kOff, s.cellOff, s.e);
                }
            }
        }
        // Public outputs: h [B][T][H] (unless not needed), hT, cT.
        if (ws.hiddenSequenceNeeded()) {
            copyHiddenSequence(ws, ws.h(), b0, b1);
        }
        for (int b = b0; b < b1; b++) {
            int last = (ws.lengths[b] * batch + b) * hp;
            System.arraycopy(ws.hc, last, ws.hT(), b * hs, hs);
            System.arraycopy(ws.cc, last, ws.cT(), b * hs, hs);
        }
    }

    /** Writes samples {@code [b0, b1)} of the public hidden sequence {@code out [B][T][H]} from the state cache. */
    static void copyHiddenSequence(SimdWorkspace ws, float[] out, int b0, int b1) {
        int batch = ws.batch();
        int steps = ws.steps();
        int hp = ws.hp;
        int hs = ws.hs;
        for (int b = b0; b < b1; b++) {
            for (int t = 0; t < steps; t++) {
                System.arraycopy(ws.hc, ((t + 1) * batch + b) * hp, out, (b * steps + t) * hs, hs);
            }
        }
    }

    /** A padded step: the state slot after step t repeats the one before it. */
    private static void carry(SimdWorkspace ws, int b, int t) {
        int hp = ws.hp;
        int prev = (t * ws.batch() + b) * hp;
        int next = prev + ws.batch() * hp;
        System.arraycopy(ws.hc, prev, ws.hc, next, hp);
        System.arraycopy(ws.cc, prev, ws.cc, next, hp);
    }

    /**
     * Time gate of one row (one sample at one step) for all {@code Hp} units, in double, rounded to float into
     * {@code kOut[kOff..]}. The phase reduction {@code r = (t − s) − tau·n} (one FMA, {@code n} the truncated
     * quotient, then one correction) is exact, as {@code floorMod} is, so {@code phi = r / tau} and {@code k} are
     * bitwise the reference's before the rounding to float. Valid while {@code |(t − s)/tau| < 2^50}.
     */
    static void timeGateRow(TimeGateParams tg, double t, double alpha, float[] kOut, int kOff, double[] phiOut) {
        DoubleVector tv = DoubleVector.broadcast(DS, t);
        for (int j = 0; j < tg.hp; j += DL) {
            DoubleVector tau = DoubleVector.fromArray(DS, tg.period, j);
            DoubleVector ron = DoubleVector.fromArray(DS, tg.ratioOn, j);
            // phi = floorMod(t − s, tau) / tau with an exact reduction: n = trunc((t − s)/tau),
            // r = (t − s) − tau·n in one FMA, one correction each way. (Written out, not a helper: a vector passed
            // to a method C2 did not inline is boxed.)
            DoubleVector d = tv.sub(DoubleVector.fromArray(DS, tg.shift, j));
            DoubleVector n = (DoubleVector) ((LongVector) d.mul(DoubleVector.fromArray(DS, tg.invPeriod, j))
                    .convert(VectorOperators.D2L, 0)).convert(VectorOperators.L2D, 0);
            DoubleVector r = tau.neg().fma(n, d);
            r = r.blend(r.add(tau), r.compare(VectorOperators.LT, 0.0));
            r = r.blend(r.sub(tau), r.compare(VectorOperators.GE, tau));
            DoubleVector phi = r.div(tau);
            if (phiOut != null) {
                phi.intoArray(phiOut, j);
            }
            DoubleVector twoPhiOverR = phi.mul(DoubleVector.fromArray(DS, tg.twoOverRatioOn, j));
            DoubleVector k = phi.mul(alpha);
            k = k.blend(twoPhiOverR.neg().add(2.0), phi.compare(VectorOperators.LT, ron));
            k = k.blend(twoPhiOverR, phi.compare(VectorOperators.LT, ron.mul(0.5)));
            ((FloatVector) k.convertShape(VectorOperators.D2F, FH, 0)).intoArray(kOut, kOff + j);
        }
    }

    /** Scalar fallback of {@link #timeGateRow} for timestamps too far from the shift for the vector path. */
    static void timeGateRowScalar(TimeGateParams tg, double t, double alpha, float[] kOut, int kOff,
                                  double[] phiOut) {
        for (int j = 0; j < tg.hp; j++) {
            double phi = TimeGate.phase(t, tg.shift[j], tg.period[j]);
            kOut[kOff + j] = (float) TimeGate.openness(phi, tg.ratioOn[j], alpha);
            if (phiOut != null) {
                phiOut[j] = phi;
            }
        }
    }

    /**
     * Gate pre-activations of 4 samples for unit block {@code blk}: {@code z = bias + x_t·Wx + h_{t-1}·Wh}, 16
     * accumulators (4 samples × gates i, f, g, o), written to {@code z[q·4Hp + g·L ..]} for sample {@code q}.
     */
    static void gateTile4(SimdWorkspace ws, float[] x, int b0, int b1, int b2, int b3, int t, int blk, float[] z) {
        int g4 = ws.g4;
        int col = blk * 4 * L;
        int in = ws.in;
        int steps = ws.steps();
        FloatVector bi = FloatVector.fromArray(FS, ws.bias, col);
        FloatVector bf = FloatVector.fromArray(FS, ws.bias, col + L);
        FloatVector bg = FloatVector.fromArray(FS, ws.bias, col + 2 * L);
        FloatVector bo = FloatVector.fromArray(FS, ws.bias, col + 3 * L);
        FloatVector a0i = bi, a0f = bf, a0g = bg, a0o = bo;
        FloatVector a1i = bi, a1f = bf, a1g = bg, a1o = bo;
        FloatVector a2i = bi, a2f = bf, a2g = bg, a2o = bo;
        FloatVector a3i = bi, a3f = bf, a3g = bg, a3o = bo;
        float[] w = ws.wx;
        int x0 = (b0 * steps + t) * in;
        int x1 = (b1 * steps + t) * in;
        int x2 = (b2 * steps + t) * in;
        int x3 = (b3 * steps + t) * in;
        for (int k = 0; k < in; k++) {
            int o = k * g4 + col;
            FloatVector wi = FloatVector.fromArray(FS, w, o);
            FloatVector wf = FloatVector.fromArray(FS, w, o + L);
            FloatVector wg = FloatVector.fromArray(FS, w, o + 2 * L);
            FloatVector wo = FloatVector.fromArray(FS, w, o + 3 * L);
            FloatVector v0 = FloatVector.broadcast(FS, x[x0 + k]);
            FloatVector v1 = FloatVector.broadcast(FS, x[x1 + k]);
            FloatVector v2 = FloatVector.broadcast(FS, x[x2 + k]);
            FloatVector v3 = FloatVector.broadcast(FS, x[x3 + k]);
            a0i = wi.fma(v0, a0i); a0f = wf.fma(v0, a0f); a0g = wg.fma(v0, a0g); a0o = wo.fma(v0, a0o);
            a1i = wi.fma(v1, a1i); a1f = wf.fma(v1, a1f); a1g = wg.fma(v1, a1g); a1o = wo.fma(v1, a1o);
            a2i = wi.fma(v2, a2i); a2f = wf.fma(v2, a2f); a2g = wg.fma(v2, a2g); a2o = wo.fma(v2, a2o);
            a3i = wi.fma(v3, a3i); a3f = wf.fma(v3, a3f); a3g = wg.fma(v3, a3g); a3o = wo.fma(v3, a3o);
        }
        w = ws.wh;
        float[] hc = ws.hc;
        int hp = ws.hp;
        int rowT = t * ws.batch();
        int h0 = (rowT + b0) * hp;
        int h1 = (rowT + b1) * hp;
        int h2 = (rowT + b2) * hp;
        int h3 = (rowT + b3) * hp;
        for (int k = 0; k < ws.hs; k++) {
            int o = k * g4 + col;
            FloatVector wi = FloatVector.fromArray(FS, w, o);
            FloatVector wf = FloatVector.fromArray(FS, w, o + L);
            FloatVector wg = FloatVector.fromArray(FS, w, o + 2 * L);
            FloatVector wo = FloatVector.fromArray(FS, w, o + 3 * L);
            FloatVector v0 = FloatVector.broadcast(FS, hc[h0 + k]);
            FloatVector v1 = FloatVector.broadcast(FS, hc[h1 + k]);
            FloatVector v2 = FloatVector.broadcast(FS, hc[h2 + k]);
            FloatVector v3 = FloatVector.broadcast(FS, hc[h3 + k]);
            a0i = wi.fma(v0, a0i); a0f = wf.fma(v0, a0f); a0g = wg.fma(v0, a0g); a0o = wo.fma(v0, a0o);
            a1i = wi.fma(v1, a1i); a1f = wf.fma(v1, a1f); a1g = wg.fma(v1, a1g); a1o = wo.fma(v1, a1o);
            a2i = wi.fma(v2, a2i); a2f = wf.fma(v2, a2f); a2g = wg.fma(v2, a2g); a2o = wo.fma(v2, a2o);
            a3i = wi.fma(v3, a3i); a3f = wf.fma(v3, a3f); a3g = wg.fma(v3, a3g); a3o = wo.fma(v3, a3o);
        }
        a0i.intoArray(z, 0); a0f.intoArray(z, L); a0g.intoArray(z, 2 * L); a0o.intoArray(z, 3 * L);
        a1i.intoArray(z, g4); a1f.intoArray(z, g4 + L); a1g.intoArray(z, g4 + 2 * L); a1o.intoArray(z, g4 + 3 * L);
        int z2 = 2 * g4;
        a2i.intoArray(z, z2); a2f.intoArray(z, z2 + L); a2g.intoArray(z, z2 + 2 * L); a2o.intoArray(z, z2 + 3 * L);
        int z3 = 3 * g4;
        a3i.intoArray(z, z3); a3f.intoArray(z, z3 + L); a3g.intoArray(z, z3 + 2 * L); a3o.intoArray(z, z3 + 3 * L);
    }

    /** One-sample version of {@link #gateTile4} (the row tail). */
    static void gateTile1(SimdWorkspace ws, float[] x, int b, int t, int blk, float[] z) {
        int g4 = ws.g4;
        int col = blk * 4 * L;
        int in = ws.in;
        int steps = ws.steps();
        FloatVector ai = FloatVector.fromArray(FS, ws.bias, col);
        FloatVector af = FloatVector.fromArray(FS, ws.bias, col + L);
        FloatVector ag = FloatVector.fromArray(FS, ws.bias, col + 2 * L);
        FloatVector ao = FloatVector.fromArray(FS, ws.bias, col + 3 * L);
        int xr = (b * steps + t) * in;
        for (int k = 0; k < in; k++) {
            int o = k * g4 + col;
            FloatVector v = FloatVector.broadcast(FS, x[xr + k]);
            ai = FloatVector.fromArray(FS, ws.wx, o).fma(v, ai);
            af = FloatVector.fromArray(FS, ws.wx, o + L).fma(v, af);
            ag = FloatVector.fromArray(FS, ws.wx, o + 2 * L).fma(v, ag);
            ao = FloatVector.fromArray(FS, ws.wx, o + 3 * L).fma(v, ao);
        }
        int hr = (t * ws.batch() + b) * ws.hp;
        for (int k = 0; k < ws.hs; k++) {
            int o = k * g4 + col;
            FloatVector v = FloatVector.broadcast(FS, ws.hc[hr + k]);
            ai = FloatVector.fromArray(FS, ws.wh, o).fma(v, ai);
            af = FloatVector.fromArray(FS, ws.wh, o + L).fma(v, af);
            ag = FloatVector.fromArray(FS, ws.wh, o + 2 * L).fma(v, ag);
            ao = FloatVector.fromArray(FS, ws.wh, o + 3 * L).fma(v, ao);
        }
        ai.intoArray(z, 0);
        af.intoArray(z, L);
        ag.intoArray(z, 2 * L);
        ao.intoArray(z, 3 * L);
    }

    /** Scratch floats {@link #cellUpdateRows} needs: per row 3 sigmoid inputs, g, c~, tanh(c~), o (peepholes). */
    static final int CELL_SCRATCH = 4 * 7 * L;
    /** Ints per row in the offsets of {@link #cellUpdateRows}: z, previous state, k, new state, peepholes. */
    static final int ROW = 5;

    /**
     * Fused gates, cell, time gate and state update for up to 4 samples of one unit block at step {@code t}: the
     * z tile rows {@code zRow0 + q} hold the pre-activations of samples {@code rows[first + q]}.
     */
    static void cellForward(SimdWorkspace ws, PhasedLstmConfig cfg, float[] z, int count, int[] rows, int first,
                            int t, int blk, float[] kS, int[] kOff, int[] off, float[] e) {
        int hp = ws.hp;
        int u = blk * L;
        int batch = ws.batch();
        for (int q = 0; q < count; q++) {
            int cache = (t * batch + rows[first + q]) * hp + u;
            off[ROW * q] = q * ws.g4;
            off[ROW * q + 1] = cache;
            off[ROW * q + 2] = kOff[first + q] + u;
            off[ROW * q + 3] = cache + batch * hp;
            off[ROW * q + 4] = u;
        }
        cellUpdateRows(count, cfg.peepholes(), cfg.gateActivation() == GateActivation.HARD_SIGMOID, cfg.timeGate(),
                z, ws.cc, ws.hc, kS, ws.peep, hp, ws.cc, ws.hc, off, e, ws.gi, ws.gf, ws.gg, ws.go, ws.tc);
    }

    /**
     * The cell update of {@code count <= 4} rows of one unit block, from and to arbitrary arrays; shared by the
     * training engine and the streaming kernel, so both compute the same bits. Row {@code q}'s offsets are in
     * {@code off[ROW·q ..]}: its pre-activations i, f, g, o (consecutive vectors) in {@code z}, its previous state
     * in {@code cArr}/{@code hArr} (same offset), its time gate in {@code kArr}, where its new state goes in
     * {@code cOut}/{@code hOut}, and its peepholes {@code pOff} in {@code peep} (then {@code + pStride},
     * {@code + 2·pStride}). Gate values and tanh(c~) go to the caches at the previous-state offset when {@code gi} is
     * not null. {@code e} is {@link #CELL_SCRATCH} floats.
     *
     * <p>The transcendentals of all rows go through {@link VectorMath} together, in two rounds (i, f, o and g, then
     * tanh(c~); with peepholes o waits for c~): the rows' dependency chains are independent, so the out-of-order core
     * overlaps them, where one row alone would wait on one long chain. No helper that takes or returns a vector is
     * called: C2 stops inlining at a node budget, and a vector passed to a method it did not inline is boxed.
     */
    static void cellUpdateRows(int count, boolean peepholes, boolean hard, boolean timeGate, float[] z, float[] cArr,
                               float[] hArr, float[] kArr, float[] peep, int pStride, float[] cOut,
                               float[] hOut, int[] off, float[] e, float[] gi, float[] gf, float[] gg, float[] go,
                               float[] tc) {
        // Scratch layout: sig [4 rows][i, f, o] | g [4] | c~ [4] | tanh(c~) [4] | o with peepholes [4].
        int gBase = 12 * L;
        int cBase = 16 * L;
        int tBase = 20 * L;
        int oBase = 24 * L;
        for (int q = 0; q < count; q++) {
            int zo = off[ROW * q];
            FloatVector zi = FloatVector.fromArray(FS, z, zo);
            FloatVector zf = FloatVector.fromArray(FS, z, zo + L);
            if (peepholes) {
                FloatVector cp = FloatVector.fromArray(FS, cArr, off[ROW * q + 1]);
                int po = off[ROW * q + 4];
                zi = FloatVector.fromArray(FS, peep, po).fma(cp, zi);
                zf = FloatVector.fromArray(FS, peep, po + pStride).fma(cp, zf);
            }
            zi.intoArray(e, 3 * q * L);
            zf.intoArray(e, (3 * q + 1) * L);
            FloatVector.fromArray(FS, z, zo + 3 * L).intoArray(e, (3 * q + 2) * L);
            FloatVector.fromArray(FS, z, zo + 2 * L).intoArray(e, gBase + q * L);
        }
        if (!hard) {
            VectorMath.sigmoidInPlace(e, 0, 3 * count * L);
        }
        VectorMath.tanhInPlace(e, gBase, count * L);
        for (int q = 0; q < count; q++) {
            FloatVector i = FloatVector.fromArray(FS, e, 3 * q * L);
            FloatVector f = FloatVector.fromArray(FS, e, (3 * q + 1) * L);
            if (hard) {
                i = i.fma(0.2f, 0.5f).max(0f).min(1f);
                f = f.fma(0.2f, 0.5f).max(0f).min(1f);
            }
            FloatVector g = FloatVector.fromArray(FS, e, gBase + q * L);
            FloatVector cp = FloatVector.fromArray(FS, cArr, off[ROW * q + 1]);
            FloatVector ct = i.fma(g, f.mul(cp)); // c~ = f·c_{t-1} + i·g; cellBackward recomputes it the same way
            ct.intoArray(e, cBase + q * L);
            ct.intoArray(e, tBase + q * L);
            if (peepholes) {
                FloatVector.fromArray(FS, peep, off[ROW * q + 4] + 2 * pStride)
                        .fma(ct, FloatVector.fromArray(FS, z, off[ROW * q] + 3 * L)).intoArray(e, oBase + q * L);
            }
            if (gi != null) {
                i.intoArray(gi, off[ROW * q + 1]);
                f.intoArray(gf, off[ROW * q + 1]);
                g.intoArray(gg, off[ROW * q + 1]);
            }
        }
        VectorMath.tanhInPlace(e, tBase, count * L);
        if (peepholes && !hard) {
            VectorMath.sigmoidInPlace(e, oBase, count * L);
        }
        for (int q = 0; q < count; q++) {
            FloatVector o;
            if (peepholes) {
                o = FloatVector.fromArray(FS, e, oBase + q * L);
            } else {
                o = FloatVector.fromArray(FS, e, (3 * q + 2) * L);
            }
            if (hard) {
                o = o.fma(0.2f, 0.5f).max(0f).min(1f);
            }
            FloatVector ct = FloatVector.fromArray(FS, e, cBase + q * L);
            FloatVector tcv = FloatVector.fromArray(FS, e, tBase + q * L);
            FloatVector ht = o.mul(tcv);
            int in = off[ROW * q + 1];
            int out = off[ROW * q + 3];
            if (timeGate) {
                FloatVector k = FloatVector.fromArray(FS, kArr, off[ROW * q + 2]);
                FloatVector oneMinusK = k.neg().add(1f);
                FloatVector cp = FloatVector.fromArray(FS, cArr, in);
                k.fma(ct, oneMinusK.mul(cp)).intoArray(cOut, out);
                k.fma(ht, oneMinusK.mul(FloatVector.fromArray(FS, hArr, in))).intoArray(hOut, out);
            } else {
                ct.intoArray(cOut, out);
                ht.intoArray(hOut, out);
            }
            if (gi != null) {
                o.intoArray(go, in);
                tcv.intoArray(tc, in);
            }
        }
    }

    // ----------------------------------------------------------------------------------------------- backward

    /** Backward recurrence over worker {@code w}'s samples; writes dz, dx, dh0, dc0 and per-worker accumulators. */
    static void backwardWorker(SimdWorkspace ws, SequenceBatch input, float[] dh, float[] dhT, float[] dcT, Mode mode,
                               int w, int workers, boolean vectorPhase) {
        int b0 = ws.sampleStart(w, workers);
        int b1 = ws.sampleStart(w + 1, workers);
        if (b0 >= b1) {
            return;
        }
        PhasedLstmConfig cfg = ws.config();
        int steps = ws.steps();
        int hp = ws.hp;
        int hs = ws.hs;
        SimdWorkspace.ThreadScratch s = ws.scratch[w];
        double alpha = mode.alpha(cfg);
        boolean tgGrads = cfg.timeGate() && (cfg.trainPeriod() || cfg.trainShift() || cfg.trainRatioOn());
        java.util.Arrays.fill(s.peepAcc, 0.0);
        java.util.Arrays.fill(s.tgAcc, 0.0);
        if (ws.fusedWeightGradients) {
            java.util.Arrays.fill(s.dw, 0f);
        }
        for (int b = b0; b < b1; b++) {
            int r = b - b0;
            java.util.Arrays.fill(s.dhN, r * hp, (r + 1) * hp, 0f);
            java.util.Arrays.fill(s.dcN, r * hp, (r + 1) * hp, 0f);
            if (dhT != null) {
                System.arraycopy(dhT, b * hs, s.dhN, r * hp, hs);
            }
            if (dcT != null) {
                System.arraycopy(dcT, b * hs, s.dcN, r * hp, hs);
            }
        }
        double[] time = input.time();
        for (int t = steps - 1; t >= 0; t--) {
            if (cfg.peepholes()) {
                java.util.Arrays.fill(s.peepStep, 0f);
            }
            int n = 0;
            for (int b = b0; b < b1; b++) {
                int r = b - b0;
                if (dh != null) {
                    int src = (b * steps + t) * hs;
                    int dst = r * hp;
                    for (int j = 0; j < hs; j++) {
                        s.dhN[dst + j] += dh[src + j];
                    }
                }
                if (t < ws.lengths[b]) {
                    s.rows[n++] = b;
                }
            }
            backwardRows(ws, cfg, s, b0, t, n, time, alpha, tgGrads, vectorPhase);
            if (ws.fusedWeightGradients) {
                stepWeightGradients(ws, s, input.x(), t, n);
            }
            if (cfg.peepholes()) {
                for (int j = 0; j < 3 * hp; j++) {
                    s.peepAcc[j] += s.peepStep[j];
                }
            }
            // dh_{t-1} += dz_t · recurrentKernel^T for the active rows.
            int q = 0;
            for (; q + 4 <= n; q += 4) {
                recurrentTile4(ws, s, s.rows[q], s.rows[q + 1], s.rows[q + 2], s.rows[q + 3], b0, t);
            }
            for (; q < n; q++) {
                recurrentTile1(ws, s, s.rows[q], b0, t);
            }
        }
        for (int b = b0; b < b1; b++) {
            int r = b - b0;
            System.arraycopy(s.dhN, r * hp, ws.dh0(), b * hs, hs);
            System.arraycopy(s.dcN, r * hp, ws.dc0(), b * hs, hs);
        }
        if (ws.inputGradientsNeeded()) {
            for (int b = b0; b < b1; b++) {
                int from = (b * steps + ws.lengths[b]) * ws.in;
                java.util.Arrays.fill(ws.dx(), from, (b + 1) * steps * ws.in, 0f); // padded steps
            }
        }
    }

    /**
     * The fused backward of one step for the worker's {@code n} active rows ({@code s.rows}): recompute k once per
     * distinct timestamp, the cell backward of every unit block, dx, and the time-gate parameter gradients (linear
     * in dk for a fixed timestamp, so dk is summed over the rows sharing one and applied once). Kept out of
     * {@link #backwardWorker} and with a single call site per kernel, so no compiled method grows past C2's node
     * budget (past it, vector intrinsics fail and vectors get boxed).
     */
    static void backwardRows(SimdWorkspace ws, PhasedLstmConfig cfg, SimdWorkspace.ThreadScratch s, int b0, int t,
                             int n, double[] time, double alpha, boolean tgGrads, boolean vectorPhase) {
        int steps = ws.steps();
        boolean pending = false; // dk summed over rows that share the timestamp lastT
        double lastT = 0;
        for (int q = 0; q <= n; q++) {
            boolean end = q == n;
            int b = end ? -1 : s.rows[q];
            double tb = end ? 0 : time[b * steps + t];
            boolean newTime = end || q == 0 || Double.doubleToRawLongBits(tb) != Double.doubleToRawLongBits(lastT);
            if (pending && newTime) {
                timeGateGradRow(ws, cfg, lastT, alpha, s.phiD, s.dkSum, s.tgAcc);
                pending = false;
            }
            if (end) {
                break;
            }
            if (cfg.timeGate() && newTime) {
                // Recompute this timestamp's k (bitwise as in forward) and keep its phase for the gradients.
                if (vectorPhase) {
                    timeGateRow(ws.tg, tb, alpha, s.kS, 0, s.phiD);
                } else {
                    timeGateRowScalar(ws.tg, tb, alpha, s.kS, 0, s.phiD);
                }
                lastT = tb;
            }
            for (int blk = 0; blk < ws.nb; blk++) {
                cellBackward(ws, cfg, s, b, b - b0, t, blk);
            }
            if (ws.inputGradientsNeeded()) {
                inputGradientRow(ws, s, b, t);
            }
            if (tgGrads) {
                if (!pending) {
                    java.util.Arrays.fill(s.dkSum, 0.0);
                    pending = true;
                }
                accumulateDk(s.dkS, s.dkSum, ws.hp);
            }
        }
    }

    /** {@code dkSum += dk}, widened to double. */
    static void accumulateDk(float[] dk, double[] dkSum, int hp) {
        for (int j = 0; j < hp; j += DL) {
            ((DoubleVector) FloatVector.fromArray(FH, dk, j).convertShape(VectorOperators.F2D, DS, 0))
                    .add(DoubleVector.fromArray(DS, dkSum, j)).intoArray(dkSum, j);
        }
    }

    /** Fused backward of one sample and one unit block at step t: writes dz, dh/dc towards step t − 1, dL/dk. */
    static void cellBackward(SimdWorkspace ws, PhasedLstmConfig cfg, SimdWorkspace.ThreadScratch s, int b, int r,
                             int t, int blk) {
        int hp = ws.hp;
        int u = blk * L;
        int cache = (t * ws.batch() + b) * hp + u;
        int row = r * hp + u;
        boolean hard = cfg.gateActivation() == GateActivation.HARD_SIGMOID;
        FloatVector dh = FloatVector.fromArray(FS, s.dhN, row);
        FloatVector dc = FloatVector.fromArray(FS, s.dcN, row);
        FloatVector i = FloatVector.fromArray(FS, ws.gi, cache);
        FloatVector f = FloatVector.fromArray(FS, ws.gf, cache);
        FloatVector g = FloatVector.fromArray(FS, ws.gg, cache);
        FloatVector o = FloatVector.fromArray(FS, ws.go, cache);
        FloatVector tcv = FloatVector.fromArray(FS, ws.tc, cache);
        FloatVector cp = FloatVector.fromArray(FS, ws.cc, cache);
        FloatVector ct = i.fma(g, f.mul(cp)); // recomputed exactly as cellUpdate computed it
        FloatVector dht;
        FloatVector dct;
        FloatVector dhp;
        FloatVector dcp;
        if (cfg.timeGate()) {
            FloatVector k = FloatVector.fromArray(FS, s.kS, u);
            FloatVector hp0 = FloatVector.fromArray(FS, ws.hc, cache);
            FloatVector oneMinusK = k.neg().add(1f);
            FloatVector dk = dh.mul(o.mul(tcv).sub(hp0)).add(dc.mul(ct.sub(cp)));
            dk.intoArray(s.dkS, u);
            dht = dh.mul(k);
            dct = dc.mul(k);
            dhp = dh.mul(oneMinusK);
            dcp = dc.mul(oneMinusK);
        } else {
            dht = dh;
            dct = dc;
            dhp = FloatVector.zero(FS);
            dcp = FloatVector.zero(FS);
        }
        // σ'(z) through the gate value y: y(1 − y), or 0.2 inside the hard sigmoid's linear part (written out: a
        // helper taking a vector would be boxed if C2 did not inline it).
        FloatVector dOut = hard ? FloatVector.zero(FS).blend(0.2f,
                o.compare(VectorOperators.GT, 0f).and(o.compare(VectorOperators.LT, 1f))) : o.mul(o.neg().add(1f));
        FloatVector dzo = dht.mul(tcv).mul(dOut);
        dct = dht.mul(o).mul(tcv.mul(tcv).neg().add(1f)).add(dct);
        if (cfg.peepholes()) {
            FloatVector po = FloatVector.fromArray(FS, ws.peep, 2 * hp + u);
            dzo.fma(ct, FloatVector.fromArray(FS, s.peepStep, 2 * hp + u)).intoArray(s.peepStep, 2 * hp + u);
            dct = po.fma(dzo, dct);
        }
        FloatVector dIn = hard ? FloatVector.zero(FS).blend(0.2f,
                i.compare(VectorOperators.GT, 0f).and(i.compare(VectorOperators.LT, 1f))) : i.mul(i.neg().add(1f));
        FloatVector dForget = hard ? FloatVector.zero(FS).blend(0.2f,
                f.compare(VectorOperators.GT, 0f).and(f.compare(VectorOperators.LT, 1f))) : f.mul(f.neg().add(1f));
        FloatVector dzi = dct.mul(g).mul(dIn);
        FloatVector dzf = dct.mul(cp).mul(dForget);
        FloatVector dzg = dct.mul(i).mul(g.mul(g).neg().add(1f));
        dcp = dct.fma(f, dcp);
        if (cfg.peepholes()) {
            FloatVector pi = FloatVector.fromArray(FS, ws.peep, u);
            FloatVector pf = FloatVector.fromArray(FS, ws.peep, hp + u);
            dzi.fma(cp, FloatVector.fromArray(FS, s.peepStep, u)).intoArray(s.peepStep, u);
            dzf.fma(cp, FloatVector.fromArray(FS, s.peepStep, hp + u)).intoArray(s.peepStep, hp + u);
            dcp = pi.fma(dzi, pf.fma(dzf, dcp));
        }
        int d = (t * ws.batch() + b) * ws.g4 + blk * 4 * L;
        dzi.intoArray(ws.dz, d);
        dzf.intoArray(ws.dz, d + L);
        dzg.intoArray(ws.dz, d + 2 * L);
        dzo.intoArray(ws.dz, d + 3 * L);
        dhp.intoArray(s.dhN, row);
        dcp.intoArray(s.dcN, row);
    }

    /**
     * Time-gate parameter gradients of one row, in double: with {@code dk} from {@code dkS},
     * {@code d period += dk·dk/dphi·(−(t − s)/tau²)}, {@code d shift += dk·dk/dphi·(−1/tau)},
     * {@code d ratioOn += dk·dk/dr_on}, accumulated into {@code acc [3][Hp]}.
     */
    static void timeGateGradRow(SimdWorkspace ws, PhasedLstmConfig cfg, double t, double alpha, double[] phiD,
                                double[] dkSum, double[] acc) {
        int hp = ws.hp;
        DoubleVector tv = DoubleVector.broadcast(DS, t);
        for (int j = 0; j < hp; j += DL) {
            DoubleVector dk = DoubleVector.fromArray(DS, dkSum, j);
            DoubleVector tau = DoubleVector.fromArray(DS, ws.tg.period, j);
            DoubleVector s = DoubleVector.fromArray(DS, ws.tg.shift, j);
            DoubleVector ron = DoubleVector.fromArray(DS, ws.tg.ratioOn, j);
            DoubleVector phi = DoubleVector.fromArray(DS, phiD, j);
            VectorMask<Double> opening = phi.compare(VectorOperators.LT, ron.mul(0.5));
            VectorMask<Double> open = phi.compare(VectorOperators.LT, ron);
            DoubleVector twoOverR = DoubleVector.fromArray(DS, ws.tg.twoOverRatioOn, j);
            DoubleVector slope = DoubleVector.broadcast(DS, alpha).blend(twoOverR.neg(), open).blend(twoOverR, opening);
            DoubleVector dphi = dk.mul(slope);
            if (cfg.trainPeriod()) {
                DoubleVector coeff = s.sub(tv).mul(DoubleVector.fromArray(DS, ws.tg.invPeriodSquared, j));
                dphi.fma(coeff, DoubleVector.fromArray(DS, acc, j)).intoArray(acc, j);
            }
            if (cfg.trainShift()) {
                dphi.fma(DoubleVector.fromArray(DS, ws.tg.invPeriod, j).neg(), DoubleVector.fromArray(DS, acc, hp + j))
                        .intoArray(acc, hp + j);
            }
            if (cfg.trainRatioOn()) {
                DoubleVector g = phi.mul(twoOverR).mul(twoOverR).mul(0.5); // 2·phi / r_on²
                DoubleVector dkdr = DoubleVector.zero(DS).blend(g, open).blend(g.neg(), opening);
                dk.fma(dkdr, DoubleVector.fromArray(DS, acc, 2 * hp + j)).intoArray(acc, 2 * hp + j);
            }
        }
    }

    /** {@code dhN[row] += dz[b][t] · U^T} for 4 samples, over unit vectors in groups of 4 (then 1). */
    static void recurrentTile4(SimdWorkspace ws, SimdWorkspace.ThreadScratch s, int b0, int b1, int b2, int b3,
                               int base, int t) {
        int hp = ws.hp;
        int g4 = ws.g4;
        int steps = ws.steps();
        int rowT = t * ws.batch();
        int d0 = (rowT + b0) * g4;
        int d1 = (rowT + b1) * g4;
        int d2 = (rowT + b2) * g4;
        int d3 = (rowT + b3) * g4;
        int r0 = (b0 - base) * hp;
        int r1 = (b1 - base) * hp;
        int r2 = (b2 - base) * hp;
        int r3 = (b3 - base) * hp;
        float[] dz = ws.dz;
        float[] uT = ws.uT;
        float[] dhN = s.dhN;
        int j = 0;
        for (; j + 4 * L <= hp; j += 4 * L) {
            FloatVector a00 = FloatVector.fromArray(FS, dhN, r0 + j), a01 = FloatVector.fromArray(FS, dhN, r0 + j + L);
            FloatVector a02 = FloatVector.fromArray(FS, dhN, r0 + j + 2 * L);
            FloatVector a03 = FloatVector.fromArray(FS, dhN, r0 + j + 3 * L);
            FloatVector a10 = FloatVector.fromArray(FS, dhN, r1 + j), a11 = FloatVector.fromArray(FS, dhN, r1 + j + L);
            FloatVector a12 = FloatVector.fromArray(FS, dhN, r1 + j + 2 * L);
            FloatVector a13 = FloatVector.fromArray(FS, dhN, r1 + j + 3 * L);
            FloatVector a20 = FloatVector.fromArray(FS, dhN, r2 + j), a21 = FloatVector.fromArray(FS, dhN, r2 + j + L);
            FloatVector a22 = FloatVector.fromArray(FS, dhN, r2 + j + 2 * L);
            FloatVector a23 = FloatVector.fromArray(FS, dhN, r2 + j + 3 * L);
            FloatVector a30 = FloatVector.fromArray(FS, dhN, r3 + j), a31 = FloatVector.fromArray(FS, dhN, r3 + j + L);
            FloatVector a32 = FloatVector.fromArray(FS, dhN, r3 + j + 2 * L);
            FloatVector a33 = FloatVector.fromArray(FS, dhN, r3 + j + 3 * L);
            for (int c = 0; c < g4; c++) {
                int o = c * hp + j;
                FloatVector u0 = FloatVector.fromArray(FS, uT, o);
                FloatVector u1 = FloatVector.fromArray(FS, uT, o + L);
                FloatVector u2 = FloatVector.fromArray(FS, uT, o + 2 * L);
                FloatVector u3 = FloatVector.fromArray(FS, uT, o + 3 * L);
                FloatVector v0 = FloatVector.broadcast(FS, dz[d0 + c]);
                FloatVector v1 = FloatVector.broadcast(FS, dz[d1 + c]);
                FloatVector v2 = FloatVector.broadcast(FS, dz[d2 + c]);
                FloatVector v3 = FloatVector.broadcast(FS, dz[d3 + c]);
                a00 = u0.fma(v0, a00); a01 = u1.fma(v0, a01); a02 = u2.fma(v0, a02); a03 = u3.fma(v0, a03);
                a10 = u0.fma(v1, a10); a11 = u1.fma(v1, a11); a12 = u2.fma(v1, a12); a13 = u3.fma(v1, a13);
                a20 = u0.fma(v2, a20); a21 = u1.fma(v2, a21); a22 = u2.fma(v2, a22); a23 = u3.fma(v2, a23);
                a30 = u0.fma(v3, a30); a31 = u1.fma(v3, a31); a32 = u2.fma(v3, a32); a33 = u3.fma(v3, a33);
            }
            a00.intoArray(dhN, r0 + j); a01.intoArray(dhN, r0 + j + L);
            a02.intoArray(dhN, r0 + j + 2 * L); a03.intoArray(dhN, r0 + j + 3 * L);
            a10.intoArray(dhN, r1 + j); a11.intoArray(dhN, r1 + j + L);
            a12.intoArray(dhN, r1 + j + 2 * L); a13.intoArray(dhN, r1 + j + 3 * L);
            a20.intoArray(dhN, r2 + j); a21.intoArray(dhN, r2 + j + L);
            a22.intoArray(dhN, r2 + j + 2 * L); a23.intoArray(dhN, r2 + j + 3 * L);
            a30.intoArray(dhN, r3 + j); a31.intoArray(dhN, r3 + j + L);
            a32.intoArray(dhN, r3 + j + 2 * L); a33.intoArray(dhN, r3 + j + 3 * L);
        }
        for (; j + 2 * L <= hp; j += 2 * L) {
            FloatVector a00 = FloatVector.fromArray(FS, dhN, r0 + j), a01 = FloatVector.fromArray(FS, dhN, r0 + j + L);
            FloatVector a10 = FloatVector.fromArray(FS, dhN, r1 + j), a11 = FloatVector.fromArray(FS, dhN, r1 + j + L);
            FloatVector a20 = FloatVector.fromArray(FS, dhN, r2 + j), a21 = FloatVector.fromArray(FS, dhN, r2 + j + L);
            FloatVector a30 = FloatVector.fromArray(FS, dhN, r3 + j), a31 = FloatVector.fromArray(FS, dhN, r3 + j + L);
            for (int c = 0; c < g4; c++) {
                int o = c * hp + j;
                FloatVector u0 = FloatVector.fromArray(FS, uT, o);
                FloatVector u1 = FloatVector.fromArray(FS, uT, o + L);
                FloatVector v0 = FloatVector.broadcast(FS, dz[d0 + c]);
                FloatVector v1 = FloatVector.broadcast(FS, dz[d1 + c]);
                FloatVector v2 = FloatVector.broadcast(FS, dz[d2 + c]);
                FloatVector v3 = FloatVector.broadcast(FS, dz[d3 + c]);
                a00 = u0.fma(v0, a00); a01 = u1.fma(v0, a01);
                a10 = u0.fma(v1, a10); a11 = u1.fma(v1, a11);
                a20 = u0.fma(v2, a20); a21 = u1.fma(v2, a21);
                a30 = u0.fma(v3, a30); a31 = u1.fma(v3, a31);
            }
            a00.intoArray(dhN, r0 + j); a01.intoArray(dhN, r0 + j + L);
            a10.intoArray(dhN, r1 + j); a11.intoArray(dhN, r1 + j + L);
            a20.intoArray(dhN, r2 + j); a21.intoArray(dhN, r2 + j + L);
            a30.intoArray(dhN, r3 + j); a31.intoArray(dhN, r3 + j + L);
        }
        for (; j < hp; j += L) {
            FloatVector a0 = FloatVector.fromArray(FS, dhN, r0 + j);
            FloatVector a1 = FloatVector.fromArray(FS, dhN, r1 + j);
            FloatVector a2 = FloatVector.fromArray(FS, dhN, r2 + j);
            FloatVector a3 = FloatVector.fromArray(FS, dhN, r3 + j);
            for (int c = 0; c < g4; c++) {
                FloatVector u = FloatVector.fromArray(FS, uT, c * hp + j);
                a0 = u.fma(FloatVector.broadcast(FS, dz[d0 + c]), a0);
                a1 = u.fma(FloatVector.broadcast(FS, dz[d1 + c]), a1);
                a2 = u.fma(FloatVector.broadcast(FS, dz[d2 + c]), a2);
                a3 = u.fma(FloatVector.broadcast(FS, dz[d3 + c]), a3);
            }
            a0.intoArray(dhN, r0 + j);
            a1.intoArray(dhN, r1 + j);
            a2.intoArray(dhN, r2 + j);
            a3.intoArray(dhN, r3 + j);
        }
    }

    /** One-sample version of {@link #recurrentTile4}. */
    static void recurrentTile1(SimdWorkspace ws, SimdWorkspace.ThreadScratch s, int b, int base, int t) {
        int hp = ws.hp;
        int g4 = ws.g4;
        int d = (t * ws.batch() + b) * g4;
        int r = (b - base) * hp;
        for (int j = 0; j < hp; j += L) {
            FloatVector a = FloatVector.fromArray(FS, s.dhN, r + j);
            for (int c = 0; c < g4; c++) {
                a = FloatVector.fromArray(FS, ws.uT, c * hp + j).fma(FloatVector.broadcast(FS, ws.dz[d + c]), a);
            }
            a.intoArray(s.dhN, r + j);
        }
    }

    /**
     * {@code dx[b][t][i] = dz[b][t] · kernel[i]} for one row, right after its dz was written (still in L1). The lane
     * sum is done in a fixed scalar order (not {@code reduceLanes}, whose order may vary between JIT tiers).
     */
    static void inputGradientRow(SimdWorkspace ws, SimdWorkspace.ThreadScratch s, int b, int t) {
        int in = ws.in;
        int g4 = ws.g4;
        float[] dx = ws.dx();
        float[] lanes = s.lanes;
        int xr = (b * ws.steps() + t) * in;
        int d = (t * ws.batch() + b) * g4;
        for (int i = 0; i < in; i++) {
            int w = i * g4;
            FloatVector acc0 = FloatVector.zero(FS);
            FloatVector acc1 = FloatVector.zero(FS);
            for (int c = 0; c < g4; c += 2 * L) {
                acc0 = FloatVector.fromArray(FS, ws.dz, d + c).fma(FloatVector.fromArray(FS, ws.wx, w + c), acc0);
                acc1 = FloatVector.fromArray(FS, ws.dz, d + c + L).fma(FloatVector.fromArray(FS, ws.wx, w + c + L), acc1);
            }
            acc0.add(acc1).intoArray(lanes, 0);
            float s0 = 0f;
            float s1 = 0f;
            for (int l = 0; l < L; l += 2) {
                s0 += lanes[l];
                s1 += lanes[l + 1];
            }
            dx[xr + i] = s0 + s1;
        }
    }

    // ------------------------------------------------------------------------------------- weight gradients

    /**
     * The weight gradients of one step, fused into the backward recurrence (small layers, see
     * {@link SimdWorkspace#fusedWeightGradients}): {@code s.dw += A_t^T · dz_t} over the worker's {@code n} active
     * rows, while their dz, x and h_{t-1} are still in cache and the worker's {@code dw} fits in L1/L2. Worker
     * buffers are summed in worker order afterwards, so a result is reproducible for a given thread count.
     */
    static void stepWeightGradients(SimdWorkspace ws, SimdWorkspace.ThreadScratch s, float[] x, int t, int n) {
        int batch = ws.batch();
        int steps = ws.steps();
        int g4 = ws.g4;
        int in = ws.in;
        for (int q = 0; q < n; q++) {
            int b = s.rows[q];
            s.stepDz[q] = (t * batch + b) * g4;
            s.stepH[q] = (t * batch + b) * ws.hp;
            s.stepX[q] = (b * steps + t) * in;
        }
        for (int kb = 0; kb < ws.kBlockStart.length; kb++) {
            int k0 = ws.kBlockStart[kb];
            int count = ws.kBlockCount[kb];
            for (int blk = 0; blk < ws.nb; blk++) {
                int o = k0 * g4 + blk * 4 * L;
                if (k0 == in + ws.hs) {
                    biasTile(s.dw, ws.dz, s.stepDz, 0, n, o, g4);
                } else if (k0 < in) {
                    weightTile(s.dw, x, s.stepX, k0, count, ws.dz, s.stepDz, 0, n, o, g4);
                } else {
                    weightTile(s.dw, ws.hc, s.stepH, k0 - in, count, ws.dz, s.stepDz, 0, n, o, g4);
                }
            }
        }
    }

    /**
     * {@code dw += A^T · dz} over all active rows, where row {@code (b, t)} of {@code A} is
     * {@code [x_t (I), h_{t-1} (H), 1]}, read in place from the input and the state cache through the per-row
     * offsets of {@link #listRows}. The rows of {@code dw} are cut into blocks of up to 4 (x, h and bias regions
     * separately); worker {@code w} owns output tiles {@code w, w + workers, ...} (one block × one packed unit
     * block of 4 vectors), so each element is summed over rows in the same order whatever the number of workers.
     * Rows are swept in chunks small enough for their dz to stay in L2 while the tiles pass over them.
     */
    static void weightGradientWorker(SimdWorkspace ws, SequenceBatch input, int w, int workers) {
        int g4 = ws.g4;
        int blocks = ws.kBlockStart.length;
        int tiles = blocks * ws.nb;
        if (w >= tiles) {
            return;
        }
        float[] x = input.x();
        int in = ws.in;
        for (int start = 0; start < ws.rowCount; start += ws.chunk) {
            int end = Math.min(ws.rowCount, start + ws.chunk);
            for (int tile = w; tile < tiles; tile += workers) {
                int kb = tile / ws.nb;
                int col = (tile % ws.nb) * 4 * L;
                int k0 = ws.kBlockStart[kb];
                int count = ws.kBlockCount[kb];
                if (k0 == in + ws.hs) {
                    biasTile(ws.dw, ws.dz, ws.rowDz, start, end, k0 * g4 + col, g4);
                } else if (k0 < in) {
                    weightTile(ws.dw, x, ws.rowX, k0, count, ws.dz, ws.rowDz, start, end, k0 * g4 + col, g4);
                } else {
                    weightTile(ws.dw, ws.hc, ws.rowH, k0 - in, count, ws.dz, ws.rowDz, start, end, k0 * g4 + col, g4);
                }
            }
        }
    }

    /**
     * {@code dw[k0+q][col..col+4L) += sum_r a[aOff[r] + ak + q] · dz[dzOff[r] + col ..]} for {@code q < count <= 4},
     * rows {@code r} in {@code [start, end)}: a 4 × 4-vector register tile (16 accumulators), or one row of it at
     * a time for the last 1-3 rows of a region.
     */
    static void weightTile(float[] dw, float[] a, int[] aOff, int ak, int count, float[] dz, int[] dzOff, int start,
                           int end, int o0, int g4) {
        if (count < 4) {
            for (int q = 0; q < count; q++) {
                weightRow(dw, a, aOff, ak + q, dz, dzOff, start, end, o0 + q * g4, g4);
            }
            return;
        }
        int o1 = o0 + g4;
        int o2 = o1 + g4;
        int o3 = o2 + g4;
        int col = o0 % g4;
        FloatVector c00 = FloatVector.fromArray(FS, dw, o0), c01 = FloatVector.fromArray(FS, dw, o0 + L);
        FloatVector c02 = FloatVector.fromArray(FS, dw, o0 + 2 * L), c03 = FloatVector.fromArray(FS, dw, o0 + 3 * L);
        FloatVector c10 = FloatVector.fromArray(FS, dw, o1), c11 = FloatVector.fromArray(FS, dw, o1 + L);
        FloatVector c12 = FloatVector.fromArray(FS, dw, o1 + 2 * L), c13 = FloatVector.fromArray(FS, dw, o1 + 3 * L);
        FloatVector c20 = FloatVector.fromArray(FS, dw, o2), c21 = FloatVector.fromArray(FS, dw, o2 + L);
        FloatVector c22 = FloatVector.fromArray(FS, dw, o2 + 2 * L), c23 = FloatVector.fromArray(FS, dw, o2 + 3 * L);
        FloatVector c30 = FloatVector.fromArray(FS, dw, o3), c31 = FloatVector.fromArray(FS, dw, o3 + L);
        FloatVector c32 = FloatVector.fromArray(FS, dw, o3 + 2 * L), c33 = FloatVector.fromArray(FS, dw, o3 + 3 * L);
        for (int r = start; r < end; r++) {
            int d = dzOff[r] + col;
            FloatVector d0 = FloatVector.fromArray(FS, dz, d);
            FloatVector d1 = FloatVector.fromArray(FS, dz, d + L);
            FloatVector d2 = FloatVector.fromArray(FS, dz, d + 2 * L);
            FloatVector d3 = FloatVector.fromArray(FS, dz, d + 3 * L);
            int ar = aOff[r] + ak;
            FloatVector v0 = FloatVector.broadcast(FS, a[ar]);
            FloatVector v1 = FloatVector.broadcast(FS, a[ar + 1]);
            FloatVector v2 = FloatVector.broadcast(FS, a[ar + 2]);
            FloatVector v3 = FloatVector.broadcast(FS, a[ar + 3]);
            c00 = d0.fma(v0, c00); c01 = d1.fma(v0, c01); c02 = d2.fma(v0, c02); c03 = d3.fma(v0, c03);
            c10 = d0.fma(v1, c10); c11 = d1.fma(v1, c11); c12 = d2.fma(v1, c12); c13 = d3.fma(v1, c13);
            c20 = d0.fma(v2, c20); c21 = d1.fma(v2, c21); c22 = d2.fma(v2, c22); c23 = d3.fma(v2, c23);
            c30 = d0.fma(v3, c30); c31 = d1.fma(v3, c31); c32 = d2.fma(v3, c32); c33 = d3.fma(v3, c33);
        }
        c00.intoArray(dw, o0); c01.intoArray(dw, o0 + L); c02.intoArray(dw, o0 + 2 * L); c03.intoArray(dw, o0 + 3 * L);
        c10.intoArray(dw, o1); c11.intoArray(dw, o1 + L); c12.intoArray(dw, o1 + 2 * L); c13.intoArray(dw, o1 + 3 * L);
        c20.intoArray(dw, o2); c21.intoArray(dw, o2 + L); c22.intoArray(dw, o2 + 2 * L); c23.intoArray(dw, o2 + 3 * L);
        c30.intoArray(dw, o3); c31.intoArray(dw, o3 + L); c32.intoArray(dw, o3 + 2 * L); c33.intoArray(dw, o3 + 3 * L);
    }

    /**
     * One row of {@link #weightTile} (the region tails). It accumulates through {@code dw} in L1 rather than in
     * loop-carried vectors: C2 (JDK 25) failed to intrinsify this small loop's vector phis and boxed every
     * iteration (seen with JFR allocation sampling), while the load-add-store form compiles cleanly.
     */
    static void weightRow(float[] dw, float[] a, int[] aOff, int ak, float[] dz, int[] dzOff, int start, int end,
                          int o, int g4) {
        int col = o % g4;
        for (int r = start; r < end; r++) {
            int d = dzOff[r] + col;
            FloatVector v = FloatVector.broadcast(FS, a[aOff[r] + ak]);
            for (int q = 0; q < 4 * L; q += L) {
                FloatVector.fromArray(FS, dz, d + q).fma(v, FloatVector.fromArray(FS, dw, o + q)).intoArray(dw, o + q);
            }
        }
    }

    /** {@code dw[bias row][col..] += sum_r dz[r][col..]}: the bias gradient, 4 vectors per tile. */
    static void biasTile(float[] dw, float[] dz, int[] dzOff, int start, int end, int o, int g4) {
        int col = o % g4;
        FloatVector c0 = FloatVector.fromArray(FS, dw, o);
        FloatVector c1 = FloatVector.fromArray(FS, dw, o + L);
        FloatVector c2 = FloatVector.fromArray(FS, dw, o + 2 * L);
        FloatVector c3 = FloatVector.fromArray(FS, dw, o + 3 * L);
        for (int r = start; r < end; r++) {
            int d = dzOff[r] + col;
            c0 = c0.add(FloatVector.fromArray(FS, dz, d));
            c1 = c1.add(FloatVector.fromArray(FS, dz, d + L));
            c2 = c2.add(FloatVector.fromArray(FS, dz, d + 2 * L));
            c3 = c3.add(FloatVector.fromArray(FS, dz, d + 3 * L));
        }
        c0.intoArray(dw, o);
        c1.intoArray(dw, o + L);
        c2.intoArray(dw, o + 2 * L);
        c3.intoArray(dw, o + 3 * L);
    }

    /**
     * Lists the active rows step-major (the order of dz in memory) for the weight-gradient pass, with each row's
     * offsets into dz, the state cache ({@code h_{t-1}}) and the input ({@code x_t}).
     */
    static void listRows(SimdWorkspace ws) {
        int n = 0;
        int batch = ws.batch();
        int steps = ws.steps();
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < batch; b++) {
                if (t < ws.lengths[b]) {
                    ws.rowDz[n] = (t * batch + b) * ws.g4;
                    ws.rowH[n] = (t * batch + b) * ws.hp;
                    ws.rowX[n] = (b * steps + t) * ws.in;
                    n++;
                }
            }
        }
        ws.rowCount = n;
    }

    /** Adds the packed {@code dw} and the per-worker accumulators to the caller's gradient buffer. */
    static void unpackGradients(SimdWorkspace ws, PhasedLstmParams grads) {
        PhasedLstmConfig cfg = ws.config();
        int in = ws.in;
        int hs = ws.hs;
        int hp = ws.hp;
        int g4 = ws.g4;
        float[] kernel = grads.kernel();
        float[] rec = grads.recurrentKernel();
        float[] bias = grads.bias();
        if (ws.fusedWeightGradients) {
            // Sum the workers' buffers in worker order (deterministic for a thread count) into the shared one.
            System.arraycopy(ws.scratch[0].dw, 0, ws.dw, 0, ws.dw.length);
            for (int w = 1; w < ws.sampleWorkers(); w++) {
                float[] dw = ws.scratch[w].dw;
                for (int i = 0; i < dw.length; i++) {
                    ws.dw[i] += dw[i];
                }
            }
        }
        for (int g = 0; g < 4; g++) {
            for (int j = 0; j < hs; j++) {
                int c = packedColumn(g, j);
                int col = g * hs + j;
                for (int k = 0; k < in; k++) {
                    kernel[k * 4 * hs + col] += ws.dw[k * g4 + c];
                }
                for (int k = 0; k < hs; k++) {
                    rec[k * 4 * hs + col] += ws.dw[(in + k) * g4 + c];
                }
                bias[col] += ws.dw[(in + hs) * g4 + c];
            }
        }
        int workers = ws.sampleWorkers();
        if (cfg.peepholes()) {
            float[] pg = grads.peephole();
            for (int q = 0; q < 3; q++) {
                for (int j = 0; j < hs; j++) {
                    double sum = 0;
                    for (int w = 0; w < workers; w++) {
                        sum += ws.scratch[w].peepAcc[q * hp + j];
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
                        sum += ws.scratch[w].tgAcc[q * hp + j];
                    }
                    dst[q][j] += (float) sum;
                }
            }
        }
    }
}
