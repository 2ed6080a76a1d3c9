package org.plstm.mnist.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * How a 28x28 image becomes a sequence. Both layouts read the pixels in the same row-major order, so the flat input
 * {@code x [B][T][I]} is the same; only {@code T} and {@code I} differ. Timestamps are {@code 1..T}.
 */
public enum Layout {
    /** 784 steps of 1 pixel, timestamps 1..784 (the Keras seed's sequential MNIST). */
    PIXEL(784, 1),
    /** 28 steps of one 28-pixel row, timestamps 1..28 (28 times fewer steps: quick runs and tests). */
    ROW(28, 28);

    private final int steps;
    private final int inputSize;

    Layout(int steps, int inputSize) {
        this.steps = steps;
        this.inputSize = inputSize;
    }

    /** @return {@code T}, steps per image */
    public int steps() {
        return steps;
    }

    /** @return {@code I}, features per step */
    public int inputSize() {
        return inputSize;
    }

    /** @return the lowercase spelling, {@code pixel} or {@code row} */
    @JsonValue
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param s {@code pixel} or {@code row}, case-insensitive
     * @return the constant
     * @throws IllegalArgumentException on any other value
     */
    @JsonCreator
    public static Layout parse(String s) {
        if (s != null) {
            for (Layout l : values()) {
                if (l.toString().equalsIgnoreCase(s.trim())) {
                    return l;
                }
            }
        }
        throw new IllegalArgumentException("layout: expected pixel or row, got " + s);
    }

    /**
     * @param inputSize {@code I} of a model
     * @return the layout with that input size
     * @throws IllegalArgumentException if none has it
     */
    public static Layout forInputSize(int inputSize) {
        for (Layout l : values()) {
            if (l.inputSize == inputSize) {
                return l;
            }
        }
        throw new IllegalArgumentException("inputSize: expected 1 (pixel) or 28 (row), got " + inputSize);
    }
}
