package org.plstm.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plstm.GateActivation;
import org.plstm.SequenceBatch;
import org.plstm.inference.InferencePath;
import org.plstm.inference.PhasedLstmModel;

/**
 * Models in the HDF5 layout Keras writes (fixtures by {@code scripts/keras_fixtures.py}, with the outputs of an
 * independent float64 NumPy forward of the Keras layer) predict what that forward predicts.
 *
 * <p>Tolerance: plstm computes in float32 against the fixture's float64, over 25 steps, as {@code SimdCrossCheckTest}
 * does over up to 40: {@code |plstm − numpy| <= 1e-5 + 1e-4·|numpy|} on every probability and hidden value.
 */
class KerasImportTest {
    private static final double ATOL = 1e-5;
    private static final double RTOL = 1e-4;

    @TempDir
    Path dir;

    private static Path fixture(String name) {
        return Path.of("src", "test", "resources", "keras", name);
    }

    private static void check(String name, PhasedLstmModel model) throws Exception {
        JsonNode expected = new ObjectMapper().readTree(fixture(name + ".json").toFile());
        int batch = expected.get("batch").asInt();
        int steps = expected.get("steps").asInt();
        int in = expected.get("input_size").asInt();
        float[] x = new float[batch * steps * in];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) expected.get("x").get(i).asDouble();
        }
        SequenceBatch input = SequenceBatch.of(batch, steps, in, x, KerasImport.stepTimes(batch, steps));
        float[] probs = model.predictProbabilities(input);
        float[] hidden = model.predictLastHidden(input);
        assertClose(name + " probabilities", probs, expected.get("probabilities"));
        assertClose(name + " last hidden", hidden, expected.get("last_hidden"));
    }

    private static void assertClose(String what, float[] actual, JsonNode expected) {
        assertThat(actual).as(what).hasSize(expected.size());
        for (int i = 0; i < actual.length; i++) {
            double e = expected.get(i).asDouble();
            assertThat((double) actual[i]).as("%s[%d]", what, i).isCloseTo(e,
                    org.assertj.core.data.Offset.offset(ATOL + RTOL * Math.abs(e)));
        }
    }

    @Test
    void aSaveWeightsFileWithTheLayersDefaultsPredictsWhatKerasPredicts() throws Exception {
        PhasedLstmModel model = KerasImport.load(fixture("weights.h5"));
        assertThat(model.keepsLeak()).isTrue();
        assertThat(model.depth()).isEqualTo(1);
        assertThat(model.inputSize()).isEqualTo(3);
        assertThat(model.hiddenSize()).isEqualTo(8);
        assertThat(model.classes()).isEqualTo(4);
        assertThat(model.configs().get(0).gateActivation()).isEqualTo(GateActivation.HARD_SIGMOID);
        assertThat(model.configs().get(0).leak()).isEqualTo(0.001);
        check("weights", model);
    }

    @Test
    void aSavedModelTakesActivationAndLeakFromItsConfiguration() throws Exception {
        PhasedLstmModel model = KerasImport.load(fixture("model.h5"));
        assertThat(model.depth()).isEqualTo(2);
        assertThat(model.configs().get(1).gateActivation()).isEqualTo(GateActivation.SIGMOID);
        assertThat(model.configs().get(1).leak()).isEqualTo(0.002);
        check("model", model);
    }

    @Test
    void withoutTheLeakTheModelStreamsButPredictsOtherwise() throws Exception {
        KerasImport.Layers l = KerasImport.layers(fixture("model.h5"), GateActivation.HARD_SIGMOID, 0.001);
        PhasedLstmModel leaky = l.model();
        assertThatThrownBy(leaky::newSession).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("keeps the leak");
        assertThat(leaky.batchPath(SequenceBatch.of(1, 1, 3, new float[3], new double[] {1})))
                .isEqualTo(InferencePath.DENSE);
        assertThatThrownBy(() -> leaky.predictLastHidden(SequenceBatch.of(1, 1, 3, new float[3], new double[] {1}),
                InferencePath.EVENT_DRIVEN)).isInstanceOf(IllegalStateException.class);
        PhasedLstmModel paper = PhasedLstmModel.of(l.layers(), l.head());
        assertThat(paper.newSession().step(new float[] {0.1f, 0.2f, 0.3f}, 1.0)).hasSize(5);
        float[] x = new float[2 * 25 * 3];
        java.util.Arrays.fill(x, 0.5f);
        SequenceBatch in = SequenceBatch.of(2, 25, 3, x, KerasImport.stepTimes(2, 25));
        float[] a = leaky.predictLastHidden(in);
        float[] b = paper.predictLastHidden(in, InferencePath.DENSE);
        double diff = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
        }
        assertThat(diff).as("the leak changes the prediction (Keras keeps it; the paper's inference does not)")
                .isGreaterThan(1e-5);
    }

    @Test
    void badFilesAreRefusedNamingTheFile() throws Exception {
        assertThatThrownBy(() -> KerasImport.load(dir.resolve("missing.h5"))).isInstanceOf(NoSuchFileException.class);
        Path text = Files.writeString(dir.resolve("not.h5"), "this is not HDF5");
        assertThatThrownBy(() -> KerasImport.load(text)).isInstanceOf(KerasFormatException.class)
                .hasMessageStartingWith(text + ": not a readable HDF5 file");
        assertThatThrownBy(() -> KerasImport.load(dir)).isInstanceOf(KerasFormatException.class)
                .hasMessage(dir + ": not a regular file");
        assertThatThrownBy(() -> KerasImport.load(fixture("weights.h5"), GateActivation.SIGMOID, 2.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("defaultLeak: expected a value in [0, 1], got 2.0");
    }

    @Test
    void stepTimesCountFromOne() {
        assertThat(KerasImport.stepTimes(2, 3)).containsExactly(1, 2, 3, 1, 2, 3);
    }
}
