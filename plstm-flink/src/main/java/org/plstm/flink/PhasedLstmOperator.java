package org.plstm.flink;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;
import org.apache.flink.util.OutputTag;
import org.plstm.flink.typeutils.KeyedSessionStateSerializer;
import org.plstm.inference.PhasedLstmModel;
import org.plstm.inference.SessionBatch;
import org.plstm.inference.StreamSession;

/**
 * The keyed operator behind {@link KeyedPhasedLstm} (whose Javadoc states the behaviour). Runs in its task's thread
 * only (Flink's mailbox model: records, timers and checkpoints never run concurrently), so nothing here is
 * synchronised.
 *
 * <p>A bundle goes key by key through one {@link StreamSession} per task ({@link #scoreKey}): the key's state is loaded
 * from its {@link KeyedSessionState}, its events stepped, the state saved back once; its predictions and rejections
 * are held until the new state is known to be finite, then emitted in its events' order. With
 * {@link KeyedPhasedLstm.Builder#sessionBatch(boolean)} a bundle of several events is scored by one
 * {@link SessionBatch} per task instead: each key of the bundle gets a slot,
 * loaded from the key's {@link KeyedSessionState} (Flink {@link ValueState}); the keys' events are checked first (a
 * rejected event never reaches the model); then the slots are stepped together in waves, wave {@code w} taking the
 * {@code w}-th accepted event of every key that has one (keys ordered by their number of events, so a wave's keys are
 * the first slots); every key's state is then checked and saved back once. Each key's results are those of a
 * {@link StreamSession} stepping its events, bitwise. When a key's state comes out NaN or infinite, all its held
 * output is dropped and {@link #rescore} replays its events one at a time, deciding every event afresh, so the output
 * is that of one event per bundle whatever the bundling. A bundle of one event (maxBatchSize 1, or no delay) goes
 * through one {@link StreamSession}. Copies in and out allocate nothing (a key's first event allocates its state).
 *
 * @param <K> the key type
 */
