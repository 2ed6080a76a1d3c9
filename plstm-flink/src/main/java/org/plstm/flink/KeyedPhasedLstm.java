package org.plstm.flink;

import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;
import org.plstm.Check;
import org.plstm.flink.typeutils.EventTypeInfo;
import org.plstm.flink.typeutils.KeyedSessionStateSerializer;

/**
 * A Phased LSTM as a keyed Flink operator: every key (sensor, user, machine) is its own event stream with its own
 * {@link org.plstm.inference.StreamSession} state, kept in Flink keyed state, so checkpoints and savepoints hold it,
 * a restart after a failure continues it exactly once, and rescaling moves it with its key.
 *
 * <pre>{@code
 * KeyedPhasedLstm plstm = KeyedPhasedLstm.builder(ModelSource.file("s3://models/checkpoint.safetensors"))
 *         .maxBatchSize(1024).maxBatchDelay(Duration.ofMillis(10)).build();
 * SingleOutputStreamOperator<Prediction<String>> predictions = plstm.apply(events).uid("plstm");  // Event<String>
 * DataStream<RejectedEvent<String>> rejected = predictions.getSideOutput(KeyedPhasedLstm.rejectedTag(Types.STRING));
 * }</pre>
 *
 * <p><b>Per event.</b> The operator checks the event against the model and the key's state: a wrong feature count, a
 * NaN or infinite feature or time, or a time earlier than the key's previous event sends it to the side output
 * {@link #rejectedTag} as a {@link RejectedEvent} with the reason, and the key's state stays as it was. Otherwise the
 * key's session consumes it and, every {@link Builder#emitEvery(int) N}-th event of the key, a {@link Prediction}
 * (class probabilities or the last hidden state) goes out with the record's Flink timestamp. Predictions on demand:
 * an {@link Event#query(Object, double) Event.query(key, time)} in the stream is answered with the key's current
 * prediction (after the key's events that arrived before it), without changing the state and whatever
 * {@code emitEvery} says; e.g. {@code emitEvery(Integer.MAX_VALUE)} plus queries gives output on demand only. A query
 * is checked as an event is: one for a key without events, with a NaN or infinite time, or earlier than the key's last
 * event (whose later state would answer it) goes to the side output instead.
 *
 * <p><b>Event time.</b> Per key, the event times must not go backwards (the stream session's rule); an earlier event
 * or query is rejected, not buffered and sorted. This keeps the operator free of event-time buffering, state and
 * latency, and its output independent of watermarks; a source whose events of one key can arrive out of order should
 * sort them upstream (e.g. with event-time windows) first. Events of one key arrive in order when one source split
 * carries them all, or the events are keyed before any reordering.
 *
 * <p><b>Micro-batches.</b> Events are collected into a bundle of up to {@link Builder#maxBatchSize(int)} events and
 * scored when it is full, when {@link Builder#maxBatchDelay(Duration)} has passed since its first event (a
 * processing-time timer), before every checkpoint barrier, before every watermark, and at the end of the input. In a
 * bundle each key's state is read once, all its events stepped in arrival order, and the state written once; the
 * keys of a bundle go one after another through one session, or, with {@link Builder#sessionBatch(boolean)},
 * together through one {@link org.plstm.inference.SessionBatch}, with the same results, bitwise. Because
 * the bundle is scored before the barrier, a checkpoint never holds half-scored input: no operator state beyond the
 * keyed sessions, and exactly-once results with Flink's checkpoints. Bundling changes no result: which events are
 * rejected, with which reason, and every prediction are those of scoring each event on its own as it arrives (an event
 * that would make the key's state NaN or infinite is rejected and the rest of the key's bundle judged against the
 * state before it). Predictions and rejected events of one key leave in order; those of different keys in one bundle
 * leave grouped by key.
 *
 * <p><b>State per key</b>: one {@link KeyedSessionState} (every layer's h and c, the last time and the event count),
 * serialised by {@link KeyedSessionStateSerializer} in {@code 16 + 8·ΣH} bytes (1,040 at one layer of H = 128, 4,112
 * at H = 512).
 *
 * <p><b>Running it.</b> Streaming execution only (Flink's batch mode keeps one key's state at a time, which a bundle of
 * many keys cannot use). The task managers run on Java 25 with {@code --add-modules jdk.incubator.vector} for the SIMD
 * kernels (without it plstm falls back to the scalar reference, logs a warning, and is much slower).
 *
 * <p>Immutable and serialisable; {@link #apply} may be called on several streams.
 */
