package org.plstm.flink;

import java.util.Arrays;
import java.util.List;
import org.plstm.Check;
import org.plstm.inference.SessionState;
import org.plstm.inference.SessionBatch;
import org.plstm.inference.StreamSession;

/**
 * One key's stream session state as {@link KeyedPhasedLstm} keeps it in Flink keyed state: every layer's hidden and
 * cell state ({@code [depth][H_k]}), the time of the key's last event and its event count. It is what a checkpoint
 * or savepoint holds per key (serialised by {@link org.plstm.flink.typeutils.KeyedSessionStateSerializer} in
 * {@code 16 + 8·ΣH_k} bytes), and what the State Processor API reads.
 *
 * <p>Mutable, unlike {@link SessionState}: the operator moves a key's state into its one working
 * {@link StreamSession} and back by array copies, allocating nothing per event. {@link #of(SessionState)} and
 * {@link #toSessionState()} convert. Not thread-safe.
 */
public final class KeyedSessionState {
    private final float[][] h;
    private final float[][] c;
    private double lastTime = Double.NEGATIVE_INFINITY;
    private long events;

    /**
     * The zero state, the state of a key before its first event: h = c = 0, no events, last time -Infinity.
     *
     * @param hiddenSizes the model's hidden size per layer, bottom first ({@code PhasedLstmModel.hiddenSizes()})
     * @throws IllegalArgumentException if {@code hiddenSizes} is null or empty or holds a size below 1
     */
    public KeyedSessionState(List<Integer> hiddenSizes) {
        Check.notNull("hiddenSizes", hiddenSizes);
        if (hiddenSizes.isEmpty()) {
            throw new IllegalArgumentException("hiddenSizes: expected at least one layer, got none");
        }
        h = new float[hiddenSizes.size()][];
        c = new float[hiddenSizes.size()][];
        for (int k = 0; k < h.length; k++) {
            int n = Check.atLeast("hiddenSizes[" + k + "]", Check.notNull("hiddenSizes[" + k + "]",
                    hiddenSizes.get(k)), 1);
            h[k] = new float[n];
            c[k] = new float[n];
        }
    }

    /**
     * @param state a stream session's state
     * @return the same state, in new arrays
     * @throws IllegalArgumentException if {@code state} is null
     */
    public static KeyedSessionState of(SessionState state) {
        Check.notNull("state", state);
        Integer[] sizes = new Integer[state.depth()];
        for (int k = 0; k < sizes.length; k++) {
            sizes[k] = state.hidden(k).length;
        }
        KeyedSessionState s = new KeyedSessionState(List.of(sizes));
        for (int k = 0; k < sizes.length; k++) {
            s.h[k] = state.hidden(k);
            s.c[k] = state.cell(k);
        }
        s.lastTime = state.lastTime();
        s.events = state.events();
        return s;
    }

    /**
     * @return the same state as an immutable {@link SessionState} (e.g. to start a {@link StreamSession} from it)
     * @throws IllegalArgumentException if a value is NaN or infinite
     */
    public SessionState toSessionState() {
        return SessionState.of(h, c, lastTime, events);
    }

    /** @return the number of layers */
    public int depth() {
        return h.length;
    }

    /**
     * @param layer layer index, bottom first
     * @return that layer's hidden state {@code [H_k]}: the state's own array (changing it changes the state)
     * @throws IllegalArgumentException if {@code layer} is outside {@code [0, depth)}
     */
    public float[] hidden(int layer) {
        return h[checkLayer(layer)];
    }

    /**
     * @param layer layer index, bottom first
     * @return that layer's cell state {@code [H_k]}: the state's own array (changing it changes the state)
     * @throws IllegalArgumentException if {@code layer} is outside {@code [0, depth)}
     */
    public float[] cell(int layer) {
        return c[checkLayer(layer)];
    }

    /** @return the timestamp of the key's last event, or negative infinity before the first */
    public double lastTime() {
        return lastTime;
    }

    /** @return the number of events the key has consumed */
    public long events() {
        return events;
    }

