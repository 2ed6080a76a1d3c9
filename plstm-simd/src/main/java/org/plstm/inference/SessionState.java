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
