package org.plstm.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.plstm.Tensor;

/**
 * A step is all or nothing: hyperparameters that float arithmetic cannot carry are refused up front, non-finite
 * gradients before any change, and an update that overflows is undone (parameters, state and step count).
 */
class OptimizerStepTest {

    private static Tensor t(String name, float... values) {
        return new Tensor(name, new int[] {values.length}, values);
    }

    @Test
    void refusesLearningRatesAndEpsilonsThatFloatCannotCarry() {
        assertThatThrownBy(() -> new Sgd(1e300)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("learningRate: expected a value in [1.4E-45, 3.4028235E38] (float's positive range), got "
                        + "1.0E300");
        assertThatThrownBy(() -> new Sgd(0)).hasMessageStartingWith("learningRate: expected a value in");
        // (float) 1e-50 == 0: every update would silently do nothing
        assertThatThrownBy(() -> new Sgd(1e-50)).hasMessageEndingWith("got 1.0E-50");
        assertThat(new Sgd(Float.MIN_VALUE).learningRate()).isEqualTo((double) Float.MIN_VALUE);
        assertThatThrownBy(() -> new Sgd(Double.NaN)).hasMessageEndingWith("got NaN");
        assertThatThrownBy(() -> new Adam(1e-3).setLearningRate(Double.POSITIVE_INFINITY))
                .hasMessageEndingWith("got Infinity");
        // (float) 1e-50 == 0: a zero gradient with a zero root would give 0/0
        assertThatThrownBy(() -> new Adam(1e-3, 0.9, 0.999, 1e-50)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("eps: expected a value in [1.1754944E-38, 3.4028235E38] (> 0, in float's normal range), "
                        + "got 1.0E-50");
        assertThatThrownBy(() -> new RmsProp(1e-3, 0.9, 1e-50)).hasMessageStartingWith("eps: expected a value in");
        assertThatThrownBy(() -> new RmsProp(1e-3, 0.9, 1e39)).hasMessageEndingWith("got 1.0E39");
        assertThatThrownBy(() -> new CosineDecay(1e300, 10, 0)).hasMessageStartingWith("initial: expected");
        // the schedule's floor at the end of the decay stays a valid rate
        Sgd floor = new Sgd(1e-3);
        floor.restore(10, List.of(), List.of());
        new CosineDecay(1e-3, 10, 0).applyTo(floor);
        assertThat(floor.learningRate()).isEqualTo((double) Float.MIN_VALUE);
        Sgd sgd = new Sgd(1e-3);
        new CosineDecay(1e-3, 1, 0).applyTo(sgd);
        assertThat(sgd.learningRate()).isEqualTo(1e-3);
    }

    @Test
    void refusesWeightDecayThatWouldZeroOrFlipTheWeights() {
        Sgd sgd = new Sgd(1e-3);
        assertThatThrownBy(() -> sgd.setWeightDecay(2000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("weightDecay: expected learningRate · weightDecay < 1 (each step multiplies a weight "
                        + "matrix by 1 − learningRate · weightDecay), got 0.001 · 2000.0 = 2.0");
        sgd.setWeightDecay(10);
        assertThatThrownBy(() -> sgd.setLearningRate(0.1)).hasMessageStartingWith("weightDecay: expected");
        // checked as applied, in float: 0.99999999 rounds to 1f and would zero every weight matrix
        assertThatThrownBy(() -> new Sgd(1.0).setWeightDecay(0.99999999)).hasMessageStartingWith("weightDecay: ");
        new Sgd(1.0).setWeightDecay(0.9999999);
        assertThat(sgd.learningRate()).isEqualTo(1e-3);
        assertThat(sgd.weightDecay()).isEqualTo(10);
    }

    @Test
    void refusesNonFiniteGradientsBeforeAnyChange() {
        Tensor p = t("kernel", 1f, 2f);
        Adam adam = new Adam(0.1);
        assertThatThrownBy(() -> adam.step(List.of(p), List.of(t("kernel", Float.NaN, 0.5f))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("grads[0] (kernel): expected finite values, got NaN");
        assertThat(p.data()).containsExactly(1f, 2f);
        assertThat(adam.iterations()).isZero();
    }

    @Test
    void undoesAnUpdateThatOverflowsAndStaysUsable() {
        Tensor kernel = t("kernel", 1f, 2f);
        Tensor bias = t("bias", 3f);
        Sgd sgd = new Sgd(3e38);
        List<Tensor> params = List.of(kernel, bias);
        sgd.step(params, List.of(t("kernel", 0f, 0f), t("bias", 0f))); // fine: nothing moves
        assertThat(sgd.iterations()).isEqualTo(1);
        assertThatThrownBy(() -> sgd.step(params, List.of(t("kernel", 0f, 0f), t("bias", -10f))))
                .isInstanceOf(NonFiniteUpdateException.class)
                .hasMessage("params[1] (bias) became Infinity at flat index 0; the step was not applied "
                        + "(learning rate 3.0E38, weight decay 0.0)");
        assertThat(kernel.data()).containsExactly(1f, 2f);
        assertThat(bias.data()).containsExactly(3f);
        assertThat(sgd.iterations()).isEqualTo(1);
        sgd.setLearningRate(0.5);
        sgd.step(params, List.of(t("kernel", 1f, 0f), t("bias", 2f)));
        assertThat(kernel.data()).containsExactly(0.5f, 2f);
        assertThat(bias.data()).containsExactly(2f);
    }

    @Test
    void undoesAnOverflowOfTheStateToo() {
        // g² overflows float: the running mean would become Infinity (and every later update 0) while the
        // parameter itself stays finite (g / sqrt(inf) = 0).
        Tensor p = t("kernel", 1f, 2f);
        RmsProp rms = new RmsProp(1e-3);
        rms.step(List.of(p), List.of(t("kernel", 0.5f, 0.25f)));
        float[] after1 = p.data().clone();
        float[] state1 = rms.state().get(0).clone();
        assertThatThrownBy(() -> rms.step(List.of(p), List.of(t("kernel", 1e30f, 0f))))
                .isInstanceOf(NonFiniteUpdateException.class)
                .hasMessageStartingWith("the state of params[0] (kernel, slot 0) became Infinity at flat index 0");
        assertThat(p.data()).containsExactly(after1);
        assertThat(rms.state().get(0)).containsExactly(state1);
        assertThat(rms.iterations()).isEqualTo(1);
    }

    @Test
    void aRefusedFirstStepFixesNothing() {
        Tensor q0 = t("kernel", 1f, 2f);
        Tensor q1 = t("bias", 3f, 4f, 5f);
        Adam adam = new Adam(0.01);
        assertThatThrownBy(() -> adam.step(java.util.Arrays.asList(q0, null), List.of(t("kernel", 0f, 0f),
                t("bias", 0f, 0f, 0f)))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("params[1]: expected a tensor, got null");
        assertThatThrownBy(() -> adam.step(List.of(q0), List.of(t("kernel", Float.NaN, 0f))))
                .hasMessageStartingWith("grads[0] (kernel): expected finite values, got NaN");
        assertThat(adam.state()).isEmpty();
        assertThat(adam.iterations()).isZero();
        adam.step(List.of(q0, q1), List.of(t("kernel", 0.1f, 0.1f), t("bias", 0.1f, 0.1f, 0.1f))); // the real list
        assertThat(adam.state()).hasSize(4);
        // the shapes are the first step's, not only the element counts
        Tensor reshaped = new Tensor("bias", new int[] {3, 1}, q1.data());
        assertThatThrownBy(() -> adam.step(List.of(q0, reshaped), List.of(t("kernel", 0f, 0f), t("bias", 0f, 0f, 0f))))
                .hasMessage("params[1] (bias): expected the shape [3] of the first step, got [3, 1]");
        assertThatThrownBy(() -> adam.step(List.of(q0, q1), List.of(t("kernel", 0f, 0f), t("bias", 0f, 0f))))
                .hasMessage("grads[1] (bias): expected 3 elements as params[1], got 2");
        assertThat(adam.iterations()).isEqualTo(1);
    }

    /** An optimiser's state belongs to the tensors it first stepped (or was restored for), as Keras' does. */
    @Test
    void anotherModelsTensorsOfTheSameShapeAreRefused() {
        Tensor a = t("kernel", 1f, 2f);
        Tensor b = t("kernel", 1f, 2f);
        Adam adam = new Adam(0.01);
        adam.step(List.of(a), List.of(t("kernel", 0.1f, 0.1f)));
        float[] before = a.data().clone();
        assertThatThrownBy(() -> adam.step(List.of(b), List.of(t("kernel", 0.1f, 0.1f))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("params[0] (kernel): expected the tensor of the first step (this optimiser's state belongs "
                        + "to it), got another model's of the same shape; use one optimiser per model "
                        + "(Optimizer.create, or Optimizer.restore for a saved state)");
        assertThat(b.data()).containsExactly(1f, 2f);
        assertThat(adam.iterations()).isEqualTo(1);
        // a new view of the same array is the same tensor
        adam.step(List.of(new Tensor("kernel", new int[] {2}, a.data())), List.of(t("kernel", 0.1f, 0.1f)));
        assertThat(a.data()[0]).isLessThan(before[0]);
        // a restored optimiser belongs to the tensors it was restored for
        Optimizer restored = Optimizer.restore(adam.checkpointState(), List.of(b));
        restored.step(List.of(b), List.of(t("kernel", 0.1f, 0.1f)));
        assertThatThrownBy(() -> restored.step(List.of(a), List.of(t("kernel", 0.1f, 0.1f))))
                .hasMessageStartingWith("params[0] (kernel): expected the tensor of the first step");
    }

    @Test
    void aTensorWithoutANameIsNotDecayedAndTheStepStaysWhole() {
        Tensor k = t("kernel", 1f);
        Tensor unnamed = new Tensor(null, new int[] {1}, new float[] {1f});
        Sgd sgd = new Sgd(0.1);
        sgd.setWeightDecay(0.5);
        sgd.step(List.of(k, unnamed), List.of(t("kernel", 1f), t(null, 1f)));
        assertThat(k.data()).containsExactly(1f - 1f * 0.05f - 0.1f);
        assertThat(unnamed.data()).containsExactly(1f - 0.1f);
        assertThat(Optimizer.decays(null)).isFalse();
    }

    @Test
    void theStepCountStopsAtWhatACheckpointCanRestore() {
        Tensor p = t("kernel", 1f);
        Sgd sgd = new Sgd(0.1);
        sgd.restore(Optimizer.MAX_ITERATIONS - 1, List.of(), List.of(p));
        sgd.step(List.of(p), List.of(t("kernel", 1f)));
        assertThat(sgd.iterations()).isEqualTo(Optimizer.MAX_ITERATIONS);
        assertThatThrownBy(() -> sgd.step(List.of(p), List.of(t("kernel", 1f))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("iterations: expected fewer than 2^53 steps (the largest count a checkpoint restores "
                        + "exactly), got 9007199254740992");
        Optimizer.restore(sgd.checkpointState(), List.of(p)); // its own state can be restored
    }
}
