package org.plstm.mnist.data;

import java.util.ArrayList;
import java.util.List;
import org.plstm.train.LabeledSequence;

/**
 * Event-based (irregular-time) sequential MNIST: an image becomes the sequence of its <em>changes</em> along the
 * row-major scan, the way an event camera sweeping the image line by line would report it.
 *
 * <p>Pixel {@code k = row·28 + col} (scan position, {@code 0..783}) is <em>on</em> iff its value is
 * {@code >= threshold}. An event is emitted at every {@code k} where the on/off state differs from that of the
 * previous position {@code k − 1} (position {@code −1} counts as off): its time is {@code k} (unit: one pixel of the
 * scan, a row is 28), its feature the polarity, {@code +1} when the scan enters ink and {@code −1} when it leaves it.
 * An image is thus described by the positions of the edges of its strokes: a digit gives 26 to 84 events (mean 51
 * on the first 2,000 training images; a row crossed by a stroke gives two), of different counts, and where an event
 * lies in the image is known only from its time. An image without ink (none in MNIST) gives one event {@code (t = 0, polarity 0)}, so no sequence is
 * empty.
 *
 * <p>Inputs per event: the Phased LSTM gets {@code I = 1}, the polarity (its time gate sees {@code t}); the plain
 * LSTM baseline, which has no time gate, also gets the gap to the previous event {@code (t_k − t_{k−1}) / 28}
 * (rows; the first event's gap is measured from {@code t = 0}): {@code I = 2}.
 */
public final class EventMnist {
    /** The default threshold: a pixel is ink iff its value is {@code >= 128}. */
    public static final int DEFAULT_THRESHOLD = 128;

    private EventMnist() {
    }

    /**
     * The events of one image.
     *
     * @param split     the images
     * @param sample    the image's index
     * @param threshold the ink threshold, in {@code [1, 255]}
     * @param gap       whether to append the time-gap channel (the LSTM baseline)
     * @return {@code x [T][I]} row-major ({@code I = 1}, or 2 with the gap), times {@code [T]} (scan positions,
     *     increasing), the digit as label
     * @throws IllegalArgumentException if the threshold is outside {@code [1, 255]}
     * @throws IndexOutOfBoundsException if {@code sample} is out of range
     */
    public static LabeledSequence events(MnistSplit split, int sample, int threshold, boolean gap) {
        return events(split, sample, threshold, gap, 0, 0);
    }

    /**
     * The events of one image moved by {@code dy} rows and {@code dx} columns first (data augmentation): the moved
     * image's pixel {@code (r, c)} is the original's {@code (r − dy, c − dx)}, or background (0, never ink) where that
     * lies outside the image. {@code dy = dx = 0} is {@link #events(MnistSplit, int, int, boolean)}.
     *
     * @param split     the images
     * @param sample    the image's index
     * @param threshold the ink threshold, in {@code [1, 255]}
     * @param gap       whether to append the time-gap channel (the LSTM baseline)
     * @param dy        rows to move down (negative: up), {@code |dy| < rows}
     * @param dx        columns to move right (negative: left), {@code |dx| < cols}
     * @return the moved image's events, as {@link #events(MnistSplit, int, int, boolean)}
     * @throws IllegalArgumentException if the threshold or an offset is out of range
     * @throws IndexOutOfBoundsException if {@code sample} is out of range
     */
    public static LabeledSequence events(MnistSplit split, int sample, int threshold, boolean gap, int dy, int dx) {
        checkThreshold(threshold);
        int rows = split.rows();
        int cols = split.cols();
        if (Math.abs(dy) >= rows || Math.abs(dx) >= cols) {
            throw new IllegalArgumentException("dy, dx: expected |dy| < " + rows + " and |dx| < " + cols + ", got "
                    + dy + ", " + dx);
        }
        int size = split.imageSize();
        int base = sample * size;
        if (sample < 0 || sample >= split.count()) {
            throw new IndexOutOfBoundsException("sample: expected 0.." + (split.count() - 1) + ", got " + sample);
        }
        byte[] px = split.pixels();
        List<Integer> times = new ArrayList<>();
        List<Integer> polarity = new ArrayList<>();
        boolean on = false;
        for (int k = 0; k < size; k++) {
            int r = k / cols - dy;
            int c = k % cols - dx;
            boolean now = r >= 0 && r < rows && c >= 0 && c < cols && (px[base + r * cols + c] & 0xFF) >= threshold;
            if (now != on) {
                times.add(k);
                polarity.add(now ? 1 : -1);
                on = now;
            }
        }
        if (times.isEmpty()) {
            times.add(0);
            polarity.add(0);
        }
        int n = times.size();
        int in = gap ? 2 : 1;
        float[] x = new float[n * in];
        double[] t = new double[n];
        double previous = 0;
        for (int e = 0; e < n; e++) {
            t[e] = times.get(e);
            x[e * in] = polarity.get(e);
            if (gap) {
                x[e * in + 1] = (float) ((t[e] - previous) / split.cols());
            }
            previous = t[e];
        }
        return new LabeledSequence(x, t, split.label(sample));
    }

    /**
     * The events of the first {@code n} images of a split.
     *
     * @param split     the images
     * @param n         how many, {@code 1..split.count()}
     * @param threshold the ink threshold, in {@code [1, 255]}
     * @param gap       whether to append the time-gap channel
     * @return one sequence per image, in order
     * @throws IllegalArgumentException if {@code n} or the threshold is out of range
     */
    public static List<LabeledSequence> firstImages(MnistSplit split, int n, int threshold, boolean gap) {
        if (n < 1 || n > split.count()) {
            throw new IllegalArgumentException("n: expected 1.." + split.count() + " images, got " + n);
        }
        List<LabeledSequence> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(events(split, i, threshold, gap));
        }
        return out;
    }

    /**
     * @param threshold a threshold to check
     * @throws IllegalArgumentException unless in {@code [1, 255]}
     */
    public static void checkThreshold(int threshold) {
        if (threshold < 1 || threshold > 255) {
            throw new IllegalArgumentException("threshold: expected a pixel value in [1, 255], got " + threshold);
        }
    }
}
