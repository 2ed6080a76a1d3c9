package org.plstm.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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
    void aDamagedFileWhoseSizesClaimMoreThanItHoldsIsRefusedNotAnOutOfMemoryError() throws Exception {
        // bytes changed in the fixtures (found by a mutation fuzz): each made the reader allocate gigabytes
        Path model = damaged("model.h5", new int[] {3880, 14537, 15523, 19856}, new int[] {010, 0153, 1, 010});
        assertThatThrownBy(() -> KerasImport.load(model)).isInstanceOf(KerasFormatException.class)
                .hasMessage(model + ": weight phased_lstm_2/recurrent_kernel:0 declares shape [16777221, 20] "
                        + "(1342177680 bytes), more than the file's 21192 bytes: the file is damaged");
        // an object header's size field (1.7 GB here): jhdf allocated what it said before we saw a weight, an
        // OutOfMemoryError in a small heap, until the reader gave jhdf the file's bytes instead of the file; a child
        // JVM (the class path of this one) with a 64 MB heap shows that nothing that large is allocated any more
        Path weights = damaged("weights.h5", new int[] {7059}, new int[] {0152});
        String javaCommand = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(javaCommand, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                LoadInASmallHeap.class.getName(), weights.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).contains("KerasFormatException: " + weights + ": not a readable HDF5 file (Failed to load "
                + "children of group '/dense_1/dense_1/' at address '7048')");
    }

    @Test
    void aLayerNameOfThousandsOfCharactersGivesAShortMessage() throws Exception {
        // the message quoted the name whole, here 5,070 characters in all; KerasImportFuzzTest allows 4,096
        String name = "L".repeat(5_000);
        Path f = dir.resolve("long-name.h5");
        try (io.jhdf.WritableHdfFile w = io.jhdf.HdfFile.write(f)) {
            w.putAttribute("layer_names", new String[] {name});
        }
        String problem = "layer '" + name + "' is listed in layer_names but has no group";
        assertThatThrownBy(() -> KerasImport.load(f)).isInstanceOf(KerasFormatException.class)
                .hasMessage(f + ": layer '" + "L".repeat(993) + "... (" + (problem.length() - 1000)
                        + " more characters)");
    }

    @Test
    @org.junit.jupiter.api.Timeout(5)
    void aDamagedObjectHeaderSizeIsRefusedAtOnce() throws Exception {
        // found by KerasImportFuzzTest: a 195-byte file whose root object header says its messages take 405,802,496
        // bytes; jhdf read that through the file channel, rereading the same 83 bytes until the buffer was full (10 s)
        byte[] b = java.util.Base64.getDecoder().decode(
                "iUhERg0KGgoAAAAAAAgIAAQAEAAAAAAAAAAAAAAAAAD//////////9A1AAAAAAAA//////////8AAAAAAAAAAGAAAAAAAAAA"
                + "AQAAAAAIAACIAAAAAAAAAKgCAAAAAAAAAQANEgABAAAADjAYAAAAAAAAABAAEAAAAFNOT0QAAAAAAFoAAAAAAAAAAAAAAAAA"
                + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/wAAAD4A");
        Path f = Files.write(dir.resolve("header-size.h5"), b);
        assertThatThrownBy(() -> KerasImport.load(f)).isInstanceOf(KerasFormatException.class)
                .hasMessage(f + ": not a readable HDF5 file (Failed to load attributes for '//' at address '96')");
    }

    /** Loads a file and prints what it threw; run by the test above in a JVM with a small heap. */
    public static final class LoadInASmallHeap {
        public static void main(String[] args) throws Exception {
            try {
                KerasImport.load(Path.of(args[0]));
                System.out.println("loaded");
            } catch (KerasFormatException e) {
                System.out.println(e);
            }
        }
    }

    private Path damaged(String fixture, int[] at, int[] value) throws IOException {
        byte[] b = Files.readAllBytes(fixture(fixture));
        for (int i = 0; i < at.length; i++) {
            b[at[i]] = (byte) value[i];
        }
        return Files.write(dir.resolve("damaged-" + fixture), b);
    }

    @Test
    void stepTimesCountFromOne() {
        assertThat(KerasImport.stepTimes(2, 3)).containsExactly(1, 2, 3, 1, 2, 3);
    }
}
