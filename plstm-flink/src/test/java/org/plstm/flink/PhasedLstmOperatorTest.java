package org.plstm.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingTaskMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plstm.flink.TestSupport.EventStream;
import org.plstm.flink.TestSupport.Expected;
import org.plstm.flink.typeutils.PredictionSerializer;
import org.plstm.inference.PhasedLstmModel;
import org.plstm.inference.StreamSession;

/**
 * The operator in Flink's test harness (no cluster; processing time, watermarks and snapshots driven by hand):
 * micro-batch triggers, state across snapshots and rescaling, rejections, output options. Every prediction is compared
 * bit for bit with plain sequential {@link StreamSession}s.
 */
// Flink's test harness declares close() throws Exception, which javac's [try] lint flags on every try-with-resources.
@SuppressWarnings("try")
class PhasedLstmOperatorTest {
    private static final KeySelector<Event<String>, String> BY_KEY = Event::key;
    private static final int MAX_PARALLELISM = 128;

    @TempDir
    static Path dir;
    static Path modelFile;
    static PhasedLstmModel model;

    @BeforeAll
    static void model() throws Exception {
        modelFile = TestSupport.writeModel(dir, 3, new int[] {8, 6}, 4, 11);
        model = PhasedLstmModel.load(modelFile);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Event<String>, Prediction<String>> harness(
            KeyedPhasedLstm settings, int parallelism, int subtask) throws Exception {
        PhasedLstmOperator<String> op = new PhasedLstmOperator<>(settings, KeyedPhasedLstm.rejectedTag(Types.STRING));
        var h = new KeyedOneInputStreamOperatorTestHarness<>(op, BY_KEY, Types.STRING, MAX_PARALLELISM, parallelism,
                subtask);
        h.setup(new PredictionSerializer<>(StringSerializer.INSTANCE));
        return h;
    }

    private static KeyedPhasedLstm.Builder settings() throws Exception {
        return KeyedPhasedLstm.builder(ModelSource.embedded(modelFile));
    }

    @Test
    void aBundleIsScoredWhenFullOrWhenItsFirstEventHasWaitedTheDelay() throws Exception {
        List<Event<String>> events = new EventStream(1, 3, 3, false).events(5);
        try (var h = harness(settings().maxBatchSize(3).maxBatchDelay(Duration.ofMillis(5)).build(), 1, 0)) {
            h.open();
            h.setProcessingTime(100);
            h.processElement(new StreamRecord<>(events.get(0), 1));
            h.setProcessingTime(104);
            h.processElement(new StreamRecord<>(events.get(1), 2));
            assertThat(h.extractOutputValues()).as("2 of 3 events, 4 ms of 5: still waiting").isEmpty();
            h.processElement(new StreamRecord<>(events.get(2), 3));
            assertThat(h.extractOutputValues()).as("the bundle is full").hasSize(3);
            h.processElement(new StreamRecord<>(events.get(3), 4));
            h.setProcessingTime(105);
            assertThat(h.extractOutputValues()).as("the earlier timer fired: the new bundle is scored early")
                    .hasSize(4);
            h.processElement(new StreamRecord<>(events.get(4), 5));
            h.setProcessingTime(109);
            assertThat(h.extractOutputValues()).as("4 ms of 5").hasSize(4);
            h.setProcessingTime(110);
            assertThat(h.extractOutputValues()).as("5 ms: scored").hasSize(5);
            assertThat(TestSupport.byKey(h.extractOutputValues()))
                    .isEqualTo(TestSupport.reference(model, events, 1, true).predictions());
            assertThat(h.extractOutputStreamRecords()).extracting(StreamRecord::getTimestamp)
                    .as("each prediction has its event's Flink timestamp").containsExactlyInAnyOrder(1L, 2L, 3L, 4L,
                            5L);
        }
    }

    @Test
    void aWatermarkOrABarrierScoresTheBundleFirst() throws Exception {
        List<Event<String>> events = new EventStream(2, 4, 3, false).events(6);
        try (var h = harness(settings().maxBatchSize(1000).maxBatchDelay(Duration.ofHours(1)).build(), 1, 0)) {
            h.open();
            h.processElement(new StreamRecord<>(events.get(0)));
            h.processElement(new StreamRecord<>(events.get(1)));
            h.processWatermark(new Watermark(7));
            List<Object> out = new ArrayList<>(h.getOutput());
            assertThat(out).hasSize(3);
            assertThat(out.get(2)).as("the watermark after the predictions it covers").isEqualTo(new Watermark(7));
            assertThat(h.extractOutputStreamRecords()).allSatisfy(r -> assertThat(r.hasTimestamp())
                    .as("an input without a timestamp gives a prediction without one").isFalse());
            h.processElement(new StreamRecord<>(events.get(2)));
            h.prepareSnapshotPreBarrier(1);
            assertThat(h.extractOutputValues()).as("scored before the barrier").hasSize(3);
            for (int i = 3; i < 6; i++) {
                h.processElement(new StreamRecord<>(events.get(i)));
            }
        }
    }

    @Test
    void stateSurvivesASnapshotAndMovesWithItsKeyWhenRescaled() throws Exception {
        EventStream stream = new EventStream(3, 40, 3, false);
        List<Event<String>> events = stream.events(600);
        KeyedPhasedLstm s = settings().maxBatchSize(7).maxBatchDelay(Duration.ofHours(1)).build();
        List<Prediction<String>> all = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var h = harness(s, 1, 0)) {
            h.open();
            for (int i = 0; i < 300; i++) {
                h.processElement(new StreamRecord<>(events.get(i)));
            }
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 1);
            assertThat(h.numKeyedStateEntries()).as("one state per key").isEqualTo(40);
            all.addAll(h.extractOutputValues());
        }
        for (int subtask = 0; subtask < 2; subtask++) { // 1 -> 2 subtasks, each with its key groups' state
            try (var h = harness(s, 2, subtask)) {
                h.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(snapshot,
                        MAX_PARALLELISM, 1, 2, subtask));
                h.open();
                for (int i = 300; i < 600; i++) {
                    Event<String> e = events.get(i);
                    if (KeyGroupRangeAssignment.assignKeyToParallelOperator(e.key(), MAX_PARALLELISM, 2) == subtask) {
                        h.processElement(new StreamRecord<>(e));
                    }
                }
                h.prepareSnapshotPreBarrier(2);
                all.addAll(h.extractOutputValues());
            }
        }
        assertThat(TestSupport.byKey(all)).isEqualTo(TestSupport.reference(model, events, 1, true).predictions());
    }

    @Test
    void badEventsGoToTheSideOutputWithTheirReasonAndLeaveTheStateAlone() throws Exception {
        float[] x = {0.5f, -1f, 2f};
        List<Event<String>> events = List.of(
                new Event<>("a", 10, x),
                new Event<>("a", 11, new float[] {1f, 2f}),
                new Event<>("a", 12, new float[] {Float.NaN, 0f, 0f}),
                new Event<>("a", 9.5, x),
                new Event<>("a", Double.NaN, x),
                new Event<>("a", 10, x)); // equal to the previous accepted time: allowed
        try (var h = harness(settings().build(), 1, 0)) {
            h.open();
            for (Event<String> e : events) {
                h.processElement(new StreamRecord<>(e, 42));
            }
            h.prepareSnapshotPreBarrier(1);
            List<RejectedEvent<String>> rejected = new ArrayList<>();
            h.getSideOutput(KeyedPhasedLstm.rejectedTag(Types.STRING)).forEach(r -> rejected.add(r.getValue()));
            assertThat(rejected).extracting(RejectedEvent::reason).containsExactly(
                    RejectedEvent.Reason.WRONG_FEATURE_COUNT, RejectedEvent.Reason.FEATURE_NOT_FINITE,
                    RejectedEvent.Reason.TIME_WENT_BACKWARDS, RejectedEvent.Reason.TIME_NOT_FINITE);
            assertThat(rejected).extracting(RejectedEvent::message).containsExactly(
                    "features: expected 3 values (the model's input size I), got 2",
                    "features[0]: expected a finite value, got NaN",
                    "time: expected >= 10.0 (this key's previous event; per key, time must not go backwards), "
                            + "got 9.5",
                    "time: expected a finite timestamp, got NaN");
            assertThat(h.getSideOutput(KeyedPhasedLstm.rejectedTag(Types.STRING)))
                    .allSatisfy(r -> assertThat(r.getTimestamp()).isEqualTo(42));
            Expected expected = TestSupport.reference(model, events, 1, true);
            assertThat(TestSupport.byKey(h.extractOutputValues())).isEqualTo(expected.predictions());
            assertThat(h.extractOutputValues()).extracting(Prediction::events).containsExactly(1L, 2L);
        }
    }

    @Test
    void anEventThatWouldMakeTheStateNonFiniteIsRejectedAndTheStateKept() throws Exception {
        Path file = TestSupport.writeOverflowingModel(dir);
        PhasedLstmModel overflowing = PhasedLstmModel.load(file);
        float max = Float.MAX_VALUE;
        List<Event<String>> events = List.of(
                new Event<>("a", 1, new float[] {0.1f, 0.2f}),
                Event.query("a", 1.5),
                new Event<>("a", 2, new float[] {max, max}),
                Event.query("a", 2.5), // answered from the state before the rejected event
                new Event<>("a", 3, new float[] {0.3f, -0.1f}),
                new Event<>("b", 1, new float[] {max, max}),
                Event.query("b", 1.5), // b's only earlier event is rejected: nothing to answer from
                new Event<>("b", 2, new float[] {0.3f, -0.1f}));
        StreamSession check = overflowing.newSession();
        check.step(events.get(2).features(), 2);
        assertThat(check.saveState().hidden(0)).as("the model really overflows").contains(Float.NaN);

        // Everything in one bundle (the slow path replays the key), then one event per bundle.
        for (int batch : new int[] {100, 1, -100}) { // -100: batches of 100 through a SessionBatch
            try (var h = harness(KeyedPhasedLstm.builder(ModelSource.embedded(file)).maxBatchSize(Math.abs(batch))
                    .sessionBatch(batch < 0).build(), 1, 0)) {
                h.open();
                for (Event<String> e : events) {
                    h.processElement(new StreamRecord<>(e));
                }
                h.prepareSnapshotPreBarrier(1);
                List<RejectedEvent<String>> rejected = new ArrayList<>();
                h.getSideOutput(KeyedPhasedLstm.rejectedTag(Types.STRING)).forEach(r -> rejected.add(r.getValue()));
                assertThat(rejected).extracting(r -> r.event().key() + r.event().time() + r.reason())
                        .containsExactlyInAnyOrder("a2.0STATE_NOT_FINITE", "b1.0STATE_NOT_FINITE",
                                "b1.5QUERY_BEFORE_ANY_EVENT");
                List<Event<String>> kept = List.of(events.get(0), events.get(1), events.get(3), events.get(4),
                        events.get(6), events.get(7));
                assertThat(TestSupport.byKey(h.extractOutputValues()))
                        .isEqualTo(TestSupport.reference(overflowing, kept, 1, true).predictions());
            }
        }
    }

    /**
     * An event that breaks its key's state and, after it in the same bundle, one whose time is earlier than the bad
     * event's but not than the key's last accepted event: the output is that of one event per bundle (the bad event
     * rejected, the state and its last time as before it, so the later event accepted, never both rejected and scored),
     * whatever the bundling, and the metrics count each event once. Queries follow the same rule of time: one earlier
     * than the rejected event but not than the key's last accepted event is answered; one earlier than the key's last
     * event is rejected, not answered from the later state (judged against the stored state, an earlier event of its
     * bundle, or in the replay); one at the key's last time is answered; a query does not move the key's time.
     */
    @Test
    void aBundleWithAnEventThatBreaksTheStateGivesTheOutputOfOneEventPerBundle() throws Exception {
        Path file = TestSupport.writeOverflowingModel(dir);
        float max = Float.MAX_VALUE;
        float[] x = {0.3f, -0.1f};
        List<Event<String>> events = List.of(
                new Event<>("a", 1, new float[] {0.1f, 0.2f}),
                new Event<>("b", 1, x),
                new Event<>("a", 2, new float[] {max, max}),
                Event.query("a", 1.1), // earlier than the rejected event, not than a's previous accepted one: answered
                new Event<>("b", 0.5, x), // earlier than b's previous event: rejected in every bundling
                new Event<>("a", 1.5, x), // earlier than the rejected event, not than a's previous accepted one
                Event.query("a", 1.7),
                new Event<>("a", 1.2, x), // earlier than a's previous accepted event (1.5): rejected
                new Event<>("a", 1.6, x), // earlier than the query, not than a's previous event: accepted
                Event.query("a", 1.4), // earlier than a's previous event (1.6): rejected, not answered from 1.6's state
                new Event<>("a", 3, x),
                Event.query("a", 3), // at a's last time: answered
                Event.query("b", 4),
                Event.query("b", 0.9)); // earlier than b's only accepted event (1.0): rejected
        List<String> outputs = new ArrayList<>();
        for (int batch : new int[] {1, 100, -100, 3, -3, 5, -5}) { // negative: the same with sessionBatch
            Metrics metrics = new Metrics();
            try (var h = harness(KeyedPhasedLstm.builder(ModelSource.embedded(file)).maxBatchSize(Math.abs(batch))
                    .maxBatchDelay(Duration.ofHours(1)).sessionBatch(batch < 0).build(), metrics)) {
                h.open();
                for (Event<String> e : events) {
                    h.processElement(new StreamRecord<>(e));
                }
                h.prepareSnapshotPreBarrier(1);
                List<String> rejected = new ArrayList<>();
                h.getSideOutput(KeyedPhasedLstm.rejectedTag(Types.STRING)).forEach(r -> rejected.add(
                        r.getValue().event().key() + "@" + r.getValue().event().time() + " " + r.getValue().reason()
                                + ": " + r.getValue().message()));
                assertThat(rejected).as("batch %d (keys grouped by bundle)", batch).containsExactlyInAnyOrder(
                        "a@2.0 STATE_NOT_FINITE: the event made the key's state NaN or infinite (float32 overflow: "
                                + "features of magnitude near 3e38?); the state is kept as it was before the event",
                        "b@0.5 TIME_WENT_BACKWARDS: time: expected >= 1.0 (this key's previous event; per key, time "
                                + "must not go backwards), got 0.5",
                        "a@1.2 TIME_WENT_BACKWARDS: time: expected >= 1.5 (this key's previous event; per key, time "
                                + "must not go backwards), got 1.2",
                        "a@1.4 TIME_WENT_BACKWARDS: time: expected >= 1.6 (this key's last event; a query earlier "
                                + "than it would be answered from a later state), got 1.4",
                        "b@0.9 TIME_WENT_BACKWARDS: time: expected >= 1.0 (this key's last event; a query earlier "
                                + "than it would be answered from a later state), got 0.9");
                List<String> predictions = new ArrayList<>();
                for (Prediction<String> p : h.extractOutputValues()) {
                    predictions.add(p.key() + "@" + p.time() + " n=" + p.events() + " " + Arrays.toString(p.values()));
                }
                assertThat(predictions).as("batch %d", batch).extracting(p -> p.substring(0, p.indexOf(" [")))
                        .containsExactlyInAnyOrder("a@1.0 n=1", "a@1.1 n=1", "a@1.5 n=2", "a@1.7 n=2", "a@1.6 n=3",
                                "a@3.0 n=4", "a@3.0 n=4", "b@1.0 n=1", "b@4.0 n=1");
                predictions.sort(null);
                rejected.sort(null);
                outputs.add(rejected + " " + predictions);
                assertThat(metrics.count("plstmEventsScored")).as("batch %d", batch).isEqualTo(5);
                assertThat(metrics.count("plstmEventsRejected")).as("batch %d", batch).isEqualTo(5);
                assertThat(metrics.count("plstmQueriesAnswered")).as("batch %d", batch).isEqualTo(4);
            }
        }
        assertThat(outputs).as("the same values, bit for bit, in every bundling").containsOnly(outputs.get(0));
    }

    /** A task metric group whose one operator group keeps its metrics, to be read by name. */
    private static final class Metrics extends InterceptingTaskMetricGroup {
        private final InterceptingOperatorMetricGroup operator = new InterceptingOperatorMetricGroup();

        @Override
        public InternalOperatorMetricGroup getOrAddOperator(OperatorID id, String name, Map<String, String> info) {
            return operator;
        }

        long count(String name) {
            return ((Counter) operator.get(name)).getCount();
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Event<String>, Prediction<String>> harness(
            KeyedPhasedLstm settings, Metrics metrics) throws Exception {
        PhasedLstmOperator<String> op = new PhasedLstmOperator<>(settings, KeyedPhasedLstm.rejectedTag(Types.STRING));
        var h = new KeyedOneInputStreamOperatorTestHarness<>(op, BY_KEY, Types.STRING, new MockEnvironmentBuilder()
                .setMetricGroup(metrics).setMaxParallelism(MAX_PARALLELISM).setParallelism(1).setSubtaskIndex(0)
                .build());
        h.setup(new PredictionSerializer<>(StringSerializer.INSTANCE));
        return h;
    }

    /**
     * A bundle of more keys than one {@link org.plstm.inference.SessionBatch} holds
     * ({@value PhasedLstmOperator#BATCH_SLOTS}), keys with one to a dozen events each, bad events among them: scored
     * in chunks of keys and waves of events, with the bits of one session per key.
     */
    @Test
    void aBundleOfMoreKeysThanBatchSlotsIsScoredInChunksAsSessionsWould() throws Exception {
        List<Event<String>> events = new EventStream(8, 1500, 3, true).events(6000);
        Expected expected = TestSupport.reference(model, events, 2, true);
        assertThat(expected.rejected()).hasSizeGreaterThan(100);
        for (boolean sessionBatch : new boolean[] {false, true}) {
            try (var h = harness(settings().emitEvery(2).maxBatchSize(100_000).maxBatchDelay(Duration.ofHours(1))
                    .sessionBatch(sessionBatch).build(), 1, 0)) {
                h.open();
                for (Event<String> e : events) {
                    h.processElement(new StreamRecord<>(e));
                }
                h.prepareSnapshotPreBarrier(1);
                assertThat(TestSupport.byKey(h.extractOutputValues())).as("sessionBatch %s", sessionBatch)
                        .isEqualTo(expected.predictions());
                assertThat(h.getSideOutput(KeyedPhasedLstm.rejectedTag(Types.STRING)))
                        .hasSize(expected.rejected().size());
            }
        }
    }

    /**
     * Queries ({@link Event#query}) among events, in bundles of every size: each is answered from its key's state
     * after the key's earlier events, whatever emitEvery says, and changes nothing; a query for a key without events,
     * with a NaN time or earlier than its key's last event goes to the side output, as in the reference.
     */
    @Test
    void queriesAreAnsweredFromTheCurrentStateAndChangeNothing() throws Exception {
        List<Event<String>> stream = new EventStream(9, 12, 3, true).events(300);
        List<Event<String>> events = new ArrayList<>();
        java.util.SplittableRandom rng = new java.util.SplittableRandom(9);
        events.add(Event.query("k3", 0.5)); // before any event of k3: rejected
        for (int i = 0; i < stream.size(); i++) {
            events.add(stream.get(i));
            if (rng.nextInt(4) == 0) {
                Event<String> now = stream.get(i);
                if (rng.nextInt(8) == 0) {
                    events.add(Event.query(now.key(), now.time())); // at the key's last time, if now was accepted
                } else {
                    String key = rng.nextInt(10) == 0 ? "nobody" : stream.get(rng.nextInt(i + 1)).key();
                    // Up to 4 units before now (times grow by about 0.5 an event): often later than the key's last
                    // event, sometimes earlier.
                    double t = rng.nextInt(25) == 0 ? Double.NaN : now.time() - 4 * rng.nextDouble();
                    events.add(Event.query(key, t));
                }
            }
        }
        long queries = events.stream().filter(Event::isQuery).count();
        for (boolean hidden : new boolean[] {false, true}) {
            Expected expected = TestSupport.reference(model, events, 3, !hidden);
            long answers = queries - expected.rejected().stream().filter(r -> r.event().isQuery()).count();
            assertThat(answers).as("queries answered in the reference").isGreaterThan(40);
            assertThat(expected.rejected()).as("queries earlier than their key's last event")
                    .filteredOn(r -> r.event().isQuery() && r.reason() == RejectedEvent.Reason.TIME_WENT_BACKWARDS)
                    .hasSizeGreaterThan(10);
            for (int batch : new int[] {1, 6, 100_000, -6, -100_000}) { // negative: the same with sessionBatch
                KeyedPhasedLstm.Builder b = settings().emitEvery(3).maxBatchSize(Math.abs(batch))
                        .maxBatchDelay(Duration.ofHours(1)).sessionBatch(batch < 0);
                if (hidden) {
                    b.output(KeyedPhasedLstm.Output.HIDDEN_STATE);
                }
                try (var h = harness(b.build(), 1, 0)) {
                    h.open();
                    for (Event<String> e : events) {
                        h.processElement(new StreamRecord<>(e));
                    }
                    h.prepareSnapshotPreBarrier(1);
                    assertThat(TestSupport.byKey(h.extractOutputValues())).as("batch %d, hidden %s", batch, hidden)
                            .isEqualTo(expected.predictions());
                    List<RejectedEvent<String>> rejected = new ArrayList<>();
                    h.getSideOutput(KeyedPhasedLstm.rejectedTag(Types.STRING)).forEach(r -> rejected.add(r.getValue()));
                    assertThat(TestSupport.reasons(rejected)).as("batch %d, hidden %s", batch, hidden)
                            .isEqualTo(TestSupport.reasons(expected.rejected()));
                    assertThat(rejected).extracting(RejectedEvent::reason).contains(
                            RejectedEvent.Reason.QUERY_BEFORE_ANY_EVENT, RejectedEvent.Reason.TIME_NOT_FINITE,
                            RejectedEvent.Reason.TIME_WENT_BACKWARDS);
                }
            }
        }
    }

    @Test
    void emitEveryNthEventAndTheHiddenStateOnRequest() throws Exception {
        List<Event<String>> events = new EventStream(4, 3, 3, false).events(40);
        try (var h = harness(settings().emitEvery(3).output(KeyedPhasedLstm.Output.HIDDEN_STATE).maxBatchSize(5)
                .build(), 1, 0)) {
            h.open();
            for (Event<String> e : events) {
                h.processElement(new StreamRecord<>(e));
            }
            h.prepareSnapshotPreBarrier(1);
            Map<String, List<Prediction<String>>> got = TestSupport.byKey(h.extractOutputValues());
            assertThat(got).isEqualTo(TestSupport.reference(model, events, 3, false).predictions());
            assertThat(h.extractOutputValues()).allSatisfy(p -> {
                assertThat(p.events() % 3).isZero();
                assertThat(p.values()).hasSize(6); // H of the last layer
            });
        }
    }

    @Test
    void aModelWithoutHeadGivesHiddenStatesAndRefusesProbabilities() throws Exception {
        ModelSource headless = new TestSupport.HeadlessModel(3, 5, 8);
        try (var h = harness(KeyedPhasedLstm.builder(headless).maxBatchSize(1).build(), 1, 0)) {
            h.open();
            h.processElement(new StreamRecord<>(new Event<>("a", 1, new float[] {1, 2, 3})));
            assertThat(h.extractOutputValues()).singleElement().satisfies(p -> assertThat(p.values()).hasSize(5));
        }
        var h = harness(KeyedPhasedLstm.builder(headless)
                .output(KeyedPhasedLstm.Output.PROBABILITIES).build(), 1, 0);
        assertThatThrownBy(h::open).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("output: expected HIDDEN_STATE")
                .hasMessageContaining("the model has no dense head").hasMessageEndingWith("got PROBABILITIES");
    }

    @Test
    void theBuilderNamesTheArgumentTheExpectedAndTheActual() {
        ModelSource m = ModelSource.file("/nowhere");
        assertThatThrownBy(() -> KeyedPhasedLstm.builder(m).maxBatchSize(0))
                .hasMessage("maxBatchSize: expected 1 to 1048576 events, got 0");
        assertThatThrownBy(() -> KeyedPhasedLstm.builder(m).maxBatchDelay(Duration.ofMillis(-1)))
                .hasMessage("maxBatchDelay: expected 0 to PT1H, got PT-0.001S");
        assertThatThrownBy(() -> KeyedPhasedLstm.builder(m).emitEvery(0)).hasMessage("emitEvery: expected >= 1, got 0");
        assertThatThrownBy(() -> KeyedPhasedLstm.builder(null)).hasMessage("model: expected a value, got null");
        assertThatThrownBy(() -> ModelSource.file(" "))
                .hasMessage("uri: expected a path or URI of a checkpoint, got a blank string");
        assertThatThrownBy(() -> new Event<>(null, 0, new float[0])).hasMessage("key: expected a value, got null");
        assertThatThrownBy(() -> new Prediction<>("a", 0, 0, new float[0]))
                .hasMessage("events: expected >= 1, got 0");
    }

    @Test
    void aCorruptEmbeddedCheckpointFailsAtSubmissionNotOnTheTasks() {
        assertThatThrownBy(() -> ModelSource.bytes(new byte[] {1, 2, 3}))
                .isInstanceOf(java.io.IOException.class).hasMessageStartingWith("checkpoint bytes (3 bytes): ");
    }
}
