package org.plstm.inference;

import org.plstm.Check;
import org.plstm.DenseParams;
import org.plstm.engine.LayerStream;

/**
 * One timestamped event stream through a {@link PhasedLstmModel}, one event at a time (batch size 1), in inference
 * mode. Each event's input goes through every layer with the same timestamp (the layer above receives the hidden
 * state of the layer below). With the time gate on in every layer, only the units whose gate is open are computed
 * ({@link InferencePath#EVENT_DRIVEN}); a closed unit keeps its state exactly.
 *
 * <p>Not thread-safe: use one session per stream and per thread. Many sessions can run concurrently on one model.
 * Steady-state {@link #step} allocates nothing on the SIMD path.
 *
 * <p>Timestamps are in the model's time unit and must not go backwards within a session (equal timestamps are
 * allowed); they may be any finite value, negative included.
 */
public final class StreamSession {
    private final PhasedLstmModel model;
    private final LayerStream[] layers;
    private final LayerStream.State[] states;
    private final boolean skip;
    private final int inputSize;
    private final float[] logits;
    private final float[] probs;
    private final float[] out;
    private final int[] hiddenSizes; // H per layer, for the array forms of saveState/restoreState
    private double lastTime = Double.NEGATIVE_INFINITY;
    private long events;

    StreamSession(PhasedLstmModel model, LayerStream[] layers, boolean skip) {
        this.model = model;
        this.layers = layers;
        this.states = new LayerStream.State[layers.length];
        for (int k = 0; k < layers.length; k++) {
            states[k] = layers[k].newState();
        }
        this.skip = skip;
        this.inputSize = model.inputSize();
        this.logits = model.hasHead() ? new float[model.classes()] : null;
        this.probs = model.hasHead() ? new float[model.classes()] : null;
        this.out = new float[model.hiddenSize()];
        this.hiddenSizes = model.hiddenSizes().stream().mapToInt(Integer::intValue).toArray();
    }

    /** @return the model this session runs */
    public PhasedLstmModel model() {
        return model;
    }

    /** @return which path {@link #step} takes */
    public InferencePath path() {
        return skip ? InferencePath.EVENT_DRIVEN : InferencePath.DENSE;
    }

    /**
     * Consumes one event.
     *
     * @param x the event's features {@code [I]}
     * @param t its timestamp, {@code >=} the previous event's, finite, same unit as the model's periods
     * @return the last layer's hidden state {@code [H]}, in an array the session owns and overwrites at the next
     *     step (copy it to keep it)
     * @throws IllegalArgumentException if {@code x} is null, of the wrong length or not finite, or {@code t} is not
     *     finite or earlier than the previous event's timestamp (the session is left unchanged)
     */
    public float[] step(float[] x, double t) {
        Check.length("x", x, "I", inputSize);
        Check.finite("x", x);
        if (!Double.isFinite(t)) {
            throw new IllegalArgumentException("t: expected a finite timestamp, got " + t);
        }
        if (t < lastTime) {
            throw new IllegalArgumentException("t: expected a timestamp >= " + lastTime
                    + " (the previous event's; time must not go backwards within a session), got " + t);
        }
        advance(x, 0, t);
        System.arraycopy(hidden(), 0, out, 0, out.length);
        return out;
    }

    /**
     * {@link #step} without its checks, for a batch the model has validated: {@code x[xOff..xOff+I)} at {@code t}.
     * The model needs no ordering of timestamps (each step's gate depends on its own {@code t} only); only a
     * stream insists on it, so a batched prediction takes timestamps in any order, like the dense path.
     */
    void advance(float[] x, int xOff, double t) {
        layers[0].step(states[0], x, xOff, t, skip);
        for (int k = 1; k < layers.length; k++) {
            layers[k].step(states[k], states[k - 1].h(), 0, t, skip);
        }
        lastTime = t;
        if (events != Long.MAX_VALUE) {
            events++; // saturates: a saved state stays valid for SessionState.of
        }
    }

    /** @return the last layer's hidden state (live view; its first H entries are the units) */
    float[] hiddenView() {
        return hidden();
    }

    private float[] hidden() {
        return states[states.length - 1].h();
    }

    /**
     * The head's class probabilities for the current state: {@code softmax(h_last · kernel + bias)}.
     *
     * @return {@code [C]}, a live view overwritten by the next call
     * @throws IllegalStateException if the model has no head
     */
    public float[] classProbabilities() {
        if (probs == null) {
            throw new IllegalStateException("the model has no dense head; use the hidden state step() returns");
        }
        DenseParams d = model.headView();
        PhasedLstmModel.softmaxHead(d, hidden(), 0, logits, probs, 0);
        return probs;
    }

