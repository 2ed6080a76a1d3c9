package org.plstm;

/**
 * The activation of the input, forget and output gates ({@code i, f, o}); the candidate {@code g} and the
 * cell output always use {@code tanh}.
 *
 * <p>Source: Keras {@code recurrent_activation}. {@link #SIGMOID} is the paper's choice and the default;
 * {@link #HARD_SIGMOID} is what the Keras seed (fferroni/PhasedLSTM-Keras) used, in its Keras 2 form
 * {@code clip(0.2·x + 0.5, 0, 1)}.
 */
public enum GateActivation {
    /** Logistic sigmoid {@code 1 / (1 + exp(-x))}. Smooth everywhere. */
    SIGMOID,
    /**
     * Keras 2 {@code hard_sigmoid}: {@code clip(0.2·x + 0.5, 0, 1)}. Its derivative is 0.2 on
     * {@code -2.5 < x < 2.5} and 0 outside (kinks at {@code x = ±2.5}; at a kink the derivative is taken as 0).
     */
    HARD_SIGMOID;

    /**
     * Evaluates the activation in double precision (the reference's definition).
     *
     * @param x pre-activation, any finite value
     * @return the gate value in {@code [0, 1]}
     */
    public double apply(double x) {
        return switch (this) {
            case SIGMOID -> 1.0 / (1.0 + Math.exp(-x));
            case HARD_SIGMOID -> Math.min(1.0, Math.max(0.0, 0.2 * x + 0.5));
        };
    }

    /**
     * The derivative with respect to the pre-activation, expressed through the gate value
     * {@code y = apply(x)} (and {@code x} for the hard sigmoid).
     *
     * @param x the pre-activation
     * @param y the gate value {@code apply(x)}
     * @return {@code y·(1 − y)} for the sigmoid; {@code 0.2} strictly inside the linear part of the hard
     *     sigmoid and {@code 0} elsewhere
     */
    public double derivative(double x, double y) {
        return switch (this) {
            case SIGMOID -> y * (1.0 - y);
            case HARD_SIGMOID -> (x > -2.5 && x < 2.5) ? 0.2 : 0.0;
        };
    }

    /**
     * Parses the Keras spelling ({@code sigmoid}, {@code hard_sigmoid}), case-insensitive.
     *
     * @param name the activation name
     * @return the matching constant
     * @throws IllegalArgumentException if {@code name} is neither
     */
    public static GateActivation fromKerasName(String name) {
        if (name != null) {
            switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "sigmoid": return SIGMOID;
                case "hard_sigmoid": return HARD_SIGMOID;
                default: break;
            }
        }
        throw new IllegalArgumentException(
                "gateActivation: expected sigmoid or hard_sigmoid, got " + name);
    }

    /** @return the Keras spelling, {@code sigmoid} or {@code hard_sigmoid} */
    public String kerasName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
