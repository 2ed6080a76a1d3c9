package org.plstm.io;

import java.io.IOException;

/**
 * A safetensors file or a checkpoint in it is malformed or inconsistent: truncated, a header length out of range,
 * invalid JSON, an unsupported dtype, offsets outside the data or overlapping, a missing or misshapen tensor, an
 * invalid configuration, a failed integrity check. The message names the file and the problem; each of the two is
 * cut to its first 1,000 characters (with the count of those left out), so that a hostile header cannot produce a
 * message of megabytes.
 */
public final class CheckpointFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param file    the file (or another source description) that is malformed
     * @param problem what is wrong, e.g. {@code "header length 9999 exceeds the 120 bytes after the length field"}
     */
    public CheckpointFormatException(String file, String problem) {
        super(cap(file) + ": " + cap(problem));
    }

    /**
     * @param file    the file that is malformed
     * @param problem what is wrong
     * @param cause   the underlying error
     */
    public CheckpointFormatException(String file, String problem, Throwable cause) {
        super(cap(file) + ": " + cap(problem), cause);
    }

    /** Longest part of a message kept whole: a hostile file cannot make a message of megabytes. */
    static final int MAX_PART = 1_000;

    /**
     * @param text a part of a message (may be null)
     * @return the text, or its first {@value #MAX_PART} characters and the count of those left out
     */
    static String cap(String text) {
        if (text == null || text.length() <= MAX_PART) {
            return text;
        }
        return text.substring(0, MAX_PART) + "... (" + (text.length() - MAX_PART) + " more characters)";
    }
}
