package org.plstm.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.plstm.Mode;
import org.plstm.PhasedLstmConfig;

/**
 * Finite-difference check of the regression head: {@code L = MSE(dense(h_T), target)} through a whole Phased LSTM
 * layer, in double. Same stencil and tolerance as {@link GradientCheckTest} (five-point central differences with
 * {@code EPS = 1e-5}, {@code |analytic − numeric| <= 1e-6·max(|a|, |n|) + 1e-9}): the MSE is a quadratic of the dense
 * outputs, so it adds no truncation error of its own. Cases are drawn from printed seeds and skip draws near a
 * time-gate kink ({@link GradientCheckTest.Case#awayFromKinks}).
 */
class RegressionGradientCheckTest {
    private static final double EPS = 1e-5;
    private static final int K = 3; // the Case's dense head has 3 outputs: here 3 regression targets

    @Test
    void lossAndGradientOfTheSquaredErrorAreExact() {
        double[] pred = {1.0, -2.0, 0.5, 3.0};
        double[] target = {0.0, -2.0, 1.5, 1.0};
        double[] d = new double[4];
        double loss = ReferenceMeanSquaredError.forwardBackward(d, pred, target, 2, 2);
        // (1 + 0 + 1 + 4) / 4
        assertThat(loss).isEqualTo(1.5);
        // 2·(pred − target)/4
        assertThat(d).containsExactly(0.5, 0.0, -0.5, 1.0);
        assertThatThrownBy(() -> ReferenceMeanSquaredError.forwardBackward(null, pred, new double[3], 2, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("targets: expected length 4 [B=2][K=2], got 3");
        assertThatThrownBy(() -> ReferenceMeanSquaredError.forwardBackward(null, pred,
                new double[] {0, Double.NaN, 0, 0}, 2, 2))
                .hasMessage("targets: expected finite values, got NaN at flat index 1");
    }

    @Test
    void backwardThroughTheLayerMatchesCentralDifferences() {
        int checked = 0;
        for (long seed = 1; seed <= 40; seed++) {
            SplittableRandom rng = new SplittableRandom(seed);
            PhasedLstmConfig cfg = PhasedLstmConfig.builder(1 + rng.nextInt(3), 1 + rng.nextInt(4))
                    .peepholes(rng.nextBoolean()).leak(0.05).build();
            int batch = 1 + rng.nextInt(3);
            int steps = 1 + rng.nextInt(5);
            GradientCheckTest.Case c = GradientCheckTest.Case.random(cfg, batch, steps, rng.nextBoolean(), false, rng);
            if (!c.awayFromKinks(Mode.TRAINING)) {
                continue;
            }
            double[] target = new double[batch * K];
            for (int n = 0; n < target.length; n++) {
                target[n] = 2 * rng.nextGaussian();
            }
            // analytic
            ReferencePhasedLstm.Forward f = c.forward(Mode.TRAINING);
            int hs = cfg.hiddenSize();
            double[] pred = new double[batch * K];
            ReferenceDense.forward(pred, f.hT, c.denseKernel, c.denseBias, batch, hs, K);
            double[] dPred = new double[batch * K];
            ReferenceMeanSquaredError.forwardBackward(dPred, pred, target, batch, K);
            double[] dhT = new double[batch * hs];
            double[] dDk = new double[hs * K];
            double[] dDb = new double[K];
            ReferenceDense.backward(dhT, dDk, dDb, dPred, f.hT, c.denseKernel, batch, hs, K);
            ReferenceParams g = new ReferenceParams(cfg);
            ReferencePhasedLstm.InputGradients in = ReferencePhasedLstm.backward(g, f, null, dhT, null);

            List<String> failures = new ArrayList<>();
            check(failures, "kernel", c.p.kernel, g.kernel, c, target);
            check(failures, "recurrentKernel", c.p.recurrentKernel, g.recurrentKernel, c, target);
            check(failures, "bias", c.p.bias, g.bias, c, target);
            check(failures, "period", c.p.period, g.period, c, target);
            check(failures, "shift", c.p.shift, g.shift, c, target);
            check(failures, "ratioOn", c.p.ratioOn, g.ratioOn, c, target);
            check(failures, "x", c.x, in.dx(), c, target);
            check(failures, "dense.kernel", c.denseKernel, dDk, c, target);
            check(failures, "dense.bias", c.denseBias, dDb, c, target);
            assertThat(failures).as("seed %d", seed).isEmpty();
            checked++;
        }
        System.out.println("RegressionGradientCheckTest: " + checked + " of 40 seeded cases checked");
        assertThat(checked).isGreaterThanOrEqualTo(30);
    }

    private static double loss(GradientCheckTest.Case c, double[] target) {
        ReferencePhasedLstm.Forward f = c.forward(Mode.TRAINING);
        double[] pred = new double[c.batch * K];
        ReferenceDense.forward(pred, f.hT, c.denseKernel, c.denseBias, c.batch, c.cfg.hiddenSize(), K);
        return ReferenceMeanSquaredError.forwardBackward(null, pred, target, c.batch, K);
    }

    private static void check(List<String> failures, String name, double[] values, double[] analytic,
                              GradientCheckTest.Case c, double[] target) {
        for (int n = 0; n < values.length; n++) {
            double saved = values[n];
            values[n] = saved + 2 * EPS;
            double up2 = loss(c, target);
            values[n] = saved + EPS;
            double up = loss(c, target);
            values[n] = saved - EPS;
            double down = loss(c, target);
            values[n] = saved - 2 * EPS;
            double down2 = loss(c, target);
            values[n] = saved;
            double numeric = (8 * (up - down) - (up2 - down2)) / (12 * EPS);
            double a = analytic[n];
            if (!(Math.abs(a - numeric) <= 1e-6 * Math.max(Math.abs(a), Math.abs(numeric)) + 1e-9)) {
                failures.add(name + "[" + n + "]: analytic " + a + ", numeric " + numeric);
            }
        }
    }
}
