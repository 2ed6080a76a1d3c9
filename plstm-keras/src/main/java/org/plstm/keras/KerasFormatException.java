package org.plstm.keras;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file given to {@link KerasImport} is not a Keras model it can import: not HDF5, not written by Keras, a layer
 * plstm does not implement, a weight of the wrong shape, invalid values. The message names the file and the problem;
 * each of the two is cut to its first 1,000 characters (with the count of those left out), so that a hostile file
 * (a layer or weight name of megabytes) cannot produce a message of megabytes.
 */
public final class KerasFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param file    the file
     * @param problem what is wrong
     */
    public KerasFormatException(Path file, String problem) {
        super(cap(String.valueOf(file)) + ": " + cap(problem));
    }

    /**
     * @param file    the file
     * @param problem what is wrong
     * @param cause   the underlying error
     */
    public KerasFormatException(Path file, String problem, Throwable cause) {
        super(cap(String.valueOf(file)) + ": " + cap(problem), cause);
    }

    /** Longest part of a message kept whole. */
    static final int MAX_PART = 1_000;

    /** The text, or its first {@value #MAX_PART} characters and the count of those left out. */
    static String cap(String text) {
        if (text == null || text.length() <= MAX_PART) {
            return text;
        }
        return text.substring(0, MAX_PART) + "... (" + (text.length() - MAX_PART) + " more characters)";
    }
}
