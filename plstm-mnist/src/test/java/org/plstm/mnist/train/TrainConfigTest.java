package org.plstm.mnist.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.plstm.GateActivation;
import org.plstm.PhasedLstmConfig;
import org.plstm.TimeGateInit;

class TrainConfigTest {

    @Test
    void defaultsAreTheKerasSeeds() {
        TrainConfig d = TrainConfig.defaults();
        assertThat(d.model()).isEqualTo(ModelKind.PLSTM);
        assertThat(d.hidden()).isEqualTo(32);
        assertThat(d.epochs()).isEqualTo(2);
        assertThat(d.batch()).isEqualTo(128);
        assertThat(d.optimizer()).isEqualTo("rmsprop");
        assertThat(d.learningRate()).isEqualTo(1e-3);
        assertThat(d.layout()).isEqualTo(Layout.PIXEL);
        assertThat(d.timeGateInit()).isEqualTo(TimeGateInit.KERAS);
        assertThat(d.layerConfigs()).containsExactly(PhasedLstmConfig.builder(1, 32).build());
    }

    @Test
    void jsonRoundTripsAndUsesSnakeCase() {
        TrainConfig c = new TrainConfig(ModelKind.LSTM, 3, 16, 5, 64, "ADAM", 2e-3, 1.5, Layout.ROW, 1000, 200, -7,
                "Paper", "HARD_SIGMOID", true, "Reference", 3);
        assertThat(c.optimizer()).isEqualTo("adam");
        assertThat(c.init()).isEqualTo("paper");
        assertThat(c.gateActivation()).isEqualTo("hard_sigmoid");
        assertThat(c.engine()).isEqualTo("reference");
        String json = c.toJson();
        assertThat(json).startsWith("{\"model\":\"lstm\",\"layers\":3,\"hidden\":16,\"epochs\":5,\"batch\":64,"
                + "\"optimizer\":\"adam\",\"learning_rate\":0.002,\"clip\":1.5,\"schedule\":\"constant\",\"weight_decay\":0.0,"
                + "\"translate\":0,\"layout\":\"row\","
                + "\"train_limit\":1000,");
        assertThat(TrainConfig.fromJson(json)).isEqualTo(c);
        // a checkpoint written before schedules and augmentation existed has none of them: constant, off, off
        assertThat(json).contains("\"schedule\":\"constant\",\"weight_decay\":0.0,\"translate\":0,");
        assertThat(TrainConfig.fromJson(json.replace("\"schedule\":\"constant\",\"weight_decay\":0.0,\"translate\":0,",
                ""))).isEqualTo(c);
        assertThat(c.learningRateSchedule(1000)).isNull();
        TrainConfig cosine = new TrainConfig(ModelKind.LSTM, 3, 16, 5, 64, "adam", 2e-3, 1.5, "Cosine", 1e-4, 3, Layout.ROW,
                1000, 200, -7, "paper", "hard_sigmoid", true, "reference", 3);
        assertThat(TrainConfig.fromJson(cosine.toJson())).isEqualTo(cosine);
        assertThat(cosine.newOptimizer().weightDecay()).isEqualTo(1e-4);
        assertThat(cosine.translate()).isEqualTo(3);
        // 1000 samples in batches of 64: 16 steps per epoch, 80 in the run
        assertThat(cosine.learningRateSchedule(1000)).isEqualTo(new org.plstm.optim.CosineDecay(2e-3, 80, 0));
        assertThat(c.layerConfigs()).hasSize(3);
        assertThat(c.layerConfigs().get(0)).isEqualTo(PhasedLstmConfig.builder(28, 16).timeGate(false)
                .peepholes(true).gateActivation(GateActivation.HARD_SIGMOID).build());
        assertThat(c.layerConfigs().get(2).inputSize()).isEqualTo(16);
        assertThat(c.newModel().classes()).isEqualTo(10);
        assertThat(c.newOptimizer().name()).isEqualTo("adam");
    }

    @Test
    void rejectsInvalidValuesNamingTheField() {
        assertThatThrownBy(() -> TrainConfig.defaults().withEpochs(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("epochs: expected >= 1, got 0");
        assertThatThrownBy(() -> TrainConfig.fromJson(TrainConfig.defaults().toJson().replace("\"rmsprop\"",
                "\"adagrad\""))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("optimizer: expected rmsprop, adam or sgd, got adagrad");
        assertThatThrownBy(() -> TrainConfig.fromJson(TrainConfig.defaults().toJson().replace("\"constant\"",
                "\"step\""))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("schedule: expected constant or cosine, got step");
        for (int bad : new int[] {-1, 14}) {
            assertThatThrownBy(() -> TrainConfig.fromJson(TrainConfig.defaults().toJson().replace("\"translate\":0",
                    "\"translate\":" + bad))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("translate: expected 0 (off) to 13 pixels, got " + bad);
        }
        assertThatThrownBy(() -> TrainConfig.fromJson("{\"model\":")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("training configuration: ");
        assertThatThrownBy(() -> Layout.parse("column")).hasMessage("layout: expected pixel or row, got column");
        assertThatThrownBy(() -> ModelKind.parse("gru")).hasMessage("model: expected plstm or lstm, got gru");
    }

    /**
     * A checkpoint of another command is named as such (an adversarial session got "layout: expected pixel or row,
     * got null" from train --resume with an events checkpoint, and a NullPointerException in the message the other
     * way round).
     */
    @Test
    void aConfigurationOfAnotherCommandIsNamedAsSuch() {
        String events = "{\"task\":\"classification\",\"model\":\"plstm\",\"idColumn\":\"seq\","
                + "\"timeColumn\":\"t\",\"features\":[\"x\"],\"labelColumn\":\"label\"}";
        assertThat(RunSupport.trainerCommand(events)).isEqualTo("events train");
        assertThatThrownBy(() -> TrainConfig.fromJson(events)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("training configuration: expected one of sequential MNIST's train, got one of 'events "
                        + "train' (resume it with that command)");
        String mnist = TrainConfig.defaults().toJson();
        assertThat(RunSupport.trainerCommand(mnist)).isEqualTo("train");
        assertThatThrownBy(() -> EventConfig.fromJson(mnist)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("training configuration: expected an event training configuration, got one of 'train' "
                        + "(resume it with that command)");
        assertThatThrownBy(() -> TaskConfig.fromJson(mnist))
                .hasMessage("training configuration: expected a configuration of freq or event-mnist, got one of "
                        + "'train' (resume it with that command)");
        String freq = "{\"task\":\"freq\",\"sampling\":\"async\"}";
        assertThat(RunSupport.trainerCommand(freq)).isEqualTo("freq");
        assertThatThrownBy(() -> EventConfig.fromJson(freq)).hasMessageEndingWith("got one of 'freq' (resume it with "
                + "that command)");
        assertThat(RunSupport.trainerCommand("null")).isNull();
        assertThat(RunSupport.trainerCommand("{\"a\":1}")).isNull();
        assertThat(RunSupport.trainerCommand("{not json")).isNull();
    }
}
