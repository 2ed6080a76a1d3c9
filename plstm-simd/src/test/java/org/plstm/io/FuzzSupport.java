package org.plstm.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * What the fuzz tests of this package share: scratch files (one per JVM and purpose, rewritten for each input, since
 * fuzzing runs millions) and plain checks.
 */
final class FuzzSupport {
    private FuzzSupport() {
    }

    /**
     * @param prefix the file name's start
     * @param suffix its extension, e.g. {@code .npz}
     * @return a new empty temporary file, deleted when the JVM exits
     * @throws UncheckedIOException if it cannot be created
     */
    static Path tempFile(String prefix, String suffix) {
        try {
            Path f = Files.createTempFile(prefix, suffix);
            f.toFile().deleteOnExit();
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Fails with {@code name}, the value and its flat index at the first element that is NaN or infinite.
     *
     * @param name what the array is, for the message
     * @param a    the values
     */
    static void checkFinite(String name, float[] a) {
        for (int i = 0; i < a.length; i++) {
            if (!Float.isFinite(a[i])) {
                int index = i;
                check(false, () -> name + " holds " + a[index] + " at flat index " + index);
            }
        }
    }

    /**
     * A plain check: assertion libraries are slow in a loop of millions of inputs.
     *
     * @param condition what must hold
     * @param message   the failure's message, built only on failure
     */
    static void check(boolean condition, Supplier<String> message) {
        if (!condition) {
            throw new AssertionError(message.get());
        }
    }
}
