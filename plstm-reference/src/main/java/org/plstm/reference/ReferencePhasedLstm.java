package org.plstm.reference;

import org.plstm.Check;
import org.plstm.GateActivation;
import org.plstm.Mode;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.SequenceBatch;
import org.plstm.TimeGate;

/**
 * The scalar reference Phased LSTM layer: forward over a whole batch of sequences and full backpropagation
 * through time, in double precision, with plain loops. This class is the specification the SIMD engine is
 * checked against; it is written to be read, not to be fast.
 *
 * <p>Dimension letters: {@code B} batch, {@code T} steps, {@code I} input features, {@code H} hidden units.
 * All arrays are flat and row-major; {@code [B][T][H]} means element {@code (b·T + t)·H + j}.
 *
 * <p>One step, for sample {@code b} at step {@code t} (Neil et al. 2016, eq. 1-11 with the output peephole on
 * {@code c~} as in the authors' correction; docs/MODEL.md):
 * <pre>
 * z   = x_t·kernel + h_{t-1}·recurrentKernel + bias          [4H], blocks zi, zf, zg, zo
 * i   = σ(zi + p_i ⊙ c_{t-1})     f = σ(zf + p_f ⊙ c_{t-1})     (peepholes only when enabled)
 * g   = tanh(zg)
 * c~  = f ⊙ c_{t-1} + i ⊙ g
 * o   = σ(zo + p_o ⊙ c~)
 * h~  = o ⊙ tanh(c~)
 * k   = TimeGate.openness(TimeGate.phase(t, s, tau), r_on, alpha)   (k = 1 with the time gate off)
 * c_t = k ⊙ c~ + (1 − k) ⊙ c_{t-1}
 * h_t = k ⊙ h~ + (1 − k) ⊙ h_{t-1}
 * </pre>
 * A step past a sample's length is the identity: {@code c_t = c_{t-1}}, {@code h_t = h_{t-1}}.
 */
public final class ReferencePhasedLstm {
    private ReferencePhasedLstm() {
    }

    /**
     * The result of a forward pass and the cache its backward pass needs. Arrays are owned by this object (the
     * inputs {@code x}, {@code time}, {@code lengths}, {@code h0}, {@code c0} and {@link #params} are copies of the
     * caller's, so refilling those before backward does not change what backward differentiates); callers may read
     * them.
     */
    public static final class Forward {
        /** The parameters the pass used (backward differentiates with respect to these). */
        public final ReferenceParams params;
        /** The mode of the pass. */
        public final Mode mode;
        /** The leak {@code alpha} the pass used ({@code mode.alpha(config)}). */
        public final double alpha;
        /** {@code B}. */
        public final int batch;
        /** {@code T}. */
        public final int steps;
        /** Inputs {@code [B][T][I]}. */
        public final double[] x;
        /** Timestamps {@code [B][T]}. */
        public final double[] time;
        /** Valid steps per sample {@code [B]} (all {@code T} when none were given). */
        public final int[] lengths;
        /** Initial hidden state {@code [B][H]}. */
        public final double[] h0;
        /** Initial cell state {@code [B][H]}. */
        public final double[] c0;
        /** The hidden sequence {@code h_t}, {@code [B][T][H]}: the layer's output. */
        public final double[] h;
        /** The cell sequence {@code c_t}, {@code [B][T][H]}. */
        public final double[] c;
        /** Final hidden state {@code h_T} {@code [B][H]} (the state after each sample's last valid step). */
        public final double[] hT;
        /** Final cell state {@code c_T} {@code [B][H]}. */
        public final double[] cT;
        /** Gate pre-activations including peephole terms, {@code [B][T][H]} each. */
        final double[] zi;
        final double[] zf;
        final double[] zo;
        /** Gate values {@code i, f, g, o}, {@code [B][T][H]} each. */
        final double[] gi;
        final double[] gf;
        final double[] gg;
        final double[] go;
        /** {@code c~} and {@code h~}, {@code [B][T][H]}. */
        final double[] cTilde;
        final double[] hTilde;
        /** Phase {@code phi} and openness {@code k}, {@code [B][T][H]}. */
        public final double[] phi;
        /** Openness {@code k}, {@code [B][T][H]} (1 with the time gate off). */
        public final double[] k;

