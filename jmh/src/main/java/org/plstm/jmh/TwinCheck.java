package org.plstm.jmh;

import org.plstm.Mode;
import org.plstm.PhasedLstmParams;
import org.plstm.SequenceBatch;
import org.plstm.Tensor;
import org.plstm.reference.ReferenceParams;
import org.plstm.reference.ReferencePhasedLstm;

/**
 * Before timing: the engine under test must agree with the double reference on the benchmark's own data. To keep
 * set-up short on large shapes, the check runs both on the first {@code min(B, 2)} sequences (every output and
 * gradient of a sample depends only on that sample and the weights). Tolerances as the property tests
 * ({@code |engine − ref| <= 1e-5 + 1e-4·|ref|}), normwise for the time-gate gradients; over T up to 1000 steps the
 * float32 drift stays well inside them for these well-conditioned inputs.
 */
public final class TwinCheck {
    private TwinCheck() {
    }

    /**
     * @param run the benchmark's layer
     * @throws IllegalStateException naming the first disagreeing tensor, index and values
     */
    public static void assertAgrees(LayerRun run) {
        int b = Math.min(run.shape.batch(), 2);
        int t = run.shape.steps();
        int in = run.shape.inputs();
        int hs = run.shape.hidden();
        float[] x = java.util.Arrays.copyOf(run.input.x(), b * t * in);
        double[] time = java.util.Arrays.copyOf(run.input.time(), b * t);
        SequenceBatch sub = SequenceBatch.of(b, t, in, x, time);
        float[] dhT = java.util.Arrays.copyOf(run.dhT, b * hs);

        var ws = run.engine.newWorkspace(run.config, b, t);
        PhasedLstmParams g = new PhasedLstmParams(run.config);
        run.engine.forward(ws, run.params, sub, null, null, Mode.TRAINING);
        run.engine.backward(ws, g, null, dhT, null);

        ReferencePhasedLstm.Forward f = ReferencePhasedLstm.forward(run.params, sub, null, null, Mode.TRAINING);
        ReferenceParams rg = new ReferenceParams(run.config);
        ReferencePhasedLstm.InputGradients ig = ReferencePhasedLstm.backward(rg, f, null,
                ReferencePhasedLstm.widen(dhT), null);
        compare("h", f.h, ws.h(), false);
        compare("dx", ig.dx(), ws.dx(), false);
        compare("dh0", ig.dh0(), ws.dh0(), false);
        double[][] ref = {rg.kernel, rg.recurrentKernel, rg.bias, rg.period, rg.shift, rg.ratioOn};
        int n = 0;
        for (Tensor tensor : g.tensors()) {
            if (tensor.name().equals("peephole")) {
                continue;
            }
            boolean timeGate = n >= 3;
            compare("grad." + tensor.name(), ref[n++], tensor.data(), timeGate);
        }
    }

    private static void compare(String name, double[] ref, float[] got, boolean normwise) {
        double max = 0;
        for (double v : ref) {
            max = Math.max(max, Math.abs(v));
        }
        for (int i = 0; i < ref.length; i++) {
            double tol = 1e-5 + 1e-4 * (normwise ? max : Math.abs(ref[i]));
            if (name.equals("grad.period")) {
                tol *= 1e3; // terms carry (t − s)/tau² with t up to ~1600 and tau >= e
            }
            if (!(Math.abs(got[i] - ref[i]) <= tol)) {
                throw new IllegalStateException("twins disagree: " + name + "[" + i + "]: reference " + ref[i]
                        + ", engine " + got[i]);
            }
        }
    }
}
