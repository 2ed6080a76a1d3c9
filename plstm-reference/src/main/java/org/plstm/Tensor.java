package org.plstm;

import java.util.Arrays;

/**
 * A named view of one parameter (or gradient) array: its name, its logical shape and the live row-major
 * storage. Used to walk all tensors of a layer generically (optimisers, clipping, checkpoints).
 *
 * @param name  the tensor's name, e.g. {@code kernel}, {@code recurrentKernel}, {@code period}; may be null (an
 *              optimiser then treats the tensor as unnamed)
 * @param shape the logical shape, row-major, every dimension {@code >= 0}; the product equals {@code data.length}
 *              (copied at construction: later changes to the caller's array do not reach the tensor)
 * @param data  the live storage (not a copy)
 */
public record Tensor(String name, int[] shape, float[] data) {
    /**
     * Checks the shape against the data and copies the shape (the data stays live).
     *
     * @throws IllegalArgumentException if {@code shape} or {@code data} is null, a dimension is
     *     negative, or the shape's product differs from {@code data.length}
     */
    public Tensor {
        Check.notNull(name + ".shape", shape);
        Check.notNull(name + ".data", data);
        shape = shape.clone(); // the caller's array may change later; the check below must stay true
        boolean empty = false;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0) {
                throw new IllegalArgumentException(name + ": expected dimensions >= 0, got " + shape[d]
                        + " at dimension " + d + " of shape " + Arrays.toString(shape));
            }
            empty |= shape[d] == 0;
        }
        long n = 1;
        for (int d = 0; d < shape.length && !empty; d++) {
            n *= shape[d];
            if (n > Integer.MAX_VALUE) { // no array is this long; stop before the product wraps
                throw new IllegalArgumentException(name + ": expected more than " + Integer.MAX_VALUE
                        + " elements for shape " + Arrays.toString(shape) + ", got " + data.length);
            }
        }
        if (empty) {
            n = 0;
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
