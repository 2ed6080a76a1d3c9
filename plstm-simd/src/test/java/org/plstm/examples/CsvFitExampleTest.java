package org.plstm.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plstm.PhasedLstmConfig;
import org.plstm.TimeGateInit;
import org.plstm.data.DataSplit;
import org.plstm.data.EventCsvReader;
import org.plstm.data.EventData;
import org.plstm.data.EventSequence;
import org.plstm.data.Labels;
import org.plstm.data.Standardizer;
import org.plstm.optim.Optimizer;
import org.plstm.train.Fit;
import org.plstm.train.LabeledSequence;
import org.plstm.train.SequenceClassifier;

/**
 * README's "Fit on a CSV file" example, compiled and run: read an event CSV with {@link EventCsvReader}, split it,
 * standardise with the training split's statistics, and {@link Fit} on it. The block between the markers is the
 * README's, line for line ({@link #theReadmeShowsExactlyThisCode}).
 */
class CsvFitExampleTest {
    @TempDir
    Path dir;

    @Test
    void theCsvExampleRunsAndLearns() throws Exception {
        long seed = 11;
        System.out.println("CsvFitExampleTest seed=" + seed);
        // 300 sequences of 5 to 20 events; class "up" has a positive mean feature, "down" a negative one
        SplittableRandom rng = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder("seq,t,x,label\n");
        for (int i = 0; i < 300; i++) {
            boolean up = rng.nextBoolean();
            double t = 0;
            for (int k = 5 + rng.nextInt(16); k > 0; k--) {
                t += 0.5 + rng.nextDouble();
                sb.append(String.format(Locale.ROOT, "q%d,%.4f,%.4f,%s%n", i, t,
                        rng.nextGaussian() + (up ? 0.7 : -0.7), up ? "up" : "down"));
            }
        }
        Path file = dir.resolve("events.csv");
        Files.writeString(file, sb.toString());

        // README-CSV-BEGIN
        EventData data = new EventCsvReader().id("seq").time("t").features(List.of("x")).label("label").read(file);
        DataSplit split = DataSplit.of(data.sequences(), 0.2, 0.0, 7);          // 20 % validation, by sequence
        Standardizer stats = Standardizer.fit(data.featureNames(), split.train(), false);  // training split only
        Labels classes = Labels.of(data.sequences().stream().map(EventSequence::label).toList());
        List<LabeledSequence> train = stats.apply(split.train()).stream().map(s -> s.toLabeled(classes)).toList();
        List<LabeledSequence> validation = stats.apply(split.validation()).stream()
                .map(s -> s.toLabeled(classes)).toList();
        SequenceClassifier model = SequenceClassifier.initialize(
                List.of(PhasedLstmConfig.builder(data.inputSize(), 16).build()), classes.size(), TimeGateInit.PAPER, 1);
        Fit.History history = Fit.of(model).optimizer(Optimizer.create("adam", 1e-2)).epochs(6).seed(3)
                .validation(validation).fit(train);
        // README-CSV-END

        assertThat(classes.names()).containsExactly("down", "up");
        assertThat(history.epochs()).hasSize(6);
        Fit.EpochResult last = history.epochs().get(5);
        System.out.printf(Locale.ROOT, "CSV example: validation loss %.4f, accuracy %.3f%n", last.validationLoss(),
                last.validationAccuracy());
        // the mean of 5-20 draws of N(±0.7, 1) separates the classes (a sum of 5 draws errs with p ~ 6 %)
        assertThat(last.validationAccuracy()).isGreaterThan(0.85);
    }

    @Test
    void theReadmeShowsExactlyThisCode() throws Exception {
        List<String> src = Files.readAllLines(Path.of("src/test/java/org/plstm/examples/CsvFitExampleTest.java"));
        int from = src.indexOf("        // README-CSV-" + "BEGIN");
        int to = src.indexOf("        // README-CSV-" + "END");
        List<String> example = src.subList(from + 1, to).stream().map(String::strip).toList();
        String readme = Files.readString(Path.of("..", "README.md"));
        String marker = "<!-- CsvFitExampleTest -->\n```java\n";
        int start = readme.indexOf(marker);
        assertThat(start).as("README.md has a java block after the marker <!-- CsvFitExampleTest -->").isPositive();
        start += marker.length();
        List<String> shown = readme.substring(start, readme.indexOf("```", start)).lines().map(String::strip)
                .toList();
        assertThat(shown).isEqualTo(example);
    }
}
