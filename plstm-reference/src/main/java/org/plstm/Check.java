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
     * Requires a non-null array shaped {@code [d1=n1]}, i.e. of exactly {@code n1} elements. The message's shape is
     * only formatted on failure, so a passing check allocates nothing.
     *
     * @param name  argument name used in the message
     * @param array the array
     * @param d1    dimension letter, e.g. {@code "B"}
     * @param n1    its size
     * @throws IllegalArgumentException if {@code array} is null or has another length
     */
    public static void length(String name, float[] array, String d1, int n1) {
        lengthOf(name, "float", array == null ? -1 : array.length, d1, n1, null, 1, null, 1);
    }

    /**
     * Requires a non-null array shaped {@code [d1=n1][d2=n2]} (row-major, {@code n1·n2} elements).
     *
     * @param name  argument name used in the message
     * @param array the array
     * @param d1    first dimension letter
     * @param n1    its size
     * @param d2    second dimension letter
     * @param n2    its size
     * @throws IllegalArgumentException if {@code array} is null or has another length
     */
    public static void length(String name, float[] array, String d1, int n1, String d2, int n2) {
        lengthOf(name, "float", array == null ? -1 : array.length, d1, n1, d2, n2, null, 1);
    }

    /**
     * Requires a non-null array shaped {@code [d1=n1][d2=n2][d3=n3]} (row-major).
     *
     * @param name  argument name used in the message
     * @param array the array
     * @param d1    first dimension letter
     * @param n1    its size
     * @param d2    second dimension letter
     * @param n2    its size
     * @param d3    third dimension letter
     * @param n3    its size
     * @throws IllegalArgumentException if {@code array} is null or has another length
     */
    public static void length(String name, float[] array, String d1, int n1, String d2, int n2, String d3, int n3) {
        lengthOf(name, "float", array == null ? -1 : array.length, d1, n1, d2, n2, d3, n3);
    }

    /**
     * Double-array variant of {@link #length(String, float[], String, int)}.
     *
     * @param name  argument name used in the message
     * @param array the array
     * @param d1    dimension letter
     * @param n1    its size
     * @throws IllegalArgumentException if {@code array} is null or has another length
     */
    public static void length(String name, double[] array, String d1, int n1) {
        lengthOf(name, "double", array == null ? -1 : array.length, d1, n1, null, 1, null, 1);
    }

    /**
     * Double-array variant of {@link #length(String, float[], String, int, String, int)}.
     *
     * @param name  argument name used in the message
     * @param array the array
     * @param d1    first dimension letter
     * @param n1    its size
     * @param d2    second dimension letter
     * @param n2    its size
     * @throws IllegalArgumentException if {@code array} is null or has another length
     */
    public static void length(String name, double[] array, String d1, int n1, String d2, int n2) {
        lengthOf(name, "double", array == null ? -1 : array.length, d1, n1, d2, n2, null, 1);
    }

    /**
     * Double-array variant of {@link #length(String, float[], String, int, String, int, String, int)}.
     *
     * @param name  argument name used in the message
     * @param array the array
     * @param d1    first dimension letter
     * @param n1    its size
     * @param d2    second dimension letter
     * @param n2    its size
     * @param d3    third dimension letter
     * @param n3    its size
     * @throws IllegalArgumentException if {@code array} is null or has another length
     */
    public static void length(String name, double[] array, String d1, int n1, String d2, int n2, String d3, int n3) {
        lengthOf(name, "double", array == null ? -1 : array.length, d1, n1, d2, n2, d3, n3);
    }

    /**
     * Int-array variant of {@link #length(String, float[], String, int)}.
     *
     * @param name  argument name used in the message
     * @param array the array
     * @param d1    dimension letter
     * @param n1    its size
     * @throws IllegalArgumentException if {@code array} is null or has another length
     */
    public static void length(String name, int[] array, String d1, int n1) {
        lengthOf(name, "int", array == null ? -1 : array.length, d1, n1, null, 1, null, 1);
    }

    private static void lengthOf(String name, String type, int actual, String d1, int n1, String d2, int n2,
                                 String d3, int n3) {
        long expected = (long) n1 * n2 * n3;
        if (actual == expected) {
            return;
        }
        String shape = d2 == null ? shape(d1, n1) : d3 == null ? shape(d1, n1, d2, n2) : shape(d1, n1, d2, n2, d3, n3);
        if (actual < 0) {
            throw new IllegalArgumentException(name + ": expected " + article(type) + " " + type + " array of " + shape
                    + " = " + expected + " elements, got null");
        }
        throw new IllegalArgumentException(name + ": expected length " + expected + " " + shape + ", got " + actual);
    }

    private static String article(String type) {
        return type.equals("int") ? "an" : "a";
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
     * Requires sequence lengths shaped {@code [B]} with every value in {@code [0, T]} (a length of 0 is a sample with
     * no valid step).
     *
     * @param lengths the lengths, {@code [B]}
     * @param batch   {@code B}
     * @param steps   {@code T}
     * @throws IllegalArgumentException if {@code lengths} is null, has another length, or holds a value outside
     *                                  {@code [0, T]} (the message names the first such sample)
     */
    public static void lengths(int[] lengths, int batch, int steps) {
        length("lengths", lengths, "B", batch);
        for (int b = 0; b < batch; b++) {
            if (lengths[b] < 0 || lengths[b] > steps) {
                throw new IllegalArgumentException("lengths: expected values in [0, T=" + steps + "], got "
                        + lengths[b] + " at sample " + b);
            }
        }
    }

    /**
     * Requires class labels shaped {@code [B]} with every value in {@code [0, C)}.
     *
     * @param labels  the labels, {@code [B]}
     * @param batch   {@code B}
     * @param classes {@code C}
     * @throws IllegalArgumentException if {@code labels} is null, has another length, or holds a value outside
     *                                  {@code [0, C)} (the message names the first such sample)
     */
    public static void labels(int[] labels, int batch, int classes) {
        length("labels", labels, "B", batch);
        for (int b = 0; b < batch; b++) {
            if (labels[b] < 0 || labels[b] >= classes) {
                throw new IllegalArgumentException("labels: expected values in [0, C=" + classes + "), got "
                        + labels[b] + " at sample " + b);
            }
        }
    }

    /**
     * Requires the number of elements of an array shaped {@code [n1][n2][n3]} (all {@code >= 0}; {@code long} so
     * that a caller can pass {@code T + 1} or a padded size without wrapping) to fit in a Java array.
     *
     * @param name the array's name used in the message
     * @param n1   first dimension
     * @param n2   second dimension
     * @param n3   third dimension
     * @return {@code n1·n2·n3}
     * @throws IllegalArgumentException if the product exceeds {@link Integer#MAX_VALUE}
     */
    public static int elements(String name, long n1, long n2, long n3) {
        long n;
        try {
            n = Math.multiplyExact(Math.multiplyExact(n1, n2), n3);
        } catch (ArithmeticException overflow) {
            n = Long.MAX_VALUE;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": expected at most " + Integer.MAX_VALUE + " elements, got "
                    + n1 + "·" + n2 + "·" + n3);
        }
        return (int) n;
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
     * Requires a non-null list of non-null elements.
     *
     * @param name argument name used in the message ({@code name[i]} for an element)
     * @param list the list
     * @param <L>  its type
     * @return {@code list}
     * @throws IllegalArgumentException if {@code list} or an element is null ({@code "name[i]: expected a value, got
     *     null"})
     */
    public static <L extends java.util.List<?>> L noNulls(String name, L list) {
        notNull(name, list);
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null) { // the element's name is built only here: lists may hold every sequence
                notNull(name + "[" + i + "]", null);
            }
        }
        return list;
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
     * Requires that an array the call writes is none of the arrays it reads: an engine writes its outputs while it
     * still reads its inputs, so an output that aliases an input would give a wrong result (and one engine's wrong
     * result, not the other's).
     *
     * @param name   the written argument, e.g. {@code out}
     * @param output the written array, or null (nothing to check)
     * @param others alternating names and arrays it must differ from (null arrays are skipped)
     * @throws IllegalArgumentException if {@code output} is the same array as one of {@code others}
     */
    public static void distinct(String name, Object output, Object... others) {
        if (output == null) {
            return;
        }
        for (int i = 0; i < others.length; i += 2) {
            if (others[i + 1] == output) {
                throw new IllegalArgumentException(name + ": expected an array of its own, got the same array as "
                        + others[i] + " (the call writes " + name + " while it reads " + others[i] + ")");
            }
        }
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
