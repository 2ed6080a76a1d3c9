package org.plstm.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzz test (Jazzer) of the events CSV reader, {@link EventCsvReader#read}, with a label column and
 * a 16 MiB memory limit. The contract checked: for any bytes, the reader returns sequences that keep the invariants
 * below or throws {@link EventFormatException} whose message names the file and has at most {@link #maxMessage}
 * characters; any other throwable (a {@link RuntimeException}, an {@link OutOfMemoryError}), or a hang beyond the
 * timeout (a pattern that backtracks, say), is a finding.
 *
 * <p>{@code mvn test} replays the corpus in {@code src/test/resources/org/plstm/data/EventCsvFuzzTestInputs/read/}
 * (regression mode); the execution {@code fuzz-events-csv-read} of the module's pom fuzzes it for a bounded time.
 * See docs/FUZZING.md.
 */
class EventCsvFuzzTest {
    /** One file per JVM, rewritten for each input. */
    private static final Path INPUT;

    static {
        try {
            INPUT = Files.createTempFile("plstm-fuzz-events-", ".csv");
            INPUT.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The longest message: the file's name, a line, a column and a problem, each cut to what the reader quotes. */
    static int maxMessage() {
        return INPUT.toString().length() + 2 * EventFormatException.MAX_QUOTED + 200;
    }

    /**
     * Reads the bytes as a CSV file of events: what comes back is at least one sequence, each with finite features
     * and finite, non-decreasing times, as many features per event as the file names, a non-empty label, and the
     * events summing to the count reported.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "35s")
    void read(byte[] data) throws IOException {
        Files.write(INPUT, data);
        EventData d;
        try {
            d = new EventCsvReader().label("label").maxMemoryBytes(16L << 20).read(INPUT);
        } catch (EventFormatException e) {
            String m = e.getMessage();
            check(m != null && m.startsWith(INPUT + ": "), "message does not start with the file: " + m);
            if (m.length() > maxMessage()) {
                throw new AssertionError("message of " + m.length() + " characters (at most " + maxMessage()
                        + " expected), starting: " + m.substring(0, 300));
            }
            return;
        }
        check(!d.sequences().isEmpty(), "no sequences");
        int in = d.featureNames().size();
        check(in >= 1, "no features");
        long events = 0;
        for (EventSequence s : d.sequences()) {
            check(s.inputSize() == in, "sequence " + s.id() + " has " + s.inputSize() + " features, expected " + in);
            check(s.label() != null && !s.label().isEmpty(), "sequence " + s.id() + " has no label");
            for (int t = 0; t < s.length(); t++) {
                check(Double.isFinite(s.time()[t]) && (t == 0 || s.time()[t] >= s.time()[t - 1]),
                        "sequence " + s.id() + ": time " + s.time()[t] + " at event " + t);
            }
            for (float v : s.x()) {
                check(Float.isFinite(v), "sequence " + s.id() + ": feature " + v);
            }
            events += s.length();
        }
        check(events == d.events(), "events " + events + " against " + d.events() + " reported");
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
