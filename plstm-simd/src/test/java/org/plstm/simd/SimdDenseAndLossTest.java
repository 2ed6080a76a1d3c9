package org.plstm.simd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.plstm.DenseParams;
import org.plstm.LayerWorkspace;
import org.plstm.Mode;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.SequenceBatch;
import org.plstm.TimeGateInit;
import org.plstm.reference.ReferenceDense;
import org.plstm.reference.ReferenceEngine;
import org.plstm.reference.ReferencePhasedLstm;
import org.plstm.reference.ReferenceSoftmaxCrossEntropy;

/** The SIMD engine's dense layer and softmax cross-entropy against the reference, and its argument checks. */
class SimdDenseAndLossTest {

    @Test
    void denseAndSoftmaxMatchReference() {
        long seed = 31;
        SplittableRandom rng = new SplittableRandom(seed);
        int b = 7;
        int h = 2 * SimdEngine.floatLanes() + 3;
        int c = 10;
        DenseParams p = DenseParams.initialize(h, c, seed);
        float[] in = new float[b * h];
        for (int n = 0; n < in.length; n++) {
            in[n] = (float) rng.nextGaussian();
        }
        int[] labels = new int[b];
        for (int n = 0; n < b; n++) {
            labels[n] = rng.nextInt(c);
        }
        double[] refOut = new double[b * c];
        ReferenceDense.forward(refOut, ReferencePhasedLstm.widen(in), ReferencePhasedLstm.widen(p.kernel()),
                ReferencePhasedLstm.widen(p.bias()), b, h, c);
        double[] refProbs = new double[b * c];
        double[] refDLogits = new double[b * c];
        double refLoss = ReferenceSoftmaxCrossEntropy.forwardBackward(refProbs, refDLogits, refOut, labels, b, c);
        double[] refDIn = new double[b * h];
        double[] refDK = new double[h * c];
        double[] refDB = new double[c];
        ReferenceDense.backward(refDIn, refDK, refDB, refDLogits, ReferencePhasedLstm.widen(in),
                ReferencePhasedLstm.widen(p.kernel()), b, h, c);

        try (SimdEngine e = new SimdEngine(2)) {
            float[] out = new float[b * c];
            e.denseForward(out, in, p, b);
            float[] probs = new float[b * c];
            float[] dLogits = new float[b * c];
            double loss = e.softmaxCrossEntropy(probs, dLogits, out, labels, b, c);
            float[] dIn = new float[b * h];
            DenseParams g = new DenseParams(h, c);
            e.denseBackward(dIn, g, dLogits, in, p, b);
            // Sums of at most H = 35 float32 products of O(1) values: |error| <= 35·2^-24·O(1) < 1e-5.
            for (int n = 0; n < out.length; n++) {
                assertThat((double) out[n]).as("logits[%d] seed %d", n, seed).isCloseTo(refOut[n], within(1e-5));
                assertThat((double) probs[n]).as("probs[%d]", n).isCloseTo(refProbs[n], within(1e-6));
                assertThat((double) dLogits[n]).as("dLogits[%d]", n).isCloseTo(refDLogits[n], within(1e-6));
            }
            assertThat(loss).isCloseTo(refLoss, within(1e-5));
            for (int n = 0; n < dIn.length; n++) {
                assertThat((double) dIn[n]).as("dIn[%d]", n).isCloseTo(refDIn[n], within(1e-6));
            }
            for (int n = 0; n < refDK.length; n++) {
                assertThat((double) g.kernel()[n]).as("dKernel[%d]", n).isCloseTo(refDK[n], within(1e-6));
            }
            for (int n = 0; n < c; n++) {
                assertThat((double) g.bias()[n]).as("dBias[%d]", n).isCloseTo(refDB[n], within(1e-6));
            }
        }
    }

    @Test
    void rejectsForeignAndMismatchedArguments() {
        PhasedLstmConfig cfg = PhasedLstmConfig.builder(2, 3).build();
        PhasedLstmParams p = PhasedLstmParams.initialize(cfg, TimeGateInit.KERAS, 1);
        SequenceBatch in = SequenceBatch.of(2, 4, 2, new float[16], new double[8]);
        try (SimdEngine e = new SimdEngine(1); SimdEngine other = new SimdEngine(2);
             SimdEngine same = new SimdEngine(1)) {
            // A workspace holds buffers sized for a thread count; any SIMD engine of that count may use it.
            e.forward(same.newWorkspace(cfg, 2, 4), p, in, null, null, Mode.TRAINING);
            LayerWorkspace foreign = other.newWorkspace(cfg, 2, 4);
            assertThatThrownBy(() -> e.forward(foreign, p, in, null, null, Mode.TRAINING))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("ws: expected a workspace made by a SIMD engine of 1 thread, got one of 2 threads");
            LayerWorkspace ref = new ReferenceEngine().newWorkspace(cfg, 2, 4);
            assertThatThrownBy(() -> e.forward(ref, p, in, null, null, Mode.TRAINING))
                    .hasMessage("ws: expected a workspace made by a SIMD engine of 1 thread, got "
                            + "org.plstm.reference.ReferenceEngine$Workspace");
            LayerWorkspace ws = e.newWorkspace(cfg, 2, 4);
            PhasedLstmParams wrong = PhasedLstmParams.initialize(PhasedLstmConfig.builder(2, 4).build(),
                    TimeGateInit.KERAS, 1);
            assertThatThrownBy(() -> e.forward(ws, wrong, in, null, null, Mode.TRAINING))
                    .hasMessageStartingWith("params: expected configuration PhasedLstmConfig[inputSize=2, hiddenSize=3");
            e.forward(ws, p, in, null, null, Mode.TRAINING);
            assertThatThrownBy(() -> e.backward(ws, new PhasedLstmParams(cfg), new float[23], null, null))
                    .hasMessage("dh: expected length 24 [B=2][T=4][H=3], got 23");
            float[] dcT = new float[6];
            dcT[5] = Float.POSITIVE_INFINITY;
            assertThatThrownBy(() -> e.backward(ws, new PhasedLstmParams(cfg), null, null, dcT))
                    .hasMessage("dcT: expected finite values, got Infinity at flat index 5");
            assertThatThrownBy(() -> e.denseForward(new float[3], new float[6], new DenseParams(3, 2), 2))
                    .hasMessage("out: expected length 4 [B=2][C=2], got 3");
            assertThatThrownBy(() -> new SimdEngine(0)).hasMessage("threads: expected an integer in [1, 1024], got 0");
        }
    }

