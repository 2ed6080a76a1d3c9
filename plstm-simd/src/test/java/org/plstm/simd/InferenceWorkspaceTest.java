package org.plstm.simd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.plstm.Mode;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.SequenceBatch;
import org.plstm.TimeGateInit;

/**
 * A workspace that only runs inference holds no training arrays (gate caches, dz, dw, weight-gradient rows); the
 * first training pass allocates them, and a training step on it gives the same gradients as on a fresh workspace.
 */
class InferenceWorkspaceTest {
    private static final long SEED = 20261204L;
    private static final int BATCH = 3;
    private static final int STEPS = 5;
    /** Two whole vectors and a tail of 3 units, so the tails are covered. */
    private static final PhasedLstmConfig CONFIG = PhasedLstmConfig.builder(2, 2 * VectorLevel.L + 3).build();
    private static final PhasedLstmParams PARAMS = PhasedLstmParams.initialize(CONFIG, TimeGateInit.PAPER, SEED);

    /**
     * {@link Mode#LEAKY_INFERENCE} computes what {@link Mode#TRAINING} computes (the configured leak), bit for bit,
     * on the SIMD engine and on the reference, without the training arrays.
     */
    @Test
    void leakyInferenceIsTrainingsForwardWithoutItsArrays() {
        System.out.println("InferenceWorkspaceTest seed " + SEED);
        SequenceBatch input = input(BATCH, STEPS, new SplittableRandom(SEED));
        try (SimdEngine engine = new SimdEngine(1);
             org.plstm.reference.ReferenceEngine reference = new org.plstm.reference.ReferenceEngine()) {
            SimdWorkspace leaky = (SimdWorkspace) engine.newWorkspace(CONFIG, BATCH, STEPS);
            engine.forward(leaky, PARAMS, input, null, null, Mode.LEAKY_INFERENCE);
            assertThat(leaky.gi).isEmpty();
            assertThat(leaky.dz).isEmpty();
            SimdWorkspace training = (SimdWorkspace) engine.newWorkspace(CONFIG, BATCH, STEPS);
            engine.forward(training, PARAMS, input, null, null, Mode.TRAINING);
            SimdWorkspace paper = (SimdWorkspace) engine.newWorkspace(CONFIG, BATCH, STEPS);
            engine.forward(paper, PARAMS, input, null, null, Mode.INFERENCE);
            assertThat(leaky.h()).isEqualTo(training.h()).isNotEqualTo(paper.h());
            assertThat(leaky.hT()).isEqualTo(training.hT());
            assertThat(leaky.cT()).isEqualTo(training.cT());

            org.plstm.LayerWorkspace refLeaky = reference.newWorkspace(CONFIG, BATCH, STEPS);
            reference.forward(refLeaky, PARAMS, input, null, null, Mode.LEAKY_INFERENCE);
            org.plstm.LayerWorkspace refTraining = reference.newWorkspace(CONFIG, BATCH, STEPS);
            reference.forward(refTraining, PARAMS, input, null, null, Mode.TRAINING);
            assertThat(refLeaky.h()).isEqualTo(refTraining.h());
        }
    }

    private static SequenceBatch input(int batch, int steps, SplittableRandom rng) {
        float[] x = new float[batch * steps * 2];
        double[] t = new double[batch * steps];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble(-1, 1);
        }
        for (int i = 0; i < t.length; i++) {
            t[i] = (i % steps) * 1.5 + i / steps;
        }
        return SequenceBatch.of(batch, steps, 2, x, t);
    }

    @Test
    void inferenceAllocatesNoTrainingArraysAndTrainingStillAgrees() {
        System.out.println("InferenceWorkspaceTest seed " + SEED);
        SplittableRandom rng = new SplittableRandom(SEED);
        SequenceBatch input = input(BATCH, STEPS, rng);
        float[] dh = new float[BATCH * STEPS * CONFIG.hiddenSize()];
        for (int i = 0; i < dh.length; i++) {
            dh[i] = (float) rng.nextDouble(-1, 1);
        }
        try (SimdEngine engine = new SimdEngine(1)) {
            SimdWorkspace used = (SimdWorkspace) engine.newWorkspace(CONFIG, BATCH, STEPS);
            engine.forward(used, PARAMS, input, null, null, Mode.INFERENCE);
            assertThat(used.gi).isEmpty();
            assertThat(used.tc).isEmpty();
            assertThat(used.dz).isEmpty();
            assertThat(used.dw).isEmpty();
            assertThat(used.rowDz).isEmpty();
            SimdWorkspace again = (SimdWorkspace) engine.newWorkspace(CONFIG, BATCH, STEPS);
            engine.forward(again, PARAMS, input, null, null, Mode.TRAINING);
            engine.forward(again, PARAMS, input, null, null, Mode.INFERENCE);
            assertThat(again.h()).as("inference on a workspace that trained before").isEqualTo(used.h());

            // A backward right after an inference pass runs the forward again with caches: it allocates them.
            PhasedLstmParams grads = new PhasedLstmParams(CONFIG);
            engine.backward(used, grads, dh, null, null);
            assertThat(used.gi).hasSize(BATCH * STEPS * used.hPad);
            assertThat(used.dw).hasSize(used.layer.w.length);

            // What it differentiates is the last forward pass, in its mode (inference: leak 0), as on a workspace
            // that held its arrays from the start (one that trained before).
            SimdWorkspace fresh = (SimdWorkspace) engine.newWorkspace(CONFIG, BATCH, STEPS);
            engine.forward(fresh, PARAMS, input, null, null, Mode.TRAINING);
            engine.forward(fresh, PARAMS, input, null, null, Mode.INFERENCE);
            PhasedLstmParams expected = new PhasedLstmParams(CONFIG);
            engine.backward(fresh, expected, dh, null, null);
            assertThat(grads.kernel()).isEqualTo(expected.kernel());
            assertThat(grads.recurrentKernel()).isEqualTo(expected.recurrentKernel());
            assertThat(grads.bias()).isEqualTo(expected.bias());
            assertThat(grads.period()).isEqualTo(expected.period());
            assertThat(grads.shift()).isEqualTo(expected.shift());
            assertThat(grads.ratioOn()).isEqualTo(expected.ratioOn());
            assertThat(grads.kernel()).as("a gradient, not zeros").isNotEqualTo(new float[grads.kernel().length]);
        }
    }
}
