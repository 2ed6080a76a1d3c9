package org.plstm.mnist.data;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The MNIST dataset: a training split (60,000 samples) and a test split (10,000 samples) of 28x28 grey images of
 * handwritten digits with their labels {@code 0..9}. See {@link MnistSplit} for the array layout.
 *
 * <p>Typical use:
 * <pre>{@code
 * Mnist mnist = Mnist.load();                         // default cache, fetched with npm on first use
 * PixelStats norm = mnist.trainPixelStats();          // mean ~0.1307, std ~0.3081 (pixel/255 units)
 * MnistSplit quick = mnist.train().limit(1000);       // first 1000 training samples
 * }</pre>
 *
 * @param train the training split ({@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte})
 * @param test  the test split ({@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte})
 */
public record Mnist(MnistSplit train, MnistSplit test) {

    /**
     * Checks that both splits are present.
     *
     * @throws NullPointerException if a split is null
     */
    public Mnist {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
    }

    /**
     * Loads MNIST from the default cache directory ({@link MnistFetcher#defaultDirectory()}), fetching and
     * verifying the files first if needed ({@link MnistFetcher#fetch()}).
     *
     * @return both splits
     * @throws MnistUnavailableException if the files are not in the cache and cannot be fetched or do not verify
     * @throws IdxFormatException        if a verified file is nonetheless malformed (only possible with replaced
     *                                   expected hashes)
     * @throws IOException               if reading fails otherwise
     */
    public static Mnist load() throws IOException {
        return load(MnistFetcher.atDefaultLocation());
    }

    /**
     * Loads MNIST from an explicit cache directory, fetching and verifying the files first if needed.
     *
     * @param cacheDirectory the cache directory, overriding the default; created if absent
     * @return both splits
     * @throws MnistUnavailableException if the files are not there and cannot be fetched or do not verify
     * @throws IdxFormatException        if a verified file is nonetheless malformed
     * @throws IOException               if reading fails otherwise
     */
    public static Mnist load(Path cacheDirectory) throws IOException {
        return load(MnistFetcher.at(cacheDirectory));
    }

    /**
     * Loads MNIST with a configured fetcher (other directory, npm command, timeout, hashes or no download).
     *
     * @param fetcher the fetcher
     * @return both splits
     * @throws MnistUnavailableException if the fetcher cannot make the files available
     * @throws IdxFormatException        if a verified file is nonetheless malformed
     * @throws IOException               if reading fails otherwise
     */
    public static Mnist load(MnistFetcher fetcher) throws IOException {
        Map<MnistFile, Path> files = fetcher.fetch();
        return new Mnist(
                IdxReader.readSplit(files.get(MnistFile.TRAIN_IMAGES), files.get(MnistFile.TRAIN_LABELS)),
                IdxReader.readSplit(files.get(MnistFile.TEST_IMAGES), files.get(MnistFile.TEST_LABELS)));
    }

    /**
     * Reads the four raw IDX files from a directory as they are: no fetching, no SHA-256 check, but the full
     * format validation of {@link IdxReader}. Any counts are accepted as long as each image file agrees with its
     * label file.
     *
     * @param directory a directory holding {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
     *                  {@code t10k-images-idx3-ubyte} and {@code t10k-labels-idx1-ubyte}
     * @return both splits
     * @throws NoSuchFileException if one of the files does not exist
     * @throws IdxFormatException  if a file is malformed or an image file and its label file disagree on the count
     * @throws IOException         if reading fails otherwise
     */
    public static Mnist read(Path directory) throws IOException {
        return new Mnist(
                IdxReader.readSplit(MnistFile.TRAIN_IMAGES.in(directory), MnistFile.TRAIN_LABELS.in(directory)),
                IdxReader.readSplit(MnistFile.TEST_IMAGES.in(directory), MnistFile.TEST_LABELS.in(directory)));
    }

    /**
     * Returns the mean and population standard deviation of {@code pixel / 255} over all training pixels, the
     * values the trainer standardises both splits with.
     *
     * @return {@code train().pixelStats()}
     * @throws IllegalStateException if the training split is empty
     */
    public PixelStats trainPixelStats() {
        return train.pixelStats();
    }

    /**
     * Returns the first samples of each split (see {@link MnistSplit#limit(int)}).
     *
     * @param trainCount how many training samples to keep, {@code >= 0}
     * @param testCount  how many test samples to keep, {@code >= 0}
     * @return the reduced dataset
     * @throws IllegalArgumentException if a count is negative
     */
    public Mnist limit(int trainCount, int testCount) {
        return new Mnist(train.limit(trainCount), test.limit(testCount));
    }
}
