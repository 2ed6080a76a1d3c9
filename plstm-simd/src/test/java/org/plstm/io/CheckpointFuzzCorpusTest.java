package org.plstm.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.plstm.DenseParams;
import org.plstm.GateActivation;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.Tensor;
import org.plstm.TimeGateInit;

/**
 * The seed corpus of {@link CheckpointFuzzTest}: where Jazzer finds it
 * ({@code src/test/resources/org/plstm/io/CheckpointFuzzTestInputs/<method>/}), that it is small, and that each seed is
 * what its name says ({@code valid-*} accepted, {@code invalid-*} refused with {@link CheckpointFormatException});
 * {@code crash-*} files are Jazzer's findings, replayed by {@link CheckpointFuzzTest} itself. The corpus is written
 * by {@link #writeCorpus} (docs/FUZZING.md):
 *
 * <pre>
 * mvn -o -pl plstm-simd -am test -Dtest=CheckpointFuzzCorpusTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dfuzz.skip=true -Dplstm.fuzz.writeCorpus=true
 * </pre>
 */
class CheckpointFuzzCorpusTest {
    private static final String DECODE = "CheckpointFuzzTestInputs/decode";
    private static final String LOAD = "CheckpointFuzzTestInputs/load";

    @TempDir
    Path dir;

    /** The corpus directory of a fuzz test method on the test class path (target/test-classes). */
    private static Path onClassPath(String resource) throws URISyntaxException {
        URL url = CheckpointFuzzTest.class.getResource(resource);
        assertThat(url).as("seed corpus %s next to CheckpointFuzzTest on the class path", resource).isNotNull();
        return Paths.get(url.toURI());
    }

