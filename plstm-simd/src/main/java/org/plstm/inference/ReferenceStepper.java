package org.plstm.inference;

import org.plstm.Mode;
import org.plstm.PhasedLstmParams;
import org.plstm.reference.ReferenceParams;
import org.plstm.reference.ReferencePhasedLstm;

/**
 * A stream layer on the scalar reference, for JVMs without the Vector API: each event is a one-step forward of
 * {@link ReferencePhasedLstm} in inference mode (exact; slow, and it allocates). Skipping makes no difference to
 * its results (closed units keep their state in the model itself).
 */
final class ReferenceStepper implements LayerStepper {
    private final ReferenceParams params;
    private final int in;
    private final float[] h;
    private final float[] c;
    private int updated;

    ReferenceStepper(PhasedLstmParams p) {
        this.params = ReferenceParams.of(p);
        this.in = p.config().inputSize();
        this.h = new float[p.config().hiddenSize()];
        this.c = new float[p.config().hiddenSize()];
    }

    @Override
    public void step(float[] x, int xOff, double t, boolean skip) {
        double[] xs = new double[in];
        for (int i = 0; i < in; i++) {
            xs[i] = x[xOff + i];
        }
        ReferencePhasedLstm.Forward f = ReferencePhasedLstm.forward(params, xs, new double[] {t}, null, 1, 1,
                ReferencePhasedLstm.widen(h), ReferencePhasedLstm.widen(c), Mode.INFERENCE);
        int n = 0;
        for (int j = 0; j < h.length; j++) {
            h[j] = (float) f.hT[j];
            c[j] = (float) f.cT[j];
            if (f.k[j] > 0) {
                n++;
            }
        }
        updated = params.config.timeGate() && skip ? n : h.length;
    }

    @Override
    public float[] h() {
        return h;
    }

    @Override
    public float[] c() {
        return c;
    }

    @Override
    public int lastUpdated() {
        return updated;
    }
}
