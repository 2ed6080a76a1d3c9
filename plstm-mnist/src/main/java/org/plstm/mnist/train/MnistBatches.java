package org.plstm.mnist.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.plstm.SequenceBatch;
import org.plstm.mnist.data.MnistSplit;
import org.plstm.mnist.data.PixelStats;

/**
 * Turns samples of an {@link MnistSplit} into model input batches without allocating in steady state: for each batch
 * size seen (the full size and at most a last partial one) it keeps one set of arrays, {@code x [B][T][I]}
 * (standardised float32 pixels, {@code (pixel/255 − mean)/std} with the training set's statistics),
 * {@code time [B][T]} ({@code 1..T}, filled once), {@code labels [B]}, and the {@link SequenceBatch} wrapping them,
 * and refills them on every call. A returned {@link Batch} is valid until the next {@link #fill} of the same size.
 *
 * <p>Not thread-safe.
 */
public final class MnistBatches {
    private final MnistSplit split;
    private final Layout layout;
    private final float[] table = new float[256];
    private final List<Batch> batches = new ArrayList<>(2);

    /**
     * @param split  the samples
     * @param layout pixel or row sequences; its {@code T·I} must equal the image size
     * @param stats  the training set's pixel statistics, {@code std > 0}
     * @throws IllegalArgumentException if an argument is null, the image size does not fit the layout or
     *     {@code std} is not positive
     */
    public MnistBatches(MnistSplit split, Layout layout, PixelStats stats) {
        this.split = requireArg("split", split);
        this.layout = requireArg("layout", layout);
        requireArg("stats", stats);
        if (split.imageSize() != layout.steps() * layout.inputSize()) {
            throw new IllegalArgumentException("split: expected images of " + layout.steps() * layout.inputSize()
                    + " pixels for layout " + layout + ", got " + split.imageSize());
        }
        if (!(stats.std() > 0)) {
            throw new IllegalArgumentException("stats: expected std > 0, got " + stats.std());
        }
        for (int p = 0; p < 256; p++) {
            table[p] = (float) stats.standardise(p);
        }
    }

    private static <T> T requireArg(String name, T value) {
        if (value == null) {
            throw new IllegalArgumentException(name + ": expected a value, got null");
        }
        return value;
    }

    /** @return the number of samples in the split */
    public int count() {
        return split.count();
    }

    /** @return the layout */
    public Layout layout() {
        return layout;
    }

    /** One batch's reused buffers. */
    public static final class Batch {
        private final int size;
        private final float[] x;
        private final double[] time;
        private final int[] labels;
        private final SequenceBatch input;

        Batch(int size, Layout layout) {
            this.size = size;
            int t = layout.steps();
            x = new float[size * t * layout.inputSize()];
            time = new double[size * t];
            for (int b = 0; b < size; b++) {
                for (int s = 0; s < t; s++) {
                    time[b * t + s] = s + 1;
                }
            }
            labels = new int[size];
            input = new SequenceBatch(size, t, layout.inputSize(), x, time, null);
        }

        /** @return {@code B} */
        public int size() {
            return size;
        }

        /** @return the model input: {@code x [B][T][I]}, {@code time [B][T]} = {@code 1..T}, no lengths */
        public SequenceBatch input() {
            return input;
        }

        /** @return the labels {@code [B]}, digits {@code 0..9} (live, refilled by the next fill) */
        public int[] labels() {
            return labels;
        }
    }

    /**
     * Fills the batch of samples {@code order[from], ..., order[from + size − 1]}.
     *
     * @param order sample indices (a permutation, or the identity for evaluation)
     * @param from  first position in {@code order}
     * @param size  {@code B >= 1}
     * @return the filled batch (buffers reused per size)
     * @throws IllegalArgumentException if the range or an index is out of bounds
     */
    public Batch fill(int[] order, int from, int size) {
        return fill(order, from, size, 0, 0, 0);
    }