    private static List<Path> seeds(Path corpus) throws IOException {
        try (Stream<Path> files = Files.list(corpus)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    @Test
    void theSeedCorpusIsWhereJazzerLooksSmallAndEachSeedIsWhatItsNameSays() throws Exception {
        long total = 0;
        for (String resource : List.of(DECODE, LOAD)) {
            Path corpus = onClassPath(resource);
            List<Path> seeds = seeds(corpus);
            assertThat(seeds).as(resource).extracting(p -> p.getFileName().toString())
                    .anyMatch(n -> n.startsWith("valid-")).anyMatch(n -> n.startsWith("invalid-"));
            for (Path seed : seeds) {
                String name = seed.getFileName().toString();
                byte[] bytes = Files.readAllBytes(seed);
                total += bytes.length;
                boolean load = resource.equals(LOAD);
                if (name.startsWith("valid-")) {
                    assertThatCode(() -> accept(load, seed, bytes)).as(resource + "/" + name)
                            .doesNotThrowAnyException();
                } else if (name.startsWith("invalid-")) {
                    assertThatThrownBy(() -> accept(load, seed, bytes)).as(resource + "/" + name)
                            .isInstanceOf(CheckpointFormatException.class);
                }
            }
        }
        assertThat(total).as("bytes of the checkpoint seed corpus").isLessThan(100_000);
    }

    private static void accept(boolean load, Path seed, byte[] bytes) throws IOException {
        if (load) {
            CheckpointFuzzTest.checkInvariants(Checkpoint.load(seed));
        } else {
            Safetensors.decode(bytes, seed.toString());
        }
    }

    /** Writes the seed corpus into the source tree (run on request only, see the class comment). */
    @Test
    @EnabledIfSystemProperty(named = "plstm.fuzz.writeCorpus", matches = "true")
    void writeCorpus() throws Exception {
        Path root = Paths.get("src/test/resources/org/plstm/io");
        assertThat(Paths.get("src/test/java/org/plstm/io")).as("run from the module directory").isDirectory();
        Path decode = Files.createDirectories(root.resolve(DECODE));
        Path load = Files.createDirectories(root.resolve(LOAD));

        byte[] weightsOnly = checkpoint(false, true, 1, null);
        byte[] adam = checkpoint(true, true, 2, "adam");
        byte[] rmsprop = checkpoint(false, true, 1, "rmsprop");
        byte[] sgdNoTimeGate = checkpoint(false, false, 1, "sgd");

        // Safetensors.decode: valid files of every kind, then one seed per check of the reader.
        write(decode, "valid-checkpoint-weights-only.safetensors", weightsOnly);
        write(decode, "valid-checkpoint-adam-peepholes-2-layers.safetensors", adam);
        write(decode, "valid-metadata-only.safetensors", raw("{\"__metadata__\":{\"a\":\"b\"}}", 0));
        write(decode, "valid-empty-and-scalar-tensors.safetensors", raw("{\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],"
                + "\"data_offsets\":[0,0]},\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}", 4));
        write(decode, "invalid-shorter-than-length-field.safetensors", new byte[] {2, 0, 0});
        write(decode, "invalid-truncated.safetensors", java.util.Arrays.copyOf(weightsOnly, weightsOnly.length / 2));
        write(decode, "invalid-header-length-too-large.safetensors", withHeaderLength(weightsOnly, 1L << 40));
        write(decode, "invalid-header-not-json.safetensors", raw("{\"a\":[1,2}", 0));
        write(decode, "invalid-trailing-json.safetensors", raw("{} {}", 0));
        write(decode, "invalid-duplicate-key.safetensors", raw("{\"__metadata__\":{},\"__metadata__\":{}}", 0));
        write(decode, "invalid-dtype-f16.safetensors",
                raw("{\"t\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4));
        write(decode, "invalid-overlap.safetensors", raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],"
                + "\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8));
        write(decode, "invalid-hole.safetensors", raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],"
                + "\"data_offsets\":[4,8]}}", 8));
        write(decode, "invalid-shape-too-large.safetensors", raw("{\"a\":{\"dtype\":\"F32\","
                + "\"shape\":[65536,65536],\"data_offsets\":[0,4]}}", 4));
        write(decode, "invalid-metadata-not-string.safetensors", raw("{\"__metadata__\":{\"a\":1}}", 0));
        // A 5,000-character name in the message: the message must stay short (it was not capped before 017f18d).
        write(decode, "invalid-long-tensor-name-in-message.safetensors", raw("{\"" + "n".repeat(5000) + "\":1}", 0));

        // Checkpoint.load: valid checkpoints of each optimiser, then one seed per check of the checkpoint layer.
        write(load, "valid-weights-only.safetensors", weightsOnly);
        write(load, "valid-adam-peepholes-2-layers.safetensors", adam);
        write(load, "valid-rmsprop.safetensors", rmsprop);
        write(load, "valid-sgd-no-time-gate.safetensors", sgdNoTimeGate);
        write(load, "valid-weights-only-no-digest.safetensors", edit(weightsOnly, (t, m) -> { }));
        write(load, "valid-adam-no-digest.safetensors", edit(adam, (t, m) -> { }));
        write(load, "invalid-plain-safetensors-not-a-checkpoint.safetensors",
                raw("{\"__metadata__\":{\"format\":\"pt\"}}", 0));
        write(load, "invalid-truncated.safetensors", java.util.Arrays.copyOf(rmsprop, rmsprop.length - 1));
        write(load, "invalid-nan-weight.safetensors", edit(weightsOnly, (t, m) -> t.get("dense.bias").data()[0] =
                Float.NaN));
        write(load, "invalid-negative-period.safetensors", edit(weightsOnly, (t, m) ->
                t.get("layers.0.timegate_kernel").data()[0] = -1f));
        write(load, "invalid-ratio-on-above-one.safetensors", edit(weightsOnly, (t, m) ->
                t.get("layers.0.timegate_kernel").data()[5] = 1.5f));
        write(load, "invalid-missing-tensor.safetensors", edit(weightsOnly, (t, m) -> t.remove("dense.bias")));
        write(load, "invalid-extra-tensor.safetensors", edit(weightsOnly, (t, m) ->
                t.put("extra", new Tensor("extra", new int[] {1}, new float[] {1}))));
        write(load, "invalid-long-unexpected-tensor-name-in-message.safetensors", edit(weightsOnly, (t, m) ->
                t.put("x".repeat(5000), new Tensor("x".repeat(5000), new int[] {0}, new float[0]))));
        write(load, "invalid-config-not-json.safetensors", edit(weightsOnly, (t, m) ->
                m.put("layers.0.config", "{\"input_size\":")));
        write(load, "invalid-layers-not-a-number.safetensors", edit(weightsOnly, (t, m) -> m.put("layers", "x")));
        write(load, "invalid-negative-rms.safetensors", edit(rmsprop, (t, m) ->
                t.get("optimizer.0.rms").data()[0] = -1f));
        write(load, "invalid-learning-rate-nan.safetensors", edit(rmsprop, (t, m) ->
                m.put("optimizer.learning_rate", "NaN")));
        write(load, "invalid-optimizer-tensors-mismatch.safetensors", edit(adam, (t, m) ->
                m.put("optimizer.tensors", "[]")));
    }

    /** Tensors and metadata of a decoded file, edited in place by a seed. */
    private interface Edit {
        void apply(Map<String, Tensor> tensors, Map<String, String> metadata);
    }

    private static byte[] edit(byte[] file, Edit edit) throws CheckpointFormatException {
        Safetensors.Contents c = Safetensors.decode(file, "seed");
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        c.tensors().forEach((k, t) -> tensors.put(k, new Tensor(t.name(), t.shape(), t.data().clone())));
        Map<String, String> metadata = new LinkedHashMap<>(c.metadata());
        // Without the integrity digest (if this version of Checkpoint writes one), which the edit would invalidate:
        // the file then loads as one written before digests, so the seed reaches the check it is named after.
        metadata.remove("integrity");
        edit.apply(tensors, metadata);
        return Safetensors.encode(new ArrayList<>(tensors.values()), metadata);
    }

    /** A tiny classifier: I = 1, H = 2, C = 2 per layer (about 100 values), and an optimiser state if named. */
    private byte[] checkpoint(boolean peepholes, boolean timeGate, int depth, String optimizer) throws IOException {
        List<PhasedLstmParams> layers = new ArrayList<>();
        for (int k = 0; k < depth; k++) {
            PhasedLstmConfig c = PhasedLstmConfig.builder(k == 0 ? 1 : 2, 2).peepholes(peepholes).timeGate(timeGate)
                    .gateActivation(k == 0 ? GateActivation.SIGMOID : GateActivation.HARD_SIGMOID).build();
            layers.add(PhasedLstmParams.initialize(c, TimeGateInit.KERAS, 11 + k));
        }
        ModelWeights model = new ModelWeights(layers, DenseParams.initialize(2, 2, 5));
        OptimizerState state = null;
        if (optimizer != null) {
            List<String> slotNames = OptimizerState.slotNames(optimizer);
            SplittableRandom rng = new SplittableRandom(3);
            List<float[]> slots = new ArrayList<>();
            for (Tensor t : model.trainableTensors()) {
                for (String s : slotNames) {
                    float[] a = new float[t.data().length];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = (float) (OptimizerState.nonNegative(s) ? rng.nextDouble() : rng.nextDouble() - 0.5);
                    }
                    slots.add(a);
                }
            }
            state = new OptimizerState(optimizer, 0.001, 3, slots);
        }
        Path f = dir.resolve("c.safetensors");
        Checkpoint.save(f, model, state, 1, state == null ? null : "{\"batch\":8}",
                state == null ? Map.of() : Map.of("seed", "7"));
        return Files.readAllBytes(f);
    }

    /** A safetensors file with this header and {@code dataBytes} zero bytes of data. */
    private static byte[] raw(String header, int dataBytes) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(json.length).put(json).array();
    }

    private static byte[] withHeaderLength(byte[] file, long n) {
        byte[] copy = file.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putLong(0, n);
        return copy;
    }

    private static void write(Path dir, String name, byte[] bytes) throws IOException {
        Files.write(dir.resolve(name), bytes);
    }
}