public final class KeyedPhasedLstm implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The id of the rejected events' side output ({@link #rejectedTag}). */
    public static final String REJECTED_TAG_ID = "plstm-rejected";
    /** The largest {@link Builder#maxBatchSize(int)}. */
    public static final int MAX_BATCH_SIZE = 1 << 20;
    /** The largest {@link Builder#maxBatchDelay(Duration)}. */
    public static final Duration MAX_BATCH_DELAY = Duration.ofHours(1);

    /** What a {@link Prediction} carries. */
    public enum Output {
        /** The head's class probabilities {@code [C]} (the model must have a dense head). */
        PROBABILITIES,
        /** The last layer's hidden state {@code [H]}. */
        HIDDEN_STATE
    }

    /** Where each task loads the model from ({@link Builder}). */
    private final ModelSource model;
    /** Events per micro-batch, at most ({@link Builder#maxBatchSize(int)}). */
    private final int maxBatchSize;
    /** How long a micro-batch may wait for more events, in milliseconds ({@link Builder#maxBatchDelay(Duration)}). */
    private final long maxBatchDelayMillis;
    /** A prediction for every {@code emitEvery}-th event of a key ({@link Builder#emitEvery(int)}). */
    private final int emitEvery;
    /** What a prediction carries. */
    private final Output output;
    /** The operator's name in the job graph. */
    private final String name;
    /** Whether a micro-batch's events run as one {@code SessionBatch} ({@link Builder#sessionBatch(boolean)}). */
    private final boolean sessionBatch;

    private KeyedPhasedLstm(Builder b) {
        this.model = b.model;
        this.maxBatchSize = b.maxBatchSize;
        this.maxBatchDelayMillis = b.maxBatchDelay.toMillis();
        this.emitEvery = b.emitEvery;
        this.output = b.output;
        this.sessionBatch = b.sessionBatch;
        this.name = b.name;
    }

    /**
     * @param model where each task loads the model from
     * @return a builder with the defaults: batches of up to 1024 events or 10 ms, a prediction for every event,
     *     probabilities when the model has a head (else the hidden state)
     * @throws IllegalArgumentException if {@code model} is null
     */
    public static Builder builder(ModelSource model) {
        return new Builder(Check.notNull("model", model));
    }

    /**
     * The side output of rejected events; pass it to {@link SingleOutputStreamOperator#getSideOutput} on the stream
     * {@link #apply} returned, with the same key type.
     *
     * @param keyType the key's type information
     * @param <K>     the key type
     * @return the tag (id {@value #REJECTED_TAG_ID})
     * @throws IllegalArgumentException if {@code keyType} is null
     */
    public static <K> OutputTag<RejectedEvent<K>> rejectedTag(TypeInformation<K> keyType) {
        return new OutputTag<>(REJECTED_TAG_ID, RejectedEvent.typeInfo(Check.notNull("keyType", keyType)));
    }

    /**
     * Keys the events by {@link Event#key()} and scores them.
     *
     * @param events a stream of events whose type is {@link Event#typeInfo(TypeInformation)}
     * @param <K>    the key type
     * @return the predictions; its side output {@link #rejectedTag} has the rejected events. Give it a
     *     {@code uid(...)} so that savepoints find its state after the job changes.
     * @throws IllegalArgumentException if {@code events} is null or its type information is not an
     *     {@link EventTypeInfo} (a lambda hid the key type: add {@code .returns(Event.typeInfo(keyType))})
     */
    public <K> SingleOutputStreamOperator<Prediction<K>> apply(DataStream<Event<K>> events) {
        Check.notNull("events", events);
        if (!(events.getType() instanceof EventTypeInfo<K> info)) {
            throw new IllegalArgumentException("events: expected a stream with the type information "
                    + "Event.typeInfo(keyType), got " + events.getType()
                    + " (add .returns(Event.typeInfo(...)) after the function that creates the events)");
        }
        KeySelector<Event<K>, K> byKey = Event::key;
        return apply(events.keyBy(byKey, info.keyType()));
    }

    /**
     * Scores a stream already keyed by {@link Event#key()} (e.g. with
     * {@code DataStreamUtils.reinterpretAsKeyedStream} on a source partitioned by key). The Flink key decides where
     * the state lives; the predictions carry {@link Event#key()}, so the two must agree.
     *
     * @param keyed the events keyed by {@link Event#key()}
     * @param <K>   the key type
     * @return the predictions, with the side output {@link #rejectedTag}
     * @throws IllegalArgumentException if {@code keyed} is null
     */
    public <K> SingleOutputStreamOperator<Prediction<K>> apply(KeyedStream<Event<K>, K> keyed) {
        Check.notNull("keyed", keyed);
        TypeInformation<K> keyType = keyed.getKeyType();
        PhasedLstmOperator<K> operator = new PhasedLstmOperator<>(this, rejectedTag(keyType));
        return keyed.transform(name, Prediction.typeInfo(keyType), operator);
    }

    /** @return where the tasks load the model from */
    public ModelSource model() {
        return model;
    }

    /** @return the most events in one micro-batch */
    public int maxBatchSize() {
        return maxBatchSize;
    }

    /** @return the longest an event waits for its micro-batch to be scored, in milliseconds of processing time */
    public long maxBatchDelayMillis() {
        return maxBatchDelayMillis;
    }

    /** @return N: a prediction every N-th event of a key */
    public int emitEvery() {
        return emitEvery;
    }

    /** @return what the predictions carry, or null for the default (probabilities with a head, else hidden state) */
    public Output output() {
        return output;
    }

    /** @return true if a bundle's keys are stepped together through a SessionBatch ({@link Builder#sessionBatch}) */
    public boolean sessionBatch() {
        return sessionBatch;
    }

    /** @return the operator's name in the job graph */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "KeyedPhasedLstm[" + model + ", maxBatchSize=" + maxBatchSize + ", maxBatchDelay="
                + maxBatchDelayMillis + " ms, emitEvery=" + emitEvery + ", output="
                + (output == null ? "default" : output) + (sessionBatch ? ", sessionBatch" : "") + "]";
    }

    /** Settings of a {@link KeyedPhasedLstm}; not thread-safe. */
    public static final class Builder {
        private final ModelSource model;
        private int maxBatchSize = 1024;
        private Duration maxBatchDelay = Duration.ofMillis(10);
        private int emitEvery = 1;
        private Output output;
        private String name = "PhasedLstm";
        private boolean sessionBatch;

        private Builder(ModelSource model) {
            this.model = model;
        }

        /**
         * The most events scored together (default 1024). 1 scores every event as it arrives.
         *
         * @param events in {@code [1, MAX_BATCH_SIZE]}
         * @return this builder
         * @throws IllegalArgumentException if {@code events} is outside that range
         */
        public Builder maxBatchSize(int events) {
            if (events < 1 || events > MAX_BATCH_SIZE) {
                throw new IllegalArgumentException("maxBatchSize: expected 1 to " + MAX_BATCH_SIZE + " events, got "
                        + events);
            }
            this.maxBatchSize = events;
            return this;
        }

        /**
         * The longest an event waits for its bundle, in processing time (default 10 ms; millisecond resolution).
         * Zero scores every event as it arrives.
         *
         * @param delay in {@code [0, MAX_BATCH_DELAY]}
         * @return this builder
         * @throws IllegalArgumentException if {@code delay} is null, negative or above {@link #MAX_BATCH_DELAY}
         */
        public Builder maxBatchDelay(Duration delay) {
            Check.notNull("maxBatchDelay", delay);
            if (delay.isNegative() || delay.compareTo(MAX_BATCH_DELAY) > 0) {
                throw new IllegalArgumentException("maxBatchDelay: expected 0 to " + MAX_BATCH_DELAY + ", got "
                        + delay);
            }
            this.maxBatchDelay = delay;
            return this;
        }

        /**
         * Emit a prediction only after every N-th event of a key (its event count a multiple of N); default 1, every
         * event. The state advances on every event either way.
         *
         * @param n {@code >= 1}
         * @return this builder
         * @throws IllegalArgumentException if {@code n < 1}
         */
        public Builder emitEvery(int n) {
            this.emitEvery = Check.atLeast("emitEvery", n, 1);
            return this;
        }

        /**
         * What the predictions carry. Default (null): {@link Output#PROBABILITIES} when the model has a dense head,
         * else {@link Output#HIDDEN_STATE}. {@code PROBABILITIES} on a model without a head fails the task when it
         * opens, with a message saying so.
         *
         * @param output the output, or null for the default
         * @return this builder
         */
        public Builder output(Output output) {
            this.output = output;
            return this;
        }

        /**
         * Steps a bundle's keys together through one {@code SessionBatch} (up to 1,024 keys at a time, wave by wave:
         * wave {@code r} takes every key's {@code r}-th event) instead of one after another through one
         * {@code StreamSession} (default false). The results are the same, bit for bit. Off by default because it
         * measured no consistent gain through Flink on the machine this was built on (plstm-flink/BENCHMARK.md:
         * within the run-to-run noise, either way); on with a wide layer and a CPU whose L3 is the bottleneck.
         *
         * @param on true to step the keys together
         * @return this builder
         */
        public Builder sessionBatch(boolean on) {
            this.sessionBatch = on;
            return this;
        }

        /**
         * @param name the operator's name in the job graph and the web UI (default {@code "PhasedLstm"})
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is null or blank
         */
        public Builder name(String name) {
            Check.notNull("name", name);
            if (name.isBlank()) {
                throw new IllegalArgumentException("name: expected a non-blank name, got \"" + name + "\"");
            }
            this.name = name;
            return this;
        }

        /** @return the operator's settings */
        public KeyedPhasedLstm build() {
            return new KeyedPhasedLstm(this);
        }
    }
}
