package org.plstm.flink.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.plstm.PhasedLstmConfig;
import org.plstm.TimeGateInit;
import org.plstm.flink.Prediction;
import org.plstm.inference.PhasedLstmModel;
import org.plstm.inference.StreamSession;
import org.plstm.io.Checkpoint;
import org.plstm.train.SequenceClassifier;
import picocli.CommandLine;

/**
 * The example job as README.md runs it (its command line), on the MiniCluster (the job forbids Kryo itself): a CSV
 * with a header, a comment, a quoted key and bad lines in, CSV predictions equal to sequential {@link StreamSession}s'
 * out, bad events and malformed lines in the rejected files.
 */
class CsvPredictionJobTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    Path dir;

    @Test
    void theExampleJobTurnsCsvEventsIntoCsvPredictions() throws Exception {
        Path model = dir.resolve("model.safetensors");
        SequenceClassifier c = SequenceClassifier.initialize(List.of(PhasedLstmConfig.builder(2, 16).build()), 3,
                TimeGateInit.PAPER, 7);
        Checkpoint.save(model, c.weights(), null, 0, null, Map.of());
        Path input = dir.resolve("events.csv");
        Files.writeString(input, """
                key,t,x1,x2
                # sensors, times in seconds
                s1,0.5,0.1,0.2
                "s,2",0.7,1.0,-1.0
                s1,1.25,0.3,0.4
                s1,1.0,0.3,0.4
                s1,2.0,0.3
                "s,2",3.5,NaN,1
                s1,zzz,1,2
                s1,4.0,0.5,0.6
                s1,5.5
                s1,3.0
                q,1.0
                "s,2",9.75,0.25,0.5
                """);
        Path out = dir.resolve("out");
        StringWriter stdout = new StringWriter();
        int code = CsvPredictionJob.run(new String[] {"--model", model.toString(), "--input", input.toString(),
            "--output", out.toString(), "--parallelism", "2", "--checkpoint-interval-ms", "100"},
                new PrintWriter(stdout), new PrintWriter(System.err, true));
        assertThat(code).isZero();
        assertThat(stdout.toString()).isEqualTo("wrote 6 predictions to " + out + "/predictions (6 rejected to " + out
                + "/rejected)" + System.lineSeparator());

        PhasedLstmModel m = PhasedLstmModel.load(model);
        List<String> expected = new ArrayList<>();
        StreamSession s1 = m.newSession();
        StreamSession s2 = m.newSession();
        expected.add(Csv.line(step(s1, "s1", 0.5, 0.1f, 0.2f)));
        expected.add(Csv.line(step(s2, "s,2", 0.7, 1.0f, -1.0f)));
        expected.add(Csv.line(step(s1, "s1", 1.25, 0.3f, 0.4f)));
        expected.add(Csv.line(step(s1, "s1", 4.0, 0.5f, 0.6f)));
        expected.add(Csv.line(new Prediction<>("s1", 5.5, 3, s1.classProbabilities().clone()))); // the query
        expected.add(Csv.line(step(s2, "s,2", 9.75, 0.25f, 0.5f)));
        assertThat(lines(out.resolve("predictions"))).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(expected.get(1)).startsWith("\"s,2\",0.7,1,");
        assertThat(lines(out.resolve("rejected"))).containsExactlyInAnyOrder(
                "s1,1.0,TIME_WENT_BACKWARDS,\"time: expected >= 1.25 (this key's previous event; per key, time must "
                        + "not go backwards), got 1.0\"",
                "s1,2.0,WRONG_FEATURE_COUNT,\"features: expected 2 values (the model's input size I), got 1\"",
                "\"s,2\",3.5,FEATURE_NOT_FINITE,\"features[0]: expected a finite value, got NaN\"",
                "t: expected a number, got \"zzz\": s1,zzz,1,2",
                "s1,3.0,TIME_WENT_BACKWARDS,\"time: expected >= 4.0 (this key's last event; a query earlier than it "
                        + "would be answered from a later state), got 3.0\"",
                "q,1.0,QUERY_BEFORE_ANY_EVENT,\"query: the key has consumed no event yet, so there is no state to "
                        + "predict from\"");
    }

    /**
     * The line after a job with {@code --output} counts the files the job committed, not those a run before left in
     * the directory; a job left running detached (or whose files this client cannot read back) gets the directories
     * only.
     */
    @Test
    void theLineAfterTheJobCountsOnlyItsOwnOutput() throws Exception {
        Map<String, String> files = files();
        Path out = dir.resolve("out");
        Files.createDirectories(out.resolve("predictions"));
        Files.writeString(out.resolve("predictions/part-earlier-0-0.csv"), "an earlier run's line\n");
        StringWriter stdout = new StringWriter();
        int code = CsvPredictionJob.run(new String[] {"--model", files.get("MODEL"), "--input", files.get("INPUT"),
            "--output", out.toString(), "--checkpoint-interval-ms", "100"}, new PrintWriter(stdout),
                new PrintWriter(System.err, true));
        assertThat(code).isZero();
        assertThat(stdout.toString()).isEqualTo("wrote 1 prediction to " + out + "/predictions (0 rejected to " + out
                + "/rejected)" + System.lineSeparator());

        CsvPredictionJob job = new CsvPredictionJob();
        new CommandLine(job).parseArgs("--model", files.get("MODEL"), "--input", files.get("INPUT"), "--output",
                out.toString());
        CsvPredictionJob.OutputFiles now = CsvPredictionJob.OutputFiles.list(out.toString());
        String directories = "predictions in " + out + "/predictions, rejected events in " + out + "/rejected";
        assertThat(job.outputSummary(new org.apache.flink.core.execution.DetachedJobExecutionResult(
                new org.apache.flink.api.common.JobID()), CsvPredictionJob.OutputFiles.list(dir.resolve("none")
                .toString()), now)).isEqualTo(directories);
        // attached, but no new file appeared here (a cluster's task managers wrote them elsewhere), or not local
        JobExecutionResult done = new JobExecutionResult(new org.apache.flink.api.common.JobID(), 1, Map.of());
        assertThat(job.outputSummary(done, now, now)).isEqualTo(directories);
        assertThat(job.outputSummary(done, null, null)).isEqualTo(directories);
    }

    /**
     * Run through {@code run-example.sh}, the help and the errors name the script as its user typed it (the system
     * property {@value CommandLines#COMMAND_PROPERTY}); without it, the class ({@code java -cp ... CsvPredictionJob}).
     */
    @Test
    void theScriptsNameIsTheProgramsNameInHelpAndErrors() throws Exception {
        Map<String, String> files = files();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = CommandLines.of(new CsvPredictionJob(), "./plstm-flink/run-example.sh", new PrintWriter(out),
                new PrintWriter(err)).execute("--model", files.get("MODEL"), "--input", files.get("INPUT"),
                "--emit-every", "0");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("./plstm-flink/run-example.sh: --emit-every: expected an integer >= 1, "
                + "got 0 (see './plstm-flink/run-example.sh --help')" + System.lineSeparator());
        assertThat(CommandLines.of(new CsvPredictionJob(), "./plstm-flink/run-example.sh", new PrintWriter(out),
                new PrintWriter(err)).execute("--help")).isZero();
        assertThat(out.toString()).startsWith("Usage: ./plstm-flink/run-example.sh [-hV]");
        StringWriter help = new StringWriter();
        assertThat(CommandLines.of(new CsvPredictionJob(), null, new PrintWriter(help), new PrintWriter(err))
                .execute("--help")).isZero();
        assertThat(help.toString()).startsWith("Usage: CsvPredictionJob [-hV]");
    }

    /**
     * A checkpoint of the events trainer holds the standardisation it trained with (metadata {@code standardizer}):
     * the job applies it to the features, as {@code events predict} does, unless {@code --raw-features}.
     */
    @Test
    void theCheckpointsStandardisationIsAppliedUnlessRawFeatures() throws Exception {
        Path model = dir.resolve("standardised.safetensors");
        SequenceClassifier c = SequenceClassifier.initialize(List.of(PhasedLstmConfig.builder(2, 8).build()), 2,
                TimeGateInit.PAPER, 11);
        org.plstm.data.Standardizer stats = new org.plstm.data.Standardizer(List.of("a", "b"),
                new double[] {1.0, -2.0}, new double[] {2.0, 0.5}, Double.NaN, Double.NaN);
        Checkpoint.save(model, c.weights(), null, 0, null, Map.of("standardizer", stats.toJson()));
        Path input = dir.resolve("std-events.csv");
        Files.writeString(input, "k,0.5,3.0,-1.0\nk,1.5,0.25,4.0\n");
        PhasedLstmModel m = PhasedLstmModel.load(model);
        for (boolean raw : new boolean[] {false, true}) {
            Path out = dir.resolve("std-out-" + raw);
            List<String> args = new ArrayList<>(List.of("--model", model.toString(), "--input", input.toString(),
                    "--output", out.toString(), "--parallelism", "1", "--checkpoint-interval-ms", "100"));
            if (raw) {
                args.add("--raw-features");
            }
            assertThat(new CommandLine(new CsvPredictionJob()).execute(args.toArray(String[]::new))).isZero();
            StreamSession s = m.newSession();
            float[][] x = {{3.0f, -1.0f}, {0.25f, 4.0f}};
            List<String> expected = new ArrayList<>();
            double[] t = {0.5, 1.5};
            for (int e = 0; e < 2; e++) {
                float[] v = x[e].clone();
                if (!raw) {
                    for (int i = 0; i < 2; i++) {
                        v[i] = (float) ((v[i] - stats.mean()[i]) / stats.std()[i]);
                    }
                }
                expected.add(Csv.line(step(s, "k", t[e], v)));
            }
            assertThat(lines(out.resolve("predictions"))).as("raw %s", raw).containsExactlyElementsOf(expected);
        }
    }

    private static Prediction<String> step(StreamSession s, String key, double t, float... x) {
        s.step(x, t);
        return new Prediction<>(key, t, s.events(), s.classProbabilities().clone());
    }

    /**
     * The lines of the sink's finished part files, in the order they were written: the files sorted by their part
     * counter ({@code part-<uuid>-<subtask>-<counter>.csv}; the sink rolls a file at every checkpoint, so a run may
     * leave several, and {@code Files.list} gives them in no particular order).
     */
    private static List<String> lines(Path dir) throws Exception {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> parts = files.filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted(Comparator.comparingLong(CsvPredictionJobTest::partCounter)
                            .thenComparing(Path::toString))
                    .toList();
            for (Path f : parts) {
                out.addAll(Files.readAllLines(f));
            }
        }
        return out;
    }

    /** The counter of a part file's name ({@code part-<uuid>-<subtask>-<counter>.csv}), or -1. */
    private static long partCounter(Path f) {
        String name = f.getFileName().toString();
        if (name.endsWith(".csv")) {
            name = name.substring(0, name.length() - 4);
        }
        try {
            return Long.parseLong(name.substring(name.lastIndexOf('-') + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * A bad option value is refused on the client before anything is submitted: one line naming the option, what it
     * takes and the value given, exit code 2, no stack trace. {@code MODEL} is a checkpoint, {@code INPUT} a CSV file,
     * {@code TEXT} a file that is not a checkpoint, {@code DIR} a directory, {@code NONE} a path that does not exist.
     * An expected line ending in {@code ...} is a prefix (the rest is the checkpoint reader's own message).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--max-batch=0                 | --max-batch: expected 1 to 1048576 events, got 0",
        "--max-batch=1048577           | --max-batch: expected 1 to 1048576 events, got 1048577",
        "--max-delay-ms=-1             | --max-delay-ms: expected 0 to 3600000 ms, got -1",
        "--emit-every=0                | --emit-every: expected an integer >= 1, got 0",
        "--parallelism=0               | --parallelism: expected 1 to 32768, got 0",
        "--checkpoint-interval-ms=0    | --checkpoint-interval-ms: expected >= 10 ms (Flink's least), got 0",
        "--checkpoint-interval-ms=9    | --checkpoint-interval-ms: expected >= 10 ms (Flink's least), got 9",
        "--restarts=-1                 | --restarts: expected 0 to 100, got -1",
        "--restarts=101                | --restarts: expected 0 to 100, got 101",
        "--restarts=2147483647         | --restarts: expected 0 to 100, got 2147483647",
        "--max-batch=zz                | Invalid value for option '--max-batch': 'zz' is not an int",
        "--input=NONE                  | --input: expected a CSV file or a directory of them, got NONE (no such file "
                + "or directory)",
        "--model=NONE                  | --model: expected a checkpoint file, got NONE (no such file)",
        "--model=DIR                   | --model: expected a checkpoint file, got DIR (a directory)",
        "--model=TEXT                  | --model: expected a checkpoint file, got TEXT: not a safetensors file: ...",
        "--model-uri=NONE              | --model-uri: expected a checkpoint, got NONE (no such file or directory)",
        "--model-uri=NONE,--raw-features | --model-uri: expected a checkpoint, got NONE (no such file or directory)",
        "--model-uri=TEXT              | --model-uri TEXT: expected a checkpoint, got a file that is not one (TEXT: not a "
                + "safetensors file: ...",
        "--model-uri=DIR               | --model-uri: expected a checkpoint, got DIR (a directory)",
        "--model-uri=EMPTY,--raw-features | --model-uri: expected a checkpoint, got EMPTY (a directory)",
        "--model-uri=file://EMPTY,--raw-features | --model-uri: expected a checkpoint, got file://EMPTY (a directory)",
        "--model-uri=FIFO              | --model-uri: expected a checkpoint, got FIFO (not a regular file: a named "
                + "pipe, device or socket)",
        "--model-uri=FIFO,--raw-features | --model-uri: expected a checkpoint, got FIFO (not a regular file: a named "
                + "pipe, device or socket)",
        "--model-uri=file://FIFO,--raw-features | --model-uri: expected a checkpoint, got file://FIFO (not a regular "
                + "file: a named pipe, device or socket)",
    })
    // a named pipe opened for reading would block for ever: fail instead
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aBadOptionIsRefusedOnTheClientInOneLineWithExitCode2(String options, String problem) throws Exception {
        Map<String, String> files = files();
        Assumptions.assumeTrue(!options.contains("FIFO") || files.containsKey("FIFO"), "mkfifo is not available");
        List<String> args = new ArrayList<>();
        for (String option : options.split(",")) {
            args.add(substitute(option, files));
        }
        if (args.stream().noneMatch(a -> a.startsWith("--model"))) {
            args.add("--model=" + files.get("MODEL"));
        }
        if (args.stream().noneMatch(a -> a.startsWith("--input"))) {
            args.add("--input=" + files.get("INPUT"));
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = CsvPredictionJob.run(args.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        assertThat(code).isEqualTo(2);
        String expected = "CsvPredictionJob: " + substitute(problem, files);
        String suffix = " (see 'CsvPredictionJob --help')" + System.lineSeparator();
        if (expected.endsWith("...")) {
            assertThat(err.toString()).startsWith(expected.substring(0, expected.length() - 3)).endsWith(suffix)
                    .hasLineCount(1);
        } else {
            assertThat(err.toString()).isEqualTo(expected + suffix);
        }
        assertThat(out.toString()).isEmpty();
    }

    /**
     * The files the bad-option cases name: a checkpoint, a CSV file, a text file, a directory, an empty directory, a
     * missing path, and a named pipe where {@code mkfifo} can make one.
     */
    private Map<String, String> files() throws Exception {
        Path model = dir.resolve("m.safetensors");
        Checkpoint.save(model, SequenceClassifier.initialize(List.of(PhasedLstmConfig.builder(2, 4).build()), 2,
                TimeGateInit.PAPER, 1).weights(), null, 0, null, Map.of());
        Path input = Files.writeString(dir.resolve("in.csv"), "k,0.5,1,2\n");
        Path text = Files.writeString(dir.resolve("text.safetensors"), "not a checkpoint");
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Map<String, String> files = new HashMap<>(Map.of("MODEL", model.toString(), "INPUT", input.toString(),
                "TEXT", text.toString(), "DIR", dir.toString(), "EMPTY", empty.toString(), "NONE",
                dir.resolve("none.csv").toString()));
        Path fifo = dir.resolve("fifo.safetensors");
        try {
            if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0) {
                files.put("FIFO", fifo.toString());
            }
        } catch (java.io.IOException e) {
            // no mkfifo here: the cases naming a FIFO are skipped
        }
        return files;
    }

    private static String substitute(String s, Map<String, String> files) {
        for (Map.Entry<String, String> f : files.entrySet()) {
            s = s.replace(f.getKey(), f.getValue());
        }
        return s;
    }

    /**
     * A task that fails every time (here: a {@code --model-uri} that is no checkpoint, which the client does not read
     * with {@code --raw-features}) ends the job after {@code --restarts}, with one line on standard error and exit
     * code 1, instead of restarting forever.
     */
    @Test
    void aJobWhoseTasksKeepFailingEndsAfterItsRestartsWithOneLine() throws Exception {
        Map<String, String> files = files();
        StringWriter err = new StringWriter();
        long start = System.nanoTime();
        int code = CsvPredictionJob.run(new String[] {"--model-uri", files.get("TEXT"), "--raw-features", "--input",
            files.get("INPUT"), "--output", dir.resolve("out").toString(), "--restarts", "1"},
                new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).hasLineCount(1).startsWith("CsvPredictionJob: Job execution failed. (cause: "
                + "org.plstm.io.CheckpointFormatException: " + files.get("TEXT") + ": not a safetensors file: ");
        assertThat(System.nanoTime() - start).as("one restart, 1 s later, then the end").isLessThan(60_000_000_000L);
    }

    /**
     * A {@code --model-uri} on a file system this client does not have (no plugin for its scheme) cannot be checked
     * here, since the tasks may have it: the checks pass, with one warning line on standard error that says so.
     */
    @Test
    void aModelUriOnAFileSystemTheClientCannotReachIsNotCheckedButSaysSo() throws Exception {
        Map<String, String> files = files();
        StringWriter err = new StringWriter();
        CsvPredictionJob job = new CsvPredictionJob();
        CommandLines.of(job, new PrintWriter(new StringWriter()), new PrintWriter(err)).parseArgs("--model-uri",
                "nosuchfs://bucket/m.safetensors", "--raw-features", "--input", files.get("INPUT"));
        job.check();
        assertThat(err.toString()).hasLineCount(1).startsWith("CsvPredictionJob: warning: --model-uri "
                + "nosuchfs://bucket/m.safetensors not checked on this client (").endsWith("); the tasks will read it"
                + System.lineSeparator());
    }

    @Test
    void theJobForbidsKryo() throws Exception {
        StreamExecutionEnvironment env = built();
        assertThat(env.getConfig().getSerializerConfig().hasGenericTypesDisabled()).isTrue();
    }

    /**
     * Without {@code --restarts}, where the configuration the job is submitted with sets no restart strategy:
     * {@value CsvPredictionJob#DEFAULT_RESTARTS} attempts 1 s apart (bounded, unlike Flink's own default with
     * checkpoints).
     */
    @Test
    void withoutRestartsOrAConfiguredStrategyTheJobRestartsThreeTimes() throws Exception {
        Configuration job = built(new Configuration()).getStreamGraph(false).getJobConfiguration();
        assertThat(job.getOptional(RestartStrategyOptions.RESTART_STRATEGY)).contains("fixed-delay");
        assertThat(job.getOptional(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS)).contains(3);
        assertThat(job.getOptional(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY))
                .contains(Duration.ofSeconds(1));
    }

    /**
     * Without {@code --restarts}, a restart strategy in the configuration the job is submitted with (a cluster's
     * {@code config.yaml}) is left alone: the job sets none of its own.
     */
    @Test
    void withoutRestartsTheConfiguredRestartStrategyApplies() throws Exception {
        Configuration submitted = new Configuration();
        submitted.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        StreamExecutionEnvironment env = built(submitted);
        assertThat(env.getConfiguration().getOptional(RestartStrategyOptions.RESTART_STRATEGY))
                .contains("exponential-delay");
        Configuration job = env.getStreamGraph(false).getJobConfiguration();
        assertThat(job.getOptional(RestartStrategyOptions.RESTART_STRATEGY)).isNotEqualTo(Optional.of("fixed-delay"));
        assertThat(job.keySet()).noneMatch(key -> key.startsWith("restart-strategy.fixed-delay"));
    }

    /** {@code --restarts} wins over a configured strategy: the user asked for it on this job. */
    @Test
    void restartsOverridesAConfiguredStrategy() throws Exception {
        Configuration submitted = new Configuration();
        submitted.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        Configuration job = built(submitted, "--restarts", "2").getStreamGraph(false).getJobConfiguration();
        assertThat(job.getOptional(RestartStrategyOptions.RESTART_STRATEGY)).contains("fixed-delay");
        assertThat(job.getOptional(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS)).contains(2);
    }

    /** {@code --restarts 5}: a fixed-delay restart strategy of 5 attempts, 1 s apart, in the job's configuration. */
    @Test
    void withRestartsTheJobRestartsAFailedTaskThatManyTimes() throws Exception {
        Configuration job = built("--restarts", "5").getStreamGraph(false).getJobConfiguration();
        assertThat(job.getOptional(RestartStrategyOptions.RESTART_STRATEGY)).contains("fixed-delay");
        assertThat(job.getOptional(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS)).contains(5);
        assertThat(job.getOptional(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY))
                .contains(Duration.ofSeconds(1));
        assertThat(job.keySet().stream().filter(key -> key.startsWith("restart-strategy")).sorted())
                .containsExactly("restart-strategy.fixed-delay.attempts", "restart-strategy.fixed-delay.delay",
                        "restart-strategy.type");
    }

    /** The example job built (not run) from its command line plus {@code options}, on an untrained I = 2 model. */
    private StreamExecutionEnvironment built(String... options) throws Exception {
        return built(new Configuration(), options);
    }

    /** {@link #built(String...)} in an environment made from {@code submitted} (what {@code flink run} passes). */
    private StreamExecutionEnvironment built(Configuration submitted, String... options) throws Exception {
        Path model = dir.resolve("m.safetensors");
        Checkpoint.save(model, SequenceClassifier.initialize(List.of(PhasedLstmConfig.builder(2, 4).build()), 2,
                TimeGateInit.PAPER, 1).weights(), null, 0, null, Map.of());
        CsvPredictionJob job = new CsvPredictionJob();
        List<String> args = new ArrayList<>(List.of("--model", model.toString(), "--input", "in.csv"));
        args.addAll(List.of(options));
        new CommandLine(job).parseArgs(args.toArray(String[]::new));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(submitted);
        job.build(env);
        return env;
    }
}
