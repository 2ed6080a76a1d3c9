package org.plstm.engine;

import org.plstm.Mode;
import org.plstm.PhasedLstmParams;
import org.plstm.reference.ReferenceParams;
import org.plstm.reference.ReferencePhasedLstm;

/**
 * A stream layer on the scalar reference, for JVMs without the SIMD kernels: each event is a one-step forward of
 * {@link ReferencePhasedLstm} in inference mode (exact; slow, and it allocates). Skipping makes no difference to its
 * results (closed units keep their state in the model itself); it only changes what {@code lastUpdatedUnits} counts.
 */
final class ReferenceStream implements LayerStream {
    private final ReferenceParams params;
    private final int in;
    private final int hidden;

    ReferenceStream(PhasedLstmParams p) {
        this.params = ReferenceParams.of(p);
        this.in = p.config().inputSize();
        this.hidden = p.config().hiddenSize();
    }

    @Override
    public State newState() {
        return new RefState(hidden);
    }

    @Override
    public void step(State state, float[] x, int xOff, double t, boolean skip) {
        RefState s = (RefState) state;
        double[] xs = new double[in];
        for (int i = 0; i < in; i++) {
            xs[i] = x[xOff + i];
        }
        ReferencePhasedLstm.Forward f = ReferencePhasedLstm.forward(params, xs, new double[] {t}, null, 1, 1,
                ReferencePhasedLstm.widen(s.h), ReferencePhasedLstm.widen(s.c), Mode.INFERENCE);
        int open = 0;
        for (int j = 0; j < hidden; j++) {
            s.h[j] = (float) f.hT[j];
            s.c[j] = (float) f.cT[j];
            if (f.k[j] > 0) {
                open++;
            }
        }
        s.updated = params.config.timeGate() && skip ? open : hidden;
    }

    private static final class RefState implements State {
        final float[] h;
        final float[] c;
        int updated;

        RefState(int hidden) {
            h = new float[hidden];
            c = new float[hidden];
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
        public int lastUpdatedUnits() {
            return updated;
        }
    }
}
