package org.plstm.io;

import static org.plstm.io.FuzzSupport.check;
import static org.plstm.io.FuzzSupport.checkFinite;
import static org.plstm.io.FuzzSupport.checkWeights;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Timeout;
import org.plstm.PhasedLstmParams;
import org.plstm.Tensor;

/**
 * Coverage-guided fuzz tests (Jazzer) of the checkpoint reader: {@link Safetensors#decode} and
 * {@link Checkpoint#load}. The contract checked: for any bytes, the reader returns or throws
 * {@link CheckpointFormatException} with a message that names the source and has at most {@value #MAX_MESSAGE}
 * characters; any other throwable (a {@link RuntimeException}, an {@link OutOfMemoryError}), a hang beyond the
 * timeout, or a result that breaks the invariants below is a finding.
 *
 * <p>{@code mvn test} replays the corpus in {@code src/test/resources/org/plstm/io/CheckpointFuzzTestInputs/<method>/}
 * (regression mode); the executions {@code fuzz-*} of the module's pom fuzz each method for a bounded time. See
 * docs/FUZZING.md. The seeds are written by {@link CheckpointFuzzCorpusTest}.
 */
class CheckpointFuzzTest {
    /** Longest message a {@link CheckpointFormatException} may have, whatever the input. */
    static final int MAX_MESSAGE = 4096;

    /** The source name {@link #decode} passes. */
    private static final String SOURCE = "fuzz-input.safetensors";

    /**
     * The logger of org.plstm.io, held (java.util.logging keeps loggers weakly) at SEVERE: {@link Checkpoint#load}
     * warns about each file without an integrity digest, which in fuzzing is most inputs, and the lines cost a
     * factor of 20 in speed.
     */
    private static final Logger IO_LOG = quiet("org.plstm.io");

    private static Logger quiet(String name) {
        Logger log = Logger.getLogger(name);
        log.setLevel(Level.SEVERE);
        return log;
    }

    /** One file per JVM, rewritten for each input (fuzzing runs millions of inputs). */
    private static final Path INPUT = FuzzSupport.tempFile("plstm-fuzz-input-", ".safetensors");
    /** The round trip's file. */
    private static final Path COPY = FuzzSupport.tempFile("plstm-fuzz-copy-", ".safetensors");

    /**
     * {@link Safetensors#decode}: returns or throws {@link CheckpointFormatException}. What it returns describes the
     * input exactly (the tensors tile the data section) and survives {@link Safetensors#encode} and a second decode
     * unchanged.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "35s")
    void decode(byte[] data) throws CheckpointFormatException {
        Safetensors.Contents contents;
        try {
            contents = Safetensors.decode(data, SOURCE);
        } catch (CheckpointFormatException e) {
            checkMessage(e, SOURCE);
            return;
        }
        long headerLength = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        check(headerLength >= 2 && headerLength <= data.length - 8L, () -> "header length " + headerLength
                + " accepted for " + data.length + " bytes");
        long floats = 0;
        for (Map.Entry<String, Tensor> e : contents.tensors().entrySet()) {
            Tensor t = e.getValue();
            check(e.getKey().equals(t.name()), () -> "key " + e.getKey() + " holds tensor " + t.name());
            check(!t.name().isEmpty() && !t.name().equals(Safetensors.METADATA_KEY), () -> "tensor name '"
                    + t.name() + "'");
            long n = 1;
            for (int d : t.shape()) {
                check(d >= 0, () -> "negative dimension in " + Arrays.toString(t.shape()));
                n *= d;
            }
            long count = n;
            check(count == t.data().length, () -> t.name() + ": shape " + Arrays.toString(t.shape()) + " but "
                    + t.data().length + " values");
            floats += count;
        }
        long total = floats;
        check(4 * total == data.length - 8 - headerLength, () -> "tensors hold " + 4 * total
                + " bytes, the data section has " + (data.length - 8 - headerLength));
        contents.metadata().forEach((k, v) -> check(k != null && v != null, () -> "null metadata entry " + k));

        byte[] again = Safetensors.encode(new ArrayList<>(contents.tensors().values()), contents.metadata());
        Safetensors.Contents copy = Safetensors.decode(again, "re-encoded " + SOURCE);
        check(copy.metadata().equals(contents.metadata()), () -> "metadata changed in a round trip: "
                + contents.metadata() + " -> " + copy.metadata());
        check(List.copyOf(copy.tensors().keySet()).equals(List.copyOf(contents.tensors().keySet())),
                () -> "tensor order changed in a round trip");
        for (Tensor t : contents.tensors().values()) {
            Tensor u = copy.tensors().get(t.name());
            check(Arrays.equals(u.shape(), t.shape()) && Arrays.equals(u.data(), t.data()),
                    () -> "tensor " + t.name() + " changed in a round trip");
        }
    }

    /**
     * {@link Checkpoint#load} of the bytes as a file: returns or throws {@link CheckpointFormatException} (the file
     * exists and is readable, so no other {@link IOException} either). A loaded checkpoint satisfies the model's
     * invariants (finite weights, positive periods, open ratios in (0, 1], chained sizes, a consistent optimiser
     * state), and {@link Checkpoint#save} writes it back to a file that loads to the same checkpoint.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "35s")
    void load(byte[] data) throws IOException {
        Files.write(INPUT, data);
        Checkpoint.Loaded loaded;
        try {
            loaded = Checkpoint.load(INPUT);
        } catch (CheckpointFormatException e) {
            checkMessage(e, INPUT.toString());
            return;
        }
        checkInvariants(loaded);

        Map<String, String> extra = new LinkedHashMap<>();
        loaded.metadata().forEach((k, v) -> {
            if (!Checkpoint.reservedKeys().contains(k) && !k.startsWith("layers.") && !k.startsWith("optimizer.")) {
                extra.put(k, v);
            }
        });
        Checkpoint.save(COPY, loaded.weights(), loaded.optimizer(), loaded.epoch(), loaded.trainer(), extra);
        Checkpoint.Loaded copy = Checkpoint.load(COPY);
        checkSame(loaded, copy);
    }

    /** The message names the source and is short, however large the input's strings. */
    static void checkMessage(CheckpointFormatException e, String source) {
        String m = e.getMessage();
        check(m != null && m.startsWith(source + ": "), () -> "message does not start with the source '" + source
                + "': " + m);
        check(m.length() <= MAX_MESSAGE, () -> "message of " + m.length() + " characters (at most " + MAX_MESSAGE
                + " expected), starting: " + m.substring(0, 300));
    }

