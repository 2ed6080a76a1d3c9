package org.plstm;

import java.util.Arrays;

/**
 * A named view of one parameter (or gradient) array: its name, its logical shape and the live row-major
 * storage. Used to walk all tensors of a layer generically (optimisers, clipping, checkpoints).
 *
 * @param name  the tensor's name, e.g. {@code kernel}, {@code recurrentKernel}, {@code period}
 * @param shape the logical shape, row-major; the product equals {@code data.length}
 * @param data  the live storage (not a copy)
 */
public record Tensor(String name, int[] shape, float[] data) {
    /**
     * @throws IllegalArgumentException if the shape's product differs from {@code data.length}
     */
    public Tensor {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException(name + ": expected " + n + " elements for shape "
                    + Arrays.toString(shape) + ", got " + data.length);
        }
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
