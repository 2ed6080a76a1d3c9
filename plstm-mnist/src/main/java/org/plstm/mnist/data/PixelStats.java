package org.plstm.mnist.data;

/**
 * Mean and standard deviation of pixel intensities in scaled units, i.e. of {@code pixel / 255.0} with
 * {@code pixel} the unsigned byte {@code 0..255}; both are therefore in {@code [0, 1]}. The standard deviation is
 * the population one (divides by the number of pixels, not by that number minus one).
 *
 * <p>For the full MNIST training set these are {@code mean = 0.13066047627384...} and
 * {@code std = 0.30810780385646...}; the trainer standardises its inputs with them.
 *
 * @param mean mean of {@code pixel / 255} over every pixel of every image
 * @param std  population standard deviation of {@code pixel / 255} over the same pixels; {@code 0} if every pixel
 *             has the same value
 */
public record PixelStats(double mean, double std) {

    /**
     * Standardises one raw pixel: {@code (pixel / 255 - mean) / std}.
     *
     * @param pixel an unsigned pixel value {@code 0..255} (pass {@code b & 0xFF} for a byte from
     *              {@link MnistSplit#pixels()})
     * @return the standardised value; infinite or NaN if {@link #std()} is {@code 0}
     * @throws IllegalArgumentException if {@code pixel} is outside {@code 0..255}
     */
    public double standardise(int pixel) {
        if (pixel < 0 || pixel > 255) {
            throw new IllegalArgumentException("pixel must be in 0..255, got " + pixel);
        }
        return (pixel / 255.0 - mean) / std;
    }
}
