package org.plstm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.plstm.PhasedLstmConfig;
import org.plstm.TimeGateInit;
import org.plstm.data.EventSequence;
import org.plstm.optim.Optimizer;

/** {@link Fit} with {@link Task#REGRESSION}: a value per sequence, mean squared error. */
class FitRegressionTest {

    /** Target: the mean of feature 0 over the sequence (3 to 12 events, 2 features of N(0, 1)). */
    static List<LabeledSequence> task(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<LabeledSequence> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = 3 + r.nextInt(10);
            float[] x = new float[2 * len];
            double[] t = new double[len];
            double sum = 0;
            for (int s = 0; s < len; s++) {
                x[2 * s] = (float) r.nextGaussian();
                x[2 * s + 1] = (float) r.nextGaussian();
                sum += x[2 * s];
                t[s] = s + r.nextDouble();
            }
            out.add(LabeledSequence.regression(x, t, (float) (sum / len)));
        }
        return out;
    }

    @Test
    void learnsAValuePerSequence() {
        System.out.println("FitRegressionTest seeds: data 1, 2; init 3; shuffle 5");
        List<LabeledSequence> train = task(300, 1);
        List<LabeledSequence> validation = task(100, 2);
        SequenceClassifier m = SequenceClassifier.initialize(List.of(PhasedLstmConfig.builder(2, 16).build()), 1,
                TimeGateInit.PAPER, 3);
        double variance = 0;
        for (LabeledSequence s : validation) {
            variance += s.target() * s.target() / validation.size(); // the targets' mean is about 0
        }
        Fit.History h = Fit.of(m).task(Task.REGRESSION).optimizer(Optimizer.create("adam", 1e-2)).batchSize(16)
                .epochs(8).seed(5).validation(validation).fit(train);
        Fit.EpochResult last = h.epochs().get(h.epochs().size() - 1);
        System.out.printf("regression fit: validation MSE %.4f, mean square of the targets %.4f%n",
                last.validationLoss(), variance);
        assertThat(last.trainAccuracy()).isNaN();
        assertThat(last.validationAccuracy()).isNaN();
        assertThat(last.validationLoss()).isLessThan(0.3 * variance);
        Fit.Evaluation e = Fit.evaluate(m, validation, 64, Task.REGRESSION);
        assertThat(e.loss()).isCloseTo(last.validationLoss(), within(1e-9));
        float[] v = Fit.predictValues(m, validation, 64);
        double mse = 0;
        for (int i = 0; i < v.length; i++) {
            double d = v[i] - validation.get(i).target();
            mse += d * d / v.length;
        }
        assertThat(mse).isCloseTo(e.loss(), within(1e-5 * e.loss()));
    }

    @Test
    void rejectsWhatDoesNotFitTheTask() {
        SequenceClassifier two = SequenceClassifier.initialize(List.of(PhasedLstmConfig.builder(2, 4).build()), 2,
                TimeGateInit.PAPER, 3);
        assertThatThrownBy(() -> Fit.of(two).task(Task.REGRESSION).fit(task(4, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model: expected K = 1 output for regression, got 2");
        SequenceClassifier one = SequenceClassifier.initialize(List.of(PhasedLstmConfig.builder(2, 4).build()), 1,
                TimeGateInit.PAPER, 3);
        List<LabeledSequence> unlabeled = List.of(new LabeledSequence(new float[2], new double[] {0}, 0));
        assertThatThrownBy(() -> Fit.of(one).task(Task.REGRESSION).fit(unlabeled))
                .hasMessage("train[0]: expected a finite regression target, got none (NaN); make it with "
                        + "LabeledSequence.regression");
        assertThatThrownBy(() -> LabeledSequence.regression(new float[1], new double[] {0}, Float.NaN))
                .hasMessage("target: expected a finite value, got NaN");
        assertThat(new EventSequence("a", new float[] {1f}, new double[] {0}, "2.5").toRegression().target())
                .isEqualTo(2.5f);
        assertThatThrownBy(() -> new EventSequence("a", new float[] {1f}, new double[] {0}, "x").toRegression())
                .hasMessage("label of sequence 'a': expected a finite number (a regression target), got 'x'");
    }
}
