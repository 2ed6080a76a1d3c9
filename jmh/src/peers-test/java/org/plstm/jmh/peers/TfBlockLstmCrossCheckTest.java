package org.plstm.jmh.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.plstm.jmh.peers.CrossCheck.assertClose;
import static org.plstm.jmh.peers.CrossCheck.scale;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.plstm.jmh.peers.CrossCheck.Case;
import org.plstm.jmh.peers.TfBlockLstm.Variant;
import org.plstm.reference.ReferenceParams;
import org.plstm.reference.ReferencePhasedLstm;

/**
 * Our plain LSTM forward and backward (reference, double, time gate off) against TensorFlow's fused
 * {@code BlockLSTM}/{@code BlockLSTMGrad} (V1, gate order ICFO, forget_bias 0, no cell clip) and
 * {@code BlockLSTMV2}/{@code BlockLSTMGradV2} (IFCO), float32, with and without peepholes.
 *
 * <p>Forward tolerance as {@link OnnxLstmCrossCheckTest}. Backward: the loss is
 * {@code L = Σ_t <dh_t, h_t> + <dhT, h_T> + <dcT, c_T>} with random {@code dh, dhT, dcT} in {@code U(±1)}.
 * Gradients are sums of many bounded terms (input gradients over the later steps, parameter gradients over all
 * {@code B·T} steps), so an element can be a small difference of large terms; its float32 error scales with the
 * size of the terms, not of the result. Hence {@code atol = 1e-5·s, rtol = 1e-4} with {@code s} the tensor's
 * largest magnitude (at least 1). Measured: errors at most about {@code 5e-7·s} (jmh/PEERS.md), a margin of about
 * 20×.
 */
class TfBlockLstmCrossCheckTest {
    static final double ATOL = OnnxLstmCrossCheckTest.ATOL;
    static final double RTOL = OnnxLstmCrossCheckTest.RTOL;
    static final double GRAD_ATOL = 1e-5;
    static final double GRAD_RTOL = 1e-4;

    static Stream<Arguments> cases() {
        return CrossCheck.cases(2).flatMap(a -> Stream.of(Variant.values())
                .map(v -> Arguments.of(v, a.get()[0])));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void forwardMatchesReference(Variant variant, Case c) {
        ReferencePhasedLstm.Forward ref = c.reference(true);
        if (c.largeCell()) {
            // The point of this case: |c| far beyond V1's default cell_clip of 3, so any clipping would show.
            assertThat(java.util.Arrays.stream(ref.cT).map(Math::abs).max().orElseThrow()).isGreaterThan(10);
        }
        try (TfBlockLstm tf = new TfBlockLstm(c.w(), variant, 1)) {
            LstmResult r = tf.forward(c.x(), c.h0(), c.c0(), c.batch(), c.steps());
            assertClose("TF " + variant + " h", c, r.h(), ref.h, ATOL, RTOL);
            assertClose("TF " + variant + " hT", c, r.hT(), ref.hT, ATOL, RTOL);
            assertClose("TF " + variant + " cT", c, r.cT(), ref.cT, ATOL, RTOL);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void backwardMatchesReference(Variant variant, Case c) {
        ReferencePhasedLstm.Forward fwd = c.reference(true);
        ReferenceParams grads = new ReferenceParams(c.w().config());
        ReferencePhasedLstm.InputGradients in = c.referenceBackward(fwd, grads, true, true);
        try (TfBlockLstm tf = new TfBlockLstm(c.w(), variant, 1)) {
            LstmGradients g = tf.backward(c.x(), c.h0(), c.c0(), c.dh(), c.dhT(), c.dcT(), c.batch(), c.steps());
            String p = "TF " + variant + " ";
            check(p + "dx", c, g.dx(), in.dx());
            check(p + "dh0", c, g.dh0(), in.dh0());
            check(p + "dc0", c, g.dc0(), in.dc0());
            check(p + "dkernel", c, g.kernel(), grads.kernel);
            check(p + "drecurrentKernel", c, g.recurrentKernel(), grads.recurrentKernel);
            check(p + "dbias", c, g.bias(), grads.bias);
            if (grads.peephole != null) {
                check(p + "dpeephole", c, g.peephole(), grads.peephole);
            }
        }
    }

    private static void check(String what, Case c, float[] peer, double[] ref) {
        assertClose(what, c, peer, ref, GRAD_ATOL * scale(ref), GRAD_RTOL);
    }
}
