package org.plstm.io;

import java.io.IOException;

/**
 * A safetensors file or a checkpoint in it is malformed or inconsistent: truncated, a header length out of range,
 * invalid JSON, an unsupported dtype, offsets outside the data or overlapping, a missing or misshapen tensor, an
 * invalid configuration. The message names the file and the problem.
 */
public final class CheckpointFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param file    the file (or another source description) that is malformed
     * @param problem what is wrong, e.g. {@code "header length 9999 exceeds the 120 bytes after the length field"}
     */
    public CheckpointFormatException(String file, String problem) {
        super(file + ": " + problem);
    }

    /**
     * @param file    the file that is malformed
     * @param problem what is wrong
     * @param cause   the underlying error
     */
    public CheckpointFormatException(String file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
