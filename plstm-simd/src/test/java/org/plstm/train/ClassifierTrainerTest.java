package org.plstm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.plstm.Engine;
import org.plstm.PhasedLstmConfig;
import org.plstm.SequenceBatch;
import org.plstm.Tensor;
import org.plstm.TimeGateInit;
import org.plstm.optim.Adam;
import org.plstm.optim.Optimizer;
import org.plstm.optim.RmsProp;
import org.plstm.optim.Sgd;
import org.plstm.reference.ReferenceEngine;
import org.plstm.simd.SimdEngine;

class ClassifierTrainerTest {

    private static SequenceClassifier model(int in, int hidden, int depth, int classes, boolean peepholes,
                                            double leak, long seed) {
        PhasedLstmConfig first = PhasedLstmConfig.builder(in, hidden).peepholes(peepholes).leak(leak).build();
        return SequenceClassifier.initialize(SequenceClassifier.stack(first, depth), classes, TimeGateInit.PAPER,
                seed);
    }

    @Test
    void aTinyStackedModelLearnsTheSyntheticTask() {
        long seed = 20240611L;
        System.out.println("ClassifierTrainerTest.aTinyStackedModelLearnsTheSyntheticTask seed=" + seed);
        SequenceClassifier m = model(3, 8, 2, 3, false, PhasedLstmConfig.DEFAULT_LEAK, seed);
        SyntheticTask test = new SyntheticTask(96, 12, 3, seed + 1000);
        try (Engine engine = new SimdEngine(2)) {
            ClassifierTrainer t = new ClassifierTrainer(engine, m, new Adam(0.01), 5.0);
            EvalResult before = t.evaluate(test.input, test.labels);
            double first = 0;
            double lastLoss = 0;
            for (int it = 0; it < 150; it++) {
                SyntheticTask batch = new SyntheticTask(32, 12, 3, seed + it);
                TrainStepResult r = t.step(batch.input, batch.labels);
                assertThat(r.batch()).isEqualTo(32);
                assertThat(r.loss()).isFinite();
                if (it < 10) {
                    first += r.loss() / 10;
                }
                if (it >= 140) {
                    lastLoss += r.loss() / 10;
                }
            }
            EvalResult after = t.evaluate(test.input, test.labels);
            System.out.printf("synthetic: train loss %.4f -> %.4f; test loss %.4f -> %.4f, accuracy %.3f -> %.3f%n",
                    first, lastLoss, before.loss(), after.loss(), before.accuracy(), after.accuracy());
            // ln 3 = 1.0986 at chance; this seeded run reaches about 0.50 (train and test) and 83% test accuracy
            assertThat(first).isGreaterThan(0.9);
            assertThat(lastLoss).isLessThan(0.6 * first);
            assertThat(after.loss()).isLessThan(0.6 * before.loss());
            assertThat(after.accuracy()).isGreaterThan(0.75);
            assertThat(t.optimizer().iterations()).isEqualTo(150);
        }
    }

    /**
     * Batches of many lengths (variable-length data padded per batch) keep at most {@code MAX_SHAPES} workspaces: an
     * unbounded cache ran out of a 6 GiB heap on sequences of up to 1,250 steps. A shape dropped and made again gives
     * the same result, bit for bit.
     */
    @Test
    void theWorkspaceCacheIsBoundedAndEvictionChangesNothing() {
        long seed = 31L;
        System.out.println("ClassifierTrainerTest.theWorkspaceCacheIsBoundedAndEvictionChangesNothing seed=" + seed);
        SequenceClassifier m = model(3, 6, 1, 3, false, PhasedLstmConfig.DEFAULT_LEAK, seed);
        try (Engine engine = new SimdEngine(1)) {
            ClassifierTrainer t = new ClassifierTrainer(engine, m, new Adam(0.01), 0);
            SyntheticTask first = new SyntheticTask(4, 1, 3, seed);
            EvalResult before = t.evaluate(first.input, first.labels);
            for (int steps = 2; steps <= 3 * ClassifierTrainer.MAX_SHAPES; steps++) {
                SyntheticTask b = new SyntheticTask(4, steps, 3, seed + steps);
                t.evaluate(b.input, b.labels);
                assertThat(t.cachedShapes()).isEqualTo(Math.min(steps, ClassifierTrainer.MAX_SHAPES));
            }
            EvalResult again = t.evaluate(first.input, first.labels); // T = 1 was dropped long ago
            assertThat(again.loss()).isEqualTo(before.loss());
            assertThat(t.cachedShapes()).isEqualTo(ClassifierTrainer.MAX_SHAPES);
            t.releaseWorkspaces();
            assertThat(t.cachedShapes()).isZero();
        }
    }

