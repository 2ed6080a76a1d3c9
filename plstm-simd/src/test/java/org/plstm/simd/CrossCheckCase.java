package org.plstm.simd;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.plstm.Engine;
import org.plstm.GateActivation;
import org.plstm.LayerWorkspace;
import org.plstm.Mode;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.SequenceBatch;
import org.plstm.TimeGate;
import org.plstm.reference.ReferenceParams;
import org.plstm.reference.ReferencePhasedLstm;

/**
 * One random SIMD-vs-reference case: a layer, a batch of irregularly timestamped sequences, output gradients; runs
 * the double reference and an engine and lists every element that disagrees beyond tolerance.
 */
final class CrossCheckCase {

    /** What a case draws. Every value derives from {@code seed}. */
    record Spec(int batch, int steps, int inputSize, int hiddenSize, boolean peepholes, boolean hardSigmoid,
                boolean timeGate, boolean training, boolean variableLengths, boolean initialState,
                boolean everyStepGrad, int timeStyle, long seed) {
    }

    /**
     * Time styles: 0 small positive, 1 crossing zero (negative times), 2 offset up to 1e9, 3 shared: samples in
     * groups of 3 share the first one's timestamps (style 0), as regularly sampled batches do (sequential MNIST), so
     * the engine's runs of rows with one timestamp (one {@code k}, {@code dk} summed over the run) are exercised.
     */
    static final int TIME_STYLES = 4;
    /** Samples per group that share timestamps in time style 3. */
    static final int SHARED_GROUP = 3;

    final Spec spec;
    final PhasedLstmConfig cfg;
    final Mode mode;
    final PhasedLstmParams params;
    final SequenceBatch input;
    final float[] h0;
    final float[] c0;
    final float[] dh;
    final float[] dhT;
    final float[] dcT;

    CrossCheckCase(Spec s) {
        this.spec = s;
        SplittableRandom rng = new SplittableRandom(s.seed());
        cfg = PhasedLstmConfig.builder(s.inputSize(), s.hiddenSize()).peepholes(s.peepholes())
                .gateActivation(s.hardSigmoid() ? GateActivation.HARD_SIGMOID : GateActivation.SIGMOID)
                .timeGate(s.timeGate()).leak(0.01).build();
        mode = s.training() ? Mode.TRAINING : Mode.INFERENCE;
        int in = s.inputSize();
        int hs = s.hiddenSize();
        int b = s.batch();
        int steps = s.steps();
        params = new PhasedLstmParams(cfg);
        fill(params.kernel(), rng, 1.0 / Math.sqrt(in));
        fill(params.recurrentKernel(), rng, 1.0 / Math.sqrt(hs));
        fill(params.bias(), rng, 0.5);
        if (params.peephole() != null) {
            fill(params.peephole(), rng, 0.5);
        }
        for (int j = 0; j < hs; j++) {
            params.period()[j] = (float) (1.0 + 20.0 * rng.nextDouble());
            params.shift()[j] = (float) (25.0 * rng.nextDouble());
            params.ratioOn()[j] = (float) (0.05 + 0.9 * rng.nextDouble());
        }
        float[] x = new float[b * steps * in];
        fill(x, rng, 1.5);
        double[] time = new double[b * steps];
        for (int q = 0; q < b; q++) {
            if (s.timeStyle() == 3 && q % SHARED_GROUP != 0) {
                int first = q - q % SHARED_GROUP;
                System.arraycopy(time, first * steps, time, q * steps, steps);
                continue;
            }
            double t = switch (s.timeStyle()) {
                case 0, 3 -> 10.0 * rng.nextDouble();
                case 1 -> -30.0 * rng.nextDouble();
                default -> Math.floor(1e9 * rng.nextDouble());
            };
            for (int u = 0; u < steps; u++) {
                time[q * steps + u] = t;
                t += 0.05 + 4.0 * rng.nextDouble();
            }
        }
        int[] lengths = null;
        if (s.variableLengths()) {
            lengths = new int[b];
            for (int q = 0; q < b; q++) {
                lengths[q] = rng.nextInt(steps + 1);
            }
        }
        input = new SequenceBatch(b, steps, in, x, time, lengths);
        h0 = s.initialState() ? random(b * hs, rng, 0.8) : null;
        c0 = s.initialState() ? random(b * hs, rng, 1.5) : null;
        dh = s.everyStepGrad() ? random(b * steps * hs, rng, 0.5) : null;
        dhT = random(b * hs, rng, 1.0);
        dcT = random(b * hs, rng, 0.5);
    }

    private static float[] random(int n, SplittableRandom rng, double scale) {
        float[] a = new float[n];
        fill(a, rng, scale);
        return a;
    }

    private static void fill(float[] a, SplittableRandom rng, double scale) {
        for (int n = 0; n < a.length; n++) {
            a[n] = (float) (scale * (2 * rng.nextDouble() - 1));
        }
    }

