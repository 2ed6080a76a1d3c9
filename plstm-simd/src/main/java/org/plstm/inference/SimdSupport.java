package org.plstm.inference;

import org.plstm.PhasedLstmParams;
import org.plstm.simd.StreamLayer;

/**
 * The only class of this package that touches the Vector API. It is loaded (and with it the SIMD kernels) only
 * after {@link org.plstm.engine.Engines#vectorApiAvailable()} said yes, so the package works without the module.
 */
final class SimdSupport {
    private SimdSupport() {
    }

    /** @return the packed layer, typed as Object so callers need not load StreamLayer */
    static Object pack(PhasedLstmParams p) {
        return new StreamLayer(p);
    }

    static LayerStepper stepper(Object packed) {
        StreamLayer layer = (StreamLayer) packed;
        StreamLayer.State s = new StreamLayer.State(layer);
        return new LayerStepper() {
            @Override
            public void step(float[] x, int xOff, double t, boolean skip) {
                if (skip) {
                    layer.stepSkipping(s, x, xOff, t);
                } else {
                    layer.stepDense(s, x, xOff, t);
                }
            }

            @Override
            public float[] h() {
                return s.h();
            }

            @Override
            public float[] c() {
                return s.c();
            }

            @Override
            public int lastUpdated() {
                return s.lastOpenUnits();
            }
        };
    }
}
