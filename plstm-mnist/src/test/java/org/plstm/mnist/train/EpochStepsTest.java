package org.plstm.mnist.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.plstm.Engine;
import org.plstm.PhasedLstmConfig;
import org.plstm.TimeGateInit;
import org.plstm.engine.Backend;
import org.plstm.optim.CosineDecay;
import org.plstm.optim.Sgd;
import org.plstm.train.ClassifierTrainer;
import org.plstm.train.SequenceClassifier;
import org.plstm.train.TrainStepResult;

/**
 * The steps every trainer of the module takes through {@link EpochSteps}: the schedule set before the step, and each
 * way of diverging named with its epoch and batch, while a refused batch with sound parameters stays the engine's
 * own error.
 */
class EpochStepsTest {
    private static final String LAST_GOOD = "runs/x/checkpoint.safetensors (epoch 2)";

    private static SequenceClassifier model() {
        PhasedLstmConfig layer = PhasedLstmConfig.builder(1, 4).build();
        return SequenceClassifier.initialize(SequenceClassifier.stack(layer, 1), 2, TimeGateInit.PAPER, 7L);
    }

    @Test
    void theScheduleSetsTheRateBeforeTheStepAndTheResultComesBack() {
        try (Engine e = Backend.named("reference").newEngine(1)) {
            ClassifierTrainer trainer = new ClassifierTrainer(e, model(), new Sgd(0.5), 0); // not the schedule's
            CosineDecay schedule = new CosineDecay(0.1, 10, 0.0);
            EpochSteps steps = new EpochSteps(trainer, schedule, 3, 0.1, LAST_GOOD);
            double[] seen = new double[1];
            TrainStepResult result = new TrainStepResult(0.25, 3, 4, 1.0);
            TrainStepResult r = steps.take(1, () -> {
                seen[0] = trainer.optimizer().learningRate();
                return result;
            });
            assertThat(r).isSameAs(result);
            assertThat(seen[0]).isEqualTo(schedule.rate(0)).isEqualTo(0.1);
            assertThat(steps.lastSeconds()).isGreaterThanOrEqualTo(0.0);
            steps.finish(1); // sound parameters: nothing thrown
        }
    }

    @Test
    void aLossThatIsNotFiniteIsADivergenceAtThatBatch() {
        try (Engine e = Backend.named("reference").newEngine(1)) {
            ClassifierTrainer trainer = new ClassifierTrainer(e, model(), new Sgd(0.1), 0);
            EpochSteps steps = new EpochSteps(trainer, null, 3, 0.1, LAST_GOOD);
            assertThatThrownBy(() -> steps.take(7, () -> new TrainStepResult(Double.NaN, 0, 4, 1.0)))
                    .isInstanceOfSatisfying(DivergedException.class, d -> {
                        assertThat(d.epoch()).isEqualTo(3);
                        assertThat(d.batch()).isEqualTo(7);
                    })
                    .hasMessageContaining("the loss is NaN")
                    .hasMessageContaining(LAST_GOOD)
                    .hasMessageContaining("--lr, now 0.1");
        }
    }

    @Test
    void gradientsThatAreNotFiniteAreADivergenceAtThatBatch() {
        try (Engine e = Backend.named("reference").newEngine(1)) {
            ClassifierTrainer trainer = new ClassifierTrainer(e, model(), new Sgd(0.1), 0);
            EpochSteps steps = new EpochSteps(trainer, null, 2, 0.1, LAST_GOOD);
            org.plstm.SequenceBatch far = org.plstm.SequenceBatch.of(1, 2, 1, new float[] {0.1f, 0.2f},
                    new double[] {1e300, 2e300}); // finite input whose time gate gradients overflow
            assertThatThrownBy(() -> steps.take(5, () -> trainer.step(far, new int[] {1})))
                    .isInstanceOfSatisfying(DivergedException.class, d -> {
                        assertThat(d.epoch()).isEqualTo(2);
                        assertThat(d.batch()).isEqualTo(5);
                    })
                    .hasMessageContaining("the gradients' norm is ")
                    .hasMessageContaining("(the step was not applied; timestamps far beyond the time gate's periods "
                            + "do this too, whatever the rate)")
                    .hasMessageContaining(LAST_GOOD);
        }
    }

    @Test
    void aRefusedBatchWithSoundParametersIsTheEnginesOwnError() {
        try (Engine e = Backend.named("reference").newEngine(1)) {
            ClassifierTrainer trainer = new ClassifierTrainer(e, model(), new Sgd(0.1), 0);
            EpochSteps steps = new EpochSteps(trainer, null, 1, 0.1, LAST_GOOD);
            IllegalArgumentException refused = new IllegalArgumentException("labels: expected 4, got 3");
            assertThatThrownBy(() -> steps.take(1, () -> {
                throw refused;
            })).isSameAs(refused);
        }
    }

    @Test
    void parametersOutOfRangeAreADivergenceAtTheStepAndAtTheEpochsEnd() {
        try (Engine e = Backend.named("reference").newEngine(1)) {
            SequenceClassifier m = model();
            ClassifierTrainer trainer = new ClassifierTrainer(e, m, new Sgd(0.1), 0);
            m.tensors().get(0).data()[0] = Float.NaN; // what a diverged update leaves behind
            EpochSteps steps = new EpochSteps(trainer, null, 5, 0.1, LAST_GOOD);
            assertThatThrownBy(() -> steps.take(2, () -> {
                throw new IllegalArgumentException("model: not finite");
            })).isInstanceOfSatisfying(DivergedException.class, d -> {
                assertThat(d.epoch()).isEqualTo(5);
                assertThat(d.batch()).isEqualTo(2);
            }).hasMessageContaining("the parameters left their valid range");
            assertThatThrownBy(() -> steps.finish(9))
                    .isInstanceOfSatisfying(DivergedException.class, d -> assertThat(d.batch()).isEqualTo(9))
                    .hasMessageContaining("the parameters left their valid range");
        }
    }
}
