package org.plstm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.plstm.DenseParams;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.Tensor;
import org.plstm.TimeGateInit;

class SequenceClassifierTest {

    @Test
    void stackChainsSizesAndKeepsSettings() {
        PhasedLstmConfig first = PhasedLstmConfig.builder(3, 5).peepholes(true).leak(0.01).build();
        List<PhasedLstmConfig> s = SequenceClassifier.stack(first, 3);
        assertThat(s).hasSize(3);
        assertThat(s.get(0)).isEqualTo(first);
        assertThat(s.get(1)).isEqualTo(PhasedLstmConfig.builder(5, 5).peepholes(true).leak(0.01).build());
        assertThat(s.get(2)).isEqualTo(s.get(1));
    }

    @Test
    void describesTheHeadAsTheTaskUsesIt() {
        List<PhasedLstmConfig> cfg = List.of(PhasedLstmConfig.builder(4, 8).build(),
                PhasedLstmConfig.builder(8, 8).timeGate(false).build());
        SequenceClassifier m = SequenceClassifier.initialize(cfg, 1, TimeGateInit.KERAS, 3);
        assertThat(m.describe(Task.REGRESSION)).isEqualTo("SequenceClassifier[PLSTM(4->8) LSTM(8->8) Dense(8->1) linear]");
        assertThat(m.describe(Task.CLASSIFICATION)).isEqualTo(m.toString())
                .isEqualTo("SequenceClassifier[PLSTM(4->8) LSTM(8->8) Dense(8->1) softmax]");
        assertThatThrownBy(() -> m.describe(null)).hasMessageStartingWith("task:");
    }

    @Test
    void initializeUsesDerivedSeedsDeterministically() {
        List<PhasedLstmConfig> cfg = SequenceClassifier.stack(PhasedLstmConfig.builder(2, 4).build(), 2);
        SequenceClassifier a = SequenceClassifier.initialize(cfg, 3, TimeGateInit.KERAS, 42);
        SequenceClassifier b = SequenceClassifier.initialize(cfg, 3, TimeGateInit.KERAS, 42);
        SequenceClassifier c = SequenceClassifier.initialize(cfg, 3, TimeGateInit.KERAS, 43);
        for (int n = 0; n < a.tensors().size(); n++) {
            assertThat(a.tensors().get(n).data()).isEqualTo(b.tensors().get(n).data());
        }
        assertThat(a.layers().get(0).kernel()).isNotEqualTo(c.layers().get(0).kernel());
        // the two layers get different seeds, so their recurrent kernels differ although the shapes agree
        assertThat(a.layers().get(0).recurrentKernel()).isNotEqualTo(a.layers().get(1).recurrentKernel());
        // the first layer's weights are exactly PhasedLstmParams.initialize with the first derived seed
        long seed0 = new java.util.SplittableRandom(42).nextLong();
        assertThat(a.layers().get(0).kernel())
                .isEqualTo(PhasedLstmParams.initialize(cfg.get(0), TimeGateInit.KERAS, seed0).kernel());
        // Keras init values: unit forget bias, ratioOn 0.05, period in [10, 100]
        assertThat(a.layers().get(1).bias()[4]).isEqualTo(1f);
        assertThat(a.layers().get(1).bias()[0]).isEqualTo(0f);
        assertThat(a.layers().get(0).ratioOn()).containsOnly(0.05f);
        for (float p : a.layers().get(0).period()) {
            assertThat(p).isBetween(10f, 100f);
        }
        assertThat(a.dense().bias()).containsOnly(0f);
    }

    @Test
    void plainLstmGetsTheSameKernelsAsThePhasedLstmOfTheSameSeed() {
        PhasedLstmConfig p = PhasedLstmConfig.builder(2, 4).build();
        PhasedLstmConfig l = p.toBuilder().timeGate(false).build();
        SequenceClassifier a = SequenceClassifier.initialize(List.of(p), 10, TimeGateInit.KERAS, 7);
        SequenceClassifier b = SequenceClassifier.initialize(List.of(l), 10, TimeGateInit.KERAS, 7);
        assertThat(a.layers().get(0).kernel()).isEqualTo(b.layers().get(0).kernel());
        assertThat(a.dense().kernel()).isEqualTo(b.dense().kernel());
    }

