package org.plstm.mnist.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An MNIST IDX file exists but its content is not what it must be: bad magic number, wrong image dimensions,
 * a length that does not match its header (truncated, or extra trailing bytes), a label outside {@code 0..9},
 * or an image file and a label file that disagree on the number of samples.
 *
 * <p>The message always starts with the file's name and then says what is wrong, for example
 * {@code train-images-idx3-ubyte: truncated: header says 60000 images of 28x28 (47040016 bytes), file has 1000
 * bytes (/home/me/.cache/plstm/mnist/train-images-idx3-ubyte)}. {@link #file()} and {@link #problem()} give the
 * two parts separately.
 *
 * <p>A missing file is not reported with this type but with {@link java.nio.file.NoSuchFileException}; any other
 * I/O failure is reported as the plain {@link IOException} the file system threw.
 */
public final class IdxFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The offending file (for a count mismatch: the label file). */
    private final transient Path file;
    /** What is wrong, without the file name. */
    private final String problem;

    /**
     * Creates the exception.
     *
     * @param file    the offending file, not null
     * @param problem what is wrong with it, e.g. {@code "bad magic number 0x00000801, expected 0x00000803"}
     */
    public IdxFormatException(Path file, String problem) {
        super(message(file, problem));
        this.file = file;
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    private static String message(Path file, String problem) {
        Objects.requireNonNull(file, "file");
        Path name = file.getFileName();
        return (name == null ? file : name) + ": " + problem + " (" + file.toAbsolutePath() + ")";
    }

    /**
     * Returns the file whose content is wrong.
     *
     * @return the offending file as given to the reader (for an image/label count mismatch: the label file)
     */
    public Path file() {
        return file;
    }

    /**
     * Returns what is wrong, without the file name.
     *
     * @return the problem, e.g. {@code "label 10 at index 3 is out of range 0..9"}
     */
    public String problem() {
        return problem;
    }
}
