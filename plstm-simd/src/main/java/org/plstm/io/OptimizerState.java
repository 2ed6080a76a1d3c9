package org.plstm.io;

import java.util.List;
import java.util.Locale;
import org.plstm.Check;

/**
 * The optimiser part of a checkpoint, as data: which optimiser, its learning rate and step count, and its state
 * arrays (tensor-major: for each trainable tensor of {@link ModelWeights#trainableTensors()}, its slots in the
 * optimiser's order). {@code org.plstm.optim.Optimizer} turns it into an optimiser and back.
 *
 * @param name         {@code rmsprop}, {@code adam} or {@code sgd}
 * @param learningRate the learning rate, in float's positive range
 *                     ({@link org.plstm.optim.Optimizer#validLearningRate})
 * @param iterations   steps taken, {@code >= 0}
 * @param slots        the state arrays (empty before the first step)
 */
public record OptimizerState(String name, double learningRate, long iterations, List<float[]> slots) {
    /**
     * @throws IllegalArgumentException if {@code name} is not a known optimiser, the learning rate is not in
     *     {@code [Float.MIN_VALUE, Float.MAX_VALUE]}, {@code iterations < 0}, or {@code slots} is null
     */
    public OptimizerState {
        Check.notNull("name", name);
        name = name.toLowerCase(Locale.ROOT);
        if (slotNames(name) == null) {
            throw new IllegalArgumentException("name: expected rmsprop, adam or sgd, got " + name);
        }
        if (!org.plstm.optim.Optimizer.validLearningRate(learningRate)) {
            throw new IllegalArgumentException("learningRate: expected a value in "
                    + org.plstm.optim.Optimizer.LEARNING_RATES + ", got " + learningRate);
        }
        if (iterations < 0) {
            throw new IllegalArgumentException("iterations: expected >= 0, got " + iterations);
        }
        slots = List.copyOf(Check.notNull("slots", slots));
    }

    /**
     * @param optimizer an optimiser name
     * @return the names of its slots per tensor in state order ({@code [rms]}, {@code [m, v]}, {@code []}), or null
     *     for an unknown optimiser
     */
    public static List<String> slotNames(String optimizer) {
        return switch (optimizer.toLowerCase(Locale.ROOT)) {
            case "rmsprop" -> List.of("rms");
            case "adam" -> List.of("m", "v");
            case "sgd" -> List.of();
            default -> null;
        };
    }

    /**
     * @param slot a slot name of {@link #slotNames}
     * @return true if the slot is a running mean of squared gradients, which is never negative ({@code rms},
     *     {@code v})
     */
    public static boolean nonNegative(String slot) {
        return slot.equals("rms") || slot.equals("v");
    }
}
