package org.plstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.plstm.reference.ReferenceDense;
import org.plstm.reference.ReferenceEngine;
import org.plstm.reference.ReferenceMeanSquaredError;
import org.plstm.reference.ReferenceParams;
import org.plstm.reference.ReferencePhasedLstm;
import org.plstm.reference.ReferenceSoftmaxCrossEntropy;

/** Every validation error names the argument, what was expected and what was found. */
class ValidationTest {
    private static final PhasedLstmConfig CFG = PhasedLstmConfig.builder(2, 3).build();

    private static PhasedLstmParams params() {
        return PhasedLstmParams.initialize(CFG, TimeGateInit.KERAS, 1);
    }

    private static SequenceBatch batch() {
        return SequenceBatch.of(2, 4, 2, new float[16], new double[8]);
    }

    @Test
    void denseParamsPrintTheirShapes() {
        assertThat(DenseParams.initialize(32, 10, 1)).hasToString("DenseParams[kernel[32, 10], bias[10]]");
    }

    @Test
    void configRejectsBadSizesAndLeak() {
        assertThatThrownBy(() -> PhasedLstmConfig.builder(0, 3).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("inputSize: expected >= 1, got 0");
        assertThatThrownBy(() -> PhasedLstmConfig.builder(2, -1).build())
                .hasMessage("hiddenSize: expected >= 1, got -1");
        assertThatThrownBy(() -> PhasedLstmConfig.builder(2, 3).leak(1.5).build())
                .hasMessage("leak: expected a value in [0, 1], got 1.5");
        assertThatThrownBy(() -> PhasedLstmConfig.builder(2, 3).leak(Double.NaN).build())
                .hasMessage("leak: expected a value in [0, 1], got NaN");
        assertThatThrownBy(() -> PhasedLstmConfig.builder(2, 3).gateActivation(null).build())
                .hasMessage("gateActivation: expected a value, got null");
        assertThatThrownBy(() -> GateActivation.fromKerasName("relu"))
                .hasMessage("gateActivation: expected sigmoid or hard_sigmoid, got relu");
    }

    @Test
    void batchRejectsWrongShapes() {
        assertThatThrownBy(() -> SequenceBatch.of(2, 4, 2, new float[15], new double[8]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("x: expected length 16 [B=2][T=4][I=2], got 15");
        assertThatThrownBy(() -> SequenceBatch.of(2, 4, 2, new float[16], new double[7]))
                .hasMessage("time: expected length 8 [B=2][T=4], got 7");
        assertThatThrownBy(() -> SequenceBatch.of(2, 4, 2, null, new double[8]))
                .hasMessage("x: expected a float array of [B=2][T=4][I=2] = 16 elements, got null");
        assertThatThrownBy(() -> SequenceBatch.of(0, 4, 2, new float[0], new double[0]))
                .hasMessage("batch: expected >= 1, got 0");
    }

    @Test
    void batchRejectsNonFiniteValues() {
        float[] x = new float[16];
        x[5] = Float.NaN;
        assertThatThrownBy(() -> SequenceBatch.of(2, 4, 2, x, new double[8]))
                .hasMessage("x: expected finite values, got NaN at flat index 5");
        double[] time = new double[8];
        time[3] = Double.POSITIVE_INFINITY;
        assertThatThrownBy(() -> SequenceBatch.of(2, 4, 2, new float[16], time))
                .hasMessage("time: expected finite values, got Infinity at flat index 3");
        time[3] = Double.NaN;
        assertThatThrownBy(() -> SequenceBatch.of(2, 4, 2, new float[16], time))
                .hasMessage("time: expected finite values, got NaN at flat index 3");
    }

    @Test
    void batchRejectsLengthsOutOfRange() {
        assertThatThrownBy(() -> new SequenceBatch(2, 4, 2, new float[16], new double[8], new int[] {5, 1}))
                .hasMessage("lengths: expected values in [0, T=4], got 5 at sample 0");
        assertThatThrownBy(() -> new SequenceBatch(2, 4, 2, new float[16], new double[8], new int[] {1, -1}))
                .hasMessage("lengths: expected values in [0, T=4], got -1 at sample 1");
        assertThatThrownBy(() -> new SequenceBatch(2, 4, 2, new float[16], new double[8], new int[] {1}))
                .hasMessage("lengths: expected length 2 [B=2], got 1");
    }

    @Test
    void forwardRejectsBadParameters() {
        PhasedLstmParams p = params();
        p.period()[1] = 0f;
        assertThatThrownBy(() -> ReferencePhasedLstm.forward(p, batch(), null, null, Mode.TRAINING))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("params.period: expected > 0, got 0.0 at unit 1");
        p.period()[1] = -3f;
        assertThatThrownBy(() -> ReferencePhasedLstm.forward(p, batch(), null, null, Mode.TRAINING))
                .hasMessage("params.period: expected > 0, got -3.0 at unit 1");
        PhasedLstmParams q = params();
        q.ratioOn()[2] = 0f;
        assertThatThrownBy(() -> ReferencePhasedLstm.forward(q, batch(), null, null, Mode.TRAINING))
                .hasMessage("params.ratioOn: expected a value in (0, 1], got 0.0 at unit 2");
        q.ratioOn()[2] = 1.5f;
        assertThatThrownBy(() -> ReferencePhasedLstm.forward(q, batch(), null, null, Mode.TRAINING))
                .hasMessage("params.ratioOn: expected a value in (0, 1], got 1.5 at unit 2");
        PhasedLstmParams r = params();
        r.kernel()[4] = Float.NaN;
        assertThatThrownBy(() -> ReferencePhasedLstm.forward(r, batch(), null, null, Mode.TRAINING))
                .hasMessage("params.kernel: expected finite values, got NaN at flat index 4");
        PhasedLstmParams s = params();
        s.shift()[0] = Float.NEGATIVE_INFINITY;
        assertThatThrownBy(() -> ReferencePhasedLstm.forward(s, batch(), null, null, Mode.TRAINING))
                .hasMessage("params.shift: expected finite values, got -Infinity at flat index 0");
    }

    @Test
    void forwardRejectsBadInitialStateAndInputWidth() {
        assertThatThrownBy(() -> ReferencePhasedLstm.forward(params(), batch(), new float[5], null, Mode.TRAINING))
                .hasMessage("h0: expected length 6 [B=2][H=3], got 5");
        float[] c0 = new float[6];
        c0[2] = Float.NaN;
        assertThatThrownBy(() -> ReferencePhasedLstm.forward(params(), batch(), null, c0, Mode.TRAINING))
                .hasMessage("c0: expected finite values, got NaN at flat index 2");
        SequenceBatch wide = SequenceBatch.of(2, 4, 3, new float[24], new double[8]);
        assertThatThrownBy(() -> ReferencePhasedLstm.forward(params(), wide, null, null, Mode.TRAINING))
                .hasMessage("x: expected length 16 [B=2][T=4][I=2], got 24");
        assertThatThrownBy(() -> ReferencePhasedLstm.forward(params(), batch(), null, null, null))
                .hasMessage("mode: expected a value, got null");
    }

    @Test
    void backwardRejectsBadOutputGradients() {
        ReferencePhasedLstm.Forward f = ReferencePhasedLstm.forward(params(), batch(), null, null, Mode.TRAINING);
        var grads = new org.plstm.reference.ReferenceParams(CFG);
        assertThatThrownBy(() -> ReferencePhasedLstm.backward(grads, f, new double[23], null, null))
                .hasMessage("dh: expected length 24 [B=2][T=4][H=3], got 23");
        double[] dhT = new double[6];
        dhT[1] = Double.NaN;
        assertThatThrownBy(() -> ReferencePhasedLstm.backward(grads, f, null, dhT, null))
                .hasMessage("dhT: expected finite values, got NaN at flat index 1");
        var other = new org.plstm.reference.ReferenceParams(PhasedLstmConfig.builder(2, 4).build());
        assertThatThrownBy(() -> ReferencePhasedLstm.backward(other, f, null, null, null))
                .hasMessageStartingWith("grads: expected configuration PhasedLstmConfig[inputSize=2, hiddenSize=3");
    }

    @Test
    void denseAndLossRejectBadInput() {
        assertThatThrownBy(() -> ReferenceDense.forward(new double[6], new double[5], new double[9], new double[3],
                2, 3, 3)).hasMessage("in: expected length 6 [B=2][H=3], got 5");
        assertThatThrownBy(() -> ReferenceSoftmaxCrossEntropy.forwardBackward(null, null, new double[6],
                new int[] {0, 3}, 2, 3)).hasMessage("labels: expected values in [0, C=3), got 3 at sample 1");
        double[] logits = new double[6];
        logits[4] = Double.POSITIVE_INFINITY;
        assertThatThrownBy(() -> ReferenceSoftmaxCrossEntropy.forwardBackward(null, null, logits, new int[] {0, 1},
                2, 3)).hasMessage("logits: expected finite values, got Infinity at flat index 4");
    }

    @Test
    void backwardRejectsInputOrParamsChangedSinceForward() {
        try (Engine e = new ReferenceEngine()) {
            LayerWorkspace ws = e.newWorkspace(CFG, 2, 4);
            float[] x = new float[16];
            double[] time = {0, 1, 2, 3, 0, 1, 2, 3};
            SequenceBatch in = SequenceBatch.of(2, 4, 2, x, time);
            PhasedLstmParams p = params();
            PhasedLstmParams grads = new PhasedLstmParams(CFG);
            String tail = ": expected the values the forward pass on this workspace read (backward differentiates "
                    + "that pass; change them after backward), got values changed since";
            e.forward(ws, p, in, null, null, Mode.TRAINING);
            e.backward(ws, grads, null, new float[6], null); // unchanged: accepted, and again
            e.backward(ws, grads, null, new float[6], null);
            x[5] = 0.5f;
            assertThatThrownBy(() -> e.backward(ws, grads, null, new float[6], null)).hasMessage("input.x" + tail);
            x[5] = 0f;
            x[0] = -0.0f; // a different bit pattern is a different value
            assertThatThrownBy(() -> e.backward(ws, grads, null, new float[6], null)).hasMessage("input.x" + tail);
            x[0] = 0f;
            time[1] = 1.25;
            assertThatThrownBy(() -> e.backward(ws, grads, null, new float[6], null))
                    .hasMessage("input.time" + tail);
            time[1] = 1;
            p.period()[0] = -1f;
            assertThatThrownBy(() -> e.backward(ws, grads, null, new float[6], null)).hasMessage("params" + tail);
            p.period()[0] = params().period()[0];
            e.backward(ws, grads, null, new float[6], null); // restored: accepted again
        }
    }

    @Test
    void engineRejectsMismatchedWorkspaceAndMissingForward() {
        try (Engine e = new ReferenceEngine()) {
            LayerWorkspace ws = e.newWorkspace(CFG, 2, 4);
            SequenceBatch wrongSteps = SequenceBatch.of(2, 5, 2, new float[20], new double[10]);
            assertThatThrownBy(() -> e.forward(ws, params(), wrongSteps, null, null, Mode.TRAINING))
                    .hasMessage("input: expected [B=2][T=4][I=2], got [B=2][T=5][I=2]");
            assertThatThrownBy(() -> e.backward(ws, new PhasedLstmParams(CFG), null, null, null))
                    .hasMessage("ws: expected a workspace after a successful forward pass, got one without");
            PhasedLstmParams bad = params();
            bad.period()[0] = -1f;
            assertThatThrownBy(() -> e.forward(ws, bad, batch(), null, null, Mode.TRAINING))
                    .hasMessage("params.period: expected > 0, got -1.0 at unit 0");
            assertThatThrownBy(() -> e.forward(null, params(), batch(), null, null, Mode.TRAINING))
                    .hasMessage("ws: expected a workspace made by the reference engine, got null");
        }
    }

    @Test
    void aBatchChangedAfterConstructionIsCheckedAgainByTheEngine() {
        // SequenceBatch does not copy its arrays (the trainer refills them): the engine re-checks them.
        float[] x = new float[16];
        double[] time = new double[8];
        int[] lengths = {4, 4};
        SequenceBatch b = new SequenceBatch(2, 4, 2, x, time, lengths);
        try (Engine e = new ReferenceEngine()) {
            LayerWorkspace ws = e.newWorkspace(CFG, 2, 4);
            x[9] = Float.POSITIVE_INFINITY;
            assertThatThrownBy(() -> e.forward(ws, params(), b, null, null, Mode.INFERENCE))
                    .hasMessage("x: expected finite values, got Infinity at flat index 9");
            x[9] = 0f;
            time[2] = Double.NaN;
            assertThatThrownBy(() -> e.forward(ws, params(), b, null, null, Mode.INFERENCE))
                    .hasMessage("time: expected finite values, got NaN at flat index 2");
            time[2] = 0;
            lengths[1] = 7;
            assertThatThrownBy(() -> e.forward(ws, params(), b, null, null, Mode.INFERENCE))
                    .hasMessage("lengths: expected values in [0, T=4], got 7 at sample 1");
            lengths[1] = 4;
            e.forward(ws, params(), b, null, null, Mode.INFERENCE); // valid again
        }
    }

    @Test
    void sizesWhoseArraysWouldNotFitAreRejectedByName() {
        assertThatThrownBy(() -> SequenceBatch.of(65536, 65536, 2, new float[0], new double[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("x: expected at most 2147483647 elements, got 65536·65536·2");
        assertThatThrownBy(() -> PhasedLstmConfig.builder(2, Integer.MAX_VALUE).build())
                .hasMessage("hiddenSize (recurrentKernel [H][4H], padded): expected at most 2147483647 elements, "
                        + "got 2147483663·4·2147483663");
        assertThatThrownBy(() -> PhasedLstmConfig.builder(100_000, 10_000).build())
                .hasMessage("inputSize (kernel [I][4H], padded): expected at most 2147483647 elements, "
                        + "got 100000·4·10016");
        // each matrix fits on its own, the SIMD engine's packed [I+H][4H] does not (it was an ArithmeticException
        // from Math.toIntExact in PackedLayer)
        assertThatThrownBy(() -> PhasedLstmConfig.builder(20_000, 20_000).build())
                .hasMessage("inputSize + hiddenSize (packed weights [I+H][4H], padded): expected at most 2147483647 "
                        + "elements, got 40016·4·20016");
        PhasedLstmConfig.builder(13_000, 13_000).build(); // 26,016·4·13,016 = 1.35e9: fits
        assertThatThrownBy(() -> new DenseParams(100_000, 100_000))
                .hasMessage("outputSize (kernel [H][C]): expected at most 2147483647 elements, got 100000·100000·1");
        try (Engine e = new ReferenceEngine()) {
            assertThatThrownBy(() -> e.newWorkspace(CFG, 100_000, 100_000))
                    .hasMessage("h: expected at most 2147483647 elements, got 100000·100000·3");
        }
    }

    @Test
    void aSampleLengthIsAskedOfAnExistingSample() {
        SequenceBatch all = batch(); // B = 2, T = 4, no lengths
        SequenceBatch some = new SequenceBatch(2, 4, 2, new float[16], new double[8], new int[] {3, 0});
        assertThat(all.length(1)).isEqualTo(4);
        assertThat(some.length(0)).isEqualTo(3);
        assertThat(some.length(1)).isZero();
        // Without lengths any index gave T; with them an index error from the array.
        assertThatThrownBy(() -> all.length(2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("b: expected a sample index in [0, 2), got 2");
        assertThatThrownBy(() -> all.length(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("b: expected a sample index in [0, 2), got -1");
        assertThatThrownBy(() -> some.length(2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("b: expected a sample index in [0, 2), got 2");
    }

    @Test
    void theReferenceForwardRefusesASequenceTooLongForItsArrays() {
        // B·T·H = 1·2^22·512 = 2^31: the int product wrapped to a negative array size inside the pass.
        int steps = 1 << 22;
        ReferenceParams p = ReferenceParams.of(PhasedLstmParams.initialize(PhasedLstmConfig.builder(1, 512).build(),
                TimeGateInit.KERAS, 1));
        double[] x = new double[steps];
        double[] time = new double[steps];
        assertThatThrownBy(() -> ReferencePhasedLstm.forward(p, x, time, null, 1, steps, null, null, Mode.INFERENCE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("h: expected at most 2147483647 elements, got 1·4194304·512");
    }

    @Test
    void theReferenceStaticsRefuseAnOutputThatIsAlsoAnInputAsTheEngineDoes() {
        // B = 1, H = C = 2, every weight 1: out = in gave [2, 3] instead of [2, 2] (in[0] read after out[0] was
        // written).
        double[] in = {1, 1};
        double[] kernel = {1, 1, 1, 1};
        double[] bias = {0, 0};
        assertThatThrownBy(() -> ReferenceDense.forward(in, in, kernel, bias, 1, 2, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("out: expected an array of its own, got the same array as in (the call writes out while it "
                        + "reads in)");
        assertThat(in).containsExactly(1, 1);
        assertThatThrownBy(() -> ReferenceDense.backward(in, new double[4], new double[2], in, new double[2], kernel,
                1, 2, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dIn: expected an array of its own, got the same array as dOut (the call writes dIn while "
                        + "it reads dOut)");
        assertThatThrownBy(() -> ReferenceDense.backward(new double[2], kernel, new double[2], new double[2], in,
                kernel, 1, 2, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dKernel: expected an array of its own, got the same array as kernel (the call writes "
                        + "dKernel while it reads kernel)");
        double[] logits = {0.5, -0.5};
        double[] out = new double[2];
        assertThatThrownBy(() -> ReferenceSoftmaxCrossEntropy.forwardBackward(out, out, logits, new int[] {0}, 1, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("probs: expected an array of its own, got the same array as dLogits (the call writes probs "
                        + "while it reads dLogits)");
        double[] pred = {1, 2};
        assertThatThrownBy(() -> ReferenceMeanSquaredError.forwardBackward(pred, pred, new double[2], 1, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dPred: expected an array of its own, got the same array as pred (the call writes dPred "
                        + "while it reads pred)");
    }
}
