package org.plstm.jmh.peers;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.plstm.jmh.peers.CrossCheck.Case;
import org.plstm.reference.ReferencePhasedLstm;

/**
 * Negative controls for the cross-checks, on our reference alone: the tolerances are loose enough for float32
 * but far too tight to let a layout mistake or a small weight error through.
 */
class ToleranceSensitivityTest {
    @Test
    void swappedGateBlocksMissTheToleranceByFar() {
        Case c = Case.random(CrossCheck.SEED + 99, 2, 20, 1, 32, true, false);
        // Read our weights as if they were in ONNX's order (i, o, f, c): a layout bug an adapter could have.
        LstmWeights wrong = new LstmWeights(c.w().inputSize(), c.w().hiddenSize(),
                GateOrder.IOFG.fromOurs(c.w().kernel(), c.w().inputSize(), c.w().hiddenSize()),
                GateOrder.IOFG.fromOurs(c.w().recurrentKernel(), c.w().hiddenSize(), c.w().hiddenSize()),
                GateOrder.IOFG.fromOurs(c.w().bias(), 1, c.w().hiddenSize()), c.w().peephole());
        double diff = maxDiff(c, c.w(), wrong);
        assertThat(diff).as("effect of a gate-order mistake").isGreaterThan(1000 * OnnxLstmCrossCheckTest.ATOL);
    }

    @Test
    void oneRecurrentWeightOffByOneThousandthIsCaught() {
        Case c = Case.random(CrossCheck.SEED + 98, 2, 20, 1, 32, false, false);
        float[] rk = c.w().recurrentKernel().clone();
        rk[5 * 4 * 32 + 40] += 1e-3f;
        LstmWeights nudged = new LstmWeights(c.w().inputSize(), c.w().hiddenSize(), c.w().kernel(), rk,
                c.w().bias(), null);
        double diff = maxDiff(c, c.w(), nudged);
        assertThat(diff).as("effect of a 1e-3 error in one weight").isGreaterThan(3 * OnnxLstmCrossCheckTest.ATOL);
    }

    private static double maxDiff(Case c, LstmWeights a, LstmWeights b) {
        double[] ha = forward(c, a);
        double[] hb = forward(c, b);
        double m = 0;
        for (int n = 0; n < ha.length; n++) {
            m = Math.max(m, Math.abs(ha[n] - hb[n]));
        }
        return m;
    }

    private static double[] forward(Case c, LstmWeights w) {
        return ReferencePhasedLstm.forward(w.toReference(), ReferencePhasedLstm.widen(c.x()),
                new double[c.batch() * c.steps()], null, c.batch(), c.steps(), ReferencePhasedLstm.widen(c.h0()),
                ReferencePhasedLstm.widen(c.c0()), org.plstm.Mode.INFERENCE).h;
    }
}