    /**
     * @param lastTime the timestamp of the last event, finite or negative infinity
     * @param events   the number of events consumed, {@code >= 0}
     * @throws IllegalArgumentException if {@code lastTime} is NaN or positive infinity, or {@code events < 0}
     */
    public void setTimeAndEvents(double lastTime, long events) {
        if (Double.isNaN(lastTime) || lastTime == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("lastTime: expected a finite timestamp or negative infinity, got "
                    + lastTime);
        }
        if (events < 0) {
            throw new IllegalArgumentException("events: expected >= 0, got " + events);
        }
        this.lastTime = lastTime;
        this.events = events;
    }

    /** @return true if every h and c value is finite */
    public boolean isFinite() {
        for (int k = 0; k < h.length; k++) {
            if (!finite(h[k]) || !finite(c[k])) {
                return false;
            }
        }
        return true;
    }

    /** @return a deep copy */
    public KeyedSessionState copy() {
        KeyedSessionState s = new KeyedSessionState(this);
        s.lastTime = lastTime;
        s.events = events;
        return s;
    }

    /** Loads this state into {@code session} (array copies; the session checks the values). */
    void restoreInto(StreamSession session) {
        session.restoreState(h, c, lastTime, events);
    }

    /** Replaces this state with {@code session}'s (array copies, no allocation). */
    void saveFrom(StreamSession session) {
        session.saveState(h, c);
        lastTime = session.lastTime();
        events = session.events();
    }

    /** Loads this state into slot {@code slot} of {@code batch} (array copies, no allocation). */
    void restoreInto(SessionBatch batch, int slot) {
        batch.restore(slot, h, c, lastTime, events);
    }

    /** Replaces this state with slot {@code slot} of {@code batch} (array copies, no allocation). */
    void saveFrom(SessionBatch batch, int slot) {
        batch.save(slot, h, c);
        lastTime = batch.lastTime(slot);
        events = batch.events(slot);
    }

    /**
     * Exchanges this state's arrays, time and count with {@code other}'s, of the same shape: a copy that copies
     * nothing.
     */
    void swap(KeyedSessionState other) {
        for (int k = 0; k < h.length; k++) {
            float[] t = h[k];
            h[k] = other.h[k];
            other.h[k] = t;
            t = c[k];
            c[k] = other.c[k];
            other.c[k] = t;
        }
        double time = lastTime;
        lastTime = other.lastTime;
        other.lastTime = time;
        long n = events;
        events = other.events;
        other.events = n;
    }

    /** Replaces this state with {@code other}'s, of the same shape (array copies). */
    void copyFrom(KeyedSessionState other) {
        for (int k = 0; k < h.length; k++) {
            System.arraycopy(other.h[k], 0, h[k], 0, h[k].length);
            System.arraycopy(other.c[k], 0, c[k], 0, c[k].length);
        }
        lastTime = other.lastTime;
        events = other.events;
    }

    private KeyedSessionState(KeyedSessionState shapeAndValues) {
        h = new float[shapeAndValues.h.length][];
        c = new float[shapeAndValues.c.length][];
        for (int k = 0; k < h.length; k++) {
            h[k] = shapeAndValues.h[k].clone();
            c[k] = shapeAndValues.c[k].clone();
        }
    }

    private int checkLayer(int layer) {
        if (layer < 0 || layer >= h.length) {
            throw new IllegalArgumentException("layer: expected an index in [0, " + h.length + "), got " + layer);
        }
        return layer;
    }

    private static boolean finite(float[] a) {
        for (float v : a) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** Equal when every array holds the same floats ({@link Arrays#equals(float[], float[])}), time and count. */
    @Override
    public boolean equals(Object o) {
        return o instanceof KeyedSessionState s && Arrays.deepEquals(h, s.h) && Arrays.deepEquals(c, s.c)
                && Double.compare(lastTime, s.lastTime) == 0 && events == s.events;
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(h) * 31 + Long.hashCode(events);
    }

    @Override
    public String toString() {
        return "KeyedSessionState[layers=" + h.length + ", events=" + events + ", lastTime=" + lastTime + "]";
    }
}
