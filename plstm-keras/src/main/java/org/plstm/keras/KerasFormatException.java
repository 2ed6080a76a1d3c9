package org.plstm.keras;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file given to {@link KerasImport} is not a Keras model it can import: not HDF5, not written by Keras, a layer
 * plstm does not implement, a weight of the wrong shape, invalid values. The message names the file and the problem.
 */
public final class KerasFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param file    the file
     * @param problem what is wrong
     */
    public KerasFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    /**
     * @param file    the file
     * @param problem what is wrong
     * @param cause   the underlying error
     */
    public KerasFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