    /** What any loaded checkpoint must satisfy, whatever file it came from. */
    static void checkInvariants(Checkpoint.Loaded l) {
        check(Checkpoint.FORMAT.equals(l.metadata().get("format")), () -> "format " + l.metadata().get("format"));
        check(l.epoch() >= 0, () -> "epoch " + l.epoch());
        ModelWeights w = l.weights();
        checkWeights(w);

        OptimizerState o = l.optimizer();
        if (o != null) {
            List<String> slotNames = OptimizerState.slotNames(o.name());
            check(slotNames != null, () -> "optimizer " + o.name());
            check(org.plstm.optim.Optimizer.validLearningRate(o.learningRate()), () -> "learning rate "
                    + o.learningRate());
            check(o.iterations() >= 0 && o.iterations() <= 1L << 53, () -> "iterations " + o.iterations());
            List<Tensor> params = w.trainableTensors();
            check(o.slots().isEmpty() || o.slots().size() == slotNames.size() * params.size(),
                    () -> o.slots().size() + " optimizer slots for " + params.size() + " tensors");
            for (int s = 0; s < o.slots().size(); s++) {
                float[] a = o.slots().get(s);
                Tensor t = params.get(s / slotNames.size());
                String slot = slotNames.get(s % slotNames.size());
                check(a.length == t.data().length, () -> "optimizer slot of " + t.name() + " has " + a.length
                        + " values");
                checkFinite("optimizer slot " + slot + " of " + t.name(), a);
                if (OptimizerState.nonNegative(slot)) {
                    for (float v : a) {
                        check(v >= 0, () -> "negative " + slot + " of " + t.name() + ": " + v);
                    }
                }
            }
        }
    }

    private static void checkSame(Checkpoint.Loaded a, Checkpoint.Loaded b) {
        check(a.epoch() == b.epoch(), () -> "epoch changed in a round trip");
        check(java.util.Objects.equals(a.trainer(), b.trainer()), () -> "trainer changed in a round trip");
        List<PhasedLstmParams> la = a.weights().layers();
        List<PhasedLstmParams> lb = b.weights().layers();
        check(la.size() == lb.size(), () -> "depth changed in a round trip");
        for (int k = 0; k < la.size(); k++) {
            int layer = k;
            check(la.get(k).config().equals(lb.get(k).config()), () -> "config of layer " + layer
                    + " changed in a round trip: " + la.get(layer).config() + " -> " + lb.get(layer).config());
            List<Tensor> ta = la.get(k).tensors();
            List<Tensor> tb = lb.get(k).tensors();
            for (int n = 0; n < ta.size(); n++) {
                Tensor t = ta.get(n);
                check(Arrays.equals(t.data(), tb.get(n).data()), () -> "layer " + layer + " " + t.name()
                        + " changed in a round trip");
            }
        }
        check(Arrays.equals(a.weights().dense().kernel(), b.weights().dense().kernel())
                && Arrays.equals(a.weights().dense().bias(), b.weights().dense().bias()),
                () -> "dense changed in a round trip");
        OptimizerState oa = a.optimizer();
        OptimizerState ob = b.optimizer();
        check((oa == null) == (ob == null), () -> "optimizer presence changed in a round trip");
        if (oa != null) {
            check(oa.name().equals(ob.name()) && oa.learningRate() == ob.learningRate()
                    && oa.iterations() == ob.iterations() && oa.slots().size() == ob.slots().size(),
                    () -> "optimizer changed in a round trip: " + oa + " -> " + ob);
            for (int s = 0; s < oa.slots().size(); s++) {
                int slot = s;
                check(Arrays.equals(oa.slots().get(s), ob.slots().get(s)), () -> "optimizer slot " + slot
                        + " changed in a round trip");
            }
        }
    }
}
