package org.plstm.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.plstm.flink.TestSupport.CollectSink;
import org.plstm.flink.TestSupport.EventStream;
import org.plstm.flink.TestSupport.Expected;
import org.plstm.flink.example.Csv;
import org.plstm.flink.example.CsvPredictionJob;
import org.plstm.inference.PhasedLstmModel;
import org.plstm.inference.StreamSession;

/**
 * Jobs on Flink's MiniCluster (one task manager, 4 slots, in this JVM), Kryo forbidden: exactly once across an
 * injected failure, savepoint and restore at other parallelisms, parallelism 1 vs 4, bad events to the side output.
 * Every prediction is compared bit for bit with plain sequential {@link StreamSession}s. The streams are pure
 * functions of fixed seeds ({@link EventStream}), so a failing run replays as it is.
 */
class KeyedPhasedLstmJobTest {
    private static final int SLOTS = 4;

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(SLOTS).build());

    @TempDir
    static Path dir;
    static Path modelFile;
    static PhasedLstmModel model;

    @BeforeAll
    static void model() throws Exception {
        modelFile = TestSupport.writeModel(dir, 4, new int[] {16, 8}, 3, 21);
        model = PhasedLstmModel.load(modelFile);
    }

    private static StreamExecutionEnvironment env(Configuration conf) {
        Configuration c = TestSupport.noGenericTypes();
        c.addAll(conf);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(c);
        env.setMaxParallelism(128);
        return env;
    }

    /** The events of {@code stream} from a source of parallelism 1 (so each key's events stay in order). */
    private static DataStream<Event<String>> source(StreamExecutionEnvironment env, EventStream stream, long count,
            RateLimiterStrategy<?> rate) {
        @SuppressWarnings("unchecked")
        RateLimiterStrategy<org.apache.flink.api.connector.source.lib.NumberSequenceSource.NumberSequenceSplit> r =
                (RateLimiterStrategy<org.apache.flink.api.connector.source.lib.NumberSequenceSource
                        .NumberSequenceSplit>) rate;
        return env.fromSource(new DataGeneratorSource<>(stream, count, r, Event.typeInfo(Types.STRING)),
                WatermarkStrategy.noWatermarks(), "events").uid("events").setParallelism(1);
    }

    private static KeyedPhasedLstm plstm(int maxBatch) throws Exception {
        // Batches of 64 and 128 (parallelism, savepoints) go through a SessionBatch, 100 (the failure and restart)
        // key by key: the job tests cover both ways of scoring a bundle.
        return KeyedPhasedLstm.builder(ModelSource.embedded(modelFile)).maxBatchSize(maxBatch)
                .maxBatchDelay(Duration.ofMillis(5)).sessionBatch(maxBatch % 64 == 0).build();
    }

    @Test
    void parallelism1And4GiveTheSequentialSessionsOutputsAndBadEventsGoToTheSideOutput() throws Exception {
        EventStream stream = new EventStream(31, 25, 4, true);
        int n = 3000;
        Expected expected = TestSupport.reference(model, stream.events(n), 1, true);
        assertThat(expected.rejected()).extracting(RejectedEvent::reason).as("the stream has every kind of bad event")
                .contains(RejectedEvent.Reason.values()[0], RejectedEvent.Reason.values()[1],
                        RejectedEvent.Reason.values()[2], RejectedEvent.Reason.values()[3]);
        List<List<Prediction<String>>> runs = new ArrayList<>();
        for (int parallelism : new int[] {1, 4}) {
            StreamExecutionEnvironment env = env(new Configuration());
            CollectSink<Prediction<String>> predictions = CollectSink.named("p" + parallelism);
            CollectSink<RejectedEvent<String>> rejected = CollectSink.named("r" + parallelism);
            SingleOutputStreamOperator<Prediction<String>> out = plstm(64).apply(
                    source(env, stream, n, RateLimiterStrategy.noOp())).uid("plstm").setParallelism(parallelism);
            out.sinkTo(predictions).setParallelism(parallelism);
            out.getSideOutput(KeyedPhasedLstm.rejectedTag(Types.STRING)).sinkTo(rejected).setParallelism(parallelism);
            env.execute("parallelism " + parallelism);

            assertThat(TestSupport.byKey(predictions.values())).as("parallelism " + parallelism)
                    .isEqualTo(expected.predictions());
            assertThat(TestSupport.reasons(rejected.values())).as("rejected at parallelism " + parallelism)
                    .isEqualTo(TestSupport.reasons(expected.rejected()));
            runs.add(predictions.values());
        }
        assertThat(TestSupport.byKey(runs.get(1))).isEqualTo(TestSupport.byKey(runs.get(0)));
    }

    /** Fails the job once, after {@code after} records and at least one completed checkpoint. */
    static final class FailOnce<T> extends RichMapFunction<T, T> implements CheckpointListener {
        static final AtomicBoolean FAILED = new AtomicBoolean();
        static final AtomicInteger SEEN = new AtomicInteger();
        static volatile boolean checkpointed;
        private final int after;

        FailOnce(int after) {
            this.after = after;
        }

        @Override
        public T map(T value) {
            if (SEEN.incrementAndGet() >= after && checkpointed && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure (a test of exactly-once recovery)");
            }
            return value;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointed = true;
        }
    }

    /**
     * Exactly once: checkpoints every 50 ms, the source paced at 250 events per checkpoint, a failure injected after
     * 1,200 predictions, a restart from the last checkpoint; the committed files of Flink's exactly-once file sink
     * must hold each prediction once, equal to an uninterrupted run's and the sequential sessions', bit for bit. The
     * failing run keeps its state in RocksDB (state serialised on every access), the uninterrupted one on the heap.
     */
    @Test
    void aFailureAndARestartFromTheCheckpointChangeNothing() throws Exception {
        EventStream stream = new EventStream(41, 30, 4, false);
        int n = 3000;
        Expected expected = TestSupport.reference(model, stream.events(n), 1, true);
        List<Prediction<String>> reference = expected.predictions().values().stream().flatMap(List::stream).toList();
        List<List<Prediction<String>>> runs = new ArrayList<>();
        for (boolean fail : new boolean[] {true, false}) {
            FailOnce.FAILED.set(false);
            FailOnce.SEEN.set(0);
            FailOnce.checkpointed = false;
            Configuration conf = new Configuration();
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(10));
            conf.set(StateBackendOptions.STATE_BACKEND, fail ? "rocksdb" : "hashmap");
            StreamExecutionEnvironment env = env(conf);
            env.enableCheckpointing(50);
            Path out = dir.resolve(fail ? "with-failure" : "uninterrupted");
            DataStream<Prediction<String>> predictions = plstm(100).apply(
                    source(env, stream, n, RateLimiterStrategy.perCheckpoint(250))).uid("plstm").setParallelism(2);
            if (fail) {
                predictions = predictions.map(new FailOnce<>(1200)).returns(Prediction.typeInfo(Types.STRING))
                        .uid("fail-once").setParallelism(2);
            }
            predictions.map(Csv::line).returns(Types.STRING).uid("lines").setParallelism(2)
                    .sinkTo(CsvPredictionJob.csvFiles(out.toString())).uid("files").setParallelism(2);
            env.execute(fail ? "with a failure" : "uninterrupted");

            assertThat(FailOnce.FAILED.get()).as("the failure was injected").isEqualTo(fail);
            if (fail) {
                assertThat(FailOnce.SEEN.get()).as("records replayed after the restart").isGreaterThan(n);
            }
            List<Prediction<String>> got = readPredictions(out);
            assertThat(got).as(fail ? "after a failure" : "uninterrupted").hasSize(reference.size());
            assertThat(TestSupport.byKey(got)).isEqualTo(expected.predictions());
            runs.add(got);
        }
        assertThat(TestSupport.byKey(runs.get(0))).isEqualTo(TestSupport.byKey(runs.get(1)));
    }

    /** Counts the records that pass (this JVM's MiniCluster), to know when a job has scored its share. */
    static final class Count<T> extends RichMapFunction<T, T> {
        static final AtomicInteger SEEN = new AtomicInteger();

        @Override
        public T map(T value) {
            SEEN.incrementAndGet();
            return value;
        }
    }

    /**
     * Savepoint, stop, restore at another parallelism, twice (1 -> 4 -> 2). The source is gated at 1,000 events per
     * checkpoint and periodic checkpoints are off in the first two jobs, so each is stopped after it has scored about
     * its share (Flink lets the gate open once more before the savepoint's barrier, so a job may score up to two
     * shares; 6,000 events leave the last job work either way). The predictions go to Flink's exactly-once file sink,
     * so anything done after a savepoint's barrier is never committed and is done again by the next job. The committed
     * files must hold every prediction once, equal to the sequential sessions'.
     */
    @Test
    void aSavepointRestoresAtAnotherParallelism() throws Exception {
        EventStream stream = new EventStream(51, 40, 4, false);
        int share = 1000;
        int n = 6 * share;
        Expected expected = TestSupport.reference(model, stream.events(n), 1, true);
        Path out = dir.resolve("rescaled");
        String savepoint = null;
        int committed = 0;
        int[] parallelism = {1, 4, 2};
        for (int job = 0; job < 3; job++) {
            Configuration conf = new Configuration();
            if (savepoint != null) {
                conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
            }
            StreamExecutionEnvironment env = env(conf);
            env.enableCheckpointing(job < 2 ? Duration.ofDays(1).toMillis() : 50);
            int p = parallelism[job];
            plstm(128).apply(source(env, stream, n, RateLimiterStrategy.perCheckpoint(share))).uid("plstm")
                    .setParallelism(p)
                    .map(new Count<>()).returns(Prediction.typeInfo(Types.STRING)).uid("count").setParallelism(p)
                    .map(Csv::line).returns(Types.STRING).uid("lines").setParallelism(p)
                    .sinkTo(CsvPredictionJob.csvFiles(out.toString())).uid("files").setParallelism(p);
            Count.SEEN.set(0);
            JobClient client = env.executeAsync("job " + job + " at parallelism " + p);
            if (job < 2) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (Count.SEEN.get() < share && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(Count.SEEN.get()).as("predictions of job " + job + " before its savepoint")
                        .isGreaterThanOrEqualTo(share);
                savepoint = client.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(),
                        SavepointFormatType.CANONICAL).get(60, TimeUnit.SECONDS);
                assertThat(client.getJobStatus().get(60, TimeUnit.SECONDS)).isEqualTo(JobStatus.FINISHED);
                int before = committed;
                committed = readPredictions(out).size();
                assertThat(committed).as("committed after job " + job + " (it scored events, and left some)")
                        .isGreaterThanOrEqualTo(before + share).isLessThanOrEqualTo(n - share);
            } else {
                client.getJobExecutionResult().get(60, TimeUnit.SECONDS);
            }
        }
        List<Prediction<String>> got = readPredictions(out);
        assertThat(got).hasSize(n);
        assertThat(TestSupport.byKey(got)).isEqualTo(expected.predictions());
    }

    /**
     * README.md's Flink example ("Scaling out with Flink"), compiled and run here: the README's java block is the
     * code between the markers, line for line; its printed predictions and rejections are checked.
     */
    @Test
    void theReadmeExampleRunsAndIsTheReadmes() throws Exception {
        Path checkpoint = dir.resolve("readme.safetensors");
        org.plstm.train.SequenceClassifier untrained = org.plstm.train.SequenceClassifier.initialize(List.of(
                org.plstm.PhasedLstmConfig.builder(2, 32).build()), 3, org.plstm.TimeGateInit.PAPER, 42);
        org.plstm.io.Checkpoint.save(checkpoint, untrained.weights(), null, 0, null, java.util.Map.of());
        String modelUri = checkpoint.toString();
        StreamExecutionEnvironment env = env(new Configuration());
        java.io.PrintStream out = System.out;
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream printedErr = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
        System.setErr(new java.io.PrintStream(printedErr, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            // README-FLINK-BEGIN
            DataStream<Event<String>> events = env.fromData(Event.typeInfo(Types.STRING),   // key, time, x [I]
                    new Event<>("sensor-1", 0.0, new float[] {0.1f, 0.2f}),
                    new Event<>("sensor-2", 0.5, new float[] {1.0f, 0.0f}),
                    new Event<>("sensor-1", 1.7, new float[] {0.3f, 0.4f}),
                    new Event<>("sensor-2", 0.2, new float[] {0.9f, 0.1f}));   // earlier than 0.5: rejected
            KeyedPhasedLstm plstm = KeyedPhasedLstm.builder(ModelSource.file(modelUri))   // hdfs://, s3://, a path
                    .maxBatchSize(1024).maxBatchDelay(Duration.ofMillis(10)).build();
            SingleOutputStreamOperator<Prediction<String>> predictions = plstm.apply(events).uid("plstm");
            DataStream<RejectedEvent<String>> rejected =
                    predictions.getSideOutput(KeyedPhasedLstm.rejectedTag(Types.STRING));
            predictions.print();      // Prediction[key, time, events (so far), values (class probabilities [C])]
            rejected.printToErr();    // RejectedEvent[event, reason, message]
            env.execute("plstm");
            // README-FLINK-END
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        assertThat(printed.toString(java.nio.charset.StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains("Prediction[")).toList()).hasSize(3);
        assertThat(printedErr.toString(java.nio.charset.StandardCharsets.UTF_8))
                .contains("reason=TIME_WENT_BACKWARDS");

        List<String> src = Files.readAllLines(Path.of("src/test/java/org/plstm/flink/KeyedPhasedLstmJobTest.java"));
        List<String> example = src.subList(src.indexOf("            // README-FLINK-" + "BEGIN") + 1,
                src.indexOf("            // README-FLINK-" + "END")).stream().map(l -> l.substring(12)).toList();
        String readme = Files.readString(Path.of("..", "README.md"));
        String section = readme.substring(readme.indexOf("## Scaling out with Flink"));
        int at = section.indexOf("```java\n") + "```java\n".length();
        assertThat(section.substring(at, section.indexOf("```", at)).lines().toList())
                .as("README.md's java block under \"Scaling out with Flink\" is this test's code").isEqualTo(example);
    }

    /** The predictions in the committed (visible) part files of a file sink directory. */
    private static List<Prediction<String>> readPredictions(Path out) throws Exception {
        List<Prediction<String>> got = new ArrayList<>();
        try (Stream<Path> files = Files.list(out)) {
            for (Path f : files.filter(p -> !p.getFileName().toString().startsWith(".")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    String[] v = line.split(",");
                    float[] values = new float[v.length - 3];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = Float.parseFloat(v[3 + i]);
                    }
                    got.add(new Prediction<>(v[0], Double.parseDouble(v[1]), Long.parseLong(v[2]), values));
                }
            }
        }
        return got;
    }
}
