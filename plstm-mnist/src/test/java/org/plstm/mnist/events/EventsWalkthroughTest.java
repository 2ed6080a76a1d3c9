package org.plstm.mnist.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plstm.mnist.Main;

/**
 * The README's walkthrough "Your own event data (CSV)", end to end through the command line (in-process): generate the
 * paper's asynchronous frequency task as CSV, train, resume, evaluate, predict, and the regression variant; plus
 * usage errors. Smaller than the README's run (1,200 sequences instead of 5,000) so that it stays within a minute on
 * two cores.
 */
class EventsWalkthroughTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        System.out.print(out);
        System.err.print(err);
        return new Run(code, out.toString(), err.toString());
    }

    static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("'%s' in:%n%s", regex, text).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void generateTrainResumeEvaluatePredict() throws Exception {
        Path csv = dir.resolve("freq.csv");
        Run g = run("events", "generate", "--out", csv.toString(), "--sequences", "1200", "--seed", "1");
        assertThat(g.code()).isZero();
        assertThat(Files.readAllLines(csv).get(0)).isEqualTo("seq,t,x,label,period");

        Path out = dir.resolve("run");
        // 6 epochs, then resumed to 12: the same curve as 12 epochs in one go (seeded per epoch)
        Run t = run("events", "train", "--data", csv.toString(), "--features", "x", "--epochs", "6", "--lr", "0.01",
                "--threads", "2", "--out", out.toString(), "--no-progress");
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(t.out()).contains("classes: [0, 1]", "960 training, 120 validation, 120 test");
        Path ck = out.resolve("checkpoint.safetensors");
        Run r = run("events", "train", "--resume", ck.toString(), "--data", csv.toString(), "--epochs", "12",
                "--threads", "2", "--out", out.toString(), "--no-progress");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("epoch 7/12", "epoch 12/12").doesNotContain("epoch 6/12");
        double acc = number(r.out(), "done: test accuracy ([0-9.]+)");
        double baseline = number(r.out(), "\\(baseline ([0-9.]+)\\)");
        System.out.printf("walkthrough: test accuracy %.4f, majority baseline %.4f%n", acc, baseline);
        // chance and the majority class are about 0.5 (52 % positives); seeded runs reach about 0.85
        assertThat(acc).isGreaterThan(0.75);

        for (String f : List.of("metrics.csv", "summary.json", "accuracy.png", "loss.png", "checkpoint.safetensors")) {
            assertThat(out.resolve(f)).as(f).isRegularFile();
        }
        assertThat(out.resolve(".plstm.lock")).doesNotExist();
        List<String> metrics = Files.readAllLines(out.resolve("metrics.csv"));
        assertThat(metrics.get(0)).isEqualTo("kind,epoch,iteration,samples,loss,accuracy,samples_per_second,seconds");
        assertThat(metrics.stream().filter(l -> l.startsWith("train,"))).hasSize(12);
        assertThat(metrics.stream().filter(l -> l.startsWith("validation,"))).hasSize(12);
        // the test split is scored after the last epoch of each run: the first run's (epoch 6) stays in the log
        assertThat(metrics.stream().filter(l -> l.startsWith("test,"))).extracting(l -> l.split(",")[1])
                .containsExactly("6", "12");
        assertThat(metrics.stream().filter(l -> l.startsWith("batch,"))).hasSize(12 * 30); // 960 / 32
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertThat(summary.get("epochs_completed").asInt()).isEqualTo(12);
        assertThat(summary.get("test_accuracy").asDouble()).isEqualTo(acc, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(summary.get("data").get("classes").toString()).isEqualTo("[\"0\",\"1\"]");
        assertThat(summary.get("resumed_from").asText()).endsWith("checkpoint.safetensors");
        // with a validation set its scores are numbers: the last validation row of metrics.csv, in full
        String[] lastValidation = metrics.stream().filter(l -> l.startsWith("validation,12,")).findFirst()
                .orElseThrow().split(",");
        assertThat(summary.get("validation_loss").isDouble()).isTrue();
        assertThat(summary.get("validation_loss").asDouble()).isEqualTo(Double.parseDouble(lastValidation[4]));
        assertThat(summary.get("validation_accuracy").asDouble()).isEqualTo(Double.parseDouble(lastValidation[5]));
        assertThat(summary.get("epochs")).hasSize(12);
        assertThat(summary.get("epochs").get(11).get("validationLoss").asDouble())
                .isEqualTo(Double.parseDouble(lastValidation[4]));
        assertThat(summary.get("epochs").get(11).get("validationMetric").isDouble()).isTrue();
        assertThat(summary.get("test_baseline_accuracy").asDouble()).isEqualTo(baseline,
                org.assertj.core.data.Offset.offset(1e-4));

        // resuming continues the same curve, bit for bit: the epochs' rows equal those of one uninterrupted run
        Path straight = dir.resolve("straight");
        assertThat(run("events", "train", "--data", csv.toString(), "--features", "x", "--epochs", "12", "--lr",
                "0.01", "--threads", "2", "--out", straight.toString(), "--no-progress").code()).isZero();
        assertThat(epochRows(out)).isEqualTo(epochRows(straight));

        Run e = run("events", "evaluate", "--checkpoint", ck.toString(), "--data", csv.toString(), "--split", "test",
                "--threads", "2");
        assertThat(e.code()).as(e.err()).isZero();
        assertThat(number(e.out(), "accuracy ([0-9.]+)")).as("evaluate --split test = the run's test score")
                .isEqualTo(acc, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(e.out()).contains("test of ", "(120 sequences)");
        // the sequential-MNIST evaluate points at events evaluate
        Run wrong = run("evaluate", "--checkpoint", ck.toString());
        assertThat(wrong.code()).isEqualTo(2);
        assertThat(wrong.err()).contains("is a checkpoint of 'events train' (your own CSV data), not of sequential "
                + "MNIST; score it with 'events evaluate --checkpoint FILE --data CSV'");

        // predict on a file without the label column
        Path unlabeled = dir.resolve("unlabeled.csv");
        List<String> lines = Files.readAllLines(csv).subList(0, 400);
        Files.write(unlabeled, lines.stream().map(l -> l.substring(0, l.indexOf(',', l.indexOf(',',
                l.indexOf(',') + 1) + 1))).toList());
        Path pred = dir.resolve("pred.csv");
        Run p = run("events", "predict", "--checkpoint", ck.toString(), "--data", unlabeled.toString(), "--out",
                pred.toString(), "--threads", "2");
        assertThat(p.code()).as(p.err()).isZero();
        // evaluating needs the labels: the column is the checkpoint's, set by events train's option
        Run noLabels = run("events", "evaluate", "--checkpoint", ck.toString(), "--data", unlabeled.toString());
        assertThat(noLabels.code()).isEqualTo(Main.USAGE);
        assertThat(noLabels.err()).contains("--data: " + unlabeled + ": line 1, column 'label': expected this column "
                + "for the label (--label of events train) in the header, got [seq, t, x]");
        try (MappingIterator<Map<String, String>> it = new CsvMapper().readerForMapOf(String.class)
                .with(com.fasterxml.jackson.dataformat.csv.CsvSchema.emptySchema().withHeader())
                .readValues(pred.toFile())) {
            List<Map<String, String>> rows = it.readAll();
            assertThat(rows).isNotEmpty();
            assertThat(rows.get(0).keySet()).containsExactly("seq", "predicted", "p_0", "p_1");
            for (Map<String, String> row : rows) {
                double p0 = Double.parseDouble(row.get("p_0"));
                double p1 = Double.parseDouble(row.get("p_1"));
                assertThat(p0 + p1).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
                assertThat(row.get("predicted")).isEqualTo(p1 > p0 ? "1" : "0");
            }
        }
    }

    /** The train and validation rows of a run's metrics.csv without their timings. */
    private static List<String> epochRows(Path run) throws java.io.IOException {
        return Files.readAllLines(run.resolve("metrics.csv")).stream()
                .filter(l -> l.startsWith("train,") || l.startsWith("validation,"))
                .map(l -> String.join(",", java.util.Arrays.copyOf(l.split(","), 6))).toList();
    }

    @Test
    void regressionOfThePeriodBeatsPredictingTheMean() {
        Path csv = dir.resolve("freq.csv");
        assertThat(run("events", "generate", "--out", csv.toString(), "--sequences", "800", "--seed", "2").code())
                .isZero();
        Path out = dir.resolve("reg");
        Run t = run("events", "train", "--data", csv.toString(), "--features", "x", "--label", "period", "--task",
                "regression", "--epochs", "8", "--lr", "0.01", "--threads", "2", "--out", out.toString(),
                "--no-progress");
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(t.out()).contains("->1) linear]").doesNotContain("softmax");
        double rmse = number(t.out(), "done: test RMSE ([0-9.]+)");
        double baseline = number(t.out(), "\\(baseline ([0-9.]+)\\)");
        System.out.printf("regression walkthrough: test RMSE %.3f ms, predicting the mean %.3f ms%n", rmse, baseline);
        assertThat(rmse).isLessThan(0.8 * baseline);
        assertThat(out.resolve("rmse.png")).isRegularFile();
        assertThat(out.resolve("accuracy.png")).doesNotExist();
    }

    /** --schedule cosine and --weight-decay reach the trainer, are saved, and a cosine run keeps its length. */
    @Test
    void cosineScheduleAndWeightDecay() {
        Path csv = dir.resolve("freq.csv");
        assertThat(run("events", "generate", "--out", csv.toString(), "--sequences", "200", "--seed", "6").code())
                .isZero();
        Path out = dir.resolve("cos");
        Run t = run("events", "train", "--data", csv.toString(), "--features", "x", "--epochs", "2", "--schedule",
                "cosine", "--weight-decay", "0.01", "--threads", "2", "--out", out.toString(), "--no-progress");
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(t.out()).contains("(cosine schedule)", "weight decay 0.01");
        Path ck = out.resolve("checkpoint.safetensors");
        Run longer = run("events", "train", "--resume", ck.toString(), "--data", csv.toString(), "--epochs", "3",
                "--out", out.toString());
        assertThat(longer.code()).isEqualTo(2);
        assertThat(longer.err()).contains("--epochs: the checkpoint's cosine schedule spans its run's 2 epochs, got 3 "
                + "(the run is complete; a longer schedule needs a new run)");
        Run complete = run("events", "train", "--resume", ck.toString(), "--data", csv.toString(), "--out",
                out.toString());
        assertThat(complete.code()).isEqualTo(2);
        assertThat(complete.err()).contains("--resume: the run is complete (epoch 2 of 2); its cosine schedule cannot "
                + "be lengthened: start a new run to train longer");
        // -0 is 0: a run given --weight-decay -0 resumes with --weight-decay 0 (and reads back as 0)
        Path zero = dir.resolve("zero");
        Run z = run("events", "train", "--data", csv.toString(), "--features", "x", "--epochs", "1", "--weight-decay",
                "-0", "--threads", "2", "--out", zero.toString(), "--no-progress");
        assertThat(z.code()).as(z.err()).isZero();
        Run zr = run("events", "train", "--resume", zero.resolve("checkpoint.safetensors").toString(), "--data",
                csv.toString(), "--epochs", "2", "--weight-decay", "0", "--threads", "2", "--out", zero.toString(),
                "--no-progress");
        assertThat(zr.code()).as(zr.err()).isZero();
        // one column given twice, or in two roles: a usage error naming the option (exit 2), before any reading
        String[][] roles = {
            {"--features", "x,x", "--features: expected distinct columns, got 'x' twice"},
            {"--id", "t", "--time: expected a column other than the id column, got 't' for both"},
            {"--label", "seq", "--label: expected a column other than the id column, got 'seq' for both"},
            {"--label", "t", "--label: expected a column other than the time column, got 't' for both"},
        };
        for (String[] r : roles) {
            Run bad = run("events", "train", "--data", csv.toString(), r[0], r[1]);
            assertThat(bad.code()).as(bad.err()).isEqualTo(2);
            assertThat(bad.err()).as(r[0]).contains(r[2]);
        }
        Run big = run("events", "train", "--data", csv.toString(), "--lr", "1", "--weight-decay", "3");
        assertThat(big.code()).isEqualTo(2);
        assertThat(big.err()).contains("--weight-decay: expected learning rate x weight decay below 1");
        Run other = run("events", "train", "--resume", ck.toString(), "--data", csv.toString(), "--weight-decay", "0",
                "--out", out.toString());
        assertThat(other.code()).isEqualTo(2);
        assertThat(other.err()).contains("--weight-decay: the checkpoint was trained with 0.01, got 0.0");
    }

    /** A learning rate of 1e30 blows the parameters up in the first epoch: exit code 1, nothing saved. */
    @Test
    void divergenceStopsTheRunWithoutACheckpoint() {
        Path csv = dir.resolve("freq.csv");
        assertThat(run("events", "generate", "--out", csv.toString(), "--sequences", "200", "--seed", "4").code())
                .isZero();
        Path out = dir.resolve("div");
        Run t = run("events", "train", "--data", csv.toString(), "--features", "x", "--optimizer", "sgd", "--lr",
                "1e30", "--threads", "2", "--out", out.toString(), "--no-progress");
        assertThat(t.code()).isEqualTo(Main.FAILED);
        assertThat(t.err()).contains("training diverged at epoch 1", "last good checkpoint: none",
                "Try a smaller learning rate (--lr, now 1.0E30)");
        assertThat(out.resolve("checkpoint.safetensors")).doesNotExist();
        assertThat(out.resolve(".plstm.lock")).doesNotExist();
    }

    /**
     * A resumed run that diverges leaves the run's files those of the last good epoch: the checkpoint, and the summary
     * with the test score the run before recorded (the resume rewrites the reports at its start and kept it).
     * Timestamps times 1e300 (finite, same features and labels) overflow the time gate's gradients.
     */
    @Test
    void aResumedRunThatDivergesKeepsTheLastGoodSummary() throws Exception {
        Path csv = dir.resolve("freq.csv");
        assertThat(run("events", "generate", "--out", csv.toString(), "--sequences", "200", "--seed", "4").code())
                .isZero();
        Path out = dir.resolve("run");
        Run t = run("events", "train", "--data", csv.toString(), "--features", "x", "--epochs", "2", "--threads", "2",
                "--out", out.toString(), "--no-progress");
        assertThat(t.code()).as(t.err()).isZero();
        JsonNode before = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertThat(before.has("test_accuracy")).isTrue();
        byte[] checkpoint = Files.readAllBytes(out.resolve("checkpoint.safetensors"));
        Path far = dir.resolve("far.csv");
        List<String> lines = Files.readAllLines(csv);
        List<String> scaled = new java.util.ArrayList<>(List.of(lines.get(0)));
        for (String l : lines.subList(1, lines.size())) {
            String[] c = l.split(",", -1);
            c[1] = Double.toString(Double.parseDouble(c[1]) * 1e300);
            scaled.add(String.join(",", c));
        }
        Files.write(far, scaled);
        Run r = run("events", "train", "--resume", out.resolve("checkpoint.safetensors").toString(), "--data",
                far.toString(), "--epochs", "3", "--threads", "2", "--out", out.toString(), "--no-progress");
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(Main.FAILED);
        assertThat(r.err()).contains("training diverged at epoch 3", "the gradients' norm is");
        assertThat(Files.readAllBytes(out.resolve("checkpoint.safetensors"))).isEqualTo(checkpoint);
        JsonNode after = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertThat(after.get("test_accuracy").asDouble()).isEqualTo(before.get("test_accuracy").asDouble());
        assertThat(after.get("test_loss").asDouble()).isEqualTo(before.get("test_loss").asDouble());
        assertThat(after.get("epochs_completed").asInt()).isEqualTo(2);
    }

    @Test
    void usageErrorsNameTheOption() throws Exception {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "seq,t,x,label\na,1,0.5,0\na,2,oops,0\n");
        Run r = run("events", "train", "--data", csv.toString(), "--out", dir.resolve("o").toString());
        assertThat(r.code()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("--data: " + csv + ": line 3, column 'x': expected a finite number, got 'oops'");
        Run m = run("events", "train", "--data", csv.toString(), "--max-memory", "lots");
        assertThat(m.code()).isEqualTo(Main.USAGE);
        assertThat(m.err()).contains("--max-memory: expected bytes");
        Run s = run("events", "train", "--data", csv.toString(), "--validation", "0.5", "--test", "0.6");
        assertThat(s.err()).contains("--test: expected a fraction in [0, 1) with --validation + --test < 1");
        Run task = run("events", "train", "--data", csv.toString(), "--task", "ranking");
        assertThat(task.code()).isEqualTo(Main.USAGE);
        assertThat(task.err()).contains("--task: expected classification, regression, got 'ranking'");
        Run act = run("events", "train", "--data", csv.toString(), "--gate-activation", "relu");
        assertThat(act.err()).contains("--gate-activation: expected sigmoid or hard_sigmoid, got 'relu'");
        Run missing = run("events", "evaluate", "--checkpoint", dir.resolve("none.safetensors").toString(), "--data",
                csv.toString());
        assertThat(missing.code()).isEqualTo(Main.USAGE);
        assertThat(missing.err()).contains("--checkpoint: no such file");
        Run tiny = run("events", "train", "--data", csv.toString(), "--max-memory", "10",
                "--out", dir.resolve("t").toString());
        assertThat(tiny.code()).isEqualTo(Main.USAGE);
        assertThat(tiny.err()).contains("memory limit", "(--max-memory)");
        // the reader's messages name the options that set what it read, not its Java methods
        Run column = run("events", "train", "--data", csv.toString(), "--features", "z", "--out",
                dir.resolve("c").toString());
        assertThat(column.code()).isEqualTo(Main.USAGE);
        assertThat(column.err().lines()).containsExactly("plstm-mnist: --data: " + csv + ": line 1, column 'z': "
                + "expected this column for a feature (--features) in the header, got [seq, t, x, label] (see "
                + "'plstm-mnist events train --help')");
        assertThat(run("events", "train", "--data", csv.toString(), "--label", "y").err())
                .contains("column 'y': expected this column for the label (--label) in the header");
        Path mixed = dir.resolve("mixed.csv");
        Files.writeString(mixed, "seq,t,x,label\na,1,0.5,0\na,2,0.1,1\n");
        assertThat(run("events", "train", "--data", mixed.toString(), "--out", dir.resolve("m").toString()).err())
                .contains(mixed + ": line 3, column 'label': expected the label of sequence 'a' given on line 2 ('0'), "
                        + "got '1' (every event of a sequence must carry its label; per-event labels: the last "
                        + "event's counts with --label-per last-event) (see 'plstm-mnist events train --help')");
        Run deep = run("events", "train", "--data", csv.toString(), "--layers", "100000", "--out",
                dir.resolve("deep").toString());
        assertThat(deep.code()).isEqualTo(Main.USAGE);
        assertThat(deep.err().lines()).containsExactly("plstm-mnist: --layers: expected an integer in [1, 64], got "
                + "100000 (see 'plstm-mnist events train --help')");
        assertThat(deep.out()).isEmpty();
        assertThat(dir.resolve("deep")).doesNotExist();
        assertThat(run("events", "train", "--data", csv.toString(), "--layers", "65").err())
                .startsWith("plstm-mnist: --layers: expected an integer in [1, 64], got 65 ");
        assertThat(run("events", "train", "--help").out().replaceAll("\\s+", " "))
                .contains("--layers=N Stacked recurrent layers, 1 to 64 (1 to 4 are usual");
        Run help = run("events", "--help");
        assertThat(help.out()).contains("generate", "train", "evaluate", "predict");
        // an empty --features was the CSV reader's IllegalArgumentException "features[]: ...", exit code 1
        Run features = run("events", "train", "--data", csv.toString(), "--features=");
        assertThat(features.code()).isEqualTo(Main.USAGE);
        assertThat(features.err()).contains("--features: expected column names separated by commas, got ''");
        // a run that fails before writing anything leaves no empty directory behind
        Path two = dir.resolve("two.csv");
        Files.writeString(two, "seq,t,x,label\na,1,0.5,0\na,2,0.1,0\nb,1,0.3,1\nb,2,0.2,1\n");
        Run split = run("events", "train", "--data", two.toString(), "--validation", "0.5", "--test", "0.4", "--out",
                dir.resolve("never").toString());
        assertThat(split.code()).isEqualTo(Main.USAGE);
        assertThat(split.err()).contains("expected enough sequences for a training set, got 2 (validation 1, test 1)");
        assertThat(dir.resolve("never")).doesNotExist();
    }

    /**
     * Without validation and test sets there is nothing to report but training: no "validation accuracy NaN", and
     * summary.json leaves those scores out (it held "NaN" strings).
     */
    @Test
    void aRunWithoutValidationOrTestSetsSaysSo() throws Exception {
        Path csv = dir.resolve("freq.csv");
        assertThat(run("events", "generate", "--out", csv.toString(), "--sequences", "100", "--seed", "7").code())
                .isZero();
        Run t = run("events", "train", "--data", csv.toString(), "--features", "x", "--epochs", "1", "--validation",
                "0", "--test", "0", "--threads", "2", "--out", dir.resolve("nv").toString(), "--no-progress");
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(t.out()).contains("| no validation set |", "done: no validation or test set (--validation and "
                + "--test are 0); files in ").doesNotContain("NaN");
        String text = Files.readString(dir.resolve("nv").resolve("summary.json"));
        assertThat(text).doesNotContain("NaN");
        JsonNode summary = new ObjectMapper().readTree(text);
        assertThat(summary.fieldNames()).toIterable().doesNotContain("validation_loss", "validation_accuracy",
                "test_loss", "test_accuracy", "test_baseline_accuracy", "test_baseline");
        assertThat(summary.get("train_loss").isDouble()).isTrue();
        assertThat(summary.get("data").get("validation_sequences").asInt()).isZero();
        assertThat(summary.get("epochs")).hasSize(1);
        assertThat(summary.get("epochs").get(0).fieldNames()).toIterable().containsExactly("epoch", "trainLoss",
                "trainMetric", "seconds", "sequencesPerSecond");

        // a validation set but none for test: the validation scores are there, the test ones are absent
        Run v = run("events", "train", "--data", csv.toString(), "--features", "x", "--epochs", "1", "--validation",
                "0.2", "--test", "0", "--threads", "2", "--out", dir.resolve("v").toString(), "--no-progress");
        assertThat(v.code()).as(v.err()).isZero();
        String vText = Files.readString(dir.resolve("v").resolve("summary.json"));
        assertThat(vText).doesNotContain("NaN");
        JsonNode vs = new ObjectMapper().readTree(vText);
        assertThat(vs.get("validation_loss").isDouble()).isTrue();
        assertThat(vs.get("validation_accuracy").asDouble()).isEqualTo(number(v.out(), "done: validation accuracy "
                + "([0-9.]+)"), org.assertj.core.data.Offset.offset(1e-4));
        assertThat(vs.get("epochs").get(0).get("validationLoss").asDouble()).isEqualTo(vs.get("validation_loss")
                .asDouble());
        assertThat(vs.has("test_loss")).isFalse();
        assertThat(vs.has("test_baseline_accuracy")).isFalse();
    }

    /**
     * A run without a validation set resumes from its checkpoint (whose history keeps the absent scores as NaN) and
     * its summary still has no NaN.
     */
    @Test
    void aRunWithoutValidationResumes() throws Exception {
        Path csv = dir.resolve("freq.csv");
        assertThat(run("events", "generate", "--out", csv.toString(), "--sequences", "100", "--seed", "7").code())
                .isZero();
        Path out = dir.resolve("nv");
        Run t = run("events", "train", "--data", csv.toString(), "--features", "x", "--epochs", "1", "--validation",
                "0", "--threads", "2", "--out", out.toString(), "--no-progress");
        assertThat(t.code()).as(t.err()).isZero();
        Run r = run("events", "train", "--data", csv.toString(), "--resume", out.resolve("checkpoint.safetensors")
                .toString(), "--epochs", "2", "--threads", "2", "--out", out.toString(), "--no-progress");
        assertThat(r.code()).as(r.err()).isZero();
        String text = Files.readString(out.resolve("summary.json"));
        assertThat(text).doesNotContain("NaN");
        JsonNode summary = new ObjectMapper().readTree(text);
        assertThat(summary.get("epochs_completed").asInt()).isEqualTo(2);
        assertThat(summary.has("validation_loss")).isFalse();
        assertThat(summary.get("test_accuracy").isDouble()).isTrue();
        for (JsonNode e : summary.get("epochs")) {
            assertThat(e.has("validationLoss")).as(e.toString()).isFalse();
            assertThat(e.has("validationMetric")).as(e.toString()).isFalse();
        }
    }
}
