package org.plstm.engine;

/**
 * One Phased LSTM layer packed for streaming inference by a {@link Backend}: one event at a time, leak 0 (paper
 * section 3). Immutable and thread-safe; each stream keeps its own {@link State}. This is the kernel behind
 * {@code org.plstm.inference.StreamSession}, which validates every argument; most users want that class.
 */
public interface LayerStream {

    /** @return a new state of this layer, zero {@code h} and {@code c} */
    State newState();

    /**
     * Advances the state by one event. Arguments are not checked (the session validates them).
     *
     * @param state this stream's state, updated
     * @param x     the event's inputs, {@code I} values from {@code xOff}
     * @param xOff  offset of the inputs in {@code x}
     * @param t     the event's timestamp, in the unit of the layer's periods
     * @param skip  true to update only the units whose time gate is open (event-driven), false for every unit
     */
    void step(State state, float[] x, int xOff, double t, boolean skip);

    /** One stream's state of a layer; not thread-safe. */
    interface State {
        /** @return the hidden state, at least {@code H} entries (the first {@code H} are the units), live */
        float[] h();

        /** @return the cell state, at least {@code H} entries, live */
        float[] c();

        /** @return how many units the last step updated (all of them on the dense path) */
        int lastUpdatedUnits();
    }
}
