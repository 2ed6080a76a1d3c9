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

    /**
     * A state for stepping up to {@code capacity} streams of this layer together with {@link #stepBatch}, or null
     * if the layer has no batched kernel (the reference backend, or a layer without a time gate): the caller then
     * steps the streams one at a time with {@link #step}.
     *
     * @param capacity the most streams one {@link #stepBatch} call advances, {@code >= 1} (not checked)
     * @return the batch state, zero {@code h} and {@code c} for every stream, or null
     */
    default BatchState newBatchState(int capacity) {
        return null;
    }

    /**
     * Advances streams {@code 0 .. n-1} of a batch state by one event each, together, on the event-driven path:
     * stream {@code i} takes the inputs {@code x[xOff + i·xStride ..+I)} at {@code t[i]}. Each stream's result
     * equals {@link #step} with {@code skip = true} on a state holding the same {@code h} and {@code c}, bitwise.
     * Arguments are not checked (the caller validates them).
     *
     * @param state   a state from {@link #newBatchState} of this layer
     * @param n       streams to advance, {@code 0 ..} the state's capacity
     * @param x       the inputs of the {@code n} events
     * @param xOff    offset of stream 0's inputs
     * @param xStride distance between consecutive streams' inputs
     * @param t       the events' timestamps, {@code [n]} at least, in the unit of the layer's periods
     * @throws UnsupportedOperationException if this layer has no batched kernel ({@link #newBatchState} is null)
     */
    default void stepBatch(BatchState state, int n, float[] x, int xOff, int xStride, double[] t) {
        throw new UnsupportedOperationException("this layer has no batched kernel: newBatchState returned null");
    }

    /**
     * The states of many streams of one layer: stream {@code i}'s hidden and cell state are
     * {@code h()[i·stride() ..+H)} and {@code c()[i·stride() ..+H)}, live (entries {@code H .. stride} stay zero);
     * not thread-safe.
     */
    interface BatchState {
        /** @return every stream's hidden state, {@code [capacity][stride]} row-major, live */
        float[] h();

        /** @return every stream's cell state, {@code [capacity][stride]} row-major, live */
        float[] c();

        /** @return the floats per stream in {@link #h()} and {@link #c()}, {@code >= H} */
        int stride();

        /** @return the most streams one step advances */
        int capacity();

        /** @return the (stream, unit) updates of the last step: the open units summed over its streams */
        long lastUpdatedUnits();
    }

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
