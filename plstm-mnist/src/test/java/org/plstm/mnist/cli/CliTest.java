package org.plstm.mnist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.plstm.mnist.Main;
import org.plstm.mnist.train.RealMnist;

/** The command line, run in-process through {@link Main#run}. */
class CliTest {
    @TempDir
    Path dir;

    /** Output of one run. */
    record Run(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsEveryTrainOptionWithItsDefault() {
        Run r = run("train", "--help");
        assertThat(r.code()).isZero();
        // one entry per option: its first line (indented by at most 6 spaces) and its continuation lines
        java.util.Map<String, String> entries = new java.util.LinkedHashMap<>();
        String current = null;
        for (String line : r.out().lines().toList()) {
            Matcher m = Pattern.compile("^ {2,6}(?:-\\w, )?(--\\S+)(.*)$").matcher(line);
            if (m.matches()) {
                current = m.group(1);
                entries.put(current, m.group(2).trim());
            } else if (current != null && line.startsWith("          ")) {
                entries.put(current, entries.get(current) + " " + line.trim());
            }
        }
        String[][] expected = {
            {"--model=plstm|lstm", "Default: plstm."}, {"--hidden=N", "Default: 32."}, {"--layers=N", "Default: 1."},
            {"--epochs=N", "Default: 2."}, {"--batch=N", "Default: 128."},
            {"--optimizer=rmsprop|adam|sgd", "Default: rmsprop."}, {"--lr=RATE", "Default: 0.001."},
            {"--clip=NORM", "Default: 0."}, {"--schedule=constant|cosine", "Default: constant."},
            {"--weight-decay=RATE", "Default: 0."}, {"--translate=PIXELS", "Default: 0."},
            {"--layout=pixel|row", "Default: pixel."},
            {"--train-limit=N", "Default: 60000 (all)."}, {"--test-limit=N", "Default: 10000 (all)."},
            {"--seed=N", "Default: 1."}, {"--init=keras|paper", "Default: keras."},
            {"--gate-activation=sigmoid|hard_sigmoid", "Default: sigmoid."}, {"--[no-]peepholes", "Default: false."},
            {"--engine=simd|reference|auto", "Default: auto."}, {"--threads=N|auto", "Default: auto."},
            {"--data=DIR", "Default: $XDG_CACHE_HOME/plstm/mnist"}, {"--[no-]progress", "Default: on in a terminal"},
            {"--out=DIR", "Default: runs/<yyyyMMdd-HHmmss>"}, {"--overwrite", "Default: refuse."},
            {"--resume=CHECKPOINT", "--epochs is the total"}};
        for (String[] e : expected) {
            assertThat(entries).as("option %s in the help", e[0]).containsKey(e[0]);
            assertThat(entries.get(e[0])).as(e[0]).contains(e[1]);
        }
        assertThat(entries.get("--layers=N")).contains("Stacked recurrent layers, 1 to 64 (1 to 4 are usual");
        assertThat(entries).hasSize(expected.length + 2); // and -h/--help, -V/--version
        Run top = run("--help");
        assertThat(top.code()).isZero();
        assertThat(top.out()).contains("fetch", "train", "compare", "evaluate", "Exit codes");
        for (String cmd : List.of("compare", "evaluate", "fetch")) {
            Run c = run(cmd, "--help");
            assertThat(c.code()).as(cmd).isZero();
            assertThat(c.out()).as(cmd).contains("Usage: plstm-mnist " + cmd);
        }
        assertThat(run("evaluate", "--help").out().replaceAll("\\s+", " "))
                .contains("--checkpoint=FILE", "--test-limit=N Score the first N test samples (all of them where N "
                        + "is larger). Default: 10000");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "train --hidden 0", "train --hidden abc", "train --layers -1", "train --layers 65", "train --layers 100000",
        "compare --layers 65", "train --epochs 0", "train --batch 0",
        "train --lr -1", "train --lr NaN", "train --clip -0.5", "train --layout diagonal", "train --model gru",
        "train --optimizer lbfgs", "train --init random", "train --gate-activation relu", "train --engine gpu",
        "train --threads 0", "train --threads many", "train --schedule step", "train --weight-decay -1",
        "train --translate -1", "train --translate 14", "train --train-limit 0", "train --test-limit -5",
        "train --bogus", "train --seed x", "compare --hidden 0", "compare --model lstm", "evaluate",
        "evaluate --checkpoint /nonexistent/ck.safetensors", "evaluate --checkpoint x --batch 0",
        "train --resume /nonexistent/ck.safetensors", "frobnicate", "", "train --hidden 30000",
        "evaluate --checkpoint /", "train --resume /", "train --out=", "train --data=", "evaluate --checkpoint="})
    void badValuesExitWithCode2AndOneLine(String line) {
        String[] args = line.isEmpty() ? new String[0] : line.split(" ");
        Run r = run(args);
        System.out.println("[" + line + "] -> " + r.err().strip());
        assertThat(r.code()).as(line).isEqualTo(2);
        assertThat(r.errLines()).as(line).hasSize(1);
        assertThat(r.err()).as(line).startsWith("plstm-mnist: ").doesNotContain("Exception", "\tat ");
        assertThat(r.out()).as(line).isEmpty();
    }

