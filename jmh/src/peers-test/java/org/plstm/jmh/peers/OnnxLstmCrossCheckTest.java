package org.plstm.jmh.peers;

import static org.plstm.jmh.peers.CrossCheck.assertClose;

import ai.onnxruntime.OrtException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.plstm.jmh.peers.CrossCheck.Case;
import org.plstm.reference.ReferencePhasedLstm;

/**
 * Our plain LSTM forward (reference, double, time gate off) against ONNX Runtime's {@code LSTM} operator
 * (float32), with and without peepholes, from a random initial state and from zeros.
 *
 * <p>Tolerance {@code atol = 3e-6, rtol = 3e-5}. Every value the layer produces is bounded ({@code |h| < 1};
 * {@code |c|} grows by at most 1 per step), float32 rounds each step's dot products and activations to about
 * {@code 1e-7} relative, and the recurrence carries earlier errors forward damped by {@code f < 1} and the gates'
 * slopes {@code <= 1/4}, so errors stay near {@code 1e-7} even over 300 steps (ONNX Runtime's MLAS also evaluates
 * sigmoid and tanh with its own polynomial approximations, a few ulp). Measured (jmh/PEERS.md): at most
 * {@code 2.7e-7} on {@code h}, and {@code 8e-6} on {@code c ≈ 30} in the large-cell case (relative {@code 3e-7},
 * under the {@code rtol} term). The bound keeps a margin of about 10× over that, and is still tight enough to
 * catch a single recurrent weight off by {@code 1e-3} ({@link ToleranceSensitivityTest}); a wrong gate order or
 * peephole shows up at {@code 1e-2} or more.
 */
class OnnxLstmCrossCheckTest {
    static final double ATOL = 3e-6;
    static final double RTOL = 3e-5;

    static Stream<Arguments> cases() {
        return CrossCheck.cases(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardFromGivenStateMatchesReference(Case c) throws OrtException {
        ReferencePhasedLstm.Forward ref = c.reference(true);
        try (OnnxLstm onnx = new OnnxLstm(c.w(), 1)) {
            LstmResult r = onnx.forward(c.x(), c.h0(), c.c0(), c.batch(), c.steps());
            assertClose("ONNX h", c, r.h(), ref.h, ATOL, RTOL);
            assertClose("ONNX hT", c, r.hT(), ref.hT, ATOL, RTOL);
            assertClose("ONNX cT", c, r.cT(), ref.cT, ATOL, RTOL);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardFromZeroStateWithTwoThreadsMatchesReference(Case c) throws OrtException {
        ReferencePhasedLstm.Forward ref = c.reference(false);
        try (OnnxLstm onnx = new OnnxLstm(c.w(), 2)) {
            LstmResult r = onnx.forward(c.x(), null, null, c.batch(), c.steps());
            assertClose("ONNX h (zero state)", c, r.h(), ref.h, ATOL, RTOL);
            assertClose("ONNX hT (zero state)", c, r.hT(), ref.hT, ATOL, RTOL);
            assertClose("ONNX cT (zero state)", c, r.cT(), ref.cT, ATOL, RTOL);
        }
    }
}
