package org.plstm.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.plstm.Tensor;

/** Decoupled weight decay: weight matrices shrink by {@code lr·wd·p} before the update; nothing else does. */
class WeightDecayTest {

    @Test
    void shrinksOnlyTheWeightMatricesBeforeTheUpdate() {
        String[] names = {"layers.0.kernel", "layers.0.recurrent_kernel", "layers.0.bias", "layers.0.period",
            "layers.0.shift", "layers.0.ratio_on", "layers.0.peephole", "dense.kernel", "dense.bias", "kernel",
            "recurrentKernel"};
        List<Tensor> params = new java.util.ArrayList<>();
        List<Tensor> grads = new java.util.ArrayList<>();
        for (String n : names) {
            params.add(new Tensor(n, new int[] {2}, new float[] {2f, -4f}));
            grads.add(new Tensor(n, new int[] {2}, new float[] {0f, 0f})); // zero gradient: SGD leaves p alone
        }
        Sgd sgd = new Sgd(0.5);
        sgd.setWeightDecay(0.1);
        assertThat(sgd.weightDecay()).isEqualTo(0.1);
        sgd.step(params, grads);
        float shrink = (float) (0.5 * 0.1);
        for (Tensor t : params) {
            boolean matrix = t.name().endsWith("kernel") || t.name().endsWith("Kernel");
            assertThat(Optimizer.decays(t.name())).as(t.name()).isEqualTo(matrix);
            float[] expected = matrix ? new float[] {2f - 2f * shrink, -4f - (-4f) * shrink} : new float[] {2f, -4f};
            assertThat(t.data()).as(t.name()).containsExactly(expected);
        }
    }

    @Test
    void isAppliedBeforeTheOptimisersOwnUpdateAsKerasDoes() {
        // Keras 3: variable -= variable * wd * lr, then the optimiser's step from the (unchanged) gradient.
        Tensor p = new Tensor("dense.kernel", new int[] {1}, new float[] {3f});
        Tensor g = new Tensor("dense.kernel", new int[] {1}, new float[] {1f});
        Sgd sgd = new Sgd(0.1);
        sgd.setWeightDecay(0.01);
        sgd.step(List.of(p), List.of(g));
        float decayed = 3f - 3f * (float) (0.1 * 0.01);
        assertThat(p.data()[0]).isEqualTo(decayed - 0.1f * 1f);
    }

    @Test
    void offByDefaultAndValidated() {
        assertThat(new Adam(1e-3).weightDecay()).isZero();
        assertThatThrownBy(() -> new Adam(1e-3).setWeightDecay(-1e-4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("weightDecay: expected a finite value >= 0, got -1.0E-4");
        assertThatThrownBy(() -> new Adam(1e-3).setWeightDecay(Double.NaN)).hasMessageContaining("weightDecay");
        assertThatThrownBy(() -> new Adam(1e-3).setWeightDecay(Double.POSITIVE_INFINITY))
                .hasMessageContaining("weightDecay");
    }
}