    @Test
    void errorMessagesNameTheOptionTheExpectationAndTheValue() {
        assertThat(run("train", "--out=", "--data=").err()).startsWith("plstm-mnist: Invalid value for option '--out': "
                + "expected a path, got an empty one");
        assertThat(run("train", "--hidden", "0").err()).startsWith(
                "plstm-mnist: --hidden: expected an integer >= 1, got 0 (see 'plstm-mnist train --help')");
        // --layers has an upper bound, checked before the data is loaded or a model is built (100000 printed a 1.2 MB
        // model summary and then ran out of memory)
        for (String cmd : List.of("train", "compare")) {
            Run deep = run(cmd, "--layers", "100000", "--out", dir.resolve(cmd + "-deep").toString());
            assertThat(deep.code()).as(cmd).isEqualTo(2);
            assertThat(deep.errLines()).as(cmd).containsExactly("plstm-mnist: --layers: expected an integer in [1, 64], "
                    + "got 100000 (see 'plstm-mnist " + cmd + " --help')");
            assertThat(deep.out()).as(cmd).isEmpty();
            assertThat(dir.resolve(cmd + "-deep")).as(cmd).doesNotExist();
        }
        assertThat(run("train", "--layers", "0").err()).startsWith("plstm-mnist: --layers: expected an integer in "
                + "[1, 64], got 0 (see 'plstm-mnist train --help')");
        assertThat(ModelOptions.MAX_LAYERS).isEqualTo(64);
        picocli.CommandLine.Model.CommandSpec spec = new picocli.CommandLine(new TrainCommand()).getCommandSpec();
        ModelOptions.layers(spec, 1);
        ModelOptions.layers(spec, ModelOptions.MAX_LAYERS); // the bounds themselves are accepted
        assertThat(run("train", "--layout", "diagonal").err()).contains("--layout: expected pixel or row, got "
                + "'diagonal'");
        assertThat(run("train", "--threads", "many").err()).contains("--threads: expected auto or an integer in [1, 1024], "
                + "got 'many'");
        assertThat(run("evaluate", "--checkpoint", "/nonexistent/ck.safetensors").err())
                .contains("--checkpoint: no such file: /nonexistent/ck.safetensors");
        assertThat(run("evaluate", "--checkpoint", "/").err())
                .contains("--checkpoint: expected a checkpoint file, got the directory /");
        assertThat(run("train", "--translate", "14").err()).contains("--translate: expected 0 (off) to 13 pixels, "
                + "got 14");
        assertThat(run("train", "--hidden", "30000").err()).contains("--hidden: 30000 is too large: hiddenSize "
                + "(recurrentKernel [H][4H], padded): expected at most 2147483647 elements");
    }

    @Test
    void versionIsTheArtifactsOnEveryCommand() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher m = Pattern.compile("<artifactId>plstm-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertThat(m.find()).isTrue();
        for (String[] args : new String[][] {{"--version"}, {"train", "--version"}, {"evaluate", "-V"},
                {"compare", "--version"}, {"fetch", "--version"}}) {
            Run r = run(args);
            assertThat(r.code()).isZero();
            assertThat(r.out()).startsWith("plstm-mnist " + m.group(1) + "\n").contains("Java ");
        }
    }