    /**
     * How many units each layer updated at the last event: on the event-driven path the units whose time gate was
     * open, on the dense path all of them.
     *
     * @return {@code [depth]} counts, bottom layer first (a new array)
     */
    public int[] lastUpdatedUnitsPerLayer() {
        int[] out = new int[layers.length];
        for (int k = 0; k < layers.length; k++) {
            out[k] = states[k].lastUpdatedUnits();
        }
        return out;
    }

    /**
     * @return the number of events consumed since creation or the last reset/restore (plus the restored state's
     *     count); it stops at {@link Long#MAX_VALUE} rather than overflow
     */
    public long events() {
        return events;
    }

    /** @return the last event's timestamp, negative infinity before the first */
    public double lastTime() {
        return lastTime;
    }

    /** @return a copy of the state (every layer's h and c, last time, event count) */
    public SessionState saveState() {
        float[][] h = new float[layers.length][];
        float[][] c = new float[layers.length][];
        for (int k = 0; k < layers.length; k++) {
            h[k] = java.util.Arrays.copyOf(states[k].h(), hiddenSizes[k]);
            c[k] = java.util.Arrays.copyOf(states[k].c(), hiddenSizes[k]);
        }
        return new SessionState(h, c, lastTime, events);
    }

    /**
     * Replaces the state with a saved one.
     *
     * @param state a state saved from a session of the same model (or one with the same layer sizes)
     * @throws IllegalArgumentException if {@code state} is null or its layer sizes differ
     */
    public void restoreState(SessionState state) {
        StateArrays.checkState(state, hiddenSizes);
        for (int k = 0; k < layers.length; k++) {
            System.arraycopy(state.h()[k], 0, states[k].h(), 0, hiddenSizes[k]);
            System.arraycopy(state.c()[k], 0, states[k].c(), 0, hiddenSizes[k]);
        }
        lastTime = state.lastTime();
        events = state.events();
    }

    /**
     * Copies the state into the caller's arrays, allocating nothing: {@link #saveState()} for callers that keep many
     * streams' states themselves (a stream processor's keyed state) and move them in and out of one session per
     * event. The time of the last event and the event count are {@link #lastTime()} and {@link #events()}.
     *
     * @param h receives every layer's hidden state, {@code [depth][H_k]}, bottom layer first
     * @param c receives every layer's cell state, same shapes
     * @throws IllegalArgumentException if an array is null or its layer count or a layer's length is not the model's,
     *     or {@code h} and {@code c} share a layer's array
     */
    public void saveState(float[][] h, float[][] c) {
        StateArrays.checkShape("h", h, hiddenSizes);
        StateArrays.checkShape("c", c, hiddenSizes);
        StateArrays.checkDistinct(h, c);
        for (int k = 0; k < layers.length; k++) {
            System.arraycopy(states[k].h(), 0, h[k], 0, h[k].length);
            System.arraycopy(states[k].c(), 0, c[k], 0, c[k].length);
        }
    }

    /**
     * Replaces the state with the caller's arrays (copied in), allocating nothing: {@link #restoreState(SessionState)}
     * without building a {@link SessionState}, with the same checks as {@link SessionState#of}.
     *
     * @param h        every layer's hidden state, {@code [depth][H_k]}, bottom layer first
     * @param c        every layer's cell state, same shapes
     * @param lastTime the timestamp of the last event consumed, or {@code Double.NEGATIVE_INFINITY} before the first
     * @param events   the number of events consumed, {@code >= 0}
     * @throws IllegalArgumentException if an array is null or of another shape than the model's, a value is NaN or
     *     infinite, {@code lastTime} is NaN or positive infinity, or {@code events < 0} (the session is left unchanged)
     */
    public void restoreState(float[][] h, float[][] c, double lastTime, long events) {
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
            System.arraycopy(h[k], 0, states[k].h(), 0, h[k].length);
            System.arraycopy(c[k], 0, states[k].c(), 0, c[k].length);
        }
        this.lastTime = lastTime;
        this.events = events;
    }

    /** Back to the initial state: zero h and c, no events, no last time. */
    public void reset() {
        for (LayerStream.State l : states) {
            java.util.Arrays.fill(l.h(), 0f);
            java.util.Arrays.fill(l.c(), 0f);
        }
        lastTime = Double.NEGATIVE_INFINITY;
        events = 0;
    }
}
