package org.plstm;

/**
 * Whether a forward pass trains or infers. The arithmetic differs only in the leak {@code alpha} of the time gate
 * while it is closed (docs/MODEL.md, paper eq. 11): {@link #TRAINING} uses the configured leak
 * ({@link PhasedLstmConfig#leak()}, 0.001 by default) so that gradients reach closed units;
 * {@link #INFERENCE} uses {@code alpha = 0}, the paper's setting, under which a closed unit keeps
 * {@code c} and {@code h} exactly; {@link #LEAKY_INFERENCE} infers with the configured leak, as Keras' {@code
 * predict} does. An engine may keep what a backward pass needs (gate caches) only after a {@link #TRAINING} pass; a
 * backward after an inference pass differentiates that pass, with its leak.
 */
public enum Mode {
    /** Leak {@code alpha = config.leak()} while the gate is closed; the engine keeps the backward's caches. */
    TRAINING,
    /** Leak {@code alpha = 0}: a closed unit copies its state bitwise. */
    INFERENCE,
    /**
     * Leak {@code alpha = config.leak()}, as {@link #TRAINING} (the same values), without the backward's caches:
     * inference as Keras' PhasedLSTM layer computes it.
     */
    LEAKY_INFERENCE;

    /**
     * @param config the layer configuration
     * @return the leak {@code alpha} this mode uses with {@code config}: 0 for {@link #INFERENCE}, else
     *     {@code config.leak()}
     */
    public double alpha(PhasedLstmConfig config) {
        return this == INFERENCE ? 0.0 : config.leak();
    }
}
