package org.plstm.inference;

import java.util.Arrays;
import org.plstm.Check;
import org.plstm.DenseParams;
import org.plstm.engine.LayerStream;

/**
 * Many independent event streams through one {@link PhasedLstmModel}, one event per stream per {@link #step}, all
 * advanced together: what a server or a stream processor with thousands of live streams (users, sensors, keys) does
 * with the events that arrived in the last few milliseconds. Each slot is a {@link StreamSession}'s state (every
 * layer's {@code h} and {@code c}, the last timestamp, the event count); slot {@code i} of a step takes the
 * {@code i}-th event. The result per slot equals a {@link StreamSession} of the model stepping the same events,
 * bitwise, on every backend and instruction level.
 *
 * <p>Why: on the event-driven path ({@link InferencePath#EVENT_DRIVEN}) one event of one stream reads the weight
 * rows of its open units only, so streams stepped one by one read the weights once per event, from L3 once the
 * layer outgrows L2 ({@code H = 512}: 4.3 MB per layer). A batch sorts the streams' open units by unit and reads
 * each unit's rows once for all the streams that opened it. Layers without a time gate, the
 * {@link InferencePath#DENSE} path and the scalar reference backend step the slots one at a time (the same results,
 * without the saving).
 *
 * <p>Typical use: {@link #restore} each slot from the keyed store, {@link #step}, then read {@link #hidden} or
 * {@link #classProbabilities} and {@link #save} each slot back. A stream with several events in one batch takes
 * them in successive steps (its second event needs the state after its first).
 *
 * <p>Not thread-safe (one batch per thread); the model is shared. Steady-state steps allocate nothing on the SIMD
 * path. Timestamps are in the model's time unit and must not go backwards within a slot (equal timestamps are
 * allowed), as in a session.
 */
public final class SessionBatch {
    private final PhasedLstmModel model;
    private final LayerStream[] layers;
    private final boolean skip;
    private final int capacity;
    private final int inputSize;
    private final int[] hiddenSizes;
    /** Per layer: the batched kernel's state, or null where the slots go one at a time. */
    private final LayerStream.BatchState[] batched;
    /** Per layer: every slot's h and c, {@code [capacity][stride[k]]} (the batch state's arrays where there is one). */
    private final float[][] h;
    private final float[][] c;
    private final int[] stride;
    /** Per layer: the one-stream state the slots go through where there is no batched kernel. */
    private final LayerStream.State[] single;
    private final double[] lastTime;
    private final long[] events;
    private final long[] updated; // per layer, the last step's (slot, unit) updates
    private final float[] logits;
    private final float[] probs;

    SessionBatch(PhasedLstmModel model, LayerStream[] layers, boolean skip, int capacity) {
        this.model = model;
        this.layers = layers;
        this.skip = skip;
        this.capacity = capacity;
        this.inputSize = model.inputSize();
        this.hiddenSizes = model.hiddenSizes().stream().mapToInt(Integer::intValue).toArray();
        int depth = layers.length;
        batched = new LayerStream.BatchState[depth];
        h = new float[depth][];
        c = new float[depth][];
        stride = new int[depth];
        single = new LayerStream.State[depth];
        for (int k = 0; k < depth; k++) {
            LayerStream.BatchState b = skip ? layers[k].newBatchState(capacity) : null;
            if (b != null) {
                batched[k] = b;
                h[k] = b.h();
                c[k] = b.c();
                stride[k] = b.stride();
            } else {
                single[k] = layers[k].newState();
                stride[k] = hiddenSizes[k];
                h[k] = new float[Math.multiplyExact(capacity, stride[k])];
                c[k] = new float[capacity * stride[k]];
            }
        }
        lastTime = new double[capacity];
        Arrays.fill(lastTime, Double.NEGATIVE_INFINITY);
        events = new long[capacity];
        updated = new long[depth];
        logits = model.hasHead() ? new float[model.classes()] : null;
        probs = model.hasHead() ? new float[model.classes()] : null;
    }

    /** @return the model every slot runs */
    public PhasedLstmModel model() {
        return model;
    }

    /** @return the most slots (streams) one {@link #step} advances */
    public int capacity() {
        return capacity;
    }

