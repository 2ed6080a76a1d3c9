package org.plstm.flink.example;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
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
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The example job: CSV events {@code key,t,x_1,...,x_I} from a file (or a directory of files) through
 * {@link KeyedPhasedLstm} to CSV predictions {@code key,t,events,v_1,...} (see {@link Csv}), exactly once.
 *
 * <p>Runs locally ({@code java ... CsvPredictionJob --model m.safetensors --input events.csv}, on an embedded Flink
 * mini cluster) or on a cluster ({@code flink run -c org.plstm.flink.example.CsvPredictionJob plstm-flink-job.jar
 * ...}); README.md, "Scaling out with Flink", has the commands. With {@code --output DIR} the predictions go to
 * {@code DIR/predictions/} and the rejected events and malformed lines to {@code DIR/rejected/} (Flink's file sink:
 * files appear when a checkpoint commits them), else to standard output and standard error.
 *
 * <p>Per key, events must be in time order within the input: all of a key's events in one file (a file is read in
 * order by one reader), times not going backwards (an earlier event is rejected, with the reason).
 */
@Command(name = "CsvPredictionJob", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Streams CSV events key,t,x_1..x_I through a Phased LSTM per key, on Flink, and writes "
                + "CSV predictions key,t,events,v_1..v_n.")
public final class CsvPredictionJob implements Callable<Integer> {

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
            description = "Write DIR/predictions/ and DIR/rejected/ (default: standard output and error).")
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
            description = "Checkpoint interval; output files are committed at checkpoints (default: ${DEFAULT-VALUE}).")
    long checkpointMs;

    /** A job with no options set yet (picocli sets them from the command line). */
    public CsvPredictionJob() {
    }

    /**
     * Runs the job from the command line ({@code --help} lists the options); exits with status 1 on bad options and
     * 2 if the job fails, and returns normally when it succeeds (so that {@code flink run} keeps its client).
     *
     * @param args the options
     */
    public static void main(String[] args) {
        int code = new CommandLine(new CsvPredictionJob()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public Integer call() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        build(env);
        env.execute("plstm: CSV predictions from " + input);
        return 0;
    }

    /**
     * Adds the job to {@code env} (which the caller executes).
     *
     * @param env the environment
     * @throws java.io.IOException if the local model file cannot be read or is not a valid checkpoint
     */
    void build(StreamExecutionEnvironment env) throws java.io.IOException {
        ModelSource source = model.file != null ? ModelSource.embedded(model.file) : ModelSource.file(model.uri);
        KeyedPhasedLstm plstm = KeyedPhasedLstm.builder(source)
                .maxBatchSize(maxBatch)
                .maxBatchDelay(Duration.ofMillis(maxDelayMs))
                .emitEvery(emitEvery)
                .output(hiddenState ? KeyedPhasedLstm.Output.HIDDEN_STATE : null)
                .build();
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false); // every type here has a typed serializer: no Kryo fallback
        env.configure(conf);
        if (parallelism != null) {
            env.setParallelism(parallelism);
        }
        env.enableCheckpointing(checkpointMs);

        FileSource<String> lines = FileSource
                .forRecordStreamFormat(new TextLineInputFormat(), new org.apache.flink.core.fs.Path(input)).build();
        org.plstm.data.Standardizer stats = rawFeatures ? null : standardizer();
        CsvEvents parse = stats == null ? new CsvEvents() : new CsvEvents(stats.mean(), stats.std());
        if (stats != null) {
            System.err.println("CsvPredictionJob: features standardised with the checkpoint's standardizer "
                    + stats.features() + " (as in training; --raw-features to pass them on as written)");
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

    /**
     * The standardisation stored in the checkpoint by the events trainer, or null if it holds none. The checkpoint is
     * read here, on the client: the local file of {@code --model}, or the URI of {@code --model-uri} through Flink's
     * file systems.
     *
     * @throws java.io.IOException if the checkpoint cannot be read here (with advice)
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
            String json = org.plstm.io.Checkpoint.load(file).metadata().get("standardizer");
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