        private Forward(ReferenceParams params, Mode mode, int batch, int steps, double[] x, double[] time,
                        int[] lengths, double[] h0, double[] c0) {
            this.params = params;
            this.mode = mode;
            this.alpha = mode.alpha(params.config);
            this.batch = batch;
            this.steps = steps;
            this.x = x;
            this.time = time;
            this.lengths = lengths;
            this.h0 = h0;
            this.c0 = c0;
            int n = batch * steps * params.config.hiddenSize();
            h = new double[n];
            c = new double[n];
            zi = new double[n];
            zf = new double[n];
            zo = new double[n];
            gi = new double[n];
            gf = new double[n];
            gg = new double[n];
            go = new double[n];
            cTilde = new double[n];
            hTilde = new double[n];
            phi = new double[n];
            k = new double[n];
            int bh = batch * params.config.hiddenSize();
            hT = new double[bh];
            cT = new double[bh];
        }
    }

    /**
     * Gradients with respect to the layer's inputs, written (not accumulated) by
     * {@link #backward(ReferenceParams, Forward, double[], double[], double[])}.
     *
     * @param dx  {@code dL/dx}, {@code [B][T][I]} (zero at padded steps)
     * @param dh0 {@code dL/dh0}, {@code [B][H]}
     * @param dc0 {@code dL/dc0}, {@code [B][H]}
     */
    public record InputGradients(double[] dx, double[] dh0, double[] dc0) {
    }

    /**
     * Forward pass from float32 model objects: widens everything to double and calls
     * {@link #forward(ReferenceParams, double[], double[], int[], int, int, double[], double[], Mode)}.
     *
     * @param params parameters (validated)
     * @param input  the batch; {@code input.inputSize()} must equal the configuration's {@code I}
     * @param h0     initial hidden state {@code [B][H]}, or {@code null} for zeros
     * @param c0     initial cell state {@code [B][H]}, or {@code null} for zeros
     * @param mode   {@link Mode#TRAINING} or {@link Mode#LEAKY_INFERENCE} (leak), or {@link Mode#INFERENCE}
     *               ({@code alpha = 0})
     * @return outputs and cache
     * @throws IllegalArgumentException on a null argument, a shape mismatch, non-finite values,
     *     {@code period <= 0}, {@code ratioOn} outside {@code (0, 1]}, or {@code B·T·H} beyond the largest Java array
     */
    public static Forward forward(PhasedLstmParams params, SequenceBatch input, float[] h0, float[] c0, Mode mode) {
        Check.notNull("params", params);
        Check.notNull("input", input);
        ReferenceParams p = ReferenceParams.of(params);
        double[] x = widen(input.x());
        double[] hInit = h0 == null ? null : widen(h0);
        double[] cInit = c0 == null ? null : widen(c0);
        check(p, x, input.time(), input.lengths(), input.batch(), input.steps(), hInit, cInit, mode);
        return compute(p, x, input.time().clone(), input.lengths(), input.batch(), input.steps(), hInit, cInit, mode);
    }

    /**
     * Forward pass in double precision over {@code B} sequences of {@code T} steps. The input arrays are copied into
     * the result ({@link Forward}): the caller may refill them before {@link #backward}.
     *
     * @param p       parameters
     * @param x       inputs {@code [B][T][I]}
     * @param time    timestamps {@code [B][T]}, any finite reals, same unit as {@code period} and {@code shift}
     *                (need not increase)
     * @param lengths valid steps per sample {@code [B]}, each in {@code [0, T]}, or {@code null} for all {@code T}
     * @param batch   {@code B >= 1}
     * @param steps   {@code T >= 1}
     * @param h0      initial hidden state {@code [B][H]}, or {@code null} for zeros
     * @param c0      initial cell state {@code [B][H]}, or {@code null} for zeros
     * @param mode    training or leaky inference (leak {@code config.leak()}), or inference (leak 0)
     * @return outputs ({@code h [B][T][H]}, {@code hT}, {@code cT}) and the cache for backward
     * @throws IllegalArgumentException on a null argument, a shape mismatch, non-finite values,
     *     {@code period <= 0}, {@code ratioOn} outside {@code (0, 1]}, a length outside {@code [0, T]}, or
     *     {@code B·T·H} beyond the largest Java array (the pass keeps sequences of that size)
     */
    public static Forward forward(ReferenceParams p, double[] x, double[] time, int[] lengths, int batch, int steps,
                                  double[] h0, double[] c0, Mode mode) {
        check(p, x, time, lengths, batch, steps, h0, c0, mode);
        return compute(p.copy(), x.clone(), time.clone(), lengths, batch, steps, h0 == null ? null : h0.clone(),
                c0 == null ? null : c0.clone(), mode);
    }

