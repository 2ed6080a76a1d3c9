package org.plstm.flink.example;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.execution.DetachedJobExecutionResult;
import org.apache.flink.core.fs.local.LocalFileSystem;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.plstm.flink.Event;
import org.plstm.flink.KeyedPhasedLstm;
import org.plstm.flink.ModelSource;
import org.plstm.flink.Prediction;
import org.plstm.flink.RejectedEvent;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The example job: CSV events {@code key,t,x_1,...,x_I} from a file (or a directory of files) through
 * {@link KeyedPhasedLstm} to CSV predictions {@code key,t,events,v_1,...} (see {@link Csv}), exactly once.
 *
 * <p>Runs locally ({@code java ... CsvPredictionJob --model m.safetensors --input events.csv}, on an embedded Flink
 * mini cluster) or on a cluster ({@code flink run -c org.plstm.flink.example.CsvPredictionJob plstm-flink-job.jar
 * ...}); README.md, "Scaling out with Flink", has the commands. With {@code --output DIR} the predictions go to
 * {@code DIR/predictions/} and the rejected events and malformed lines to {@code DIR/rejected/} (Flink's file sink:
 * files appear when a checkpoint commits them), then one line on standard output counts them
 * ({@code wrote N predictions to DIR/predictions (M rejected to DIR/rejected)}); else they go to standard output
 * and standard error.
 *
 * <p>Per key, events must be in time order within the input: all of a key's events in one file (a file is read in
 * order by one reader), times not going backwards (an earlier event or query is rejected, with the reason).
 *
 * <p>Bad options are refused on the client, before the job is submitted: a value out of range, an {@code --input}
 * its file system says does not exist, a {@code --model-uri} it says is not a regular file (missing, a directory, a
 * named pipe or device: checked without opening it, when the client can reach that file system), a {@code --model}
 * that is not a readable checkpoint. With {@code --restarts N} the job restarts a failed task N times (at most
 * {@value #MAX_RESTARTS}, 1 s apart), then fails. Without it, a restart strategy in the Flink configuration the job
 * is submitted with ({@code restart-strategy.type}, e.g. the cluster's {@code config.yaml} read by {@code flink run})
 * applies; where that configuration has none, {@value #DEFAULT_RESTARTS} restarts 1 s apart (Flink's own default
 * with checkpointing, exponential-delay, restarts for ever, so a task that cannot read its model would never end
 * the job). Exit codes and error lines as {@link CommandLines} describes.
 */
@Command(name = "CsvPredictionJob", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Streams CSV events key,t,x_1..x_I through a Phased LSTM per key, on Flink, and writes "
                + "CSV predictions key,t,events,v_1..v_n.")
public final class CsvPredictionJob implements Callable<Integer> {
    /** The smallest checkpoint interval Flink accepts, in milliseconds. */
    static final long MIN_CHECKPOINT_INTERVAL_MS = 10;
    /** The largest parallelism Flink accepts (its upper bound of the max parallelism). */
    static final int MAX_PARALLELISM = 1 << 15;
    /** The most {@code --restarts}: a task that still fails after 100 restarts will not recover by itself. */
    static final int MAX_RESTARTS = 100;

    /**
     * The restarts without {@code --restarts} when the Flink configuration the job is submitted with sets no restart
     * strategy: bounded, so that a task that fails every time ends the job.
     */
    static final int DEFAULT_RESTARTS = 3;

    @Spec
    CommandSpec spec;

    static final class ModelOption {
        @Option(names = "--model", paramLabel = "FILE", description = "A local checkpoint (.safetensors), read "
                + "now and shipped with the job.")
        Path file;

        @Option(names = "--model-uri", paramLabel = "URI", description = "A checkpoint every task reads when it "
                + "starts: a path on every task manager, hdfs://, s3://, ... (Flink file systems).")
        String uri;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    ModelOption model;

    @Option(names = "--input", required = true, paramLabel = "PATH",
            description = "A CSV file or a directory of them (any Flink file system).")
    String input;

    @Option(names = "--output", paramLabel = "DIR",
            description = "Write DIR/predictions/ and DIR/rejected/, then print how many lines each got (default: "
                    + "standard output and error).")
    String output;

    @Option(names = "--parallelism", paramLabel = "N", description = "Parallelism of the job (default: Flink's).")
    Integer parallelism;

    @Option(names = "--max-batch", paramLabel = "EVENTS", defaultValue = "1024",
            description = "Most events scored together (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--max-delay-ms", paramLabel = "MS", defaultValue = "10",
            description = "Longest an event waits for its batch, processing time (default: ${DEFAULT-VALUE}).")
    long maxDelayMs;

    @Option(names = "--emit-every", paramLabel = "N", defaultValue = "1",
            description = "A prediction every N-th event of a key (default: ${DEFAULT-VALUE}).")
    int emitEvery;

    @Option(names = "--hidden-state", description = "Emit the last hidden state instead of class probabilities.")
    boolean hiddenState;

    @Option(names = "--raw-features", description = "Pass the features on as written, even when the checkpoint "
            + "holds the standardisation its trainer applied (metadata 'standardizer', written by 'train.sh events "
            + "train'); by default they are standardised with it, as 'events predict' does.")
    boolean rawFeatures;
    @Option(names = "--checkpoint-interval-ms", paramLabel = "MS", defaultValue = "2000",
            description = "Checkpoint interval, at least 10; output files are committed at checkpoints (default: "
                    + "${DEFAULT-VALUE}).")
    long checkpointMs;

    @Option(names = "--restarts", paramLabel = "N",
            description = "Restarts of a failed task, 0 to 100, 1 s apart, before the job fails (default: the "
                    + "restart strategy of the Flink configuration the job is submitted with, else 3).")
    Integer restarts;

    /** A job with no options set yet (picocli sets them from the command line). */
    public CsvPredictionJob() {
    }

    /**
     * Runs the job from the command line ({@code --help} lists the options); exits with status
     * {@value CommandLines#USAGE} on bad options and {@value CommandLines#FAILED} if the job fails, with one line on
     * standard error, and returns normally when it succeeds (so that {@code flink run} keeps its client).
     *
     * @param args the options
     */
    public static void main(String[] args) {
        int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * Runs the job from the command line without exiting (for tests and embedding).
     *
     * @param args the options
     * @param out  standard output (help)
     * @param err  standard error (errors, one line each)
     * @return the exit code: {@value CommandLines#OK}, {@value CommandLines#USAGE} (bad options, nothing submitted)
     *     or {@value CommandLines#FAILED} (the job failed)
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return CommandLines.of(new CsvPredictionJob(), out, err).execute(args);
    }

    @Override
    public Integer call() throws Exception {
        check();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        build(env);
        if (output == null) {
            env.execute("plstm: CSV predictions from " + input);
            return 0;
        }
        OutputFiles before = OutputFiles.list(output);
        JobExecutionResult result = env.execute("plstm: CSV predictions from " + input);
        spec.commandLine().getOut().println(outputSummary(result, before, OutputFiles.list(output)));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /**
     * The line that says where the output of {@code --output} went: with the counts of lines the job committed (the
     * part files that were not there before it ran) when the job ran attached and its files are on this machine's
     * file system and appeared there, else only the directories (a job left running detached, a file system the
     * client does not read back, a cluster whose task managers write their local files elsewhere).
     */
    String outputSummary(JobExecutionResult result, OutputFiles before, OutputFiles after) throws IOException {
        String predictions = output + "/predictions";
        String rejected = output + "/rejected";
        boolean attached = result.isJobExecutionResult() && !(result instanceof DetachedJobExecutionResult);
        if (attached && before != null && after != null && after.newerThan(before)) {
            long n = after.lines(before, "predictions");
            return "wrote " + n + (n == 1 ? " prediction" : " predictions") + " to " + predictions + " ("
                    + after.lines(before, "rejected") + " rejected to " + rejected + ")";
        }
        return "predictions in " + predictions + ", rejected events in " + rejected;
    }

    /**
     * The committed part files of {@code DIR/predictions} and {@code DIR/rejected} on this machine's file system
     * (in-progress files, hidden {@code .part-...}, are left out).
     */
    record OutputFiles(Map<String, Set<Path>> files) {
        /** The part files now, or null if {@code output} is not on the local file system. */
        static OutputFiles list(String output) throws IOException {
            org.apache.flink.core.fs.Path dir = new org.apache.flink.core.fs.Path(output);
            if (!(dir.getFileSystem() instanceof LocalFileSystem local)) {
                return null;
            }
            Path root = local.pathToFile(dir).toPath();
            Map<String, Set<Path>> files = new HashMap<>();
            for (String sub : List.of("predictions", "rejected")) {
                Set<Path> parts = new HashSet<>();
                if (Files.isDirectory(root.resolve(sub))) {
                    try (Stream<Path> s = Files.list(root.resolve(sub))) {
                        s.filter(p -> p.getFileName().toString().startsWith("part-") && Files.isRegularFile(p))
                                .forEach(parts::add);
                    }
                }
                files.put(sub, parts);
            }
            return new OutputFiles(files);
        }

        /** Whether a part file appeared since {@code before}. */
        boolean newerThan(OutputFiles before) {
            return files.entrySet().stream().anyMatch(e -> !before.files.get(e.getKey()).containsAll(e.getValue()));
        }

        /** The lines of the part files of {@code sub} that appeared since {@code before}. */
        long lines(OutputFiles before, String sub) throws IOException {
            long n = 0;
            for (Path p : files.get(sub)) {
                if (!before.files.get(sub).contains(p)) {
                    try (Stream<String> l = Files.lines(p, StandardCharsets.UTF_8)) {
                        n += l.count();
                    }
                }
            }
            return n;
        }
    }

    /**
     * Refuses bad option values before anything runs: the numbers' ranges, then whether {@code --input} exists and
     * {@code --model-uri} is a regular file (skipped, with a warning line on standard error, for a file system this
     * client cannot reach: the tasks may).
     *
     * @throws ParameterException naming the option, what it takes and the value given
     * @throws IOException        if a file system cannot answer whether a file exists
     */
    void check() throws IOException {
        if (maxBatch < 1 || maxBatch > KeyedPhasedLstm.MAX_BATCH_SIZE) {
            throw bad("--max-batch", "1 to " + KeyedPhasedLstm.MAX_BATCH_SIZE + " events", maxBatch);
        }
        if (maxDelayMs < 0 || maxDelayMs > KeyedPhasedLstm.MAX_BATCH_DELAY.toMillis()) {
            throw bad("--max-delay-ms", "0 to " + KeyedPhasedLstm.MAX_BATCH_DELAY.toMillis() + " ms", maxDelayMs);
        }
        if (emitEvery < 1) {
            throw bad("--emit-every", "an integer >= 1", emitEvery);
        }
        if (parallelism != null && (parallelism < 1 || parallelism > MAX_PARALLELISM)) {
            throw bad("--parallelism", "1 to " + MAX_PARALLELISM, parallelism);
        }
        if (checkpointMs < MIN_CHECKPOINT_INTERVAL_MS) {
            throw bad("--checkpoint-interval-ms", ">= " + MIN_CHECKPOINT_INTERVAL_MS + " ms (Flink's least)",
                    checkpointMs);
        }
        if (restarts != null && (restarts < 0 || restarts > MAX_RESTARTS)) {
            throw bad("--restarts", "0 to " + MAX_RESTARTS, restarts);
        }
        mustExist("--input", input, "a CSV file or a directory of them", false);
        if (model.uri != null) {
            mustExist("--model-uri", model.uri, "a checkpoint", true);
        }
    }

    /**
     * Refuses {@code location} if its file system, reachable from here, says it does not exist, or, with
     * {@code regularFile}, that it is not a regular file. Nothing is opened: a named pipe would block its reader. A
     * location whose file system this client cannot reach is not checked; one warning line on standard error says so.
     */
    private void mustExist(String option, String location, String expected, boolean regularFile)
            throws IOException {
        org.apache.flink.core.fs.Path path;
        try {
            path = new org.apache.flink.core.fs.Path(location);
        } catch (IllegalArgumentException e) {
            throw bad(option, expected + " (a path or URI)", "'" + location + "' (" + e.getMessage() + ")");
        }
        FileSystem fs;
        try {
            fs = path.getFileSystem();
        } catch (IOException e) {
            // A file system this client does not have (e.g. without its plugin): the tasks may have it. Say so.
            spec.commandLine().getErr().println(spec.name() + ": warning: " + option + " " + location
                    + " not checked on this client (" + e.getMessage() + "); the tasks will read it");
            spec.commandLine().getErr().flush();
            return;
        }
        if (fs instanceof LocalFileSystem local) {
            // Flink's local file status has no "other" kind: a named pipe or device would pass as a file.
            Path file = local.pathToFile(path).toPath();
            if (!Files.exists(file)) {
                throw bad(option, expected, location + " (no such file or directory)");
            } else if (regularFile && Files.isDirectory(file)) {
                throw bad(option, expected, location + " (a directory)");
            } else if (regularFile && !Files.isRegularFile(file)) {
                throw bad(option, expected, location + " (not a regular file: a named pipe, device or socket)");
            }
            return;
        }
        FileStatus status;
        try {
            status = fs.getFileStatus(path);
        } catch (FileNotFoundException e) {
            throw bad(option, expected, location + " (no such file or directory)");
        }
        if (regularFile && status.isDir()) {
            throw bad(option, expected, location + " (a directory)");
        }
    }

    private ParameterException bad(String option, String expected, Object actual) {
        return CommandLines.badValue(spec.commandLine(), option, expected, actual);
    }

    /**
     * Adds the job to {@code env} (which the caller executes), with a fixed-delay restart strategy of
     * {@code --restarts} attempts 1 s apart when that option is given; without it, with none of its own where
     * {@code env}'s configuration sets {@code restart-strategy.type} (that one applies), else with
     * {@value #DEFAULT_RESTARTS} attempts 1 s apart.
     *
     * @param env the environment
     * @throws ParameterException if the model file of {@code --model} (or, unless {@code --raw-features}, that of
     *     {@code --model-uri}, read here for its standardisation) cannot be read or is not a valid checkpoint
     */
    void build(StreamExecutionEnvironment env) {
        ModelSource source = model.file != null ? embedded(model.file) : ModelSource.file(model.uri);
        KeyedPhasedLstm plstm = KeyedPhasedLstm.builder(source)
                .maxBatchSize(maxBatch)
                .maxBatchDelay(Duration.ofMillis(maxDelayMs))
                .emitEvery(emitEvery)
                .output(hiddenState ? KeyedPhasedLstm.Output.HIDDEN_STATE : null)
                .build();
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false); // every type here has a typed serializer: no Kryo fallback
        // A strategy set here overrides the one the user's configuration sets: only when asked, or when there is
        // none (then bounded: a task that fails every time, e.g. on a model it cannot read, ends the job).
        boolean configured = env.getConfiguration().getOptional(RestartStrategyOptions.RESTART_STRATEGY).isPresent();
        if (restarts != null || !configured) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS,
                    restarts != null ? restarts : DEFAULT_RESTARTS);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
        }
        env.configure(conf);
        if (parallelism != null) {
            env.setParallelism(parallelism);
        }
        env.enableCheckpointing(checkpointMs);

        FileSource<String> lines = FileSource
                .forRecordStreamFormat(new TextLineInputFormat(), new org.apache.flink.core.fs.Path(input)).build();
        org.plstm.data.Standardizer stats;
        try {
            stats = rawFeatures ? null : standardizer();
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        CsvEvents parse = stats == null ? new CsvEvents() : new CsvEvents(stats.mean(), stats.std());
        if (stats != null) {
            spec.commandLine().getErr().println(spec.qualifiedName() + ": features standardised with the "
                    + "checkpoint's standardizer " + stats.features() + " (as in training; --raw-features to pass "
                    + "them on as written)");
            spec.commandLine().getErr().flush();
        }
        SingleOutputStreamOperator<Event<String>> events = env
                .fromSource(lines, WatermarkStrategy.noWatermarks(), "csv-lines").uid("csv-lines")
                .process(parse).returns(Event.typeInfo(Types.STRING)).uid("csv-events").name("csv-events");
        SingleOutputStreamOperator<Prediction<String>> predictions = plstm.apply(events).uid("plstm");

        DataStream<String> predictionLines = predictions.map(Csv::line).returns(Types.STRING)
                .uid("prediction-lines").name("prediction-lines");
        DataStream<String> rejectedLines = predictions.getSideOutput(KeyedPhasedLstm.rejectedTag(Types.STRING))
                .map((RejectedEvent<String> r) -> Csv.line(r)).returns(Types.STRING).uid("rejected-lines")
                .name("rejected-lines")
                .union(events.getSideOutput(CsvEvents.MALFORMED));
        if (output == null) {
            // One printing task each: Flink prefixes a parallel print sink's lines with the subtask ("2> ").
            predictionLines.print().uid("print-predictions").name("print-predictions").setParallelism(1);
            rejectedLines.printToErr().uid("print-rejected").name("print-rejected").setParallelism(1);
        } else {
            predictionLines.sinkTo(csvFiles(output + "/predictions")).uid("prediction-files").name("prediction-files");
            rejectedLines.sinkTo(csvFiles(output + "/rejected")).uid("rejected-files").name("rejected-files");
        }
    }

    /** The checkpoint of {@code --model}, read and checked here, to ship with the job. */
    private ModelSource embedded(Path file) {
        try {
            return ModelSource.embedded(file);
        } catch (NoSuchFileException e) {
            throw bad("--model", "a checkpoint file", file + " (no such file)");
        } catch (IOException e) {
            String what = Files.isDirectory(file) ? file + " (a directory)" : e.getMessage();
            throw bad("--model", "a checkpoint file", what);
        }
    }

    /**
     * The standardisation stored in the checkpoint by the events trainer, or null if it holds none. The checkpoint is
     * read here, on the client: the local file of {@code --model}, or the URI of {@code --model-uri} through Flink's
     * file systems.
     *
     * @throws java.io.IOException if the checkpoint cannot be read here (with advice) or is not a valid checkpoint; the
     *     message starts with the option
     */
    private org.plstm.data.Standardizer standardizer() throws java.io.IOException {
        java.nio.file.Path file = model.file;
        java.nio.file.Path copy = null;
        try {
            if (file == null) {
                org.apache.flink.core.fs.Path uri = new org.apache.flink.core.fs.Path(model.uri);
                copy = java.nio.file.Files.createTempFile("plstm-model", ".safetensors");
                try (java.io.InputStream in = uri.getFileSystem().open(uri)) {
                    java.nio.file.Files.copy(in, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                } catch (java.io.IOException e) {
                    throw new java.io.IOException("--model-uri " + model.uri + ": cannot read it on the client to "
                            + "find the standardisation its trainer applied (" + e.getMessage() + "); pass "
                            + "--raw-features if the model takes the features as written", e);
                }
                file = copy;
            }
            String json;
            try {
                json = org.plstm.io.Checkpoint.load(file).metadata().get("standardizer");
            } catch (java.io.IOException e) {
                String option = copy == null ? "--model " + model.file : "--model-uri " + model.uri;
                String problem = copy == null ? e.getMessage() : e.getMessage().replace(copy.toString(), model.uri);
                throw new java.io.IOException(option + ": expected a checkpoint, got a file that is not one ("
                        + problem + ")", e);
            }
            return json == null ? null : org.plstm.data.Standardizer.fromJson(json);
        } finally {
            if (copy != null) {
                java.nio.file.Files.deleteIfExists(copy);
            }
        }
    }

    /**
     * Flink's exactly-once file sink for lines: part files {@code part-<uuid>-<subtask>-<n>.csv} directly in
     * {@code dir}, committed (made visible) at each checkpoint; in-progress files are hidden ({@code .part-...}).
     *
     * @param dir a directory on any Flink file system
     * @return the sink
     */
    public static FileSink<String> csvFiles(String dir) {
        return FileSink.forRowFormat(new org.apache.flink.core.fs.Path(dir), new SimpleStringEncoder<String>())
                .withBucketAssigner(new BasePathBucketAssigner<>())
                .withRollingPolicy(OnCheckpointRollingPolicy.build())
                .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix("part").withPartSuffix(".csv")
                        .build())
                .build();
    }
}