final class PhasedLstmOperator<K> extends AbstractStreamOperator<Prediction<K>>
        implements OneInputStreamOperator<Event<K>, Prediction<K>>, ProcessingTimeCallback {
    private static final long serialVersionUID = 1L;
    /** The keyed state's name: part of every checkpoint and savepoint, never to be changed. */
    static final String STATE_NAME = "plstm-session";

    private final KeyedPhasedLstm settings;
    private final OutputTag<RejectedEvent<K>> rejectedTag;

    private transient PhasedLstmModel model;
    private transient StreamSession session;
    private transient List<Integer> hiddenSizes;
    private transient KeyedSessionState zero;
    private transient KeyedSessionState after; // scratch: the state after a key's events, checked before it is kept
    private transient ValueState<KeyedSessionState> state;
    private transient boolean probabilities;
    private transient int inputSize;
    private transient TypeSerializer<Event<K>> inputCopier; // non-null when object reuse is on
    private transient Bundle<K> bundle;
    private transient boolean timerPending;
    private transient StreamRecord<Prediction<K>> out;
    private transient StreamRecord<RejectedEvent<K>> rejectedOut;
    private transient List<Object> pending; // a key's predictions and rejected events, held until its state is checked
    private transient int[] pendingIndex;
    private transient Counter scored;
    private transient Counter rejected;
    private transient Counter bundles;
    private transient Counter queries;
    private transient SessionBatch batch;
    private transient Waves waves;

    PhasedLstmOperator(KeyedPhasedLstm settings, OutputTag<RejectedEvent<K>> rejectedTag) {
        this.settings = settings;
        this.rejectedTag = rejectedTag;
    }

    @Override
    public void open() throws Exception {
        super.open();
        model = settings.model().load();
        KeyedPhasedLstm.Output output = settings.output() != null ? settings.output()
                : model.hasHead() ? KeyedPhasedLstm.Output.PROBABILITIES : KeyedPhasedLstm.Output.HIDDEN_STATE;
        if (output == KeyedPhasedLstm.Output.PROBABILITIES && !model.hasHead()) {
            throw new IllegalArgumentException("output: expected HIDDEN_STATE for " + settings.model()
                    + " (the model has no dense head, so no class probabilities), got PROBABILITIES");
        }
        probabilities = output == KeyedPhasedLstm.Output.PROBABILITIES;
        inputSize = model.inputSize();
        session = model.newSession();
        hiddenSizes = model.hiddenSizes();
        zero = new KeyedSessionState(hiddenSizes);
        after = new KeyedSessionState(hiddenSizes);
        state = getPartitionedState(new ValueStateDescriptor<>(STATE_NAME,
                new KeyedSessionStateSerializer(hiddenSizes)));
        if (getExecutionConfig().isObjectReuseEnabled()) {
            // With object reuse the upstream may reuse an event object once processElement returns: buffer copies.
            inputCopier = getOperatorConfig().getTypeSerializerIn(0, getUserCodeClassloader());
        }
        bundle = new Bundle<>(Math.min(settings.maxBatchSize(), 1 << 14));
        out = new StreamRecord<>(null);
        rejectedOut = new StreamRecord<>(null);
        pending = new ArrayList<>();
        pendingIndex = new int[16];
        scored = getMetricGroup().counter("plstmEventsScored");
        rejected = getMetricGroup().counter("plstmEventsRejected");
        bundles = getMetricGroup().counter("plstmBundles");
        queries = getMetricGroup().counter("plstmQueriesAnswered");
        int slots = Math.min(settings.maxBatchSize(), BATCH_SLOTS);
        batch = slots > 1 && settings.sessionBatch() ? model.newSessionBatch(slots) : null;
        waves = batch != null ? new Waves(slots, inputSize) : null;
    }

    /** The most keys one {@link SessionBatch} holds; a bundle with more keys is scored in chunks of this many. */
    static final int BATCH_SLOTS = 1024;

    @Override
    public void processElement(StreamRecord<Event<K>> element) throws Exception {
        Event<K> event = inputCopier == null ? element.getValue() : inputCopier.copy(element.getValue());
        bundle.add(getCurrentKey(), event, element);
        if (bundle.size >= settings.maxBatchSize() || settings.maxBatchDelayMillis() == 0) {
            flush();
        } else if (!timerPending) {
            timerPending = true;
            ProcessingTimeService time = getProcessingTimeService();
            time.registerTimer(time.getCurrentProcessingTime() + settings.maxBatchDelayMillis(), this);
        }
    }

    /** The latency bound: the bundle's first event has waited {@code maxBatchDelay}. */
    @Override
    public void onProcessingTime(long time) throws Exception {
        timerPending = false;
        flush();
    }

    /** Before the barrier leaves: everything received so far is scored and in keyed state when it is snapshot. */
    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    /** Predictions before the watermark leave before it, so none is late downstream. */
    @Override
    public void processWatermark(Watermark mark) throws Exception {
        flush();
        super.processWatermark(mark);
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    @Override
    public void close() throws Exception {
        super.close();
        model = null;
        session = null;
        batch = null;
        waves = null;
        bundle = null;
    }

    /** Scores the bundle, key by key, and empties it. */
    private void flush() throws Exception {
        if (bundle == null || bundle.size == 0) {
            return;
        }
        bundles.inc();
        if (bundle.size == 1) {
            scoreKey(bundle.keys[0], 0); // no grouping needed (maxBatchSize 1 or delay 0)
        } else if (batch == null) {
            for (Map.Entry<Object, int[]> group : bundle.groups().entrySet()) {
                scoreKey(group.getKey(), group.getValue()[0]);
            }
        } else {
            Waves w = waves;
            w.clear();
            for (Map.Entry<Object, int[]> group : bundle.groups().entrySet()) {
                w.add(group.getKey(), group.getValue()[0]);
                if (w.keys == batch.capacity()) {
                    scoreKeys(w);
                    w.clear();
                }
            }
            if (w.keys > 0) {
                scoreKeys(w);
                w.clear();
            }
        }
        bundle.clear();
    }

    /**
     * Scores the keys of {@code w} (at most the batch's capacity) together: loads each key's state into a slot and
     * rejects its bad events (in arrival order, as {@link #reason} sees them against the key's time so far), steps
     * the accepted events in waves through the {@link SessionBatch}, keeping the predictions due, then per key (in
     * order of first arrival) checks the new state, saves it and emits its predictions, or rescores the key one event
     * at a time when its state came out NaN or infinite.
     */
    private void scoreKeys(Waves w) throws Exception {
        int longest = 0;
        for (int q = 0; q < w.keys; q++) {
            setCurrentKey(w.key[q]);
            KeyedSessionState kept = state.value();
            w.kept[q] = kept;
            KeyedSessionState from = kept == null ? zero : kept;
            double last = from.lastTime();
            int n = 0;
            w.queryStart[q] = w.queries;
            for (int i = w.first[q]; i >= 0; i = bundle.next[i]) {
                Event<K> e = bundle.events[i];
                RejectedEvent<K> r = reason(e, last, from.events() + n);
                if (r != null) {
                    w.reject(i, r); // held: emitted with the key's predictions, or dropped if the key is rescored
                    continue;
                }
                if (e.isQuery()) {
                    w.query(i, n);
                    continue;
                }
                w.accept(q, n++, i);
                last = e.time();
            }
            w.queryEnd[q] = w.queries;
            w.accepted[q] = n;
            longest = Math.max(longest, n);
        }
        // Slots by decreasing number of accepted events: the keys of wave r are the first slots.
        w.order(longest);
        for (int slot = 0; slot < w.keys; slot++) {
            int q = w.slotKey[slot];
            w.slotOf[q] = slot;
            KeyedSessionState from = w.kept[q] == null ? zero : w.kept[q];
            from.restoreInto(batch, slot);
            answerQueries(w, q, slot, 0);
        }
        for (int r = 0; r < longest; r++) {
            int n = 0;
            while (n < w.keys && w.accepted[w.slotKey[n]] > r) {
                int i = w.event(w.slotKey[n], r);
                Event<K> e = bundle.events[i];
                System.arraycopy(e.features(), 0, w.x, n * inputSize, inputSize);
                w.t[n] = e.time();
                n++;
            }
            batch.step(n, w.x, w.t);
            for (int slot = 0; slot < n; slot++) {
                long count = batch.events(slot);
                if (count % settings.emitEvery() == 0) {
                    int i = w.event(w.slotKey[slot], r);
                    w.outputs[i] = prediction(bundle.events[i], count, slot);
                }
                answerQueries(w, w.slotKey[slot], slot, r + 1);
            }
        }
        for (int q = 0; q < w.keys; q++) {
            if (w.accepted[q] == 0) {
                emitChain(w, q); // answers to queries only
                continue;
            }
            setCurrentKey(w.key[q]);
            KeyedSessionState kept = w.kept[q];
            if (kept == null) {
                kept = new KeyedSessionState(hiddenSizes);
            }
            after.saveFrom(batch, w.slotOf[q]);
            if (!after.isFinite()) {
                for (int i = w.first[q]; i >= 0; i = bundle.next[i]) {
                    w.outputs[i] = null; // the rescore decides every event of the key again
                }
                rescore(kept, w.first[q]);
                continue;
            }
            kept.swap(after);
            state.update(kept);
            emitChain(w, q);
            scored.inc(w.accepted[q]);
        }
    }

    /** Emits key {@code q}'s predictions, query answers and rejected events, in its events' order. */
    private void emitChain(Waves w, int q) {
        for (int i = w.first[q]; i >= 0; i = bundle.next[i]) {
            if (w.outputs[i] != null) {
                emitOutput(w.outputs[i], i);
                w.outputs[i] = null;
            }
        }
    }

    /** Answers key {@code q}'s queries that follow exactly {@code before} of its accepted events, from its slot. */
    private void answerQueries(Waves w, int q, int slot, int before) {
        for (int m = w.queryStart[q]; m < w.queryEnd[q]; m++) {
            if (w.queryBefore[m] == before) {
                int i = w.queryAt[m];
                Event<K> e = bundle.events[i];
                w.outputs[i] = values(e.key(), e.time(), batch.events(slot), slot);
            }
        }
    }

    private Prediction<K> prediction(Event<K> e, long n, int slot) {
        return values(e.key(), e.time(), n, slot);
    }

    /** The prediction of slot {@code slot}'s state, stamped with key, time and event count. */
    private Prediction<K> values(K key, double time, long n, int slot) {
        float[] values;
        if (probabilities) {
            values = new float[model.classes()];
            batch.classProbabilities(slot, values, 0);
        } else {
            values = new float[model.hiddenSize()];
            batch.hidden(slot, values, 0);
        }
        return new Prediction<>(key, time, n, values);
    }

    /**
     * The keys of one {@link #scoreKeys} round: per key its chain in the bundle, its state, its accepted events;
     * the slot order; the events of a wave. Reused from bundle to bundle.
     */
    static final class Waves {
        int keys;
        final Object[] key;
        final int[] first;
        final KeyedSessionState[] kept;
        final int[] accepted;
        /** Key q's n-th accepted event is bundle index {@code acceptedAt[start[q] + n]}. */
        final int[] start;
        int[] acceptedAt;
        int used;
        final int[] slotKey;
        final int[] slotOf;
        final float[] x;
        final double[] t;
        /** Per bundle index: its prediction, query answer or rejected event, until emitted; else null. */
        Object[] outputs = new Object[16];
        /** Key q's queries are {@code [queryStart[q], queryEnd[q])} of {@code queryAt} / {@code queryBefore}. */
        final int[] queryStart;
        final int[] queryEnd;
        int[] queryAt = new int[16];
        int[] queryBefore = new int[16];
        int queries;
        private int[] bucket;

        Waves(int capacity, int inputSize) {
            key = new Object[capacity];
            first = new int[capacity];
            kept = new KeyedSessionState[capacity];
            accepted = new int[capacity];
            start = new int[capacity];
            acceptedAt = new int[Math.max(16, capacity)];
            slotKey = new int[capacity];
            slotOf = new int[capacity];
            x = new float[capacity * inputSize];
            t = new double[capacity];
            bucket = new int[16];
            queryStart = new int[capacity];
            queryEnd = new int[capacity];
        }

        void clear() {
            java.util.Arrays.fill(key, 0, keys, null);
            java.util.Arrays.fill(kept, 0, keys, null);
            keys = 0;
            used = 0;
            queries = 0;
        }

        void add(Object k, int firstEvent) {
            key[keys] = k;
            first[keys] = firstEvent;
            accepted[keys] = 0;
            keys++;
        }

        /** Records bundle index {@code i} as key {@code q}'s {@code n}-th accepted event (keys fill in turn). */
        void accept(int q, int n, int i) {
            if (n == 0) {
                start[q] = used;
            }
            if (used == acceptedAt.length) {
                acceptedAt = java.util.Arrays.copyOf(acceptedAt, 2 * used);
            }
            acceptedAt[used++] = i;
            fit(i);
        }

        /** Holds bundle index {@code i}'s rejection. */
        void reject(int i, RejectedEvent<?> r) {
            fit(i);
            outputs[i] = r;
        }

        private void fit(int i) {
            if (i >= outputs.length) {
                outputs = java.util.Arrays.copyOf(outputs, Math.max(2 * outputs.length, i + 1));
            }
        }

        /** Records bundle index {@code i} as a query of the key being read, after {@code before} accepted events. */
        void query(int i, int before) {
            if (queries == queryAt.length) {
                queryAt = java.util.Arrays.copyOf(queryAt, 2 * queries);
                queryBefore = java.util.Arrays.copyOf(queryBefore, 2 * queries);
            }
            queryAt[queries] = i;
            queryBefore[queries++] = before;
            fit(i);
        }

        int event(int q, int n) {
            return acceptedAt[start[q] + n];
        }

        /** {@code slotKey}: the keys by decreasing number of accepted events, stable (a counting sort). */
        void order(int longest) {
            if (bucket.length < longest + 2) {
                bucket = new int[longest + 2];
            }
            java.util.Arrays.fill(bucket, 0, longest + 2, 0);
            for (int q = 0; q < keys; q++) {
                bucket[longest - accepted[q] + 1]++;
            }
            for (int b = 1; b < longest + 2; b++) {
                bucket[b] += bucket[b - 1];
            }
            for (int q = 0; q < keys; q++) {
                slotKey[bucket[longest - accepted[q]]++] = q;
            }
        }
    }

    /** Steps one key's events of the bundle (linked from {@code first} by {@code bundle.next}) through its session. */
    private void scoreKey(Object key, int first) throws Exception {
        setCurrentKey(key);
        KeyedSessionState kept = state.value();
        (kept == null ? zero : kept).restoreInto(session);
        pending.clear();
        int accepted = 0;
        for (int i = first; i >= 0; i = bundle.next[i]) {
            Event<K> e = bundle.events[i];
            RejectedEvent<K> r = reason(e, session.lastTime(), session.events());
            if (r != null) {
                addPending(r, i); // held: emitted with the predictions, or dropped if the key is rescored
                continue;
            }
            if (e.isQuery()) {
                addPending(queryAnswer(e), i);
                continue;
            }
            float[] h = session.step(e.features(), e.time());
            accepted++;
            long n = session.events();
            if (n % settings.emitEvery() == 0) {
                addPending(prediction(e, n, h), i);
            }
        }
        if (accepted == 0) {
            emitPending();
            return;
        }
        if (kept == null) {
            kept = new KeyedSessionState(hiddenSizes);
        }
        after.saveFrom(session);
        if (!after.isFinite()) {
            pending.clear(); // the rescore decides every event of the key again
            rescore(kept, first);
            return;
        }
        kept.swap(after); // kept now holds the new state; after, the old arrays, is scratch again
        state.update(kept);
        emitPending();
        scored.inc(accepted);
    }

    private void addPending(Object p, int i) {
        if (pending.size() == pendingIndex.length) {
            pendingIndex = Arrays.copyOf(pendingIndex, 2 * pendingIndex.length);
        }
        pendingIndex[pending.size()] = i;
        pending.add(p);
    }

    private void emitPending() {
        for (int p = 0; p < pending.size(); p++) {
            emitOutput(pending.get(p), pendingIndex[p]);
        }
        pending.clear();
    }

    /** The answer to a query from the session's current state: its prediction, at the query's time. */
    private Prediction<K> queryAnswer(Event<K> query) {
        float[] values = probabilities ? session.classProbabilities().clone()
                : session.saveState().hidden(model.depth() - 1);
        return new Prediction<>(query.key(), query.time(), session.events(), values);
    }

    /**
     * The slow path after a key's state came out NaN or infinite (the first pass has emitted nothing of the key): the
     * events again one at a time from the state before the bundle ({@code kept}, still unchanged), each checked
     * against the state so far and the state checked after each, as with one event per bundle; an event that breaks
     * the state is rejected and the state kept as it was before that event.
     */
    private void rescore(KeyedSessionState kept, int first) throws Exception {
        kept.restoreInto(session);
        for (int i = first; i >= 0; i = bundle.next[i]) {
            Event<K> e = bundle.events[i];
            RejectedEvent<K> r = reason(e, session.lastTime(), session.events());
            if (r != null) {
                emitRejected(r, i);
                continue;
            }
            if (e.isQuery()) {
                emit(queryAnswer(e), i);
                continue;
            }
            float[] h = session.step(e.features(), e.time());
            after.saveFrom(session);
            if (!after.isFinite()) {
                emitRejected(new RejectedEvent<>(e, RejectedEvent.Reason.STATE_NOT_FINITE, "the event made the "
                        + "key's state NaN or infinite (float32 overflow: features of magnitude near 3e38?); the "
                        + "state is kept as it was before the event"), i);
                kept.restoreInto(session);
                continue;
            }
            kept.copyFrom(after);
            scored.inc();
            if (kept.events() % settings.emitEvery() == 0) {
                emit(prediction(e, kept.events(), h), i);
            }
        }
        if (kept.events() > 0) {
            state.update(kept);
        }
    }

    private Prediction<K> prediction(Event<K> e, long n, float[] hidden) {
        float[] values = probabilities ? session.classProbabilities().clone() : hidden.clone();
        return new Prediction<>(e.key(), e.time(), n, values);
    }

    /**
     * The reason {@code e} cannot follow a key state of {@code events} events, the last at {@code lastTime}, or null
     * if it can. The same rule of time for events and queries: neither may be earlier than {@code lastTime}.
     */
    private RejectedEvent<K> reason(Event<K> e, double lastTime, long events) {
        if (e.isQuery()) {
            if (!Double.isFinite(e.time())) {
                return new RejectedEvent<>(e, RejectedEvent.Reason.TIME_NOT_FINITE, "time: expected a finite "
                        + "timestamp, got " + e.time());
            }
            if (events == 0) {
                return new RejectedEvent<>(e, RejectedEvent.Reason.QUERY_BEFORE_ANY_EVENT, "query: the key has "
                        + "consumed no event yet, so there is no state to predict from");
            }
            if (e.time() < lastTime) {
                return new RejectedEvent<>(e, RejectedEvent.Reason.TIME_WENT_BACKWARDS, "time: expected >= " + lastTime
                        + " (this key's last event; a query earlier than it would be answered from a later state), "
                        + "got " + e.time());
            }
            return null;
        }
        float[] x = e.features();
        if (x.length != inputSize) {
            return new RejectedEvent<>(e, RejectedEvent.Reason.WRONG_FEATURE_COUNT, "features: expected " + inputSize
                    + " values (the model's input size I), got " + x.length);
        }
        for (int j = 0; j < x.length; j++) {
            if (!Float.isFinite(x[j])) {
                return new RejectedEvent<>(e, RejectedEvent.Reason.FEATURE_NOT_FINITE, "features[" + j
                        + "]: expected a finite value, got " + x[j]);
            }
        }
        double t = e.time();
        if (!Double.isFinite(t)) {
            return new RejectedEvent<>(e, RejectedEvent.Reason.TIME_NOT_FINITE, "time: expected a finite timestamp, "
                    + "got " + t);
        }
        if (t < lastTime) {
            return new RejectedEvent<>(e, RejectedEvent.Reason.TIME_WENT_BACKWARDS, "time: expected >= " + lastTime
                    + " (this key's previous event; per key, time must not go backwards), got " + t);
        }
        return null;
    }

    /** Emits a held output of bundle index {@code i}: a {@link Prediction} or a {@link RejectedEvent}. */
    @SuppressWarnings("unchecked")
    private void emitOutput(Object o, int i) {
        if (o instanceof RejectedEvent<?> r) {
            emitRejected((RejectedEvent<K>) r, i);
        } else {
            emit((Prediction<K>) o, i);
        }
    }

    /** Emits a prediction, or the answer to a query (counted in {@code plstmQueriesAnswered}). */
    private void emit(Prediction<K> p, int i) {
        if (bundle.events[i].isQuery()) {
            queries.inc();
        }
        output.collect(stamp(out.replace(p), i));
    }

    /** Sends a rejected event to the side output (counted in {@code plstmEventsRejected}). */
    private void emitRejected(RejectedEvent<K> r, int i) {
        rejected.inc();
        output.collect(rejectedTag, stamp(rejectedOut.replace(r), i));
    }

    /** Gives the record the Flink timestamp of the bundle's {@code i}-th input record, or none if it had none. */
    private <T> StreamRecord<T> stamp(StreamRecord<T> record, int i) {
        if (bundle.hasTimestamp[i]) {
            record.setTimestamp(bundle.timestamps[i]);
        } else {
            record.eraseTimestamp();
        }
        return record;
    }

    /**
     * The events received since the last flush, in arrival order, with their Flink keys and timestamps, and per key
     * the chain of its events ({@code next}) so a key's events are stepped in order without sorting.
     */
    static final class Bundle<K> {
        int size;
        Object[] keys;
        Event<K>[] events;
        long[] timestamps;
        boolean[] hasTimestamp;
        int[] next;
        private final LinkedHashMap<Object, int[]> groups = new LinkedHashMap<>();

        @SuppressWarnings("unchecked")
        Bundle(int capacity) {
            keys = new Object[capacity];
            events = (Event<K>[]) new Event<?>[capacity];
            timestamps = new long[capacity];
            hasTimestamp = new boolean[capacity];
            next = new int[capacity];
        }

        void add(Object key, Event<K> event, StreamRecord<?> record) {
            if (size == keys.length) {
                int n = 2 * size;
                keys = Arrays.copyOf(keys, n);
                events = Arrays.copyOf(events, n);
                timestamps = Arrays.copyOf(timestamps, n);
                hasTimestamp = Arrays.copyOf(hasTimestamp, n);
                next = Arrays.copyOf(next, n);
            }
            keys[size] = key;
            events[size] = event;
            hasTimestamp[size] = record.hasTimestamp();
            timestamps[size] = record.hasTimestamp() ? record.getTimestamp() : 0;
            next[size] = -1;
            size++;
        }

        /** @return per key, in order of first arrival, {@code {first, last}} indices of its chain */
        Map<Object, int[]> groups() {
            groups.clear();
            for (int i = 0; i < size; i++) {
                int[] g = groups.get(keys[i]);
                if (g == null) {
                    groups.put(keys[i], new int[] {i, i});
                } else {
                    next[g[1]] = i;
                    g[1] = i;
                }
            }
            return groups;
        }

        void clear() {
            Arrays.fill(keys, 0, size, null);
            Arrays.fill(events, 0, size, null);
            groups.clear();
            size = 0;
        }
    }
}
