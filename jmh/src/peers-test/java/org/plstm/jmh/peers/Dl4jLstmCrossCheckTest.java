package org.plstm.jmh.peers;

import static org.plstm.jmh.peers.CrossCheck.assertClose;
import static org.plstm.jmh.peers.CrossCheck.scale;

import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.plstm.jmh.peers.CrossCheck.Case;
import org.plstm.reference.ReferenceParams;
import org.plstm.reference.ReferencePhasedLstm;

/**
 * Our plain LSTM forward and backward (reference, double, time gate off) against Deeplearning4j's
 * {@code LSTM} layer (without peepholes) and {@code GravesLSTM} (with peepholes), float32. Backward from zero
 * initial state with a gradient per output step (DL4J's layer API has neither initial-state inputs for
 * backprop nor a final-cell-state gradient). Tolerances as {@link TfBlockLstmCrossCheckTest}.
 */
class Dl4jLstmCrossCheckTest {
    @BeforeAll
    static void singleThread() {
        Dl4jLstm.setThreads(1);
    }

    static Stream<Arguments> cases() {
        return CrossCheck.cases(3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardFromGivenStateMatchesReference(Case c) {
        ReferencePhasedLstm.Forward ref = c.reference(true);
        LstmResult r = new Dl4jLstm(c.w()).forward(c.x(), c.h0(), c.c0(), c.batch(), c.steps());
        assertClose("DL4J h", c, r.h(), ref.h, TfBlockLstmCrossCheckTest.ATOL, TfBlockLstmCrossCheckTest.RTOL);
        assertClose("DL4J hT", c, r.hT(), ref.hT, TfBlockLstmCrossCheckTest.ATOL, TfBlockLstmCrossCheckTest.RTOL);
        assertClose("DL4J cT", c, r.cT(), ref.cT, TfBlockLstmCrossCheckTest.ATOL, TfBlockLstmCrossCheckTest.RTOL);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void outputFromZeroStateMatchesReference(Case c) {
        ReferencePhasedLstm.Forward ref = c.reference(false);
        float[] h = new Dl4jLstm(c.w()).output(c.x(), c.batch(), c.steps());
        assertClose("DL4J output", c, h, ref.h, TfBlockLstmCrossCheckTest.ATOL, TfBlockLstmCrossCheckTest.RTOL);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void backwardFromZeroStateMatchesReference(Case c) {
        ReferencePhasedLstm.Forward fwd = c.reference(false);
        ReferenceParams grads = new ReferenceParams(c.w().config());
        ReferencePhasedLstm.InputGradients in = c.referenceBackward(fwd, grads, false, false);
        LstmGradients g = new Dl4jLstm(c.w()).backward(c.x(), c.dh(), c.batch(), c.steps());
        check("DL4J dx", c, g.dx(), in.dx());
        check("DL4J dkernel", c, g.kernel(), grads.kernel);
        check("DL4J drecurrentKernel", c, g.recurrentKernel(), grads.recurrentKernel);
        check("DL4J dbias", c, g.bias(), grads.bias);
        if (grads.peephole != null) {
            check("DL4J dpeephole", c, g.peephole(), grads.peephole);
        }
    }

    private static void check(String what, Case c, float[] peer, double[] ref) {
        assertClose(what, c, peer, ref, TfBlockLstmCrossCheckTest.GRAD_ATOL * scale(ref),
                TfBlockLstmCrossCheckTest.GRAD_RTOL);
    }
}
