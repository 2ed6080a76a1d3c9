package org.plstm.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The fuzz tests' scratch files: one per JVM and purpose, rewritten for each input (fuzzing runs millions). */
final class FuzzFiles {
    private FuzzFiles() {
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
}