    /** @return the path the slots take, the model's {@link PhasedLstmModel#streamingPath()} */
    public InferencePath path() {
        return skip ? InferencePath.EVENT_DRIVEN : InferencePath.DENSE;
    }

    /**
     * Advances slots {@code 0 .. n-1} by one event each: slot {@code i} takes the features
     * {@code x[i·I .. (i+1)·I)} at time {@code t[i]}. Everything is checked before any slot changes.
     *
     * @param n the number of slots to advance, {@code 0 ..} {@link #capacity()}
     * @param x the events' features, {@code [n][I]} row-major (longer arrays are fine; the rest is ignored)
     * @param t the events' timestamps, {@code [n]} at least, finite, each {@code >=} its slot's {@link #lastTime}
     * @throws IllegalArgumentException if {@code n} is out of range, an array is null or too short, a feature is NaN
     *     or infinite, or a timestamp is not finite or earlier than its slot's last one (no slot is changed)
     */
    public void step(int n, float[] x, double[] t) {
        if (n < 0 || n > capacity) {
            throw new IllegalArgumentException("n: expected 0.." + capacity + " (the batch's capacity), got " + n);
        }
        Check.notNull("x", x);
        Check.notNull("t", t);
        if (x.length < (long) n * inputSize) {
            throw new IllegalArgumentException("x: expected at least n·I = " + n + "·" + inputSize + " = "
                    + (long) n * inputSize + " values, got " + x.length);
        }
        if (t.length < n) {
            throw new IllegalArgumentException("t: expected at least n = " + n + " timestamps, got " + t.length);
        }
        for (int i = 0; i < n * inputSize; i++) {
            if (!Float.isFinite(x[i])) {
                throw new IllegalArgumentException("x[" + i + "] (slot " + i / inputSize + ", feature "
                        + i % inputSize + "): expected a finite value, got " + x[i]);
            }
        }
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(t[i])) {
                throw new IllegalArgumentException("t[" + i + "]: expected a finite timestamp, got " + t[i]);
            }
            if (t[i] < lastTime[i]) {
                throw new IllegalArgumentException("t[" + i + "]: expected a timestamp >= " + lastTime[i]
                        + " (slot " + i + "'s previous event; time must not go backwards within a stream), got "
                        + t[i]);
            }
        }
        advance(n, x, t);
    }

    /** {@link #step} without its checks. */
    void advance(int n, float[] x, double[] t) {
        float[] in = x;
        int inStride = inputSize;
        for (int k = 0; k < layers.length; k++) {
            if (batched[k] != null) {
                layers[k].stepBatch(batched[k], n, in, 0, inStride, t);
                updated[k] = batched[k].lastUpdatedUnits();
            } else {
                stepOneByOne(k, n, in, inStride, t);
            }
            in = h[k];
            inStride = stride[k];
        }
        for (int i = 0; i < n; i++) {
            lastTime[i] = t[i];
            if (events[i] != Long.MAX_VALUE) {
                events[i]++;
            }
        }
    }

    /** Layer {@code k} for each slot through the one-stream kernel, the slot's state copied in and out. */
    private void stepOneByOne(int k, int n, float[] in, int inStride, double[] t) {
        LayerStream.State s = single[k];
        int hs = hiddenSizes[k];
        int st = stride[k];
        long sum = 0;
        for (int i = 0; i < n; i++) {
            System.arraycopy(h[k], i * st, s.h(), 0, hs);
            System.arraycopy(c[k], i * st, s.c(), 0, hs);
            layers[k].step(s, in, i * inStride, t[i], skip);
            sum += s.lastUpdatedUnits();
            System.arraycopy(s.h(), 0, h[k], i * st, hs);
            System.arraycopy(s.c(), 0, c[k], i * st, hs);
        }
        updated[k] = sum;
    }

    /**
     * Copies slot {@code slot}'s last-layer hidden state {@code [H]} into {@code out[outOff ..]}.
     *
     * @param slot   a slot, {@code 0 ..} {@link #capacity()}{@code - 1}
     * @param out    receives {@code H} values
     * @param outOff where they go
     * @throws IllegalArgumentException if {@code slot} is out of range, {@code out} is null or too short
     */
    public void hidden(int slot, float[] out, int outOff) {
        checkSlot(slot);
        int last = layers.length - 1;
        int hs = hiddenSizes[last];
        checkOut(out, outOff, hs, "H");
        System.arraycopy(h[last], slot * stride[last], out, outOff, hs);
    }

    /**
     * Slot {@code slot}'s class probabilities, {@code softmax(h_last · kernel + bias)}, as
     * {@link StreamSession#classProbabilities()} computes them, into {@code out[outOff ..+C)}.
     *
     * @param slot   a slot, {@code 0 ..} {@link #capacity()}{@code - 1}
     * @param out    receives {@code C} values
     * @param outOff where they go
     * @throws IllegalArgumentException if {@code slot} is out of range, {@code out} is null or too short
     * @throws IllegalStateException if the model has no dense head
     */
    public void classProbabilities(int slot, float[] out, int outOff) {
        if (probs == null) {
            throw new IllegalStateException("the model has no dense head; read the hidden state with hidden()");
        }
        checkSlot(slot);
        checkOut(out, outOff, probs.length, "C");
        int last = layers.length - 1;
        DenseParams d = model.headView();
        PhasedLstmModel.softmaxHead(d, h[last], slot * stride[last], logits, probs, 0);
        System.arraycopy(probs, 0, out, outOff, probs.length);
    }

    /**
     * Replaces a slot's state with the caller's arrays (copied in), allocating nothing, with the checks of
     * {@link StreamSession#restoreState(float[][], float[][], double, long)}.
     *
     * @param slot     a slot, {@code 0 ..} {@link #capacity()}{@code - 1}
     * @param h        every layer's hidden state, {@code [depth][H_k]}, bottom layer first
     * @param c        every layer's cell state, same shapes
     * @param lastTime the timestamp of the stream's last event, or {@code Double.NEGATIVE_INFINITY} before the first
     * @param events   the number of events the stream consumed, {@code >= 0}
     * @throws IllegalArgumentException if {@code slot} is out of range, an array is null or of another shape than
     *     the model's, a value is NaN or infinite, {@code lastTime} is NaN or positive infinity, or
     *     {@code events < 0} (the slot is left unchanged)
     */
    public void restore(int slot, float[][] h, float[][] c, double lastTime, long events) {
        checkSlot(slot);
        StateArrays.checkShape("h", h, hiddenSizes);
        StateArrays.checkShape("c", c, hiddenSizes);
        StateArrays.checkFinite("h", h);
        StateArrays.checkFinite("c", c);
        if (Double.isNaN(lastTime) || lastTime == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("lastTime: expected a finite timestamp or negative infinity, got "
                    + lastTime);
        }
        if (events < 0) {
            throw new IllegalArgumentException("events: expected >= 0, got " + events);
        }
        for (int k = 0; k < layers.length; k++) {
            System.arraycopy(h[k], 0, this.h[k], slot * stride[k], hiddenSizes[k]);
            System.arraycopy(c[k], 0, this.c[k], slot * stride[k], hiddenSizes[k]);
        }
        this.lastTime[slot] = lastTime;
        this.events[slot] = events;
    }

    /**
     * Replaces a slot's state with a saved one ({@link StreamSession#saveState()}, {@link #save(int)},
     * {@link SessionState#of}), as {@link StreamSession#restoreState(SessionState)} does: a state saved from a stream
     * whose values overflowed float32 (NaN or infinite, see {@link PhasedLstmModel}) restores as it was saved.
     *
     * @param slot  a slot, {@code 0 ..} {@link #capacity()}{@code - 1}
     * @param state the state (its layer sizes must be the model's)
     * @throws IllegalArgumentException if {@code slot} is out of range, {@code state} is null or its layer sizes
     *     differ from the model's (the slot is left unchanged)
     */
    public void restore(int slot, SessionState state) {
        checkSlot(slot);
        StateArrays.checkState(state, hiddenSizes);
        for (int k = 0; k < layers.length; k++) {
            System.arraycopy(state.h()[k], 0, this.h[k], slot * stride[k], hiddenSizes[k]);
            System.arraycopy(state.c()[k], 0, this.c[k], slot * stride[k], hiddenSizes[k]);
        }
        this.lastTime[slot] = state.lastTime();
        this.events[slot] = state.events();
    }

    /**
     * Copies a slot's state into the caller's arrays, allocating nothing; the last timestamp and the event count
     * are {@link #lastTime} and {@link #events}.
     *
     * @param slot a slot, {@code 0 ..} {@link #capacity()}{@code - 1}
     * @param h    receives every layer's hidden state, {@code [depth][H_k]}, bottom layer first
     * @param c    receives every layer's cell state, same shapes
     * @throws IllegalArgumentException if {@code slot} is out of range, an array is null or of another shape, or
     *     {@code h} and {@code c} share a layer's array
     */
    public void save(int slot, float[][] h, float[][] c) {
        checkSlot(slot);
        StateArrays.checkShape("h", h, hiddenSizes);
        StateArrays.checkShape("c", c, hiddenSizes);
        StateArrays.checkDistinct(h, c);
        for (int k = 0; k < layers.length; k++) {
            System.arraycopy(this.h[k], slot * stride[k], h[k], 0, hiddenSizes[k]);
            System.arraycopy(this.c[k], slot * stride[k], c[k], 0, hiddenSizes[k]);
        }
    }

    /**
     * @param slot a slot, {@code 0 ..} {@link #capacity()}{@code - 1}
     * @return a copy of the slot's state, as {@link StreamSession#saveState()} gives it (NaN or infinite values
     *     included, should the stream's values have overflowed float32)
     * @throws IllegalArgumentException if {@code slot} is out of range
     */
    public SessionState save(int slot) {
        checkSlot(slot);
        float[][] hs = new float[layers.length][];
        float[][] cs = new float[layers.length][];
        for (int k = 0; k < layers.length; k++) {
            hs[k] = new float[hiddenSizes[k]];
            cs[k] = new float[hiddenSizes[k]];
        }
        save(slot, hs, cs);
        return new SessionState(hs, cs, lastTime[slot], events[slot]);
    }

    /**
     * Back to the initial state: zero {@code h} and {@code c}, no events, no last time.
     *
     * @param slot a slot, {@code 0 ..} {@link #capacity()}{@code - 1}
     * @throws IllegalArgumentException if {@code slot} is out of range
     */
    public void reset(int slot) {
        checkSlot(slot);
        for (int k = 0; k < layers.length; k++) {
            Arrays.fill(h[k], slot * stride[k], (slot + 1) * stride[k], 0f);
            Arrays.fill(c[k], slot * stride[k], (slot + 1) * stride[k], 0f);
        }
        lastTime[slot] = Double.NEGATIVE_INFINITY;
        events[slot] = 0;
    }

    /**
     * @param slot a slot, {@code 0 ..} {@link #capacity()}{@code - 1}
     * @return the slot's last event's timestamp, negative infinity before the first
     * @throws IllegalArgumentException if {@code slot} is out of range
     */
    public double lastTime(int slot) {
        checkSlot(slot);
        return lastTime[slot];
    }

    /**
     * @param slot a slot, {@code 0 ..} {@link #capacity()}{@code - 1}
     * @return the events the slot consumed since its reset or restore (plus the restored count), saturating at
     *     {@link Long#MAX_VALUE}
     * @throws IllegalArgumentException if {@code slot} is out of range
     */
    public long events(int slot) {
        checkSlot(slot);
        return events[slot];
    }

    /**
     * @return per layer, bottom first, the (slot, unit) updates of the last step: on the event-driven path the open
     *     units summed over the slots, elsewhere every unit of every slot stepped (a new array)
     */
    public long[] lastUpdatedUnitsPerLayer() {
        return updated.clone();
    }

    private void checkSlot(int slot) {
        if (slot < 0 || slot >= capacity) {
            throw new IllegalArgumentException("slot: expected 0.." + (capacity - 1) + ", got " + slot);
        }
    }

    private static void checkOut(float[] out, int outOff, int n, String what) {
        Check.notNull("out", out);
        if (outOff < 0 || outOff > out.length - n) {
            throw new IllegalArgumentException("out: expected room for " + what + " = " + n + " values from offset "
                    + outOff + ", got an array of " + out.length);
        }
    }

}
