package org.plstm.inference;

import org.plstm.Check;

/**
 * The checks of a session's state as arrays, {@code [depth][H_k]} per layer, shared by {@link StreamSession} and
 * {@link SessionBatch}. They run per event in a stream processor, so nothing is allocated unless one fails (the
 * message is built only then).
 */
final class StateArrays {
    private StateArrays() {
    }

    /**
     * Requires {@code a} shaped {@code [depth][H_k]}.
     *
     * @throws IllegalArgumentException naming {@code name}, the expected and the actual shape
     */
    static void checkShape(String name, float[][] a, int[] hiddenSizes) {
        Check.notNull(name, a);
        if (a.length != hiddenSizes.length) {
            throw new IllegalArgumentException(name + ": expected " + hiddenSizes.length + " layers, got "
                    + a.length);
        }
        for (int k = 0; k < hiddenSizes.length; k++) {
            if (a[k] == null || a[k].length != hiddenSizes[k]) {
                Check.length(name + "[" + k + "]", a[k], "H", hiddenSizes[k]); // throws, with the usual message
            }
        }
    }

    /**
     * Requires the receiving arrays {@code h} and {@code c} (shapes already checked) to share no layer array: a call
     * that writes both would leave {@code c} where {@code h} should be.
     *
     * @throws IllegalArgumentException naming the first layer they share
     */
    static void checkDistinct(float[][] h, float[][] c) {
        for (int k = 0; k < h.length; k++) {
            if (h[k] == c[k]) {
                throw new IllegalArgumentException("c: expected arrays of its own, got the same array as h at layer "
                        + k + " (the call writes both)");
            }
        }
    }

    /**
     * Requires a {@link SessionState} of the model's layer sizes ({@code c}'s sizes are {@code h}'s by construction).
     *
     * @throws IllegalArgumentException if {@code state} is null or its layer count or a layer's size differs
     */
    static void checkState(SessionState state, int[] hiddenSizes) {
        Check.notNull("state", state);
        float[][] h = state.h();
        if (h.length != hiddenSizes.length) {
            throw new IllegalArgumentException("state: expected " + hiddenSizes.length + " layers, got " + h.length);
        }
        for (int k = 0; k < hiddenSizes.length; k++) {
            if (h[k].length != hiddenSizes[k]) {
                throw new IllegalArgumentException("state: expected layer " + k + " of " + hiddenSizes[k]
                        + " units, got " + h[k].length);
            }
        }
    }

    /**
     * Requires every value of every layer finite.
     *
     * @throws IllegalArgumentException naming {@code name[layer]} and the first offending index
     */
    static void checkFinite(String name, float[][] a) {
        for (int k = 0; k < a.length; k++) {
            for (float v : a[k]) {
                if (!Float.isFinite(v)) {
                    Check.finite(name + "[" + k + "]", a[k]); // throws, naming the first offending index
                }
            }
        }
    }
}