    /**
     * Fills the batch of samples {@code order[from], ..., order[from + size − 1]}, each image translated by a random
     * whole number of pixels (data augmentation, as Keras' {@code RandomTranslation} with {@code fill_mode
     * "constant"} and {@code fill_value 0}, in pixels rather than fractions): a sample is moved by {@code dy} rows and
     * {@code dx} columns, both uniform on {@code [−maxPixels, maxPixels]}; pixels moved out of the image are dropped,
     * the vacated ones are background (raw value 0, standardised like every pixel). The offsets are a pure function of
     * {@code (seed, epoch, sample index)} ({@link #translation}), so a resumed run sees the same images.
     *
     * @param order     sample indices (a permutation, or the identity for evaluation)
     * @param from      first position in {@code order}
     * @param size      {@code B >= 1}
     * @param maxPixels largest translation in each direction, {@code 0 <= maxPixels < min(rows, cols)}; 0 = none
     * @param seed      the run's seed
     * @param epoch     the 1-based epoch number
     * @return the filled batch (buffers reused per size)
     * @throws IllegalArgumentException if the range, an index or {@code maxPixels} is out of bounds
     */
    public Batch fill(int[] order, int from, int size, int maxPixels, long seed, int epoch) {
        Objects.requireNonNull(order, "order");
        int rows = split.rows();
        int cols = split.cols();
        if (maxPixels < 0 || maxPixels >= Math.min(rows, cols)) {
            throw new IllegalArgumentException("maxPixels: expected 0 <= maxPixels < " + Math.min(rows, cols)
                    + ", got " + maxPixels);
        }
        if (size < 1 || from < 0 || from + size > order.length) {
            throw new IllegalArgumentException("from/size: expected a range inside [0, " + order.length + "), got from "
                    + from + " size " + size);
        }
        Batch batch = null;
        for (int n = 0; n < batches.size(); n++) {
            if (batches.get(n).size == size) {
                batch = batches.get(n);
                break;
            }
        }
        if (batch == null) {
            batch = new Batch(size, layout);
            batches.add(batch);
        }
        int image = split.imageSize();
        byte[] pixels = split.pixels();
        byte[] labels = split.labels();
        float[] x = batch.x;
        for (int b = 0; b < size; b++) {
            int sample = order[from + b];
            if (sample < 0 || sample >= split.count()) {
                throw new IllegalArgumentException("order: expected sample indices in [0, " + split.count()
                        + "), got " + sample + " at position " + (from + b));
            }
            int src = sample * image;
            int dst = b * image;
            if (maxPixels == 0) {
                for (int p = 0; p < image; p++) {
                    x[dst + p] = table[pixels[src + p] & 0xFF];
                }
            } else {
                long offsets = translation(seed, epoch, sample, maxPixels);
                int dy = (int) (offsets >> 32);
                int dx = (int) offsets;
                float background = table[0];
                for (int r = 0; r < rows; r++) {
                    int sr = r - dy; // output (r, c) is input (r - dy, c - dx)
                    for (int c = 0; c < cols; c++) {
                        int sc = c - dx;
                        x[dst + r * cols + c] = sr >= 0 && sr < rows && sc >= 0 && sc < cols
                                ? table[pixels[src + sr * cols + sc] & 0xFF] : background;
                    }
                }
            }
            batch.labels[b] = labels[sample];
        }
        return batch;
    }

    /**
     * The identity order {@code 0..n−1}.
     *
     * @param n length
     * @return a new array
     */
    public static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    /**
     * The training order of one epoch: a Fisher–Yates shuffle of {@code 0..n−1} driven by a generator seeded from
     * {@code (seed, epoch)} only. An epoch's order therefore does not depend on what ran before it, which is what
     * lets {@code --resume} continue a run exactly.
     *
     * @param n     samples
     * @param seed  the run's seed
     * @param epoch the 1-based epoch number
     * @return a permutation of {@code 0..n−1}
     */
    public static int[] epochOrder(int n, long seed, int epoch) {
        int[] order = identity(n);
        SplittableRandom rng = new SplittableRandom(mix(seed * 0x9E3779B97F4A7C15L + epoch + 0x632BE59BD9B4E019L));
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /**
     * The translation of one training sample in one epoch: rows {@code dy} in the high 32 bits and columns {@code dx}
     * in the low 32 bits, each uniform on {@code [−maxPixels, maxPixels]}, from a generator seeded from
     * {@code (seed, epoch, sample)} only (independent of the batch the sample lands in and of what ran before).
     *
     * @param seed      the run's seed
     * @param epoch     the 1-based epoch number
     * @param sample    the sample's index in its split
     * @param maxPixels largest translation, {@code >= 0}
     * @return {@code ((long) dy << 32) | (dx & 0xFFFFFFFFL)}
     */
    static long translation(long seed, int epoch, int sample, int maxPixels) {
        SplittableRandom rng = new SplittableRandom(mix(mix(seed * 0x9E3779B97F4A7C15L + epoch + 0x1B873593L)
                + sample));
        int dy = rng.nextInt(2 * maxPixels + 1) - maxPixels;
        int dx = rng.nextInt(2 * maxPixels + 1) - maxPixels;
        return ((long) dy << 32) | (dx & 0xFFFFFFFFL);
    }

    /** The SplitMix64 finaliser: decorrelates nearby seeds. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
