package org.plstm;

/**
 * Buffers of one Phased LSTM layer for one {@code (B, T)} shape, made by {@link Engine#newWorkspace} and reused
 * across calls so that steady-state training and inference allocate nothing. It holds the outputs of the last
 * {@link Engine#forward forward} pass, the cache its {@link Engine#backward backward} pass needs, and the input
 * gradients backward writes. Arrays are live and overwritten by the next call.
 *
 * <p>A workspace belongs to the engine that made it and is not thread-safe: use one per thread (or per stream of
 * calls). The forward pass remembers the parameters and input it was given; backward differentiates with
 * respect to those, so do not change them in between: {@link Engine#backward} checks that their arrays still hold
 * the forward pass's values and throws {@link IllegalArgumentException} if not.
 */
public abstract class LayerWorkspace {
    private final PhasedLstmConfig config;
    private final int batch;
    private final int steps;
    private final float[] h;
    private final float[] hT;
    private final float[] cT;
    private final float[] dx;
    private final float[] dh0;
    private final float[] dc0;
    private boolean inputGradientsNeeded = true;
    private boolean hiddenSequenceNeeded = true;
    /** Set by a forward pass, read by backward. */
    PhasedLstmParams params;
    SequenceBatch input;
    Mode mode;
    /** {@link Fingerprint}s of the forward pass's {@code x}, {@code time}, {@code lengths} and parameters. */
    long xPrint;
    long timePrint;
    long lengthsPrint;
    long paramsPrint;

    /**
     * Allocates the public buffers.
     *
     * @param config layer configuration
     * @param batch  {@code B >= 1}
     * @param steps  {@code T >= 1}
     * @throws IllegalArgumentException on a null config, a size below 1, or a buffer ({@code [B][T][H]},
     *     {@code [B][T][I]}) larger than the largest Java array
     */
    protected LayerWorkspace(PhasedLstmConfig config, int batch, int steps) {
        this.config = Check.notNull("config", config);
        this.batch = Check.atLeast("batch", batch, 1);
        this.steps = Check.atLeast("steps", steps, 1);
        int hs = config.hiddenSize();
        this.h = new float[Check.elements("h", batch, steps, hs)];
        this.hT = new float[batch * hs];
        this.cT = new float[batch * hs];
        this.dx = new float[Check.elements("dx", batch, steps, config.inputSize())];
        this.dh0 = new float[batch * hs];
        this.dc0 = new float[batch * hs];
    }

    /** @return the layer configuration */
    public PhasedLstmConfig config() {
        return config;
    }

    /** @return {@code B} */
    public int batch() {
        return batch;
    }

    /** @return {@code T} */
    public int steps() {
        return steps;
    }

    /** @return the hidden sequence {@code h_t}, {@code [B][T][H]}, written by forward (see {@link #setHiddenSequenceNeeded}) */
    public float[] h() {
        return h;
    }

    /**
     * Whether {@link Engine#forward} must write {@link #h()}. Default {@code true}. Turn it off for a last layer of
     * which only {@link #hT()} is read (a classifier): the SIMD engine then skips that copy (and leaves {@code h()}
     * unspecified).
     *
     * @param needed false to skip the hidden sequence
     */
    public void setHiddenSequenceNeeded(boolean needed) {
        this.hiddenSequenceNeeded = needed;
    }

    /** @return whether forward writes {@link #h()} */
    public boolean hiddenSequenceNeeded() {
        return hiddenSequenceNeeded;
    }

    /**
     * Whether {@link Engine#backward} must write {@link #dx()}. Default {@code true}. Turn it off for a first layer
     * fed by data, whose input gradient nobody reads: the SIMD engine then skips that product (and leaves
     * {@code dx()} unspecified).
     *
     * @param needed false to skip {@code dL/dx}
     */
    public void setInputGradientsNeeded(boolean needed) {
        this.inputGradientsNeeded = needed;
    }

    /** @return whether backward writes {@link #dx()} */
    public boolean inputGradientsNeeded() {
        return inputGradientsNeeded;
    }

    /** @return the final hidden state {@code [B][H]} (after each sample's last valid step), written by forward */
    public float[] hT() {
        return hT;
    }

    /** @return the final cell state {@code [B][H]}, written by forward */
    public float[] cT() {
        return cT;
    }

    /** @return {@code dL/dx}, {@code [B][T][I]}, written by backward (zero at padded steps) */
    public float[] dx() {
        return dx;
    }

    /** @return {@code dL/dh0}, {@code [B][H]}, written by backward */
    public float[] dh0() {
        return dh0;
    }

    /** @return {@code dL/dc0}, {@code [B][H]}, written by backward */
    public float[] dc0() {
        return dc0;
    }

    /** @return the mode of the last forward pass, or {@code null} before the first */
    public Mode lastMode() {
        return mode;
    }
}
