package org.plstm;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Parameters (or a gradient buffer) of a dense layer {@code y = x·kernel + bias}, mapping {@code [B][H]} to
 * {@code [B][C]}. Keras layout: {@code kernel [H][C]} row-major, {@code bias [C]}. Arrays are live.
 */
public final class DenseParams {
    private final int inputSize;
    private final int outputSize;
    private final float[] kernel;
    private final float[] bias;

    /**
     * Allocates all-zero parameters.
     *
     * @param inputSize  {@code H}, {@code >= 1}
     * @param outputSize {@code C}, {@code >= 1}
     * @throws IllegalArgumentException if a size is below 1 or {@code kernel [H][C]} would not fit in a Java array
     */
    public DenseParams(int inputSize, int outputSize) {
        this.inputSize = Check.atLeast("inputSize", inputSize, 1);
        this.outputSize = Check.atLeast("outputSize", outputSize, 1);
        Check.elements("outputSize (kernel [H][C])", inputSize, outputSize, 1);
        this.kernel = new float[inputSize * outputSize];
        this.bias = new float[outputSize];
    }

    /**
     * Keras' Dense defaults: Glorot-uniform kernel, zero bias.
     *
     * @param inputSize  {@code H}
     * @param outputSize {@code C}
     * @param seed       generator seed (deterministic)
     * @return new parameters
     */
    public static DenseParams initialize(int inputSize, int outputSize, long seed) {
        DenseParams p = new DenseParams(inputSize, outputSize);
        Init.glorotUniform(p.kernel, inputSize, outputSize, new SplittableRandom(seed));
        return p;
    }

    /** @return {@code H}, the input width */
    public int inputSize() {
        return inputSize;
    }

    /** @return {@code C}, the output width */
    public int outputSize() {
        return outputSize;
    }

    /** @return {@code kernel [H][C]}, live */
    public float[] kernel() {
        return kernel;
    }

    /** @return {@code bias [C]}, live */
    public float[] bias() {
        return bias;
    }

    /** @return {@code kernel} and {@code bias} as live tensors */
    public List<Tensor> tensors() {
        return List.of(new Tensor("kernel", new int[] {inputSize, outputSize}, kernel),
                new Tensor("bias", new int[] {outputSize}, bias));
    }

    /** @return the tensors' names and shapes, e.g. {@code DenseParams[kernel[32, 10], bias[10]]} */
    @Override
    public String toString() {
        return "DenseParams" + tensors();
    }

    /** Sets every element to zero. */
    public void zero() {
        java.util.Arrays.fill(kernel, 0f);
        java.util.Arrays.fill(bias, 0f);
    }

    /** @return a deep copy */
    public DenseParams copy() {
        DenseParams c = new DenseParams(inputSize, outputSize);
        System.arraycopy(kernel, 0, c.kernel, 0, kernel.length);
        System.arraycopy(bias, 0, c.bias, 0, bias.length);
        return c;
    }

    /**
     * Requires the same sizes as this object.
     *
     * @param name  argument name for the message
     * @param other other parameters
     * @throws IllegalArgumentException if null or shaped differently
     */
    public void requireSameShape(String name, DenseParams other) {
        Check.notNull(name, other);
        if (other.inputSize != inputSize || other.outputSize != outputSize) {
            throw new IllegalArgumentException(name + ": expected dense [H=" + inputSize + "][C=" + outputSize
                    + "], got [H=" + other.inputSize + "][C=" + other.outputSize + "]");
        }
    }

    /**
     * @param name argument name used in messages
     * @throws IllegalArgumentException if any element is not finite
     */
    public void validate(String name) {
        for (float v : kernel) {
            if (!Float.isFinite(v)) {
                Check.finite(name + ".kernel", kernel);
            }
        }
        for (float v : bias) {
            if (!Float.isFinite(v)) {
                Check.finite(name + ".bias", bias);
            }
        }
    }
}
