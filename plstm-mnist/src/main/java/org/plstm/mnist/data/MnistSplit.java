package org.plstm.mnist.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * One split of MNIST (the training or the test set) held in two flat arrays: one {@code byte[]} for all pixels and
 * one for all labels, no per-image objects.
 *
 * <p><b>Layout.</b> {@code pixels} has {@code count * rows * cols} bytes, image-major and row-major inside an image:
 * pixel {@code (row, col)} of sample {@code n} is {@code pixels[n * rows * cols + row * cols + col]}. Values are
 * unsigned bytes {@code 0..255} (0 = background, 255 = full ink); read them with {@code b & 0xFF} or
 * {@link #pixel(int, int, int)}. {@code labels[n]} is the digit {@code 0..9} of sample {@code n}.
 *
 * <p><b>Sharing.</b> The arrays are not copied, neither when constructing nor by the accessors, so that a split
 * costs exactly its data; treat them as read-only. {@link #equals(Object)} and {@link #hashCode()} compare contents.
 *
 * @param count  number of samples, {@code >= 0}
 * @param rows   image height in pixels, {@code > 0} (28 for MNIST)
 * @param cols   image width in pixels, {@code > 0} (28 for MNIST)
 * @param pixels {@code count * rows * cols} unsigned pixel values, layout above
 * @param labels {@code count} labels, each {@code 0..9}
 */
public record MnistSplit(int count, int rows, int cols, byte[] pixels, byte[] labels) {

    /**
     * Validates the shape.
     *
     * @throws NullPointerException     if an array is null
     * @throws IllegalArgumentException if {@code count < 0}, {@code rows} or {@code cols} is not positive, an array
     *                                  length does not match, or a label is outside {@code 0..9}
     */
    public MnistSplit {
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(labels, "labels");
        if (count < 0 || rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException(
                    "need count >= 0 and positive rows, cols; got count=" + count + ", " + rows + "x" + cols);
        }
        if (pixels.length != (long) count * rows * cols) {
            throw new IllegalArgumentException("pixels has " + pixels.length + " bytes, expected count*rows*cols = "
                    + count + "*" + rows + "*" + cols + " = " + (long) count * rows * cols);
        }
        if (labels.length != count) {
            throw new IllegalArgumentException("labels has " + labels.length + " entries, expected count = " + count);
        }
        for (int i = 0; i < count; i++) {
            if ((labels[i] & 0xFF) > 9) {
                throw new IllegalArgumentException("label " + (labels[i] & 0xFF) + " at index " + i
                        + " is out of range 0..9");
            }
        }
    }

    /**
     * Returns the number of pixels of one image.
     *
     * @return {@code rows * cols} (784 for MNIST)
     */
    public int imageSize() {
        return rows * cols;
    }

    /**
     * Returns one pixel as an unsigned value.
     *
     * @param sample sample index {@code 0..count-1}
     * @param row    row {@code 0..rows-1} (0 = top)
     * @param col    column {@code 0..cols-1} (0 = left)
     * @return the pixel value {@code 0..255}
     * @throws IndexOutOfBoundsException if an index is out of range
     */
    public int pixel(int sample, int row, int col) {
        Objects.checkIndex(sample, count);
        Objects.checkIndex(row, rows);
        Objects.checkIndex(col, cols);
        return pixels[sample * imageSize() + row * cols + col] & 0xFF;
    }

    /**
     * Returns the label of one sample.
     *
     * @param sample sample index {@code 0..count-1}
     * @return the digit {@code 0..9}
     * @throws IndexOutOfBoundsException if {@code sample} is out of range
     */
    public int label(int sample) {
        Objects.checkIndex(sample, count);
        return labels[sample];
    }

    /**
     * Returns the first {@code n} samples (for quick runs). Allocates new arrays of exactly the kept size, unless
     * {@code n >= count}, in which case this split itself is returned.
     *
     * @param n how many samples to keep, {@code >= 0}
     * @return a split with {@code min(n, count)} samples, the first ones of this split in the same order
     * @throws IllegalArgumentException if {@code n < 0}
     */
    public MnistSplit limit(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("limit must be >= 0, got " + n);
        }
        if (n >= count) {
            return this;
        }
        return new MnistSplit(n, rows, cols, Arrays.copyOf(pixels, n * imageSize()), Arrays.copyOf(labels, n));
    }

    /**
     * Computes the mean and population standard deviation of {@code pixel / 255} over every pixel of this split.
     * Use the training split's values to standardise both splits. One pass over the pixels (a 256-bin histogram),
     * exact up to double rounding.
     *
     * @return the statistics, both in {@code [0, 1]}
     * @throws IllegalStateException if the split has no pixels
     */
    public PixelStats pixelStats() {
        if (pixels.length == 0) {
            throw new IllegalStateException("pixel statistics of an empty split are undefined");
        }
        long[] histogram = new long[256];
        for (byte b : pixels) {
            histogram[b & 0xFF]++;
        }
        long sum = 0;
        for (int v = 0; v < 256; v++) {
            sum += v * histogram[v];
        }
        double n = pixels.length;
        double mean = sum / n / 255.0;
        double squares = 0;
        for (int v = 0; v < 256; v++) {
            double d = v / 255.0 - mean;
            squares += histogram[v] * d * d;
        }
        return new PixelStats(mean, Math.sqrt(squares / n));
    }

    /**
     * Compares shape and array contents.
     *
     * @param o another object
     * @return true if {@code o} is a split with the same count, dimensions, pixels and labels
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof MnistSplit s && s.count == count && s.rows == rows && s.cols == cols
                && Arrays.equals(s.pixels, pixels) && Arrays.equals(s.labels, labels);
    }

    /**
     * Hashes shape and array contents, consistent with {@link #equals(Object)}.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return Objects.hash(count, rows, cols, Arrays.hashCode(pixels), Arrays.hashCode(labels));
    }

    /**
     * Describes the shape, not the data.
     *
     * @return e.g. {@code "MnistSplit[count=60000, rows=28, cols=28]"}
     */
    @Override
    public String toString() {
        return "MnistSplit[count=" + count + ", rows=" + rows + ", cols=" + cols + "]";
    }
}
