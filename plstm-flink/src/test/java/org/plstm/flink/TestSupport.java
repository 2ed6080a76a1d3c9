package org.plstm.flink;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.plstm.DenseParams;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.TimeGateInit;
import org.plstm.inference.PhasedLstmModel;
import org.plstm.inference.StreamSession;
import org.plstm.io.Checkpoint;
import org.plstm.io.ModelWeights;
import org.plstm.train.SequenceClassifier;

/** Models, event streams, the sequential reference and a collecting sink for the tests. */
final class TestSupport {
    private TestSupport() {
    }

    /**
     * Writes an untrained classifier: layer 0 has {@code inputs} inputs, each layer the given hidden size, a dense
     * head of {@code classes}; time gates as the paper advises (periods exp(U(1, 6)), ratioOn 0.05).
     */
    static Path writeModel(Path dir, int inputs, int[] hidden, int classes, long seed) throws IOException {
        List<PhasedLstmConfig> configs = new ArrayList<>();
        int in = inputs;
        for (int h : hidden) {
            configs.add(PhasedLstmConfig.builder(in, h).build());
            in = h;
        }
        SequenceClassifier c = SequenceClassifier.initialize(configs, classes, TimeGateInit.PAPER, seed);
        Path file = dir.resolve("model-" + inputs + "-" + java.util.Arrays.toString(hidden).replaceAll("\\D+", "_")
                + "-" + classes + "-" + seed + ".safetensors");
        Checkpoint.save(file, c.weights(), null, 0, null, Map.of());
        return file;
    }

    /** A model without a head, built on the task from a seed: a {@link ModelSource} of one's own. */
    record HeadlessModel(int inputs, int hidden, long seed) implements ModelSource {
        @Override
        public PhasedLstmModel load() {
            return PhasedLstmModel.of(List.of(PhasedLstmParams.initialize(
                    PhasedLstmConfig.builder(inputs, hidden).build(), TimeGateInit.PAPER, seed)), null);
        }
    }

    /**
     * A layer whose input weights for features 0 and 1 are +2 and -2, with time gates always open (ratioOn 1, period
     * 10, shift 0: open at every time that is not a multiple of 10): features of {@code Float.MAX_VALUE} overflow to
     * +Inf and -Inf in two lanes of the event-driven path's dot product, whose sum is NaN, a state overflow.
     */
    static Path writeOverflowingModel(Path dir) throws IOException {
        PhasedLstmParams p = PhasedLstmParams.initialize(PhasedLstmConfig.builder(2, 4).build(),
                TimeGateInit.PAPER, 5);
        float[] k = p.kernel(); // [I][4H]
        for (int j = 0; j < 16; j++) {
            k[j] = 2f;
            k[16 + j] = -2f;
        }
        java.util.Arrays.fill(p.period(), 10f);
        java.util.Arrays.fill(p.shift(), 0f);
        java.util.Arrays.fill(p.ratioOn(), 1f);
        Path file = dir.resolve("overflowing.safetensors");
        Checkpoint.save(file, new ModelWeights(List.of(p), DenseParams.initialize(4, 2, 6)), null, 0, null,
                Map.of());
        return file;
    }