    /**
     * Reference (double inside, rounded to float32 at the API) and SIMD (float32 arithmetic) run the same steps from
     * the same initial weights. Per pass they differ by float32 rounding: a relative 1e-7 per operation, accumulated
     * over T = 10 recurrent steps and two layers stays far below 1e-6 in the loss (about 1e-5 relative in the worst
     * element of a gradient). SGD makes the parameter difference after a step {@code lr · (gradient difference)},
     * equally tiny, so the losses of later steps still agree (observed: within 1e-8). The bound 2e-6 leaves a wide
     * margin for other vector widths while catching any real wiring difference (a wrong {@code dh} path changes the
     * loss of the next step by ~1e-2 here).
     */
    @Test
    void referenceAndSimdEnginesGiveMatchingLossesStepByStep() {
        long seed = 77L;
        System.out.println("ClassifierTrainerTest.referenceAndSimdEnginesGiveMatchingLossesStepByStep seed=" + seed);
        SequenceClassifier a = model(3, 5, 2, 3, true, 0.01, seed);
        SequenceClassifier b = a.copy();
        List<Double> la = new ArrayList<>();
        List<Double> lb = new ArrayList<>();
        try (Engine ref = new ReferenceEngine(); Engine simd = new SimdEngine(2)) {
            ClassifierTrainer ta = new ClassifierTrainer(ref, a, new Sgd(0.5), 0);
            ClassifierTrainer tb = new ClassifierTrainer(simd, b, new Sgd(0.5), 0);
            for (int it = 0; it < 6; it++) {
                SyntheticTask batch = new SyntheticTask(it == 5 ? 5 : 8, 10, 3, seed + it); // last: partial batch
                la.add(ta.step(batch.input, batch.labels).loss());
                lb.add(tb.step(batch.input, batch.labels).loss());
            }
        }
        System.out.println("reference " + la + "\nsimd      " + lb);
        for (int i = 0; i < la.size(); i++) {
            assertThat(lb.get(i)).as("loss of step %d", i).isCloseTo(la.get(i), within(2e-6));
        }
        assertThat(Math.abs(la.get(4) - la.get(0))).as("the steps changed the model").isGreaterThan(1e-3);
        for (int n = 0; n < a.tensors().size(); n++) {
            float[] pa = a.tensors().get(n).data();
            float[] pb = b.tensors().get(n).data();
            for (int i = 0; i < pa.length; i++) {
                assertThat(pb[i]).as("%s[%d]", a.tensors().get(n).name(), i)
                        .isCloseTo(pa[i], within(1e-5f + 1e-5f * Math.abs(pa[i])));
            }
        }
    }

    /**
     * The trainer's gradient (two stacked layers, so the lower layer's gradient flows through {@code dh = ws.dx()}
     * of the upper one) equals a central finite difference of the loss. Reference engine (double inside), leak 0
     * so that the inference-mode loss used for the differences is the training loss.
     */
    @Test
    void gradientsThroughTheStackMatchFiniteDifferences() {
        long seed = 5L;
        System.out.println("ClassifierTrainerTest.gradientsThroughTheStackMatchFiniteDifferences seed=" + seed);
        SequenceClassifier m = model(3, 4, 2, 3, true, 0.0, seed);
        SequenceClassifier probe = m.copy();
        SyntheticTask batch = new SyntheticTask(4, 8, 3, seed);
        try (Engine ref = new ReferenceEngine()) {
            ClassifierTrainer t = new ClassifierTrainer(ref, m, new Sgd(1e-30), 0);
            t.step(batch.input, batch.labels);
            ClassifierTrainer p = new ClassifierTrainer(ref, probe, new Sgd(1e-30), 0);
            SplittableRandom rng = new SplittableRandom(seed);
            int checked = 0;
            for (int n = 0; n < probe.tensors().size(); n++) {
                Tensor tensor = probe.tensors().get(n);
                if (!tensor.name().endsWith("kernel") && !tensor.name().endsWith("bias")) {
                    continue; // time-gate kinks make finite differences of period/shift unreliable
                }
                for (int k = 0; k < 3; k++) {
                    int i = rng.nextInt(tensor.data().length);
                    float saved = tensor.data()[i];
                    float h = 1e-2f;
                    tensor.data()[i] = saved + h;
                    double up = p.evaluate(batch.input, batch.labels).loss();
                    tensor.data()[i] = saved - h;
                    double down = p.evaluate(batch.input, batch.labels).loss();
                    tensor.data()[i] = saved;
                    double fd = (up - down) / (2 * h);
                    double g = m.gradientTensors().get(n).data()[i];
                    assertThat(g).as("%s[%d]", tensor.name(), i).isCloseTo(fd, within(2e-4 + 2e-2 * Math.abs(fd)));
                    checked++;
                }
            }
            assertThat(checked).isEqualTo(3 * 8);
        }
    }

