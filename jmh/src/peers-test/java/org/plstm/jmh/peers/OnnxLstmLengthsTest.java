package org.plstm.jmh.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.plstm.jmh.peers.CrossCheck.assertClose;

import ai.onnxruntime.OrtException;
import org.junit.jupiter.api.Test;
import org.plstm.Mode;
import org.plstm.jmh.peers.CrossCheck.Case;
import org.plstm.reference.ReferencePhasedLstm;

/**
 * Per-sample lengths: ONNX {@code sequence_lens} against our {@code lengths}. The two conventions differ past a
 * sample's end: ours repeats the last state (the identity step), ONNX Runtime writes zeros to {@code Y}. Both
 * return the state after the last valid step as the final state, except for an empty sequence (length 0): ours
 * returns the initial state (Keras' masking convention: a fully masked sequence keeps its initial state), ONNX
 * Runtime returns zeros. The ONNX operator spec does not say what {@code Y_h}/{@code Y_c} are for a zero length;
 * we keep ours and record ONNX Runtime's choice here. Tolerances as {@link OnnxLstmCrossCheckTest}.
 */
class OnnxLstmLengthsTest {
    @Test
    void lengthsAgreeOnValidStepsAndFinalStateAndOnnxZeroesThePadding() throws OrtException {
        int batch = 4;
        int steps = 9;
        int hs = 7;
        Case c = Case.random(CrossCheck.SEED + 77, batch, steps, 3, hs, true, false);
        int[] lengths = {9, 1, 5, 8};
        ReferencePhasedLstm.Forward ref = ReferencePhasedLstm.forward(c.w().toReference(),
                ReferencePhasedLstm.widen(c.x()), new double[batch * steps], lengths, batch, steps,
                ReferencePhasedLstm.widen(c.h0()), ReferencePhasedLstm.widen(c.c0()), Mode.INFERENCE);
        try (OnnxLstm onnx = new OnnxLstm(c.w(), 1, true)) {
            LstmResult r = onnx.forward(c.x(), c.h0(), c.c0(), lengths, batch, steps);
            assertClose("ONNX hT (lengths)", c, r.hT(), ref.hT, OnnxLstmCrossCheckTest.ATOL,
                    OnnxLstmCrossCheckTest.RTOL);
            assertClose("ONNX cT (lengths)", c, r.cT(), ref.cT, OnnxLstmCrossCheckTest.ATOL,
                    OnnxLstmCrossCheckTest.RTOL);
            // h: equal on valid steps; ONNX pads with zeros where we repeat the last state.
            float[] expectedOnnx = new float[ref.h.length];
            double[] refMasked = new double[ref.h.length];
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < lengths[b]; t++) {
                    for (int j = 0; j < hs; j++) {
                        int n = (b * steps + t) * hs + j;
                        refMasked[n] = ref.h[n];
                        expectedOnnx[n] = r.h()[n];
                    }
                }
            }
            assertClose("ONNX h valid steps (lengths)", c, expectedOnnx, refMasked, OnnxLstmCrossCheckTest.ATOL,
                    OnnxLstmCrossCheckTest.RTOL);
            for (int b = 0; b < batch; b++) {
                for (int t = lengths[b]; t < steps; t++) {
                    for (int j = 0; j < hs; j++) {
                        assertThat(r.h()[(b * steps + t) * hs + j]).as("ONNX h past the length, b=%d t=%d", b, t)
                                .isZero();
                    }
                }
            }
        }
    }

    @Test
    void zeroLengthGivesTheInitialStateInOursAndZerosInOnnxRuntime() throws OrtException {
        int batch = 2;
        int steps = 4;
        int hs = 5;
        Case c = Case.random(CrossCheck.SEED + 78, batch, steps, 2, hs, false, false);
        int[] lengths = {4, 0};
        ReferencePhasedLstm.Forward ref = ReferencePhasedLstm.forward(c.w().toReference(),
                ReferencePhasedLstm.widen(c.x()), new double[batch * steps], lengths, batch, steps,
                ReferencePhasedLstm.widen(c.h0()), ReferencePhasedLstm.widen(c.c0()), Mode.INFERENCE);
        try (OnnxLstm onnx = new OnnxLstm(c.w(), 1, true)) {
            LstmResult r = onnx.forward(c.x(), c.h0(), c.c0(), lengths, batch, steps);
            for (int j = 0; j < hs; j++) {
                // Sample 0 (full length) agrees as usual; sample 1 (empty): ours keeps h0, c0 ...
                assertThat(ref.hT[hs + j]).isEqualTo((double) c.h0()[hs + j]);
                assertThat(ref.cT[hs + j]).isEqualTo((double) c.c0()[hs + j]);
                // ... and ONNX Runtime 1.22 returns zeros.
                assertThat(r.hT()[hs + j]).as("ONNX Runtime Y_h of an empty sequence").isZero();
                assertThat(r.cT()[hs + j]).as("ONNX Runtime Y_c of an empty sequence").isZero();
                assertThat(Math.abs(r.hT()[j] - ref.hT[j])).isLessThanOrEqualTo(
                        OnnxLstmCrossCheckTest.ATOL + OnnxLstmCrossCheckTest.RTOL * Math.abs(ref.hT[j]));
            }
        }
    }
}
