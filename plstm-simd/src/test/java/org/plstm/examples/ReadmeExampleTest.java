package org.plstm.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plstm.PhasedLstmConfig;
import org.plstm.SequenceBatch;
import org.plstm.TimeGateInit;
import org.plstm.inference.PhasedLstmModel;
import org.plstm.inference.SessionBatch;
import org.plstm.inference.SessionState;
import org.plstm.inference.StreamSession;
import org.plstm.io.Checkpoint;
import org.plstm.train.SequenceClassifier;

/**
 * The library example of README.md, compiled and run by CI: load a checkpoint, predict a batch, stream events. The
 * method {@link #readmeExample(Path)} is the README's code, character for character between the markers.
 */
class ReadmeExampleTest {
    @TempDir
    Path dir;

    @Test
    void theReadmeExampleRuns() throws Exception {
        // A checkpoint like the trainer writes: 2 features per event, 32 hidden units, 3 classes (README's second
        // java block, between the SETUP markers).
        Path checkpoint = dir.resolve("checkpoint.safetensors");
        // README-SETUP-BEGIN
        SequenceClassifier untrained = SequenceClassifier.initialize(
                List.of(PhasedLstmConfig.builder(2, 32).build()), 3, TimeGateInit.PAPER, 42);  // I = 2, H = 32, C = 3
        Checkpoint.save(checkpoint, untrained.weights(), null, 0, null, Map.of());          // no optimizer, no trainer JSON
        // README-SETUP-END

        float[] lastProbabilities = readmeExample(checkpoint);
        double sum = 0;
        for (float p : lastProbabilities) {
            sum += p;
        }
        assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void theReadmeShowsExactlyThisCode() throws Exception {
        List<String> example = between("README-" + "BEGIN", "README-" + "END");
        List<String> setup = between("README-SETUP-" + "BEGIN", "README-SETUP-" + "END");
        String readme = java.nio.file.Files.readString(Path.of("..", "README.md"));
        int start = readme.indexOf("```java\n") + "```java\n".length();
        int end = readme.indexOf("```", start);
        List<String> shown = readme.substring(start, end).lines().map(String::strip).toList();
        assertThat(shown).as("README.md's first java block equals ReadmeExampleTest between its markers")
                .isEqualTo(example);
        int start2 = readme.indexOf("```java\n", end) + "```java\n".length();
        int end2 = readme.indexOf("```", start2);
        List<String> shown2 = readme.substring(start2, end2).lines().map(String::strip).toList();
        assertThat(shown2).as("README.md's second java block (an untrained checkpoint) equals the test's setup")
                .isEqualTo(setup);
        // The imports the README lists for the two blocks: this file's own, so they compile with them.
        int importsAt = readme.indexOf("```\nimport ");
        assertThat(importsAt).as("README.md lists the example's imports").isPositive().isLessThan(start);
        int importsEnd = readme.indexOf("```", importsAt + 4);
        List<String> imports = readme.substring(importsAt + 4, importsEnd).lines().toList();
        List<String> own = java.nio.file.Files.readAllLines(
                Path.of("src/test/java/org/plstm/examples/ReadmeExampleTest.java"));
        assertThat(own).containsAll(imports);
        assertThat(imports).as("every type of the two blocks imported").hasSize(10);
    }

    @Test
    void theReadmeSessionBatchExampleRunsAndIsShown() throws Exception {
        Path checkpoint = dir.resolve("batch.safetensors");
        Checkpoint.save(checkpoint, SequenceClassifier.initialize(List.of(PhasedLstmConfig.builder(2, 32).build()), 3,
                TimeGateInit.PAPER, 42).weights(), null, 0, null, Map.of());
        PhasedLstmModel model = PhasedLstmModel.load(checkpoint);
        StreamSession session = model.newSession();
        session.step(new float[] {0.5f, -0.5f}, 10.0);
        SessionState savedState = session.saveState();
        // README-BATCH-BEGIN
        SessionBatch streams = model.newSessionBatch(1024);             // capacity: slots stepped together
        streams.restore(0, savedState);                                 // or restore(slot, h, c, lastTime, events)
        streams.step(2, new float[] {0.1f, 0.2f, 0.3f, 0.4f}, new double[] {17.5, 3.25});  // slots 0 and 1
        float[] p0 = new float[model.classes()];
        streams.classProbabilities(0, p0, 0);                          // or hidden(slot, out, offset)
        SessionState after = streams.save(0);
        // README-BATCH-END
        session.step(new float[] {0.1f, 0.2f}, 17.5);
        assertThat(p0).as("slot 0 continues the saved session").isEqualTo(session.classProbabilities());
        assertThat(after).isEqualTo(session.saveState());

        List<String> example = between("README-BATCH-" + "BEGIN", "README-BATCH-" + "END");
        String readme = java.nio.file.Files.readString(Path.of("..", "README.md"));
        int at = readme.indexOf("SessionBatch streams = model.newSessionBatch");
        assertThat(at).as("the README shows the SessionBatch example").isPositive();
        int start = readme.lastIndexOf("```java\n", at) + "```java\n".length();
        int end = readme.indexOf("```", start);
        assertThat(readme.substring(start, end).lines().map(String::strip).toList()).isEqualTo(example);
    }

    /** The stripped lines of this file between two marker comments. */
    private static List<String> between(String begin, String endMarker) throws java.io.IOException {
        List<String> source = java.nio.file.Files.readAllLines(
                Path.of("src/test/java/org/plstm/examples/ReadmeExampleTest.java"));
        List<String> out = new java.util.ArrayList<>();
        boolean in = false;
        for (String line : source) {
            if (line.strip().equals("// " + endMarker)) {
                break;
            }
            if (in) {
                out.add(line.strip());
            }
            if (line.strip().equals("// " + begin)) {
                in = true;
            }
        }
        assertThat(out).as("lines between " + begin + " and " + endMarker).isNotEmpty();
        return out;
    }

    static float[] readmeExample(Path checkpoint) throws Exception {
        // README-BEGIN
        PhasedLstmModel model = PhasedLstmModel.load(checkpoint);   // immutable, thread-safe

        // A batch: B = 2 sequences of T = 3 events with I = 2 features, irregular timestamps (any unit, e.g. ms).
        float[] x = {0.1f, 0.2f,  0.3f, 0.4f,  0.5f, 0.6f,          // sample 0, row-major [B][T][I]
                     1.0f, 0.0f,  0.9f, 0.1f,  0.8f, 0.2f};         // sample 1
        double[] t = {0.0, 1.7, 2.1,                                // [B][T], double: wall-clock times fit
                      5.0, 5.5, 9.25};
        SequenceBatch batch = SequenceBatch.of(2, 3, 2, x, t);      // times need not increase: only a session checks
        float[] probs = model.predictProbabilities(batch);          // [B][C]
        int[] classes = model.predictClasses(batch);                // [B]

        // A live stream: one event at a time; units whose time gate is closed are skipped.
        StreamSession session = model.newSession();                 // one per stream, not thread-safe
        session.step(new float[] {0.1f, 0.2f}, 1_700_000_000_000.0);
        session.step(new float[] {0.3f, 0.4f}, 1_700_000_000_250.0);
        float[] now = session.classProbabilities();                 // [C] for the state so far
        System.out.println(java.util.Arrays.toString(classes) + " " + java.util.Arrays.toString(now));
        // README-END
        return now;
    }
}
