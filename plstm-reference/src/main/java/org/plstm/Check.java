package org.plstm;

/**
 * Argument validation shared by every public entry point of plstm. Each check throws
 * {@link IllegalArgumentException} with a message of the form
 * {@code "<argument>: expected <what>, got <what was found>"}, so that a caller sees which argument was wrong,
 * what was expected and what was found. Kernels behind a validated boundary do not check again.
 */
public final class Check {
    private Check() {
    }

    /**
     * Requires a non-null array of exactly {@code expected} elements.
     *
     * @param name argument name used in the message
     * @param array the array
     * @param expected the required length
     * @param shape a human-readable shape, e.g. {@code "[B=2][T=3][I=4]"}
     * @throws IllegalArgumentException if {@code array} is null or has another length
     */
    public static void length(String name, float[] array, int expected, String shape) {
        if (array == null) {
            throw new IllegalArgumentException(name + ": expected a float array of " + shape + " = " + expected
                    + " elements, got null");
        }
        if (array.length != expected) {
            throw new IllegalArgumentException(name + ": expected length " + expected + " " + shape + ", got "
                    + array.length);
        }
    }

    /**
     * Double-array variant of {@link #length(String, float[], int, String)}.
     *
     * @param name argument name used in the message
     * @param array the array
     * @param expected the required length
     * @param shape a human-readable shape
     * @throws IllegalArgumentException if {@code array} is null or has another length
     */
    public static void length(String name, double[] array, int expected, String shape) {
        if (array == null) {
            throw new IllegalArgumentException(name + ": expected a double array of " + shape + " = " + expected
                    + " elements, got null");
        }
        if (array.length != expected) {
            throw new IllegalArgumentException(name + ": expected length " + expected + " " + shape + ", got "
                    + array.length);
        }
    }

    /**
     * Int-array variant of {@link #length(String, float[], int, String)}.
     *
     * @param name argument name used in the message
     * @param array the array
     * @param expected the required length
     * @param shape a human-readable shape
     * @throws IllegalArgumentException if {@code array} is null or has another length
     */
    public static void length(String name, int[] array, int expected, String shape) {
        if (array == null) {
            throw new IllegalArgumentException(name + ": expected an int array of " + shape + " = " + expected
                    + " elements, got null");
        }
        if (array.length != expected) {
            throw new IllegalArgumentException(name + ": expected length " + expected + " " + shape + ", got "
                    + array.length);
        }
    }

    /**
     * Requires every element to be finite (neither NaN nor ±Infinity).
     *
     * @param name argument name used in the message
     * @param array the array, already length-checked
     * @throws IllegalArgumentException naming the first offending flat index and value
     */
    public static void finite(String name, float[] array) {
        for (int n = 0; n < array.length; n++) {
            if (!Float.isFinite(array[n])) {
                throw new IllegalArgumentException(name + ": expected finite values, got " + array[n]
                        + " at flat index " + n);
            }
        }
    }

    /**
     * Requires every element to be finite (neither NaN nor ±Infinity).
     *
     * @param name argument name used in the message
     * @param array the array, already length-checked
     * @throws IllegalArgumentException naming the first offending flat index and value
     */
    public static void finite(String name, double[] array) {
        for (int n = 0; n < array.length; n++) {
            if (!Double.isFinite(array[n])) {
                throw new IllegalArgumentException(name + ": expected finite values, got " + array[n]
                        + " at flat index " + n);
            }
        }
    }

    /**
     * Requires {@code value >= min}.
     *
     * @param name argument name used in the message
     * @param value the value
     * @param min the smallest allowed value
     * @return {@code value}
     * @throws IllegalArgumentException if {@code value < min}
     */
    public static int atLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + ": expected >= " + min + ", got " + value);
        }
        return value;
    }

    /**
     * Requires a non-null argument.
     *
     * @param name argument name used in the message
     * @param value the value
     * @param <T> its type
     * @return {@code value}
     * @throws IllegalArgumentException if {@code value} is null
     */
    public static <T> T notNull(String name, T value) {
        if (value == null) {
            throw new IllegalArgumentException(name + ": expected a value, got null");
        }
        return value;
    }

    /**
     * Formats a shape such as {@code [B=2][H=8]} for messages.
     *
     * @param namesAndSizes alternating dimension letters and sizes, e.g. {@code "B", 2, "H", 8}
     * @return the formatted shape
     */
    public static String shape(Object... namesAndSizes) {
        StringBuilder sb = new StringBuilder();
        for (int n = 0; n + 1 < namesAndSizes.length; n += 2) {
            sb.append('[').append(namesAndSizes[n]).append('=').append(namesAndSizes[n + 1]).append(']');
        }
        return sb.toString();
    }
}
