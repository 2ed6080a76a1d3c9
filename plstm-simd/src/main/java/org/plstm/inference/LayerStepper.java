package org.plstm.inference;

/** One layer's state and step function for one stream (SIMD or reference implementation). Not thread-safe. */
interface LayerStepper {
    /** Advances the layer by one event; {@code x} holds its {@code I} inputs from {@code xOff}. */
    void step(float[] x, int xOff, double t, boolean skip);

    /** @return the hidden state, at least {@code H} entries, live */
    float[] h();

    /** @return the cell state, at least {@code H} entries, live */
    float[] c();

    /** @return units updated by the last step */
    int lastUpdated();
}
