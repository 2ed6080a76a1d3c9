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
import org.plstm.TimeGateInit;
import org.plstm.optim.Adam;
import org.plstm.optim.Sgd;
import org.plstm.reference.ReferenceEngine;
import org.plstm.reference.ReferenceMeanSquaredError;
import org.plstm.reference.ReferencePhasedLstm;
import org.plstm.simd.SimdEngine;

/** The regression head (dense outputs, mean squared error) on both engines and through the trainer. */
class RegressionTrainerTest {

    private static SequenceClassifier model(int in, int hidden, int depth, int outputs, long seed) {
        PhasedLstmConfig first = PhasedLstmConfig.builder(in, hidden).build();
        return SequenceClassifier.initialize(SequenceClassifier.stack(first, depth), outputs, TimeGateInit.PAPER,
                seed);
    }

    /** Targets of the synthetic task: the mean over time of each sequence's channel 0 (a value per sequence). */
    private static float[] targets(SyntheticTask t) {
        float[] y = new float[t.batch];
        for (int b = 0; b < t.batch; b++) {
            double s = 0;
            for (int k = 0; k < t.steps; k++) {
                s += t.x[(b * t.steps + k) * t.classes];
            }
            y[b] = (float) (s / t.steps);
        }
        return y;
    }

    /**
     * The SIMD kernel against the double reference, at sizes that break the vector tails (1, lanes ± 1, primes).
     * Each gradient element is one float subtraction and one multiplication: within 2 ulp of the reference's
     * {@code 2·(p − t)/N}, i.e. relative 2.4e-7; the loss is summed in double from float differences that are exact
     * (Sterbenz does not apply in general, but the double difference of two floats is exact), so it agrees to 1e-12
     * relative.
     */
    @Test
    void simdSquaredErrorMatchesReference() {
        long seed = 4242;
        System.out.println("RegressionTrainerTest.simdSquaredErrorMatchesReference seed=" + seed);
        SplittableRandom rng = new SplittableRandom(seed);
        int lanes = SimdEngine.floatLanes();
        try (SimdEngine e = new SimdEngine(1)) {
            for (int n : new int[] {1, lanes - 1, lanes, lanes + 1, 2 * lanes + 1, 37, 1021}) {
                if (n < 1) {
                    continue;
                }
                float[] p = new float[n];
                float[] t = new float[n];
                for (int i = 0; i < n; i++) {
                    p[i] = (float) (3 * rng.nextGaussian());
                    t[i] = (float) (3 * rng.nextGaussian());
                }
                float[] d = new float[n];
                double loss = e.meanSquaredError(d, p, t, n, 1);
                double[] rd = new double[n];
                double rl = ReferenceMeanSquaredError.forwardBackward(rd, ReferencePhasedLstm.widen(p),
                        ReferencePhasedLstm.widen(t), n, 1);
                assertThat(loss).as("loss N=%d", n).isCloseTo(rl, within(1e-12 * rl));
                for (int i = 0; i < n; i++) {
                    assertThat((double) d[i]).as("dPred[%d] N=%d", i, n)
                            .isCloseTo(rd[i], within(2.4e-7 * Math.abs(rd[i]) + 1e-30));
                }
                assertThat(new ReferenceEngine().meanSquaredError(null, p, t, n, 1)).isCloseTo(rl, within(1e-12 * rl));
            }
            assertThatThrownBy(() -> e.meanSquaredError(null, new float[2], new float[3], 2, 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("targets: expected length 2 [B=2][K=1], got 3");
            assertThatThrownBy(() -> e.meanSquaredError(null, new float[2], new float[] {0, Float.NaN}, 2, 1))
                    .hasMessage("targets: expected finite values, got NaN at flat index 1");
        }
    }

    /**
     * Reference and SIMD run the same regression steps (two stacked layers, two outputs) from the same weights. As in
     * {@code ClassifierTrainerTest.referenceAndSimdEnginesGiveMatchingLossesStepByStep}: float32 rounding over T = 10
     * steps and two layers keeps the per-pass difference near 1e-7 relative; the MSE of O(1) values adds nothing
     * larger. Bound 2e-6 on losses of order 1, and 1e-5 relative on the parameters after the SGD steps; a wrong
     * gradient path changes the next loss by ~1e-2.
     */
    @Test
    void referenceAndSimdAgreeStepByStep() {
        long seed = 99L;
        System.out.println("RegressionTrainerTest.referenceAndSimdAgreeStepByStep seed=" + seed);
        SequenceClassifier a = model(3, 5, 2, 2, seed);
        SequenceClassifier b = a.copy();
        List<Double> la = new ArrayList<>();
        List<Double> lb = new ArrayList<>();
        try (Engine ref = new ReferenceEngine(); Engine simd = new SimdEngine(2)) {
            ClassifierTrainer ta = new ClassifierTrainer(ref, a, new Sgd(0.2), 0);
            ClassifierTrainer tb = new ClassifierTrainer(simd, b, new Sgd(0.2), 0);
            for (int it = 0; it < 6; it++) {
                SyntheticTask batch = new SyntheticTask(it == 5 ? 5 : 8, 10, 3, seed + it);
                float[] y1 = targets(batch);
                float[] y = new float[2 * batch.batch];
                for (int n = 0; n < batch.batch; n++) {
                    y[2 * n] = y1[n];
                    y[2 * n + 1] = -2 * y1[n] + 1;
                }
                la.add(ta.stepRegression(batch.input, y).loss());
                lb.add(tb.stepRegression(batch.input, y).loss());
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

    /** A small model learns to predict a per-sequence mean: its test MSE ends far below the targets' variance. */
    @Test
    void learnsASequenceMean() {
        long seed = 7L;
        System.out.println("RegressionTrainerTest.learnsASequenceMean seed=" + seed);
        SequenceClassifier m = model(3, 8, 1, 1, seed);
        SyntheticTask test = new SyntheticTask(128, 12, 3, seed + 10_000);
        float[] yTest = targets(test);
        double mean = 0;
        for (float v : yTest) {
            mean += v / yTest.length;
        }
        double variance = 0;
        for (float v : yTest) {
            variance += (v - mean) * (v - mean) / yTest.length;
        }
        try (Engine engine = new SimdEngine(2)) {
            ClassifierTrainer t = new ClassifierTrainer(engine, m, new Adam(0.01), 5.0);
            for (int it = 0; it < 200; it++) {
                SyntheticTask batch = new SyntheticTask(32, 12, 3, seed + it);
                assertThat(t.stepRegression(batch.input, targets(batch)).loss()).isFinite();
            }
            EvalResult e = t.evaluateRegression(test.input, yTest);
            float[] values = new float[test.batch];
            t.predictValues(test.input, values);
            double mse = 0;
            for (int n = 0; n < values.length; n++) {
                mse += (values[n] - yTest[n]) * (values[n] - yTest[n]) / values.length;
            }
            System.out.printf("regression: test MSE %.4f, variance of the targets %.4f%n", e.loss(), variance);
            assertThat(e.loss()).isCloseTo(mse, within(1e-5 * mse + 1e-9));
            assertThat(e.correct()).isZero();
            // predicting the mean scores the variance (0.21 here); the model reaches about 0.013
            assertThat(e.loss()).isLessThan(0.3 * variance);
            assertThatThrownBy(() -> t.predictValues(test.input, new float[3]))
                    .hasMessage("values: expected length 128 [B=128][K=1], got 3");
        }
    }
}
