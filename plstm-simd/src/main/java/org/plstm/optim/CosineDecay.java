package org.plstm.optim;

/**
 * A learning-rate schedule that follows half a cosine from the initial rate down to {@code alpha} times it over
 * {@code decaySteps} optimiser steps, then stays there (Keras {@code keras.optimizers.schedules.CosineDecay} without
 * warm-up; Loshchilov &amp; Hutter, "SGDR", ICLR 2017, equation 5 with one cycle):
 *
 * <pre>
 * rate(step) = initial · ((1 − alpha) · ½ · (1 + cos(π · min(step, decaySteps) / decaySteps)) + alpha)
 * </pre>
 *
 * <p>{@code step} is the optimiser's {@link Optimizer#iterations()} before the update, so the first update uses the
 * initial rate. Apply it with {@link #applyTo(Optimizer)} before every {@link Optimizer#step}: the rate is a pure
 * function of the step count, so a run resumed from a checkpoint (which restores the step count) continues on the
 * same curve, bit for bit. Immutable and thread-safe.
 *
 * @param initial    the rate of step 0, in float's positive range ({@link org.plstm.optim.Optimizer#validLearningRate})
 * @param decaySteps the steps over which the rate decays, {@code >= 1}
 * @param alpha      the final rate as a fraction of {@code initial}, in {@code [0, 1]}; Keras' default is 0 (the rate
 *                   never reaches exactly 0 before {@code decaySteps}; at and after it, 0 is replaced by the smallest
 *                   positive float, {@link Float#MIN_VALUE}, since optimisers refuse a rate that is 0 in float)
 */
public record CosineDecay(double initial, long decaySteps, double alpha) {

    /**
     * Validates the arguments.
     *
     * @throws IllegalArgumentException naming the argument, the expected range and the value
     */
    public CosineDecay {
        if (!Optimizer.validLearningRate(initial)) {
            throw new IllegalArgumentException("initial: expected a learning rate in " + Optimizer.LEARNING_RATES
                    + ", got " + initial);
        }
        if (decaySteps < 1) {
            throw new IllegalArgumentException("decaySteps: expected >= 1, got " + decaySteps);
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha: expected a fraction in [0, 1], got " + alpha);
        }
    }

    /**
     * @param step optimiser steps taken so far, {@code >= 0}
     * @return the learning rate of the next step, {@code > 0}
     * @throws IllegalArgumentException if {@code step < 0}
     */
    public double rate(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step: expected >= 0, got " + step);
        }
        double progress = (double) Math.min(step, decaySteps) / decaySteps;
        double decayed = (1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * progress)) + alpha;
        return Math.max(initial * decayed, Float.MIN_VALUE);
    }

    /**
     * Sets the optimiser's learning rate for its next step: {@code rate(optimizer.iterations())}.
     *
     * @param optimizer the optimiser to update
     * @throws IllegalArgumentException if it is null
     */
    public void applyTo(Optimizer optimizer) {
        if (optimizer == null) {
            throw new IllegalArgumentException("optimizer: expected an optimizer, got null");
        }
        optimizer.setLearningRate(rate(optimizer.iterations()));
    }
}