    /**
     * The checks of {@link #forward(ReferenceParams, double[], double[], int[], int, int, double[], double[], Mode)}.
     */
    private static void check(ReferenceParams p, double[] x, double[] time, int[] lengths, int batch, int steps,
                              double[] h0, double[] c0, Mode mode) {
        Check.notNull("params", p);
        Check.notNull("mode", mode);
        Check.atLeast("batch", batch, 1);
        Check.atLeast("steps", steps, 1);
        PhasedLstmConfig cfg = p.config;
        int in = cfg.inputSize();
        int hs = cfg.hiddenSize();
        Check.length("x", x, "B", batch, "T", steps, "I", in);
        Check.length("time", time, "B", batch, "T", steps);
        Check.finite("x", x);
        Check.finite("time", time);
        if (lengths != null) {
            Check.lengths(lengths, batch, steps);
        }
        if (h0 != null) {
            Check.length("h0", h0, "B", batch, "H", hs);
            Check.finite("h0", h0);
        }
        if (c0 != null) {
            Check.length("c0", c0, "B", batch, "H", hs);
            Check.finite("c0", c0);
        }
        p.validate("params");
        Check.elements("h", batch, steps, hs); // the pass's sequences, [B][T][H] each
    }

    /**
     * {@link #forward(ReferenceParams, double[], double[], int[], int, int, double[], double[], Mode)} without its
     * checks, for callers that validated at their own public boundary ({@link ReferenceEngine} behind
     * {@link org.plstm.Engine#forward}).
     */
    static Forward compute(ReferenceParams p, double[] x, double[] time, int[] lengths, int batch, int steps,
                           double[] h0, double[] c0, Mode mode) {
        PhasedLstmConfig cfg = p.config;
        int in = cfg.inputSize();
        int hs = cfg.hiddenSize();
        assert x.length == batch * steps * in && time.length == batch * steps;
        int[] len = new int[batch];
        for (int b = 0; b < batch; b++) {
            len[b] = lengths == null ? steps : lengths[b];
        }
        double[] initH = h0 == null ? new double[batch * hs] : h0;
        double[] initC = c0 == null ? new double[batch * hs] : c0;

        Forward f = new Forward(p, mode, batch, steps, x, time, len, initH, initC);
        GateActivation act = cfg.gateActivation();
        int g4 = 4 * hs;
        double[] z = new double[g4];
        double[] hPrev = new double[hs];
        double[] cPrev = new double[hs];
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < hs; j++) {
                hPrev[j] = initH[b * hs + j];
                cPrev[j] = initC[b * hs + j];
            }
            for (int t = 0; t < steps; t++) {
                int row = (b * steps + t) * hs;
                if (t >= len[b]) {
                    // Padding: the identity step.
                    for (int j = 0; j < hs; j++) {
                        f.h[row + j] = hPrev[j];
                        f.c[row + j] = cPrev[j];
                        f.k[row + j] = 0;
                    }
                    continue;
                }
                // z = x_t·kernel + h_{t-1}·recurrentKernel + bias
                for (int col = 0; col < g4; col++) {
                    double sum = p.bias[col];
                    for (int i = 0; i < in; i++) {
                        sum += x[(b * steps + t) * in + i] * p.kernel[i * g4 + col];
                    }
                    for (int r = 0; r < hs; r++) {
                        sum += hPrev[r] * p.recurrentKernel[r * g4 + col];
                    }
                    z[col] = sum;
                }
                double t64 = time[b * steps + t];
                for (int j = 0; j < hs; j++) {
                    double cp = cPrev[j];
                    double zi = z[j];
                    double zf = z[hs + j];
                    double zg = z[2 * hs + j];
                    double zo = z[3 * hs + j];
                    if (p.peephole != null) {
                        zi += p.peephole[j] * cp;
                        zf += p.peephole[hs + j] * cp;
                    }
                    double ig = act.apply(zi);
                    double fg = act.apply(zf);
                    double gg = Math.tanh(zg);
                    double ct = fg * cp + ig * gg;
                    if (p.peephole != null) {
                        zo += p.peephole[2 * hs + j] * ct;
                    }
                    double og = act.apply(zo);
                    double ht = og * Math.tanh(ct);
                    double phi = 0;
                    double k = 1;
                    if (cfg.timeGate()) {
                        phi = TimeGate.phase(t64, p.shift[j], p.period[j]);
                        k = TimeGate.openness(phi, p.ratioOn[j], f.alpha);
                    }
                    double cNew = k * ct + (1 - k) * cp;
                    double hNew = k * ht + (1 - k) * hPrev[j];
                    int n = row + j;
                    f.zi[n] = zi;
                    f.zf[n] = zf;
                    f.zo[n] = zo;
                    f.gi[n] = ig;
                    f.gf[n] = fg;
                    f.gg[n] = gg;
                    f.go[n] = og;
                    f.cTilde[n] = ct;
                    f.hTilde[n] = ht;
                    f.phi[n] = phi;
                    f.k[n] = k;
                    f.c[n] = cNew;
                    f.h[n] = hNew;
                }
                for (int j = 0; j < hs; j++) {
                    hPrev[j] = f.h[row + j];
                    cPrev[j] = f.c[row + j];
                }
            }
            for (int j = 0; j < hs; j++) {
                f.hT[b * hs + j] = hPrev[j];
                f.cT[b * hs + j] = cPrev[j];
            }
        }
        return f;
    }

    /**
     * Full backpropagation through time. Parameter gradients are <em>accumulated</em> into {@code grads}
     * (clear it with {@link ReferenceParams#zero()}); input gradients are returned. Gradients of
     * {@code period}, {@code shift} and {@code ratioOn} are only accumulated when the time gate is on and the
     * configuration marks them trainable. The phase derivatives are {@code dphi/ds = −1/tau} and
     * {@code dphi/dtau = −(t − s)/tau²} (the floor is piecewise constant; as Keras, docs/MODEL.md).
     *
     * @param grads gradient buffer of the same configuration, accumulated into
     * @param fwd   the forward pass to differentiate
     * @param dh    {@code dL/dh_t} for every step, {@code [B][T][H]}, or {@code null} (zero; e.g. when only the
     *              last step feeds the loss)
     * @param dhT   {@code dL/dh_T}, {@code [B][H]}, or {@code null}
     * @param dcT   {@code dL/dc_T}, {@code [B][H]}, or {@code null}
     * @return {@code dL/dx [B][T][I]}, {@code dL/dh0 [B][H]}, {@code dL/dc0 [B][H]}
     * @throws IllegalArgumentException on a null {@code grads}/{@code fwd}, a configuration mismatch or a
     *     wrongly sized or non-finite output gradient
     */
    public static InputGradients backward(ReferenceParams grads, Forward fwd, double[] dh, double[] dhT,
                                          double[] dcT) {
        Check.notNull("fwd", fwd);
        Check.notNull("grads", grads);
        PhasedLstmConfig cfg = fwd.params.config;
        if (!grads.config.equals(cfg)) {
            throw new IllegalArgumentException("grads: expected configuration " + cfg + ", got " + grads.config);
        }
        int hs = cfg.hiddenSize();
        if (dh != null) {
            Check.length("dh", dh, "B", fwd.batch, "T", fwd.steps, "H", hs);
            Check.finite("dh", dh);
        }
        if (dhT != null) {
            Check.length("dhT", dhT, "B", fwd.batch, "H", hs);
            Check.finite("dhT", dhT);
        }
        if (dcT != null) {
            Check.length("dcT", dcT, "B", fwd.batch, "H", hs);
            Check.finite("dcT", dcT);
        }
        return computeBackward(grads, fwd, dh, dhT, dcT);
    }

    /** {@link #backward} without its checks (see {@link #compute}). */
    static InputGradients computeBackward(ReferenceParams grads, Forward fwd, double[] dh, double[] dhT,
                                          double[] dcT) {
        ReferenceParams p = fwd.params;
        PhasedLstmConfig cfg = p.config;
        int batch = fwd.batch;
        int steps = fwd.steps;
        int in = cfg.inputSize();
        int hs = cfg.hiddenSize();
        int g4 = 4 * hs;
        GateActivation act = cfg.gateActivation();
        double[] dx = new double[batch * steps * in];
        double[] dh0 = new double[batch * hs];
        double[] dc0 = new double[batch * hs];
        double[] dhNext = new double[hs];
        double[] dcNext = new double[hs];
        double[] dz = new double[g4];
        double[] dhPrev = new double[hs];
        double[] dcPrev = new double[hs];
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < hs; j++) {
                dhNext[j] = dhT == null ? 0 : dhT[b * hs + j];
                dcNext[j] = dcT == null ? 0 : dcT[b * hs + j];
            }
            for (int t = steps - 1; t >= 0; t--) {
                int row = (b * steps + t) * hs;
                if (dh != null) {
                    for (int j = 0; j < hs; j++) {
                        dhNext[j] += dh[row + j];
                    }
                }
                if (t >= fwd.lengths[b]) {
                    continue; // identity step: gradients pass through unchanged
                }
                double t64 = fwd.time[b * steps + t];
                for (int j = 0; j < hs; j++) {
                    int n = row + j;
                    double hPrev = t == 0 ? fwd.h0[b * hs + j] : fwd.h[n - hs];
                    double cp = t == 0 ? fwd.c0[b * hs + j] : fwd.c[n - hs];
                    double dht = dhNext[j];
                    double dct = dcNext[j];
                    double k = fwd.k[n];
                    double ct = fwd.cTilde[n];
                    double tanhC = Math.tanh(ct);
                    double og = fwd.go[n];
                    double ig = fwd.gi[n];
                    double fg = fwd.gf[n];
                    double gg = fwd.gg[n];

                    // Time gate: c_t = k c~ + (1-k) c_{t-1}, h_t = k h~ + (1-k) h_{t-1}.
                    if (cfg.timeGate()) {
                        double dk = dht * (fwd.hTilde[n] - hPrev) + dct * (ct - cp);
                        double phi = fwd.phi[n];
                        double tau = p.period[j];
                        double rOn = p.ratioOn[j];
                        double dphi = dk * TimeGate.dOpennessDPhase(phi, rOn, fwd.alpha);
                        if (cfg.trainPeriod()) {
                            grads.period[j] += dphi * (-(t64 - p.shift[j]) / (tau * tau));
                        }
                        if (cfg.trainShift()) {
                            grads.shift[j] += dphi * (-1.0 / tau);
                        }
                        if (cfg.trainRatioOn()) {
                            grads.ratioOn[j] += dk * TimeGate.dOpennessDRatioOn(phi, rOn);
                        }
                    }
                    double dhTilde = dht * k;
                    double dcTilde = dct * k;
                    double dhp = dht * (1 - k);
                    double dcp = dct * (1 - k);

                    // h~ = o tanh(c~)
                    double dOut = dhTilde * tanhC;
                    double dzo = dOut * act.derivative(fwd.zo[n], og);
                    dcTilde += dhTilde * og * (1 - tanhC * tanhC);
                    if (p.peephole != null) {
                        grads.peephole[2 * hs + j] += dzo * ct;
                        dcTilde += dzo * p.peephole[2 * hs + j];
                    }
                    // c~ = f c_{t-1} + i g
                    double dzi = dcTilde * gg * act.derivative(fwd.zi[n], ig);
                    double dzf = dcTilde * cp * act.derivative(fwd.zf[n], fg);
                    double dzg = dcTilde * ig * (1 - gg * gg);
                    dcp += dcTilde * fg;
                    if (p.peephole != null) {
                        grads.peephole[j] += dzi * cp;
                        grads.peephole[hs + j] += dzf * cp;
                        dcp += dzi * p.peephole[j] + dzf * p.peephole[hs + j];
                    }
                    dz[j] = dzi;
                    dz[hs + j] = dzf;
                    dz[2 * hs + j] = dzg;
                    dz[3 * hs + j] = dzo;
                    dhPrev[j] = dhp;
                    dcPrev[j] = dcp;
                }
                // z = x_t·kernel + h_{t-1}·recurrentKernel + bias
                int xRow = (b * steps + t) * in;
                for (int col = 0; col < g4; col++) {
                    grads.bias[col] += dz[col];
                }
                for (int i = 0; i < in; i++) {
                    double xi = fwd.x[xRow + i];
                    double sum = 0;
                    for (int col = 0; col < g4; col++) {
                        grads.kernel[i * g4 + col] += xi * dz[col];
                        sum += dz[col] * p.kernel[i * g4 + col];
                    }
                    dx[xRow + i] = sum;
                }
                for (int r = 0; r < hs; r++) {
                    double hPrev = t == 0 ? fwd.h0[b * hs + r] : fwd.h[row - hs + r];
                    double sum = 0;
                    for (int col = 0; col < g4; col++) {
                        grads.recurrentKernel[r * g4 + col] += hPrev * dz[col];
                        sum += dz[col] * p.recurrentKernel[r * g4 + col];
                    }
                    dhPrev[r] += sum;
                }
                for (int j = 0; j < hs; j++) {
                    dhNext[j] = dhPrev[j];
                    dcNext[j] = dcPrev[j];
                }
            }
            for (int j = 0; j < hs; j++) {
                dh0[b * hs + j] = dhNext[j];
                dc0[b * hs + j] = dcNext[j];
            }
        }
        return new InputGradients(dx, dh0, dc0);
    }

    /**
     * Widens float32 values to double (exactly).
     *
     * @param a values
     * @return a new double array of the same length
     */
    public static double[] widen(float[] a) {
        double[] d = new double[a.length];
        for (int n = 0; n < a.length; n++) {
            d[n] = a[n];
        }
        return d;
    }
}