    @Test
    void evaluateAndPredictAgreeAndDoNotTouchTheModel() {
        SequenceClassifier m = model(3, 6, 1, 3, false, 0.001, 9);
        SyntheticTask batch = new SyntheticTask(7, 9, 3, 9);
        try (Engine simd = new SimdEngine(1)) {
            ClassifierTrainer t = new ClassifierTrainer(simd, m, new RmsProp(1e-3), 0);
            float[] k0 = m.layers().get(0).kernel().clone();
            EvalResult e = t.evaluate(batch.input, batch.labels);
            float[] probs = new float[7 * 3];
            t.predict(batch.input, probs);
            assertThat(m.layers().get(0).kernel()).isEqualTo(k0);
            double loss = 0;
            int correct = 0;
            for (int b = 0; b < 7; b++) {
                double sum = 0;
                int best = 0;
                for (int c = 0; c < 3; c++) {
                    sum += probs[b * 3 + c];
                    best = probs[b * 3 + c] > probs[b * 3 + best] ? c : best;
                }
                assertThat(sum).isCloseTo(1.0, within(1e-5));
                loss -= Math.log(probs[b * 3 + batch.labels[b]]) / 7;
                correct += best == batch.labels[b] ? 1 : 0;
            }
            assertThat(e.loss()).isCloseTo(loss, within(1e-5));
            assertThat(e.correct()).isEqualTo(correct);
            assertThat(e.batch()).isEqualTo(7);
            assertThat(t.optimizer().iterations()).isZero();
        }
    }

    @Test
    void clippingBoundsTheUpdateAndReportsTheNormBefore() {
        SequenceClassifier a = model(3, 4, 1, 3, false, 0.001, 11);
        SequenceClassifier b = a.copy();
        SyntheticTask batch = new SyntheticTask(8, 6, 3, 11);
        try (Engine simd = new SimdEngine(1)) {
            TrainStepResult free = new ClassifierTrainer(simd, a, new Sgd(1.0), 0).step(batch.input, batch.labels);
            SequenceClassifier before = b.copy();
            double bound = free.gradientNorm() / 4;
            TrainStepResult clipped = new ClassifierTrainer(simd, b, new Sgd(1.0), bound)
                    .step(batch.input, batch.labels);
            assertThat(clipped.gradientNorm()).isCloseTo(free.gradientNorm(), within(1e-9));
            // SGD with lr 1: the parameter change is the clipped gradient, whose global norm is the bound
            double sq = 0;
            for (int n = 0; n < b.tensors().size(); n++) {
                float[] p1 = b.tensors().get(n).data();
                float[] p0 = before.tensors().get(n).data();
                for (int i = 0; i < p1.length; i++) {
                    sq += (double) (p1[i] - p0[i]) * (p1[i] - p0[i]);
                }
            }
            assertThat(Math.sqrt(sq)).isCloseTo(bound, within(1e-3 * bound));
        }
    }

    @Test
    void constraintsAreAppliedAfterEachStep() {
        SequenceClassifier m = model(3, 4, 1, 3, false, 0.5, 13);
        m.layers().get(0).ratioOn()[0] = 1f; // at the upper bound: any positive step would leave (0, 1]
        m.layers().get(0).period()[1] = 2e-3f;
        SyntheticTask batch = new SyntheticTask(8, 6, 3, 13);
        try (Engine simd = new SimdEngine(1)) {
            ClassifierTrainer t = new ClassifierTrainer(simd, m, new Sgd(100.0), 0);
            for (int i = 0; i < 3; i++) {
                t.step(batch.input, batch.labels);
                for (float r : m.layers().get(0).ratioOn()) {
                    assertThat(r).isBetween(1e-3f, 1f);
                }
                for (float p : m.layers().get(0).period()) {
                    assertThat(p).isGreaterThanOrEqualTo(1e-3f);
                }
            }
        }
    }