    @Test
    void typosGetASuggestion() {
        Run option = run("train", "--epoch", "3");
        assertThat(option.code()).isEqualTo(2);
        assertThat(option.errLines()).hasSize(1);
        assertThat(option.err()).contains("Unknown options: '--epoch', '3'; did you mean --epochs?");
        Run command = run("tran");
        assertThat(command.code()).isEqualTo(2);
        assertThat(command.err()).contains("'tran'; did you mean train?");
    }

    @Test
    void aCorruptCheckpointIsAUsageErrorNamingTheFile() throws Exception {
        Path bad = dir.resolve("bad.safetensors");
        Files.write(bad, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
        Run r = run("evaluate", "--checkpoint", bad.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("--checkpoint: " + bad + ": not a safetensors file: header length");
    }

    private static double number(String text, String label) {
        Matcher m = Pattern.compile(label + " ([0-9.]+)").matcher(text);
        assertThat(m.find()).as(label + " in " + text).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void trainThenEvaluateThenResumeThroughTheCommandLine() throws Exception {
        RealMnist.get(); // makes sure the default cache holds MNIST (fetched on first use)
        Path out = dir.resolve("run");
        List<String> common = List.of("--layout", "row", "--hidden", "8", "--batch", "50", "--train-limit", "300",
                "--test-limit", "100", "--no-progress", "--threads", "2", "--engine", "simd");
        List<String> args = new ArrayList<>(List.of("train", "--epochs", "1", "--out", out.toString()));
        args.addAll(common);
        Run t = run(args.toArray(String[]::new));
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(t.out()).contains("epoch 1/1: train loss", "done: test accuracy");
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());

        Path ck = out.resolve("checkpoint.safetensors");
        // the same --out again: refused, naming the options that allow it; the run's files are untouched
        byte[] before = Files.readAllBytes(ck);
        Run again = run(args.toArray(String[]::new));
        assertThat(again.code()).as(again.err()).isEqualTo(2);
        assertThat(again.err()).contains("--out: " + out + " already holds a run (checkpoint.safetensors, "
                + "metrics.csv, summary.json); pass --overwrite to replace its files, --resume " + ck);
        assertThat(Files.readAllBytes(ck)).isEqualTo(before);
        Run onFile = run("train", "--out", ck.toString(), "--epochs", "1");
        assertThat(onFile.code()).isEqualTo(2);
        assertThat(onFile.err()).contains("--out: expected a directory, got the file " + ck);

        Run e = run("evaluate", "--checkpoint", ck.toString(), "--test-limit", "100", "--threads", "2");
        assertThat(e.code()).as(e.err()).isZero();
        assertThat(number(e.out(), "test accuracy")).isEqualTo(Double.parseDouble(String.format(Locale.ROOT, "%.4f",
                summary.get("test_accuracy").asDouble())));
        assertThat(e.out()).contains("epoch 1, row layout");
        // an edited value fails the integrity check; a consistently sealed bad value fails its own validation
        Path tampered = edit(ck, "pixel_mean", "0.2", false);
        Run tamperedRun = run("evaluate", "--checkpoint", tampered.toString(), "--test-limit", "100");
        assertThat(tamperedRun.code()).as(tamperedRun.err()).isEqualTo(2);
        assertThat(tamperedRun.err()).contains("--checkpoint: " + tampered + ": integrity check failed");
        for (String[] bad : new String[][] {{"pixel_std", "0"}, {"pixel_mean", "1e39"}, {"pixel_std", "NaN"}}) {
            Path edited = edit(ck, bad[0], bad[1], true);
            Run r = run("evaluate", "--checkpoint", edited.toString(), "--test-limit", "100");
            assertThat(r.code()).as(r.err()).isEqualTo(2);
            assertThat(r.err()).contains("--checkpoint: " + edited + ": metadata " + bad[0] + " must be in ")
                    .contains("got " + bad[1]);
        }
        // a trainer entry that is JSON null, and one whose layout contradicts the model (row, I=28, for I=1 weights)
        Path nullTrainer = edit(ck, "trainer", "null", true);
        Run nt = run("evaluate", "--checkpoint", nullTrainer.toString(), "--test-limit", "100");
        assertThat(nt.code()).isEqualTo(2);
        assertThat(nt.errLines()).hasSize(1);
        assertThat(nt.err()).contains(nullTrainer + ": training configuration: expected a JSON object, got null");
        Run ntResume = run("train", "--resume", nullTrainer.toString(), "--epochs", "2", "--out",
                dir.resolve("nt").toString());
        assertThat(ntResume.code()).isEqualTo(2);
        assertThat(ntResume.err()).contains("training configuration: expected a JSON object, got null");
        Path pixel = edit(ck, "trainer", summary.get("config").toString().replace("\"layout\":\"row\"",
                "\"layout\":\"pixel\""), true);
        Run mismatch = run("evaluate", "--checkpoint", pixel.toString(), "--test-limit", "100");
        assertThat(mismatch.code()).isEqualTo(2);
        assertThat(mismatch.err()).contains(pixel + ": its training configuration says the pixel layout (1 input(s) "
                + "per step) but its model takes 28; the file is inconsistent");
        // an optimiser learning rate that contradicts the training configuration
        Path lr = edit(ck, "optimizer.learning_rate", "0.5", true);
        Run lrRun = run("train", "--resume", lr.toString(), "--epochs", "2", "--out", dir.resolve("lr").toString(),
                "--no-progress", "--threads", "2");
        assertThat(lrRun.code()).isEqualTo(2);
        assertThat(lrRun.err()).contains("--resume: " + lr + ": the checkpoint's optimizer learning rate is 0.5 "
                + "but its training configuration gives 0.001; the file is inconsistent");
        // one that no optimiser takes (float arithmetic) is refused as the checkpoint is read
        Path hugeLr = edit(ck, "optimizer.learning_rate", "1.0E308", true);
        Run hugeLrRun = run("train", "--resume", hugeLr.toString(), "--epochs", "2", "--out",
                dir.resolve("lr").toString(), "--no-progress", "--threads", "2");
        System.out.println("[huge lr] -> " + hugeLrRun.err().strip());
        assertThat(hugeLrRun.code()).isEqualTo(2);
        assertThat(hugeLrRun.errLines()).hasSize(1);
        assertThat(hugeLrRun.err()).contains("learningRate: expected a value in [1.4E-45, 3.4028235E38] (float's "
                + "positive range), got 1.0E308");
        assertThat(dir.resolve("lr")).as("the directory made for the run is removed again").doesNotExist();
        // --resume into another run's directory is refused (it replaced that run's files)
        Path other = dir.resolve("other");
        Files.createDirectories(other);
        Files.writeString(other.resolve("metrics.csv"), "not ours");
        Run into = run("train", "--resume", ck.toString(), "--epochs", "2", "--out", other.toString());
        assertThat(into.code()).isEqualTo(2);
        assertThat(into.err()).contains("--out: " + other + " already holds another run (metrics.csv); pass "
                + "--overwrite to replace its files, or another --out");
        assertThat(other.resolve("metrics.csv")).hasContent("not ours");
        // --out below a file
        Run below = run("train", "--out", ck.resolve("sub").toString(), "--epochs", "1");
        assertThat(below.code()).isEqualTo(2);
        assertThat(below.err()).contains("--out: cannot create the directory " + ck.resolve("sub"));

        Run conflict = run("train", "--resume", ck.toString(), "--epochs", "2", "--hidden", "16", "--out",
                dir.resolve("x").toString());
        assertThat(conflict.code()).isEqualTo(2);
        assertThat(conflict.err()).contains("--hidden: the checkpoint was trained with 8, got 16");
        Run moved = run("train", "--resume", ck.toString(), "--epochs", "2", "--translate", "2", "--out",
                dir.resolve("x").toString());
        assertThat(moved.code()).isEqualTo(2);
        assertThat(moved.err()).contains("--translate: the checkpoint was trained with 0, got 2");
        Run done = run("train", "--resume", ck.toString(), "--epochs", "1", "--out", dir.resolve("y").toString());
        assertThat(done.code()).isEqualTo(2);
        assertThat(done.err()).contains("--epochs: the checkpoint has completed 1 epoch; expected a total above that, "
                + "got 1");
        Run complete = run("train", "--resume", ck.toString(), "--out", dir.resolve("y").toString());
        assertThat(complete.code()).isEqualTo(2);
        assertThat(complete.err()).contains("--resume: the run is complete (epoch 1 of 1); pass --epochs above 1 to "
                + "train on");

        Path out2 = dir.resolve("resumed");
        Run res = run("train", "--resume", ck.toString(), "--epochs", "2", "--out", out2.toString(), "--no-progress",
                "--threads", "2", "--hidden", "8");
        assertThat(res.code()).as(res.err()).isZero();
        assertThat(res.out()).contains("epoch 2/2: train loss").doesNotContain("epoch 1/2");
        JsonNode s2 = new ObjectMapper().readTree(out2.resolve("summary.json").toFile());
        assertThat(s2.get("epoch_seconds")).hasSize(2);
        assertThat(s2.get("config").get("hidden").asInt()).isEqualTo(8);
        assertThat(s2.get("config").get("test_limit").asInt()).as("from the checkpoint").isEqualTo(100);
        assertThat(s2.get("resumed_from").asText()).isEqualTo(ck.toAbsolutePath().toString());
        assertThat(Files.readAllLines(out2.resolve("metrics.csv"))).hasSize(1 + 2 * (6 + 2));
    }

    /**
     * A copy of a checkpoint with one metadata entry changed, sealed with a new digest (as a faulty writer would) or
     * not (as a damaged file).
     */
    private Path edit(Path ck, String key, String value, boolean reseal) throws Exception {
        org.plstm.io.Safetensors.Contents c = org.plstm.io.Safetensors.read(ck);
        java.util.Map<String, String> meta = new java.util.LinkedHashMap<>(c.metadata());
        meta.put(key, value);
        if (reseal) {
            meta.put(org.plstm.io.Checkpoint.INTEGRITY, org.plstm.io.Checkpoint.digest(meta, c.tensors().values()));
        }
        Path edited = dir.resolve(key.replace('.', '_') + (reseal ? "-sealed" : "") + ".safetensors");
        org.plstm.io.Safetensors.write(edited, new ArrayList<>(c.tensors().values()), meta);
        return edited;
    }

    @Test
    void divergingTrainingSaysWhereAndKeepsTheLastGoodCheckpoint() throws Exception {
        RealMnist.get();
        Path out = dir.resolve("diverge");
        List<String> common = List.of("--layout", "row", "--hidden", "8", "--batch", "50", "--train-limit", "100",
                "--test-limit", "50", "--no-progress", "--threads", "2", "--out", out.toString());
        List<String> good = new ArrayList<>(List.of("train", "--epochs", "1"));
        good.addAll(common);
        assertThat(run(good.toArray(String[]::new)).code()).isZero();
        Path ck = out.resolve("checkpoint.safetensors");
        byte[] before = Files.readAllBytes(ck);
        String metricsBefore = Files.readString(out.resolve("metrics.csv"));
        // the same run continued with a learning rate of 1e30 (sealed into a copy of its checkpoint)
        Path hot = edit(ck, "trainer", new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("config")
                .toString().replace("\"learning_rate\":0.001", "\"learning_rate\":1.0E30"), true);
        Path hot2 = edit(hot, "optimizer.learning_rate", "1.0E30", true);
        Files.copy(hot2, ck, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        byte[] sealed = Files.readAllBytes(ck);
        Run r = run("train", "--resume", ck.toString(), "--epochs", "3", "--out", out.toString(), "--no-progress",
                "--threads", "2");
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).containsPattern("training diverged at epoch 2, batch [12]: (the loss is (NaN|Infinity)|"
                + "the gradients' norm is (NaN|Infinity) \\(the step was not applied; |"
                + "the parameters left their valid range|the optimizer state is no longer finite)")
                .contains("Nothing of epoch 2 was saved; last good checkpoint: " + ck + " (epoch 1, resumed from). "
                        + "Try a smaller learning rate (--lr, now 1.0E30) or gradient clipping (--clip).");
        assertThat(Files.readAllBytes(ck)).as("the last good checkpoint is kept").isEqualTo(sealed);
        assertThat(Files.readString(out.resolve("metrics.csv"))).isEqualTo(metricsBefore);
        assertThat(before).isNotEqualTo(sealed);
        // from scratch, as the attack ran it: no epoch completes, nothing is written
        for (String lr : new String[] {"1e30", "1e10"}) {
            Path fresh = dir.resolve("fresh" + lr);
            List<String> args = new ArrayList<>(List.of("train", "--epochs", "2", "--lr", lr));
            args.addAll(common.subList(0, common.size() - 2));
            args.addAll(List.of("--out", fresh.toString()));
            Run f = run(args.toArray(String[]::new));
            assertThat(f.code()).as(f.err()).isEqualTo(1);
            assertThat(f.err()).contains("training diverged at epoch 1, batch ")
                    .contains("last good checkpoint: none: no epoch was completed. Try a smaller learning rate");
            assertThat(fresh.resolve("checkpoint.safetensors")).doesNotExist();
            assertThat(fresh.resolve("metrics.csv")).doesNotExist();
        }
    }

    @Test
    void aDirectoryInUseByAnotherRunIsRefused() throws Exception {
        RealMnist.get();
        Path out = Files.createDirectories(dir.resolve("busy"));
        try (var ch = java.nio.channels.FileChannel.open(out.resolve(".plstm.lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
             var lock = ch.lock()) {
            Run r = run("train", "--layout", "row", "--hidden", "4", "--train-limit", "50", "--test-limit", "20",
                    "--epochs", "1", "--no-progress", "--out", out.toString());
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).contains("another run is writing to " + out.toRealPath() + " (it holds .plstm.lock); "
                    + "wait for it to finish or choose another --out");
        }
        try (var files = Files.list(out)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly(".plstm.lock");
        }
    }

    @Test
    void theThreadsPropertyIsHonouredByAuto() {
        String old = System.getProperty("plstm.threads");
        try {
            System.setProperty("plstm.threads", "3");
            RuntimeOptions o = new RuntimeOptions();
            o.threads = "auto";
            picocli.CommandLine cl = new picocli.CommandLine(new TrainCommand());
            assertThat(o.threads(cl.getCommandSpec())).isEqualTo(3);
            System.setProperty("plstm.threads", "zero");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> o.threads(cl.getCommandSpec()))
                    .hasMessage("--threads auto: plstm.threads: expected an integer in [1, 1024], got 'zero'");
            o.threads = "2";
            assertThat(o.threads(cl.getCommandSpec())).as("an explicit --threads wins").isEqualTo(2);
        } finally {
            if (old == null) {
                System.clearProperty("plstm.threads");
            } else {
                System.setProperty("plstm.threads", old);
            }
        }
    }

    @Test
    void outThroughASymbolicLinkIsResolvedAsTheFileSystemDoesAndPrintedReal() throws Exception {
        Path real = Files.createDirectories(dir.resolve("real/sub"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        Path given = Path.of(link + "/../run"); // the shell and the kernel: real/sub/.. = real, so real/run
        Path made = TrainCommand.outDir(new picocli.CommandLine(new TrainCommand()).getCommandSpec(), given, false,
                null, true);
        assertThat(made).isEqualTo(dir.resolve("real/run").toRealPath());
        assertThat(dir.resolve("run")).as("not the lexical link/../run").doesNotExist();
    }

    @Test
    void runsStartedInTheSameSecondGetTheirOwnDirectories() throws Exception {
        Path runs = dir.resolve("runs");
        Path a = TrainCommand.newRunDir(runs, "20261201-120000");
        Path b = TrainCommand.newRunDir(runs, "20261201-120000");
        Path c = TrainCommand.newRunDir(runs, "20261201-120000");
        assertThat(a.getFileName().toString()).isEqualTo("20261201-120000");
        assertThat(b.getFileName().toString()).isEqualTo("20261201-120000-2");
        assertThat(c.getFileName().toString()).isEqualTo("20261201-120000-3");
        assertThat(List.of(a, b, c)).allSatisfy(p -> assertThat(p).isDirectory());
    }

    @Test
    void compareTrainsBothModelsAndChartsThemTogether() throws Exception {
        RealMnist.get();
        Path out = dir.resolve("cmp");
        Run r = run("compare", "--layout", "row", "--hidden", "8", "--batch", "64", "--train-limit", "256",
                "--test-limit", "64", "--epochs", "1", "--no-progress", "--threads", "2", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("PLSTM test accuracy", "LSTM  test accuracy");
        for (String f : List.of("accuracy.png", "loss.png", "summary.json", "plstm/summary.json",
                "lstm/checkpoint.safetensors", "lstm/metrics.csv")) {
            assertThat(out.resolve(f)).as(f).isRegularFile();
        }
        JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertThat(s.get("plstm").get("config").get("model").asText()).isEqualTo("plstm");
        assertThat(s.get("lstm").get("config").get("model").asText()).isEqualTo("lstm");
        assertThat(s.get("lstm").get("config").get("seed")).isEqualTo(s.get("plstm").get("config").get("seed"));
    }
}