    /** Keeps timestamps 1e-6·tau (in phase: 1e-6) away from phi = 0, r_on/2, r_on, where k is ill-conditioned. */
    boolean awayFromKinks() {
        if (!cfg.timeGate()) {
            return true;
        }
        for (int q = 0; q < spec.batch(); q++) {
            for (int u = 0; u < input.length(q); u++) {
                double t = input.time()[q * spec.steps() + u];
                for (int j = 0; j < spec.hiddenSize(); j++) {
                    double phi = TimeGate.phase(t, params.shift()[j], params.period()[j]);
                    double r = params.ratioOn()[j];
                    if (phi < 1e-6 || 1 - phi < 1e-6 || Math.abs(phi - r / 2) < 1e-6 || Math.abs(phi - r) < 1e-6) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** Reference results in double. */
    record Expected(ReferencePhasedLstm.Forward fwd, ReferencePhasedLstm.InputGradients in, ReferenceParams grads) {
    }

    Expected reference() {
        ReferencePhasedLstm.Forward f = ReferencePhasedLstm.forward(params, input, h0, c0, mode);
        ReferenceParams g = new ReferenceParams(cfg);
        ReferencePhasedLstm.InputGradients ig = ReferencePhasedLstm.backward(g, f, widen(dh), widen(dhT),
                widen(dcT));
        return new Expected(f, ig, g);
    }

    private static double[] widen(float[] a) {
        return a == null ? null : ReferencePhasedLstm.widen(a);
    }

    /** Engine results. */
    record Actual(float[] h, float[] hT, float[] cT, float[] dx, float[] dh0, float[] dc0, PhasedLstmParams grads) {
    }

    Actual run(Engine engine, LayerWorkspace ws, int repeats) {
        PhasedLstmParams grads = new PhasedLstmParams(cfg);
        for (int n = 0; n < repeats; n++) {
            grads.zero();
            engine.forward(ws, params, input, h0, c0, mode);
            engine.backward(ws, grads, dh, dhT, dcT);
        }
        return new Actual(ws.h().clone(), ws.hT().clone(), ws.cT().clone(), ws.dx().clone(), ws.dh0().clone(),
                ws.dc0().clone(), grads);
    }

    Actual run(Engine engine, int repeats) {
        return run(engine, engine.newWorkspace(cfg, spec.batch(), spec.steps()), repeats);
    }

    /**
     * Elementwise {@code |actual − expected| <= atol + rtol·|expected|}; returns descriptions of the first few
     * failures per tensor (tensor, index, both values).
     */
    List<String> compare(Expected e, Actual a, double atol, double rtol) {
        List<String> out = new ArrayList<>();
        cmp(out, "h", e.fwd().h, a.h(), atol, rtol);
        cmp(out, "hT", e.fwd().hT, a.hT(), atol, rtol);
        cmp(out, "cT", e.fwd().cT, a.cT(), atol, rtol);
        cmp(out, "dx", e.in().dx(), a.dx(), atol, rtol);
        cmp(out, "dh0", e.in().dh0(), a.dh0(), atol, rtol);
        cmp(out, "dc0", e.in().dc0(), a.dc0(), atol, rtol);
        cmp(out, "grad.kernel", e.grads().kernel, a.grads().kernel(), atol, rtol);
        cmp(out, "grad.recurrentKernel", e.grads().recurrentKernel, a.grads().recurrentKernel(), atol, rtol);
        cmp(out, "grad.bias", e.grads().bias, a.grads().bias(), atol, rtol);
        if (cfg.peepholes()) {
            cmp(out, "grad.peephole", e.grads().peephole, a.grads().peephole(), atol, rtol);
        }
        // Time-gate gradients are sums over (b, t) of dk·(...), where dk = dh·(h~ − h_{t-1}) + dc·(c~ − c_{t-1})
        // is a difference of O(1) float32 values: its absolute error is about u·O(1) however small the
        // difference, so an element can lose relative accuracy to cancellation while the tensor as a whole keeps
        // it. They are compared normwise: |simd − ref| <= atol·scale + rtol·max_j |ref_j|. The period gradient's
        // terms carry (t − s)/tau², hence its absolute scale periodScale().
        cmpNormwise(out, "grad.period", e.grads().period, a.grads().period(), atol * periodScale(), rtol);
        cmpNormwise(out, "grad.shift", e.grads().shift, a.grads().shift(), atol, rtol);
        cmpNormwise(out, "grad.ratioOn", e.grads().ratioOn, a.grads().ratioOn(), atol, rtol);
        return out;
    }

    private static void cmpNormwise(List<String> out, String name, double[] e, float[] a, double atol, double rtol) {
        double max = 0;
        for (double v : e) {
            max = Math.max(max, Math.abs(v));
        }
        int shown = 0;
        for (int n = 0; n < e.length; n++) {
            double diff = Math.abs(a[n] - e[n]);
            if (!(diff <= atol + rtol * max)) {
                if (shown++ < 3) {
                    out.add(name + "[" + n + "]: reference " + e[n] + ", simd " + a[n] + ", |diff| " + diff
                            + " (normwise, max |ref| " + max + ")");
                }
            }
        }
    }

    /** Largest |t − s|/tau over the batch, at least 1: the size of dphi/dtau relative to dphi/ds. */
    double periodScale() {
        double m = 1;
        for (double t : input.time()) {
            for (int j = 0; j < spec.hiddenSize(); j++) {
                m = Math.max(m, Math.abs(t - params.shift()[j]) / params.period()[j]);
            }
        }
        return m;
    }

    private static void cmp(List<String> out, String name, double[] e, float[] a, double atol, double rtol) {
        int shown = 0;
        for (int n = 0; n < e.length; n++) {
            double diff = Math.abs(a[n] - e[n]);
            if (!(diff <= atol + rtol * Math.abs(e[n]))) {
                if (shown++ < 3) {
                    out.add(name + "[" + n + "]: reference " + e[n] + ", simd " + a[n] + ", |diff| " + diff);
                }
            }
        }
    }
}
