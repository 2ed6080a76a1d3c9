package org.plstm.inference;

import java.util.Arrays;

/**
 * A saved state of a {@link StreamSession}: every layer's {@code h} and {@code c} ({@code [depth][H_k]}), the time of
 * the last event and the number of events consumed. Immutable (arrays are copied in and out); can be restored into
 * any session of the same model.
 */
public final class SessionState {
    private final float[][] h;
    private final float[][] c;
    private final double lastTime;
    private final long events;

    SessionState(float[][] h, float[][] c, double lastTime, long events) {
        this.h = deepCopy(h);
        this.c = deepCopy(c);
        this.lastTime = lastTime;
        this.events = events;
    }

    /**
     * A state built from its parts, to start a session from it ({@link PhasedLstmModel#newSession(SessionState)},
     * {@link StreamSession#restoreState}): e.g. the state of a stream kept elsewhere (a database, a stream
     * processor's keyed state). The arrays are copied.
     *
     * @param h        every layer's hidden state, {@code [depth][H_k]}, bottom layer first
     * @param c        every layer's cell state, same shapes
     * @param lastTime the timestamp of the last event consumed (the next must not be earlier), or
     *                 {@code Double.NEGATIVE_INFINITY} before the first
     * @param events   the number of events consumed, {@code >= 0}
     * @return the state
     * @throws IllegalArgumentException if an array is null, the layer counts or sizes of {@code h} and {@code c}
     *     differ, a value is NaN or infinite, {@code lastTime} is NaN or positive infinity, or {@code events < 0}
     */
    public static SessionState of(float[][] h, float[][] c, double lastTime, long events) {
        org.plstm.Check.notNull("h", h);
        org.plstm.Check.notNull("c", c);
        if (h.length == 0 || h.length != c.length) {
            throw new IllegalArgumentException("h, c: expected the same number of layers (at least 1), got "
                    + h.length + " and " + c.length);
        }
        for (int k = 0; k < h.length; k++) {
            org.plstm.Check.notNull("h[" + k + "]", h[k]);
            org.plstm.Check.notNull("c[" + k + "]", c[k]);
            if (h[k].length != c[k].length) {
                throw new IllegalArgumentException("c[" + k + "]: expected " + h[k].length + " units (as h[" + k
                        + "]), got " + c[k].length);
            }
            org.plstm.Check.finite("h[" + k + "]", h[k]);
            org.plstm.Check.finite("c[" + k + "]", c[k]);
        }
        if (Double.isNaN(lastTime) || lastTime == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("lastTime: expected a finite timestamp or negative infinity, got "
                    + lastTime);
        }
        if (events < 0) {
            throw new IllegalArgumentException("events: expected >= 0, got " + events);
        }
        return new SessionState(h, c, lastTime, events);
    }

    /** @return the number of layers */
    public int depth() {
        return h.length;
    }

    /**
     * @param layer layer index
     * @return a copy of that layer's hidden state {@code [H]}
     * @throws IllegalArgumentException if {@code layer} is outside {@code [0, depth)}
     */
    public float[] hidden(int layer) {
        checkLayer(layer);
        return h[layer].clone();
    }

    /**
     * @param layer layer index
     * @return a copy of that layer's cell state {@code [H]}
     * @throws IllegalArgumentException if {@code layer} is outside {@code [0, depth)}
     */
    public float[] cell(int layer) {
        checkLayer(layer);
        return c[layer].clone();
    }

    /** @return the timestamp of the last event, or negative infinity before the first */
    public double lastTime() {
        return lastTime;
    }

    /** @return the number of events consumed */
    public long events() {
        return events;
    }

    float[][] h() {
        return h;
    }

    float[][] c() {
        return c;
    }

    private static float[][] deepCopy(float[][] a) {
        float[][] out = new float[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].clone();
        }
        return out;
    }

    @Override
    public String toString() {
        return "SessionState[layers=" + h.length + ", events=" + events + ", lastTime=" + lastTime + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionState s && Arrays.deepEquals(h, s.h) && Arrays.deepEquals(c, s.c)
                && Double.compare(lastTime, s.lastTime) == 0 && events == s.events;
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(h) * 31 + Long.hashCode(events);
    }

    private void checkLayer(int layer) {
        if (layer < 0 || layer >= h.length) {
            throw new IllegalArgumentException("layer: expected an index in [0, " + h.length + "), got " + layer);
        }
    }
}
