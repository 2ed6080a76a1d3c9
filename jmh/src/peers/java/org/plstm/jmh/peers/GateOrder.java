package org.plstm.jmh.peers;

/**
 * The order in which an LSTM implementation stacks its four gate blocks along the {@code 4H} axis of its
 * weights and bias, and the permutation from ours.
 *
 * <p>Ours is the Keras order {@code i, f, g, o} ({@code g} is the candidate {@code tanh} block that Keras calls
 * {@code c}, TF {@code ci} or {@code cs}, DL4J the "block input"). Each constant lists, for each of the peer's
 * blocks in the peer's order, which of our blocks ({@code 0 = i, 1 = f, 2 = g, 3 = o}) it holds.
 */
public enum GateOrder {
    /** Keras, ours, and TF {@code BlockLSTMV2} ({@code IFCO}): {@code i, f, g, o}. */
    IFGO(0, 1, 2, 3),
    /** ONNX {@code LSTM} ({@code W, R, B} stack {@code i, o, f, c}). */
    IOFG(0, 3, 1, 2),
    /** TF {@code BlockLSTM} (V1) and {@code LSTMBlockCell} ({@code ICFO}): {@code i, ci, f, o}. */
    IGFO(0, 2, 1, 3),
    /** DL4J {@code LSTM}/{@code GravesLSTM}: block input {@code g}, forget, output, input ("input modulation"). */
    GFOI(2, 1, 3, 0);

    private final int[] fromOurs;

    GateOrder(int... fromOurs) {
        this.fromOurs = fromOurs;
    }

    /**
     * @param peerBlock a block index in the peer's order, 0..3
     * @return the index of the same gate in our order {@code i, f, g, o}
     */
    public int ourBlock(int peerBlock) {
        return fromOurs[peerBlock];
    }

    /**
     * Rearranges the column blocks of a row-major {@code [rows][4H]} matrix from our order to this order.
     *
     * @param ours   {@code [rows][4H]} in our order
     * @param rows   number of rows
     * @param hidden {@code H}
     * @return a new {@code [rows][4H]} array in this order
     */
    public float[] fromOurs(float[] ours, int rows, int hidden) {
        float[] out = new float[ours.length];
        int g4 = 4 * hidden;
        for (int r = 0; r < rows; r++) {
            for (int pb = 0; pb < 4; pb++) {
                System.arraycopy(ours, r * g4 + fromOurs[pb] * hidden, out, r * g4 + pb * hidden, hidden);
            }
        }
        return out;
    }

    /**
     * The inverse of {@link #fromOurs(float[], int, int)}: from this order back to ours.
     *
     * @param peer   {@code [rows][4H]} in this order
     * @param rows   number of rows
     * @param hidden {@code H}
     * @return a new {@code [rows][4H]} array in our order
     */
    public float[] toOurs(float[] peer, int rows, int hidden) {
        float[] out = new float[peer.length];
        int g4 = 4 * hidden;
        for (int r = 0; r < rows; r++) {
            for (int pb = 0; pb < 4; pb++) {
                System.arraycopy(peer, r * g4 + pb * hidden, out, r * g4 + fromOurs[pb] * hidden, hidden);
            }
        }
        return out;
    }
}
