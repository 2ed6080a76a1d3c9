package org.plstm.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plstm.Engine;
import org.plstm.GateActivation;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.SequenceBatch;
import org.plstm.Tensor;
import org.plstm.TimeGateInit;
import org.plstm.optim.Adam;
import org.plstm.optim.Optimizer;
import org.plstm.optim.RmsProp;
import org.plstm.optim.Sgd;
import org.plstm.simd.SimdEngine;
import org.plstm.train.ClassifierTrainer;
import org.plstm.train.SequenceClassifier;

class CheckpointTest {
    @TempDir
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();

    private static SequenceClassifier model(boolean peepholes, boolean timeGate, int depth, long seed) {
        PhasedLstmConfig first = PhasedLstmConfig.builder(3, 5).peepholes(peepholes).timeGate(timeGate)
                .gateActivation(GateActivation.HARD_SIGMOID).leak(0.002).trainShift(false).build();
        return SequenceClassifier.initialize(SequenceClassifier.stack(first, depth), 4, TimeGateInit.KERAS, seed);
    }

    /** Random batches of the model's input size; the same seed gives the same batches. */
    private static List<Object[]> batches(int count, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Object[]> list = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            int b = 6;
            int t = 7;
            float[] x = new float[b * t * 3];
            double[] time = new double[b * t];
            int[] labels = new int[b];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (2 * rng.nextDouble() - 1);
            }
            for (int i = 0; i < time.length; i++) {
                time[i] = 1 + (i % t) * 3.5;
            }
            for (int i = 0; i < b; i++) {
                labels[i] = rng.nextInt(4);
            }
            list.add(new Object[] {SequenceBatch.of(b, t, 3, x, time), labels});
        }
        return list;
    }

    private static void train(ClassifierTrainer t, List<Object[]> batches, List<Double> losses) {
        for (Object[] b : batches) {
            double l = t.step((SequenceBatch) b[0], (int[]) b[1]).loss();
            if (losses != null) {
                losses.add(l);
            }
        }
    }

    private static void assertSameParameters(SequenceClassifier a, SequenceClassifier b) {
        assertThat(b.configs()).isEqualTo(a.configs());
        for (int k = 0; k < a.depth(); k++) {
            List<Tensor> ta = a.layers().get(k).tensors();
            List<Tensor> tb = b.layers().get(k).tensors();
            assertThat(tb).hasSameSizeAs(ta);
            for (int n = 0; n < ta.size(); n++) {
                assertThat(tb.get(n).data()).as(ta.get(n).name()).isEqualTo(ta.get(n).data());
            }
        }
        assertThat(b.dense().kernel()).isEqualTo(a.dense().kernel());
        assertThat(b.dense().bias()).isEqualTo(a.dense().bias());
    }

    @Test
    void roundTripRestoresWeightsOptimizerStateAndMetadataAndTrainingContinuesIdentically() throws Exception {
        for (String opt : List.of("rmsprop", "adam", "sgd")) {
            SequenceClassifier m = model(true, true, 2, 17);
            List<Object[]> data = batches(6, 5);
            try (Engine engine = new SimdEngine(2)) {
                ClassifierTrainer t = new ClassifierTrainer(engine, m, Optimizer.create(opt, 0.01), 0);
                train(t, data.subList(0, 3), null);
                Path f = dir.resolve(opt + ".safetensors");
                Checkpoint.save(f, m.weights(), t.optimizer().checkpointState(), 3, "{\"batch\":6}", Map.of("seed", "5"));

                Checkpoint.Loaded l = Checkpoint.load(f);
                assertSameParameters(m, SequenceClassifier.of(l.weights()));
                assertThat(l.epoch()).isEqualTo(3);
                assertThat(l.trainer()).isEqualTo("{\"batch\":6}");
                assertThat(l.metadata()).containsEntry("seed", "5").containsEntry("format", "plstm-checkpoint-1")
                        .containsEntry("optimizer", opt).containsEntry("optimizer.iterations", "3")
                        .containsEntry("layers", "2").containsEntry("classes", "4");
                assertThat(l.optimizer().name()).isEqualTo(opt);
                assertThat(l.optimizer().learningRate()).isEqualTo(0.01);
                assertThat(l.optimizer().iterations()).isEqualTo(3);
                List<float[]> saved = t.optimizer().state();
                assertThat(l.optimizer().slots()).hasSameSizeAs(saved);
                for (int i = 0; i < saved.size(); i++) {
                    assertThat(l.optimizer().slots().get(i)).isEqualTo(saved.get(i));
                }

                // continuing the original and the loaded copy gives the same losses: bitwise, up to the last bits
                // the SIMD engine's Vector API code may round differently before and after JIT compilation
                List<Double> original = new ArrayList<>();
                List<Double> resumed = new ArrayList<>();
                train(t, data.subList(3, 6), original);
                SequenceClassifier lm = SequenceClassifier.of(l.weights());
                ClassifierTrainer r = new ClassifierTrainer(engine, lm, Optimizer.restore(l.optimizer(), lm.tensors()), 0);
                train(r, data.subList(3, 6), resumed);
                for (int i = 0; i < 3; i++) {
                    assertThat(resumed.get(i)).as(opt + " step " + i).isCloseTo(original.get(i),
                            org.assertj.core.api.Assertions.within(1e-7));
                }
            }
        }
    }

    @Test
    void theFileIsStandardSafetensorsWithKerasNamesAndConfigurationMetadata() throws Exception {
        SequenceClassifier m = model(true, true, 1, 3);
        Path f = dir.resolve("c.safetensors");
        try (Engine engine = new SimdEngine(1)) {
            ClassifierTrainer t = new ClassifierTrainer(engine, m, new RmsProp(1e-3), 0);
            train(t, batches(1, 1), null);
            Checkpoint.save(f, m.weights(), t.optimizer().checkpointState(), 1, null, Map.of());
        }
        Safetensors.Contents c = Safetensors.read(f);
        assertThat(c.tensors().keySet()).containsExactly("layers.0.kernel", "layers.0.recurrent_kernel",
                "layers.0.bias", "layers.0.peephole", "layers.0.timegate_kernel", "dense.kernel", "dense.bias",
                "optimizer.0.rms", "optimizer.1.rms", "optimizer.2.rms", "optimizer.3.rms", "optimizer.4.rms",
                "optimizer.5.rms", "optimizer.6.rms", "optimizer.7.rms");
        assertThat(c.tensors().get("layers.0.recurrent_kernel").shape()).containsExactly(5, 20);
        assertThat(c.tensors().get("layers.0.timegate_kernel").shape()).containsExactly(3, 5);
        PhasedLstmParams p = m.layers().get(0);
        assertThat(Arrays.copyOfRange(c.tensors().get("layers.0.timegate_kernel").data(), 0, 5))
                .isEqualTo(p.period());
        assertThat(Arrays.copyOfRange(c.tensors().get("layers.0.timegate_kernel").data(), 10, 15))
                .isEqualTo(p.ratioOn());
        assertThat(c.tensors().get("optimizer.4.rms").shape()).containsExactly(5); // layers.0.period
        assertThat(JSON.readTree(c.metadata().get("layers.0.config"))).isEqualTo(JSON.readTree(
                "{\"input_size\":3,\"hidden_size\":5,\"peepholes\":true,\"gate_activation\":\"hard_sigmoid\","
                        + "\"time_gate\":true,\"leak\":0.002,\"train_period\":true,\"train_shift\":false,"
                        + "\"train_ratio_on\":true}"));
        assertThat(JSON.readTree(c.metadata().get("optimizer.tensors"))).hasSize(8);
        assertThat(c.metadata()).containsEntry("optimizer.learning_rate", "0.001").containsEntry("epoch", "1")
                .doesNotContainKey("trainer");
    }

    @Test
    void weightsOnlyAndFreshOptimizerCheckpointsLoad() throws Exception {
        SequenceClassifier m = model(false, false, 1, 4);
        Path a = dir.resolve("a.safetensors");
        Checkpoint.save(a, m.weights(), null, 0, null, Map.of());
        Checkpoint.Loaded la = Checkpoint.load(a);
        assertThat(la.optimizer()).isNull();
        assertSameParameters(m, SequenceClassifier.of(la.weights()));
        Path b = dir.resolve("b.safetensors");
        Checkpoint.save(b, m.weights(), new Adam(0.002).checkpointState(), 0, null, Map.of());
        Checkpoint.Loaded lb = Checkpoint.load(b);
        assertThat(lb.optimizer().slots()).isEmpty();
        Optimizer o = Optimizer.restore(lb.optimizer(), SequenceClassifier.of(lb.weights()).tensors());
        assertThat(o.name()).isEqualTo("adam");
        assertThat(o.iterations()).isZero();
        assertThat(o.learningRate()).isEqualTo(0.002);
    }

    @Test
    void saveRejectsReservedExtraKeys() {
        SequenceClassifier m = model(false, true, 1, 4);
        assertThatThrownBy(() -> Checkpoint.save(dir.resolve("x"), m.weights(), null, 0, null, Map.of("epoch", "2")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("extra: expected keys other than the reserved ones, got epoch");
        assertThatThrownBy(() -> Checkpoint.save(dir.resolve("x"), m.weights(), null, -1, null, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("epoch: expected >= 0, got -1");
    }

    /**
     * An extra key with an unpaired surrogate was written, and then the file did not load ("header is not valid
     * JSON: Unexpected low surrogate in field name"): refused before writing, as everything load rejects. The same
     * character in a value or in {@code trainer} round-trips and stays allowed.
     */
    @Test
    void saveRejectsAnExtraKeyThatLoadCouldNotRead() throws Exception {
        SequenceClassifier m = model(false, true, 1, 4);
        Path x = dir.resolve("x.safetensors");
        assertThatThrownBy(() -> Checkpoint.save(x, m.weights(), null, 0, null, Map.of("k\uDC00", "v")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("extra: expected keys of well-formed UTF-16, got one with an unpaired surrogate U+DC00 at "
                        + "index 1");
        assertThat(x).doesNotExist();
        Checkpoint.save(x, m.weights(), null, 0, "t\uD800", Map.of("k", "\uDC00v"));
        Checkpoint.Loaded l = Checkpoint.load(x);
        assertThat(l.trainer()).isEqualTo("t\uD800");
        assertThat(l.metadata()).containsEntry("k", "\uDC00v");
    }

    // ---- corruption ----

    private Path saved() throws Exception {
        SequenceClassifier m = model(true, true, 2, 8);
        Path f = dir.resolve("good.safetensors");
        try (Engine engine = new SimdEngine(1)) {
            ClassifierTrainer t = new ClassifierTrainer(engine, m, new RmsProp(1e-3), 0);
            train(t, batches(1, 2), null);
            Checkpoint.save(f, m.weights(), t.optimizer().checkpointState(), 1, "{}", Map.of());
        }
        return f;
    }

    /**
     * Rewrites a checkpoint after editing its tensors and metadata, with a digest of the edited content (the file
     * stays valid safetensors and passes the integrity check, as a file from a faulty writer would: what is tested
     * is the validation behind the digest).
     */
    private Path edited(Consumer<Map<String, Tensor>> tensors, Consumer<Map<String, String>> meta) throws Exception {
        return edited(tensors, meta, true);
    }

    private Path edited(Consumer<Map<String, Tensor>> tensors, Consumer<Map<String, String>> meta, boolean reseal)
            throws Exception {
        Safetensors.Contents c = Safetensors.read(saved());
        Map<String, Tensor> t = new LinkedHashMap<>(c.tensors());
        Map<String, String> m = new LinkedHashMap<>(c.metadata());
        tensors.accept(t);
        meta.accept(m);
        if (reseal && m.containsKey(Checkpoint.INTEGRITY)) {
            m.put(Checkpoint.INTEGRITY, Checkpoint.digest(m, t.values()));
        }
        Path f = dir.resolve("edited.safetensors");
        Safetensors.write(f, new ArrayList<>(t.values()), m);
        return f;
    }

    private static void assertCorrupt(Path f, String message) {
        assertThatThrownBy(() -> Checkpoint.load(f)).isInstanceOf(CheckpointFormatException.class)
                .hasMessageStartingWith(f + ": ").hasMessageContaining(message);
    }

    /**
     * Entries are read as {@code save} writes them: integers in plain decimal, the layer configuration as one JSON
     * object with exactly its fields (the attack loaded " 1", "+1", "01", trailing text, duplicate and unknown
     * fields; the digest covers them, so this matters for edited or old files).
     */
    @Test
    void metadataInAnotherSpellingThanSavesIsRefused() throws Exception {
        for (String layers : new String[] {" 1", "+1", "01", "1 "}) {
            assertCorrupt(edited(t -> { }, m -> m.put("layers", layers)),
                    "metadata layers must be an integer in [1, 10000], got '" + layers + "'");
        }
        assertCorrupt(edited(t -> { }, m -> m.put("epoch", "-0")), "metadata epoch must be an integer >= 0");
        String config = Safetensors.read(saved()).metadata().get("layers.0.config");
        assertCorrupt(edited(t -> { }, m -> m.put("layers.0.config", config + "xyz")), "is not valid JSON");
        assertCorrupt(edited(t -> { }, m -> m.put("layers.0.config", config.replace("{", "{\"leak\":0.5,"))),
                "is not valid JSON: Duplicate field 'leak'");
        assertCorrupt(edited(t -> { }, m -> m.put("layers.0.config", config.replace("{", "{\"units\":3,"))),
                "layers.0.config has the unknown field units, expected only [input_size, hidden_size");
        String upper = config.replaceAll("\"gate_activation\":\"(hard_)?sigmoid\"",
                "\"gate_activation\":\"$1SIGMOID\"");
        assertThat(upper).isNotEqualTo(config);
        assertCorrupt(edited(t -> { }, m -> m.put("layers.0.config", upper)),
                "layers.0.config has gate_activation '");
        assertCorrupt(edited(t -> { }, m -> m.put("layers.0.config", upper)),
                "SIGMOID', expected one of [sigmoid, hard_sigmoid]");
    }

    @Test
    void truncatedFilesAreRejected() throws Exception {
        Path f = saved();
        byte[] all = Files.readAllBytes(f);
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(all, all.length - 10));
        assertCorrupt(cut, "data_offsets [3816, 3832] out of range: expected 0 <= begin <= end <= 3822");
        Files.write(cut, Arrays.copyOf(all, all.length - 16)); // exactly the last tensor missing
        assertCorrupt(cut, "out of range");
        Files.write(cut, Arrays.copyOf(all, 100));
        assertCorrupt(cut, "is out of range");
        Files.write(cut, Arrays.copyOf(all, 4));
        assertCorrupt(cut, "too short");
    }

    @Test
    void aBadHeaderLengthIsRejected() throws Exception {
        byte[] all = Files.readAllBytes(saved());
        Path f = dir.resolve("len.safetensors");
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong(0);
        b.putLong(0, all.length);
        Files.write(f, all);
        assertCorrupt(f, "header length " + all.length + " is out of range");
        b.putLong(0, n - 8); // cuts the JSON short
        Files.write(f, all);
        assertCorrupt(f, "header is not valid JSON");
        b.putLong(0, 0);
        Files.write(f, all);
        assertCorrupt(f, "header length 0 is out of range");
    }

    @Test
    void offsetsOutOfRangeAndWrongDtypesAreRejected() throws Exception {
        byte[] all = Files.readAllBytes(saved());
        long n = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        String header = new String(all, 8, (int) n, StandardCharsets.UTF_8);
        ObjectNode root = (ObjectNode) JSON.readTree(header);
        long dataLength = all.length - 8 - n;

        ObjectNode outOfRange = root.deepCopy();
        ((ObjectNode) outOfRange.get("dense.bias")).putArray("data_offsets").add(dataLength - 16).add(dataLength + 24);
        Path f = dir.resolve("offsets.safetensors");
        Files.write(f, SafetensorsTest.file(outOfRange.toString(), Arrays.copyOfRange(all, (int) (8 + n),
                all.length)));
        assertCorrupt(f, "tensor 'dense.bias': data_offsets");
        assertCorrupt(f, "out of range");

        ObjectNode f16 = root.deepCopy();
        ((ObjectNode) f16.get("layers.0.bias")).put("dtype", "F64");
        Files.write(f, SafetensorsTest.file(f16.toString(), Arrays.copyOfRange(all, (int) (8 + n), all.length)));
        assertCorrupt(f, "tensor 'layers.0.bias': dtype F64 is not supported, expected F32");
    }

    @Test
    void missingMisshapenOrExtraTensorsAreRejected() throws Exception {
        assertCorrupt(edited(t -> t.remove("layers.1.recurrent_kernel"), m -> { }),
                "missing tensor layers.1.recurrent_kernel");
        assertCorrupt(edited(t -> t.remove("dense.bias"), m -> { }), "missing tensor dense.bias");
        assertCorrupt(edited(t -> t.remove("optimizer.3.rms"), m -> { }), "optimizer tensors, expected a multiple");
        assertCorrupt(edited(t -> t.put("layers.0.bias", new Tensor("layers.0.bias", new int[] {4, 5},
                new float[20])), m -> { }), "tensor layers.0.bias has shape [4, 5], expected [20]");
        assertCorrupt(edited(t -> t.put("stray", new Tensor("stray", new int[] {1}, new float[1])), m -> { }),
                "1 unexpected tensor(s) [stray]");
    }

    @Test
    void badMetadataAndBadValuesAreRejected() throws Exception {
        assertCorrupt(edited(t -> { }, m -> m.put("format", "other")), "metadata format is 'other'");
        assertCorrupt(edited(t -> { }, m -> m.remove("format")), "metadata format is missing");
        assertCorrupt(edited(t -> { }, m -> m.remove("layers.1.config")), "missing metadata entry layers.1.config");
        assertCorrupt(edited(t -> { }, m -> m.put("layers", "x")), "metadata layers must be an integer");
        assertCorrupt(edited(t -> { }, m -> m.put("layers.0.config", "{\"input_size\":3}")),
                "layers.0.config lacks the field hidden_size");
        assertCorrupt(edited(t -> { }, m -> m.put("layers.0.config", m.get("layers.0.config")
                .replace("\"leak\":0.002", "\"leak\":7"))), "layers.0.config is invalid: leak");
        assertCorrupt(edited(t -> { }, m -> m.put("optimizer", "lbfgs")), "invalid optimizer");
        assertCorrupt(edited(t -> { }, m -> m.put("epoch", "-3")), "metadata epoch must be an integer >= 0");
        assertCorrupt(edited(t -> t.get("layers.0.timegate_kernel").data()[0] = -1f, m -> { }),
                "invalid parameter values: layers.0.period: expected > 0, got -1.0 at unit 0");
        assertCorrupt(edited(t -> t.get("dense.kernel").data()[2] = Float.NaN, m -> { }),
                "invalid parameter values: dense.kernel: expected finite values, got NaN at flat index 2");
        assertCorrupt(edited(t -> t.get("optimizer.2.rms").data()[0] = Float.POSITIVE_INFINITY, m -> { }),
                "invalid optimizer state: optimizer.2.rms");
        assertCorrupt(edited(t -> { }, m -> m.put("classes", "5")), "tensor dense.kernel has shape [5, 4], "
                + "expected [5, 5]");
    }

    @Test
    void changedBytesOfTheDataSectionFailTheIntegrityCheck() throws Exception {
        Path good = saved();
        byte[] all = Files.readAllBytes(good);
        long n = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        Path f = dir.resolve("flipped.safetensors");
        // every 13th byte of the data section (every tensor, every byte position within a float), each with one bit
        // flipped (the attack loaded 263 of 1,500 such flips); every byte takes 6 s per surefire execution
        for (int at = (int) (8 + n); at < all.length; at += 13) {
            byte[] copy = all.clone();
            copy[at] ^= (byte) (1 << (at % 8));
            Files.write(f, copy);
            assertThatThrownBy(() -> Checkpoint.load(f)).as("byte %d", at)
                    .isInstanceOf(CheckpointFormatException.class).hasMessageContaining(f.toString());
        }
    }

    @Test
    void editedMetadataAndSwappedTensorsFailTheIntegrityCheck() throws Exception {
        assertCorrupt(edited(t -> { }, m -> m.put("pixel_mean", "0.2"), false), "integrity check failed");
        assertCorrupt(edited(t -> { }, m -> m.put("epoch", "7"), false), "integrity check failed");
        // two tensors of one shape trading places (their offsets swapped): same bytes, different model
        assertCorrupt(edited(t -> {
            Tensor a = t.get("layers.0.recurrent_kernel");
            Tensor b = t.get("optimizer.1.rms");
            t.put(a.name(), new Tensor(a.name(), a.shape(), b.data()));
            t.put(b.name(), new Tensor(b.name(), b.shape(), a.data()));
        }, m -> { }, false), "integrity check failed");
        assertCorrupt(edited(t -> { }, m -> m.put(Checkpoint.INTEGRITY, "sha256:00"), false),
                "the file records 'sha256:00' (the file was damaged or edited after it was saved");
    }

    @Test
    void aCheckpointWithoutDigestStillLoadsUnverified() throws Exception {
        Safetensors.Contents c = Safetensors.read(saved());
        Map<String, String> m = new LinkedHashMap<>(c.metadata());
        m.remove(Checkpoint.INTEGRITY);
        Path old = dir.resolve("old.safetensors");
        Safetensors.write(old, new ArrayList<>(c.tensors().values()), m);
        Checkpoint.Loaded l = Checkpoint.load(old);
        assertThat(l.verified()).isFalse();
        assertThat(Checkpoint.load(saved()).verified()).isTrue();
        assertThat(l.weights().layers().get(0).kernel()).containsExactly(
                Checkpoint.load(saved()).weights().layers().get(0).kernel());
    }

    /**
     * One flipped bit in the key "integrity" ('y' to 'x') used to make a file load as one from before digests, i.e.
     * unverified; a second edit (a weight) then loaded as well. A value of the digest's form under another key is
     * a damaged key.
     */
    @Test
    void aDamagedIntegrityKeyIsRefusedNotLoadedUnverified() throws Exception {
        Safetensors.Contents c = Safetensors.read(saved());
        Map<String, String> m = new LinkedHashMap<>(c.metadata());
        m.put("integritx", m.remove(Checkpoint.INTEGRITY));
        Path damaged = dir.resolve("damaged.safetensors");
        Safetensors.write(damaged, new ArrayList<>(c.tensors().values()), m);
        assertThatThrownBy(() -> Checkpoint.load(damaged)).isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining(damaged.toString())
                .hasMessageContaining("no 'integrity' entry, but the entry 'integritx' holds a digest: the file was "
                        + "damaged or edited after it was saved");
    }

    @Test
    void messagesAboutHugeHeadersAreCapped() throws Exception {
        Path f = edited(t -> {
            for (int i = 0; i < 20_000; i++) { // the attack used 200,000; the cap does not depend on the count
                t.put("extra." + i, new Tensor("extra." + i, new int[] {0}, new float[0]));
            }
        }, m -> { });
        assertThatThrownBy(() -> Checkpoint.load(f)).isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("20000 unexpected tensor(s) [extra.0, extra.1,")
                .hasMessageContaining("19990 more]")
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(2_500));
        String longName = "x".repeat(1_000_000);
        assertThat(new CheckpointFormatException(longName, longName).getMessage())
                .hasSizeLessThan(2_100).contains("... (999000 more characters)");
    }

    @Test
    void sizesInTheMetadataAreOnlyTrustedOnceTheTensorsBackThem() throws Exception {
        // A small file claiming a huge layer must be rejected by its tensor shapes, before anything that big is
        // allocated (hidden 20000 would need 6.4 GB of weights); 30000 would not even fit in Java arrays.
        for (String hidden : new String[] {"20000", "23000"}) {
            assertCorrupt(edited(t -> { }, m -> m.put("layers.0.config", m.get("layers.0.config")
                    .replaceFirst("\"hidden_size\":\\d+", "\"hidden_size\":" + hidden))),
                    "tensor layers.0.kernel has shape");
        }
        assertCorrupt(edited(t -> { }, m -> m.put("layers.0.config", m.get("layers.0.config")
                .replaceFirst("\"hidden_size\":\\d+", "\"hidden_size\":30000"))),
                "layers.0.config is invalid: hiddenSize (recurrentKernel [H][4H], padded): expected at most");
        assertCorrupt(edited(t -> { }, m -> m.put("classes", "300000000")), "tensor dense.kernel has shape");
    }

    @Test
    void anOptimizerStateThatWouldTurnTheWeightsIntoNanIsRejected() throws Exception {
        assertCorrupt(edited(t -> t.get("optimizer.2.rms").data()[1] = -1f, m -> { }),
                "invalid optimizer state: optimizer.2.rms: expected values >= 0 (a mean of squared gradients), got "
                        + "-1.0 at flat index 1");
        assertCorrupt(edited(t -> { }, m -> m.put("optimizer.iterations", Long.toString(Long.MAX_VALUE))),
                "optimizer.iterations is " + Long.MAX_VALUE + ", expected at most 2^53");
    }

    @Test
    void saveRefusesWhatLoadWouldRejectAndWritesNothing() {
        SequenceClassifier m = model(false, true, 1, 3);
        m.layers().get(0).recurrentKernel()[5] = Float.NaN;
        Path f = dir.resolve("diverged.safetensors");
        assertThatThrownBy(() -> Checkpoint.save(f, m.weights(), null, 1, null, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model.layers[0].recurrentKernel: expected finite values, got NaN at flat index 5");
        assertThat(f).doesNotExist();
    }
}