    @Test
    void anOutputThatIsAlsoAnInputIsRefusedByBothEngines() {
        // the SIMD engine's dense forward wrote zeros into out while reading it as in; the reference was right
        DenseParams d = DenseParams.initialize(3, 3, 1);
        PhasedLstmConfig cfg = PhasedLstmConfig.builder(1, 2).build();
        PhasedLstmParams p = PhasedLstmParams.initialize(cfg, TimeGateInit.KERAS, 1);
        SequenceBatch in = SequenceBatch.of(1, 2, 1, new float[] {0.5f, -1f}, new double[] {1, 2});
        for (org.plstm.Engine e : new org.plstm.Engine[] {new SimdEngine(1), new ReferenceEngine()}) {
            try (e) {
                float[] io = {1, 2, 3};
                assertThatThrownBy(() -> e.denseForward(io, io, d, 1)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("out: expected an array of its own, got the same array as in (the call writes "
                                + "out while it reads in)");
                assertThat(io).containsExactly(1, 2, 3);
                assertThatThrownBy(() -> e.denseForward(d.bias(), new float[3], d, 1))
                        .hasMessageStartingWith("out: expected an array of its own, got the same array as params.bias");
                float[] dOut = {0.1f, 0.2f, 0.3f};
                assertThatThrownBy(() -> e.denseBackward(dOut, DenseParams.initialize(3, 3, 2), dOut, io, d, 1))
                        .hasMessageStartingWith("dIn: expected an array of its own, got the same array as dOut");
                assertThatThrownBy(() -> e.denseBackward(new float[3], d, dOut, io, d, 1))
                        .hasMessage("grads: expected a gradient buffer of its own, got params (the call accumulates "
                                + "into grads while it reads params)");
                float[] logits = {1, 2, 3};
                assertThatThrownBy(() -> e.softmaxCrossEntropy(logits, null, logits, new int[] {0}, 1, 3))
                        .hasMessageStartingWith("probs: expected an array of its own, got the same array as logits");
                assertThatThrownBy(() -> e.meanSquaredError(logits, logits, new float[3], 1, 3))
                        .hasMessageStartingWith("dPred: expected an array of its own, got the same array as pred");
                LayerWorkspace ws = e.newWorkspace(cfg, 1, 2);
                e.forward(ws, p, in, null, null, Mode.TRAINING);
                float[] before = p.kernel().clone();
                assertThatThrownBy(() -> e.backward(ws, p, null, new float[2], null))
                        .hasMessage("grads: expected a gradient buffer of its own, got the parameters of the forward "
                                + "pass (backward accumulates into grads while it reads the parameters)");
                assertThat(p.kernel()).containsExactly(before);
            }
        }
    }

    @Test
    void failedValidationLeavesTheLastPassIntact() {
        PhasedLstmConfig cfg = PhasedLstmConfig.builder(1, 2).build();
        PhasedLstmParams p = PhasedLstmParams.initialize(cfg, TimeGateInit.KERAS, 1);
        try (SimdEngine e = new SimdEngine(1)) {
            LayerWorkspace ws = e.newWorkspace(cfg, 1, 3);
            e.forward(ws, p, SequenceBatch.of(1, 3, 1, new float[3], new double[3]), null, null, Mode.TRAINING);
            PhasedLstmParams bad = p.copy();
            bad.ratioOn()[1] = 2f;
            assertThatThrownBy(() -> e.forward(ws, bad, SequenceBatch.of(1, 3, 1, new float[3], new double[3]), null,
                    null, Mode.TRAINING)).hasMessage("params.ratioOn: expected a value in (0, 1], got 2.0 at unit 1");
            // The earlier pass's cache is still intact: validation happens before anything is written.
            e.backward(ws, new PhasedLstmParams(cfg), null, new float[2], null);
        }
    }
}
