package org.plstm;

/**
 * The configuration of one Phased LSTM layer (Neil, Pfeiffer &amp; Liu 2016). Immutable; build one with
 * {@link #builder(int, int)}.
 *
 * <p>Dimension letters: {@code I} input features ({@link #inputSize()}), {@code H} hidden units
 * ({@link #hiddenSize()}).
 *
 * @param inputSize    {@code I}, input features per step, {@code >= 1}
 * @param hiddenSize   {@code H}, hidden units, {@code >= 1}
 * @param peepholes    whether the diagonal peephole weights {@code peephole [3][H]} (for {@code i, f, o}) are
 *                     used (paper eq. 2-6 use them; Keras' plain LSTM does not); default {@code false}
 * @param gateActivation activation of the {@code i, f, o} gates; default {@link GateActivation#SIGMOID}
 * @param timeGate     whether the time gate {@code k} is used (default {@code true}); {@code false} makes the
 *                     layer a plain LSTM ({@code k = 1} at every step), the baseline
 * @param leak         the leak {@code alpha} of a closed time gate in {@link Mode#TRAINING} (paper eq. 11),
 *                     in {@code [0, 1]}; default {@code 0.001}. {@link Mode#INFERENCE} always uses 0.
 * @param trainPeriod  whether {@code period} receives gradients (default {@code true})
 * @param trainShift   whether {@code shift} receives gradients (default {@code true})
 * @param trainRatioOn whether {@code ratioOn} receives gradients (default {@code true})
 */
public record PhasedLstmConfig(int inputSize, int hiddenSize, boolean peepholes, GateActivation gateActivation,
                               boolean timeGate, double leak, boolean trainPeriod, boolean trainShift,
                               boolean trainRatioOn) {

    /** The default training leak {@code alpha} (paper section 3.1). */
    public static final double DEFAULT_LEAK = 0.001;

    /**
     * Validates the configuration.
     *
     * @throws IllegalArgumentException if a size is below 1, the weights ({@code kernel [I][4H]},
     *     {@code recurrentKernel [H][4H]}, and both together as the SIMD engine packs them, each padded by up to 16
     *     units) would not fit in a Java array, {@code gateActivation} is null or
     *     {@code leak} is not in {@code [0, 1]}
     */
    public PhasedLstmConfig {
        Check.atLeast("inputSize", inputSize, 1);
        Check.atLeast("hiddenSize", hiddenSize, 1);
        // The SIMD engine pads H to its vector lanes (at most 16 more): leave room for that too.
        Check.elements("hiddenSize (recurrentKernel [H][4H], padded)", hiddenSize + 16L, 4, hiddenSize + 16L);
        Check.elements("inputSize (kernel [I][4H], padded)", inputSize, 4, hiddenSize + 16L);
        // The SIMD engine packs both matrices into one array, [I+H][4H] padded.
        Check.elements("inputSize + hiddenSize (packed weights [I+H][4H], padded)", inputSize + hiddenSize + 16L, 4,
                hiddenSize + 16L);
        Check.notNull("gateActivation", gateActivation);
        if (!(leak >= 0.0 && leak <= 1.0)) {
            throw new IllegalArgumentException("leak: expected a value in [0, 1], got " + leak);
        }
    }

    /**
     * Starts a builder with the defaults listed on the record components.
     *
     * @param inputSize  {@code I}, {@code >= 1}
     * @param hiddenSize {@code H}, {@code >= 1}
     * @return a builder
     */
    public static Builder builder(int inputSize, int hiddenSize) {
        return new Builder(inputSize, hiddenSize);
    }

    /** @return a builder initialised from this configuration */
    public Builder toBuilder() {
        return new Builder(inputSize, hiddenSize).peepholes(peepholes).gateActivation(gateActivation)
                .timeGate(timeGate).leak(leak).trainPeriod(trainPeriod).trainShift(trainShift)
                .trainRatioOn(trainRatioOn);
    }

    /** @return {@code 4·H}, the width of the gate pre-activations {@code z} (blocks {@code i, f, g, o}) */
    public int gateWidth() {
        return 4 * hiddenSize;
    }

    /** Builder for {@link PhasedLstmConfig}; every setter returns {@code this}. */
    public static final class Builder {
        private final int inputSize;
        private final int hiddenSize;
        private boolean peepholes;
        private GateActivation gateActivation = GateActivation.SIGMOID;
        private boolean timeGate = true;
        private double leak = DEFAULT_LEAK;
        private boolean trainPeriod = true;
        private boolean trainShift = true;
        private boolean trainRatioOn = true;

        private Builder(int inputSize, int hiddenSize) {
            this.inputSize = inputSize;
            this.hiddenSize = hiddenSize;
        }

        /**
         * @param on use peepholes
         * @return this builder
         */
        public Builder peepholes(boolean on) {
            this.peepholes = on;
            return this;
        }

        /**
         * @param activation gate activation for {@code i, f, o}
         * @return this builder
         */
        public Builder gateActivation(GateActivation activation) {
            this.gateActivation = activation;
            return this;
        }

        /**
         * @param on use the time gate ({@code false}: plain LSTM)
         * @return this builder
         */
        public Builder timeGate(boolean on) {
            this.timeGate = on;
            return this;
        }

        /**
         * @param alpha training leak in {@code [0, 1]}
         * @return this builder
         */
        public Builder leak(double alpha) {
            this.leak = alpha;
            return this;
        }

        /**
         * @param on whether {@code period} is trained
         * @return this builder
         */
        public Builder trainPeriod(boolean on) {
            this.trainPeriod = on;
            return this;
        }

        /**
         * @param on whether {@code shift} is trained
         * @return this builder
         */
        public Builder trainShift(boolean on) {
            this.trainShift = on;
            return this;
        }

        /**
         * @param on whether {@code ratioOn} is trained
         * @return this builder
         */
        public Builder trainRatioOn(boolean on) {
            this.trainRatioOn = on;
            return this;
        }

        /**
         * @return the configuration
         * @throws IllegalArgumentException as {@link PhasedLstmConfig}'s constructor
         */
        public PhasedLstmConfig build() {
            return new PhasedLstmConfig(inputSize, hiddenSize, peepholes, gateActivation, timeGate, leak,
                    trainPeriod, trainShift, trainRatioOn);
        }
    }
}
