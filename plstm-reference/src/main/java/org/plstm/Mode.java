package org.plstm;

/**
 * Whether a forward pass trains or infers. The only difference is the leak {@code alpha} of the time gate
 * while it is closed (docs/MODEL.md, paper eq. 11): {@link #TRAINING} uses the configured leak
 * ({@link PhasedLstmConfig#leak()}, 0.001 by default) so that gradients reach closed units;
 * {@link #INFERENCE} uses {@code alpha = 0}, the paper's setting, under which a closed unit keeps
 * {@code c} and {@code h} exactly.
 */
public enum Mode {
    /** Leak {@code alpha = config.leak()} while the gate is closed. */
    TRAINING,
    /** Leak {@code alpha = 0}: a closed unit copies its state bitwise. */
    INFERENCE;

    /**
     * @param config the layer configuration
     * @return the leak {@code alpha} this mode uses with {@code config}
     */
    public double alpha(PhasedLstmConfig config) {
        return this == TRAINING ? config.leak() : 0.0;
    }
}