    /** The test jobs' configuration: Kryo forbidden ({@code pipeline.generic-types: false}). */
    static Configuration noGenericTypes() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        return conf;
    }

    /**
     * Event {@code i} of a deterministic stream: a key among {@code keys}, a time that grows with {@code i} (so every
     * key's times grow, irregularly), Gaussian features. With {@code bad}, every 37th event (from the 11th) is bad in
     * one of four ways: a feature too many, a NaN feature, a time 50 units back (earlier than its key's previous event
     * unless that key had none in the last 50 units), an infinite time. A pure function of its arguments, so a job
     * and the reference see the same events, and a replay after a failure sees them again.
     */
    record EventStream(long seed, int keys, int inputs, boolean bad) implements GeneratorFunction<Long, Event<String>> {
        @Override
        public Event<String> map(Long index) {
            return event(index);
        }

        Event<String> event(long i) {
            SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i);
            String key = "k" + r.nextInt(keys);
            double t = i * 0.5 + r.nextDouble() * 0.4;
            float[] x = new float[inputs];
            for (int j = 0; j < inputs; j++) {
                x[j] = (float) r.nextGaussian();
            }
            if (bad && i % 37 == 11) {
                switch ((int) (i / 37 % 4)) {
                    case 0 -> x = java.util.Arrays.copyOf(x, inputs + 1);
                    case 1 -> x[0] = Float.NaN;
                    case 2 -> t -= 50;
                    default -> t = Double.POSITIVE_INFINITY;
                }
            }
            return new Event<>(key, t, x);
        }

        List<Event<String>> events(int n) {
            List<Event<String>> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(event(i));
            }
            return out;
        }
    }

    /** What a run must produce: per key its predictions in order, and the rejected events with their reasons. */
    record Expected(Map<String, List<Prediction<String>>> predictions, List<RejectedEvent<String>> rejected) {
    }

    /**
     * The reference: one plain {@link StreamSession} per key, fed the events in order, the rules of the operator
     * applied (feature count, finite values, time not going backwards, for events and queries alike), no Flink.
     */
    static Expected reference(PhasedLstmModel model, List<Event<String>> events, int emitEvery,
            boolean probabilities) {
        Map<String, StreamSession> sessions = new LinkedHashMap<>();
        Map<String, List<Prediction<String>>> predictions = new TreeMap<>();
        List<RejectedEvent<String>> rejected = new ArrayList<>();
        for (Event<String> e : events) {
            StreamSession s = sessions.computeIfAbsent(e.key(), k -> model.newSession());
            if (e.isQuery()) { // answered from the current state, or rejected; the state does not change
                if (!Double.isFinite(e.time())) {
                    rejected.add(new RejectedEvent<>(e, RejectedEvent.Reason.TIME_NOT_FINITE, "(reference)"));
                } else if (s.events() == 0) {
                    rejected.add(new RejectedEvent<>(e, RejectedEvent.Reason.QUERY_BEFORE_ANY_EVENT, "(reference)"));
                } else if (e.time() < s.lastTime()) {
                    rejected.add(new RejectedEvent<>(e, RejectedEvent.Reason.TIME_WENT_BACKWARDS, "(reference)"));
                } else {
                    float[] v = probabilities ? s.classProbabilities().clone()
                            : s.saveState().hidden(model.depth() - 1);
                    predictions.computeIfAbsent(e.key(), k -> new ArrayList<>())
                            .add(new Prediction<>(e.key(), e.time(), s.events(), v));
                }
                continue;
            }
            RejectedEvent.Reason reason = null;
            if (e.features().length != model.inputSize()) {
                reason = RejectedEvent.Reason.WRONG_FEATURE_COUNT;
            } else if (!allFinite(e.features())) {
                reason = RejectedEvent.Reason.FEATURE_NOT_FINITE;
            } else if (!Double.isFinite(e.time())) {
                reason = RejectedEvent.Reason.TIME_NOT_FINITE;
            } else if (e.time() < s.lastTime()) {
                reason = RejectedEvent.Reason.TIME_WENT_BACKWARDS;
            }
            if (reason != null) {
                rejected.add(new RejectedEvent<>(e, reason, "(reference)"));
                continue;
            }
            float[] h = s.step(e.features(), e.time());
            if (s.events() % emitEvery == 0) {
                float[] v = probabilities ? s.classProbabilities().clone() : h.clone();
                predictions.computeIfAbsent(e.key(), k -> new ArrayList<>())
                        .add(new Prediction<>(e.key(), e.time(), s.events(), v));
            }
        }
        return new Expected(predictions, rejected);
    }

    private static boolean allFinite(float[] x) {
        for (float v : x) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** Predictions grouped by key (sorted), each key's in event-count order. */
    static Map<String, List<Prediction<String>>> byKey(Collection<Prediction<String>> predictions) {
        Map<String, List<Prediction<String>>> out = new TreeMap<>();
        for (Prediction<String> p : predictions) {
            out.computeIfAbsent(p.key(), k -> new ArrayList<>()).add(p);
        }
        for (List<Prediction<String>> l : out.values()) {
            l.sort(Comparator.comparingLong(Prediction::events));
        }
        return out;
    }

    /** Rejected events as comparable strings: key, time, reason. */
    static List<String> reasons(Collection<RejectedEvent<String>> rejected) {
        return rejected.stream().map(r -> r.event().key() + "@" + r.event().time() + ":" + r.reason()).sorted()
                .toList();
    }

    /**
     * A sink that appends every record to a queue of this JVM, named by {@code id} (the MiniCluster runs in the test's
     * JVM). At least once: after a restart it sees replayed records again, so the exactly-once test uses Flink's
     * file sink instead.
     */
    record CollectSink<T>(String id) implements Sink<T> {
        private static final Map<String, ConcurrentLinkedQueue<Object>> QUEUES = new ConcurrentHashMap<>();

        static <T> CollectSink<T> named(String id) {
            QUEUES.put(id, new ConcurrentLinkedQueue<>());
            return new CollectSink<>(id);
        }

        @SuppressWarnings("unchecked")
        List<T> values() {
            return new ArrayList<>((Collection<T>) QUEUES.get(id));
        }

        int size() {
            return QUEUES.get(id).size();
        }

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            ConcurrentLinkedQueue<Object> queue = QUEUES.get(id);
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context c) {
                    queue.add(element);
                }

                @Override
                public void flush(boolean endOfInput) {
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