    @Test
    void tensorsListTrainableOnesWithQualifiedNamesAndMatchGradients() {
        PhasedLstmConfig first = PhasedLstmConfig.builder(2, 4).peepholes(true).trainShift(false).build();
        SequenceClassifier m = SequenceClassifier.initialize(SequenceClassifier.stack(first, 2), 3,
                TimeGateInit.PAPER, 1);
        assertThat(m.tensors()).extracting(Tensor::name).containsExactly(
                "layers.0.kernel", "layers.0.recurrent_kernel", "layers.0.bias", "layers.0.peephole",
                "layers.0.period", "layers.0.ratio_on",
                "layers.1.kernel", "layers.1.recurrent_kernel", "layers.1.bias", "layers.1.peephole",
                "layers.1.period", "layers.1.ratio_on",
                "dense.kernel", "dense.bias");
        assertThat(m.gradientTensors()).extracting(Tensor::name)
                .containsExactlyElementsOf(m.tensors().stream().map(Tensor::name).toList());
        assertThat(m.tensors().get(0).data()).isSameAs(m.layers().get(0).kernel());
        assertThat(m.gradientTensors().get(0).data()).isSameAs(m.layerGradients().get(0).kernel());
        assertThat(m.tensors()).isSameAs(m.tensors());
        assertThat(m.tensors().get(1).shape()).containsExactly(4, 16);

        SequenceClassifier lstm = SequenceClassifier.initialize(
                List.of(PhasedLstmConfig.builder(2, 4).timeGate(false).build()), 3, TimeGateInit.KERAS, 1);
        assertThat(lstm.tensors()).extracting(Tensor::name).containsExactly(
                "layers.0.kernel", "layers.0.recurrent_kernel", "layers.0.bias", "dense.kernel", "dense.bias");
        // 2*16 + 4*16 + 16 + 3*4 (time gate) + 4*3 + 3
        assertThat(lstm.parameterCount()).isEqualTo(32 + 64 + 16 + 12 + 12 + 3);
    }

    @Test
    void copyIsDeepAndZeroGradientsClears() {
        SequenceClassifier m = SequenceClassifier.initialize(List.of(PhasedLstmConfig.builder(1, 2).build()), 2,
                TimeGateInit.KERAS, 3);
        SequenceClassifier c = m.copy();
        c.layers().get(0).kernel()[0] += 1f;
        assertThat(m.layers().get(0).kernel()[0]).isNotEqualTo(c.layers().get(0).kernel()[0]);
        m.gradientTensors().get(0).data()[0] = 5f;
        m.denseGradients().bias()[1] = 2f;
        m.zeroGradients();
        assertThat(m.gradientTensors().get(0).data()[0]).isZero();
        assertThat(m.denseGradients().bias()[1]).isZero();
    }

    @Test
    void rejectsBrokenChains() {
        PhasedLstmParams a = new PhasedLstmParams(PhasedLstmConfig.builder(2, 4).build());
        PhasedLstmParams b = new PhasedLstmParams(PhasedLstmConfig.builder(3, 4).build());
        assertThatThrownBy(() -> new SequenceClassifier(List.of(a, b), new DenseParams(4, 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("layers[1]: expected input size H_0=4, got 3");
        assertThatThrownBy(() -> new SequenceClassifier(List.of(a), new DenseParams(5, 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dense: expected input size H_last=4, got 5");
        assertThatThrownBy(() -> new SequenceClassifier(List.of(), new DenseParams(5, 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("layers: expected at least 1");
        assertThatThrownBy(() -> SequenceClassifier.initialize(List.of(PhasedLstmConfig.builder(2, 4).build()), 0,
                TimeGateInit.KERAS, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("classes: expected >= 1, got 0");
    }

    /**
     * One parameter object at two depths would be updated twice per step, each time with one layer's gradient
     * alone (neither tied weights nor two layers), and saved as two layers that load untied: refused by name.
     */
    @Test
    void rejectsTheSameLayerParametersAtTwoDepths() {
        PhasedLstmParams p = PhasedLstmParams.initialize(PhasedLstmConfig.builder(4, 4).build(), TimeGateInit.PAPER, 1);
        PhasedLstmParams q = PhasedLstmParams.initialize(PhasedLstmConfig.builder(4, 4).build(), TimeGateInit.PAPER, 2);
        assertThatThrownBy(() -> new SequenceClassifier(List.of(p, q, p), DenseParams.initialize(4, 2, 3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("layers[2]: expected parameters of their own, got the object of layers[0] again");
    }
}