    @Test
    void rejectsBadArguments() {
        SequenceClassifier m = model(3, 4, 1, 3, false, 0.001, 1);
        try (Engine simd = new SimdEngine(1)) {
            Optimizer o = new Sgd(0.1);
            assertThatThrownBy(() -> new ClassifierTrainer(simd, m, o, -1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("clipNorm: expected a finite value >= 0 (0 = off), got -1.0");
            assertThatThrownBy(() -> new ClassifierTrainer(null, m, o, 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("engine: expected a value, got null");
            ClassifierTrainer t = new ClassifierTrainer(simd, m, o, 0);
            SequenceBatch wrongI = SequenceBatch.of(2, 3, 2, new float[12], new double[6]);
            assertThatThrownBy(() -> t.step(wrongI, new int[2])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("batch: expected input size I=3, got 2");
            SyntheticTask batch = new SyntheticTask(4, 6, 3, 1);
            assertThatThrownBy(() -> t.step(batch.input, new int[3])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("labels: expected length 4 [B=4], got 3");
            assertThatThrownBy(() -> t.step(batch.input, new int[] {0, 1, 2, 3}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("labels: expected values in [0, C=3), got 3");
        }
    }

    /**
     * Timestamps of 1e300 keep the forward finite but overflow the time gate's gradients: the step refuses before the
     * optimiser runs, with or without clipping (which would turn the infinite norm into NaN gradients), on both
     * engines, and the model, the optimiser and the next ordinary step are as if it had not been tried.
     */
    @Test
    void aStepWithNonFiniteGradientsChangesNothing() {
        SequenceBatch huge = SequenceBatch.of(1, 2, 2, new float[] {0.1f, 0.2f, 0.3f, 0.4f},
                new double[] {1e300, 2e300});
        SequenceBatch plain = SequenceBatch.of(1, 2, 2, new float[] {0.1f, 0.2f, 0.3f, 0.4f}, new double[] {0, 1});
        for (double clip : new double[] {0, 1}) {
            for (boolean simd : new boolean[] {true, false}) {
                SequenceClassifier m = model(2, 5, 1, 3, false, PhasedLstmConfig.DEFAULT_LEAK, 1);
                SequenceClassifier untouched = m.copy();
                try (Engine e = simd ? new SimdEngine(1) : new ReferenceEngine()) {
                    ClassifierTrainer t = new ClassifierTrainer(e, m, new Adam(0.01), clip);
                    assertThatThrownBy(() -> t.step(huge, new int[] {0}))
                            .isInstanceOf(NonFiniteGradientException.class)
                            .hasMessageStartingWith("gradients: expected finite values, got a global norm of")
                            .hasMessageEndingWith("the step was not applied");
                    assertThat(t.optimizer().iterations()).isZero();
                    for (int k = 0; k < m.tensors().size(); k++) {
                        assertThat(m.tensors().get(k).data()).as(m.tensors().get(k).name())
                                .containsExactly(untouched.tensors().get(k).data());
                    }
                    assertThat(t.step(plain, new int[] {0}).gradientNorm()).isFinite();
                }
            }
        }
    }

    /** A result of an empty batch, or with more right than the batch holds, is refused: its accuracy would be NaN. */
    @Test
    void resultsCountWithinTheirBatch() {
        assertThat(new TrainStepResult(0.5, 3, 4, 1.0).accuracy()).isEqualTo(0.75);
        assertThat(new EvalResult(0.5, 0, 1).accuracy()).isZero();
        assertThatThrownBy(() -> new TrainStepResult(0.5, 0, 0, 1.0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("batch: expected >= 1, got 0");
        assertThatThrownBy(() -> new EvalResult(0.5, 5, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("correct: expected 0..4 (the batch), got 5");
        assertThatThrownBy(() -> new EvalResult(0.5, -1, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("correct: expected 0..4 (the batch), got -1");
    }
}
