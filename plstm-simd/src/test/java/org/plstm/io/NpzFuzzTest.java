package org.plstm.io;

import static org.plstm.io.FuzzSupport.check;
import static org.plstm.io.FuzzSupport.checkWeights;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.plstm.PhasedLstmParams;
import org.plstm.Tensor;

/**
 * Coverage-guided fuzz test (Jazzer) of the NumPy archive reader, {@link Npz#load}. The contract checked: for any
 * bytes written to a file, the reader returns weights that keep the invariants below or throws
 * {@link CheckpointFormatException} whose message names the file and has at most {@value #MAX_MESSAGE} characters
 * (the file exists and is readable, so no other {@link IOException} either); any other throwable (a
 * {@link RuntimeException}, an {@link OutOfMemoryError}), or a hang beyond the timeout, is a finding.
 *
 * <p>{@code mvn test} replays the corpus in {@code src/test/resources/org/plstm/io/NpzFuzzTestInputs/load/}
 * (regression mode); the execution {@code fuzz-npz-load} of the module's pom fuzzes it for a bounded time. See
 * docs/FUZZING.md.
 */
class NpzFuzzTest {
    /** Longest message a {@link CheckpointFormatException} may have, whatever the input. */
    static final int MAX_MESSAGE = 4096;

    /** One file per JVM, rewritten for each input (fuzzing runs millions of inputs). */
    private static final Path INPUT = FuzzSupport.tempFile("plstm-fuzz-npz-input-", ".npz");
    /** The round trip's file. */
    private static final Path COPY = FuzzSupport.tempFile("plstm-fuzz-npz-copy-", ".npz");

    /**
     * {@link Npz#load} of the bytes as a file: returns or throws {@link CheckpointFormatException}. What it returns
     * is what the class comment promises: at least one layer, sizes chained up to the head, every array as large as
     * its shape says, finite values, periods {@code > 0} and open ratios in {@code (0, 1]} where the time gate is on;
     * and {@link Npz#save} writes it to an archive that loads to the same weights.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "35s")
    void load(byte[] data) throws IOException {
        Files.write(INPUT, data);
        ModelWeights w;
        try {
            w = Npz.load(INPUT);
        } catch (CheckpointFormatException e) {
            String m = e.getMessage();
            check(m != null && m.startsWith(INPUT + ": "), () -> "message does not start with the file: " + m);
            check(m.length() <= MAX_MESSAGE, () -> "message of " + m.length() + " characters (at most "
                    + MAX_MESSAGE + " expected), starting: " + m.substring(0, 300));
            return;
        }
        checkWeights(w);

        Npz.save(COPY, w);
        ModelWeights copy = Npz.load(COPY);
        checkSame(w, copy);
    }

    private static void checkSame(ModelWeights a, ModelWeights b) {
        List<PhasedLstmParams> la = a.layers();
        List<PhasedLstmParams> lb = b.layers();
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
        check(Arrays.equals(a.dense().kernel(), b.dense().kernel())
                && Arrays.equals(a.dense().bias(), b.dense().bias()), () -> "dense changed in a round trip");
    }
}
