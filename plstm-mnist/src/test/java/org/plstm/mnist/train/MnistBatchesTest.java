package org.plstm.mnist.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.plstm.mnist.data.MnistSplit;
import org.plstm.mnist.data.PixelStats;

class MnistBatchesTest {

    /** 3 images of 28x28: image n has pixel value (n*50 + p) % 256 at flat position p, label n + 4. */
    private static MnistSplit split() {
        byte[] pixels = new byte[3 * 784];
        for (int n = 0; n < 3; n++) {
            for (int p = 0; p < 784; p++) {
                pixels[n * 784 + p] = (byte) ((n * 50 + p) % 256);
            }
        }
        return new MnistSplit(3, 28, 28, pixels, new byte[] {4, 5, 6});
    }

    @Test
    void fillsStandardisedPixelsTimestampsAndLabelsInTheGivenOrder() {
        PixelStats stats = new PixelStats(0.25, 0.5);
        for (Layout layout : Layout.values()) {
            MnistBatches b = new MnistBatches(split(), layout, stats);
            MnistBatches.Batch batch = b.fill(new int[] {2, 0, 1}, 0, 2);
            assertThat(batch.size()).isEqualTo(2);
            assertThat(batch.input().steps()).isEqualTo(layout.steps());
            assertThat(batch.input().inputSize()).isEqualTo(layout.inputSize());
            assertThat(batch.labels()).containsExactly(6, 4);
            float[] x = batch.input().x();
            // sample 0 of the batch is image 2: pixel p = (100 + p) % 256, standardised
            assertThat(x[0]).isEqualTo((float) ((100 / 255.0 - 0.25) / 0.5));
            assertThat(x[783]).isEqualTo((float) (((100 + 783) % 256 / 255.0 - 0.25) / 0.5));
            assertThat(x[784 + 10]).isEqualTo((float) ((10 / 255.0 - 0.25) / 0.5));
            double[] time = batch.input().time();
            assertThat(time[0]).isEqualTo(1.0);
            assertThat(time[layout.steps() - 1]).isEqualTo(layout.steps());
            assertThat(time[layout.steps()]).isEqualTo(1.0);
            // the same size reuses the same buffers; another size gets its own
            assertThat(b.fill(new int[] {0, 1, 2}, 1, 2)).isSameAs(batch);
            assertThat(batch.labels()).containsExactly(5, 6);
            assertThat(b.fill(new int[] {0, 1, 2}, 2, 1)).isNotSameAs(batch);
        }
    }

    @Test
    void epochOrdersArePermutationsThatDependOnlyOnSeedAndEpoch() {
        int[] a = MnistBatches.epochOrder(1000, 5, 1);
        assertThat(Arrays.stream(a.clone()).sorted().toArray()).isEqualTo(MnistBatches.identity(1000));
        assertThat(MnistBatches.epochOrder(1000, 5, 1)).isEqualTo(a);
        assertThat(MnistBatches.epochOrder(1000, 5, 2)).isNotEqualTo(a);
        assertThat(MnistBatches.epochOrder(1000, 6, 1)).isNotEqualTo(a);
        assertThat(a).isNotEqualTo(MnistBatches.identity(1000));
    }

    @Test
    void translationMovesEachImageByItsOwnOffsetsAndFillsBackground() {
        PixelStats stats = new PixelStats(0.25, 0.5);
        float background = (float) ((0 - 0.25) / 0.5);
        MnistSplit split = split();
        for (Layout layout : Layout.values()) {
            MnistBatches b = new MnistBatches(split, layout, stats);
            int[] order = {2, 0, 1};
            // translate 0 is the plain fill
            float[] plain = b.fill(order, 0, 3).input().x().clone();
            assertThat(b.fill(order, 0, 3, 0, 9, 4).input().x()).isEqualTo(plain);
            float[] x = b.fill(order, 0, 3, 3, 9, 4).input().x();
            for (int k = 0; k < 3; k++) {
                long offsets = MnistBatches.translation(9, 4, order[k], 3);
                int dy = (int) (offsets >> 32);
                int dx = (int) offsets;
                for (int r = 0; r < 28; r++) {
                    for (int c = 0; c < 28; c++) {
                        int sr = r - dy;
                        int sc = c - dx;
                        float expected = sr >= 0 && sr < 28 && sc >= 0 && sc < 28 ? plain[k * 784 + sr * 28 + sc]
                                : background;
                        assertThat(x[k * 784 + r * 28 + c]).as("image %d (%d, %d), offsets (%d, %d)", order[k], r, c,
                                dy, dx).isEqualTo(expected);
                    }
                }
            }
        }
    }

    @Test
    void translationOffsetsAreUniformAndAPureFunctionOfSeedEpochAndSample() {
        int max = 2;
        int[][] counts = new int[2 * max + 1][2 * max + 1];
        int n = 25_000;
        for (int sample = 0; sample < n; sample++) {
            long o = MnistBatches.translation(3, 7, sample, max);
            assertThat(MnistBatches.translation(3, 7, sample, max)).isEqualTo(o);
            int dy = (int) (o >> 32);
            int dx = (int) o;
            assertThat(dy).isBetween(-max, max);
            assertThat(dx).isBetween(-max, max);
            counts[dy + max][dx + max]++;
        }
        // 25 cells of expected count 1000 each: a binomial sd of ~31, so 4 sd is 125
        for (int[] row : counts) {
            for (int c : row) {
                assertThat(c).isBetween(875, 1125);
            }
        }
        int sameEpoch = 0;
        int sameSeed = 0;
        for (int sample = 0; sample < 1000; sample++) {
            long o = MnistBatches.translation(3, 7, sample, max);
            sameEpoch += MnistBatches.translation(3, 8, sample, max) == o ? 1 : 0;
            sameSeed += MnistBatches.translation(4, 7, sample, max) == o ? 1 : 0;
        }
        // other epochs and seeds draw again: about 1 in 25 coincide by chance
        assertThat(sameEpoch).isLessThan(100);
        assertThat(sameSeed).isLessThan(100);
    }

    @Test
    void rejectsBadArguments() {
        MnistBatches b = new MnistBatches(split(), Layout.ROW, new PixelStats(0.1, 0.3));
        assertThatThrownBy(() -> b.fill(new int[] {0, 1}, 1, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("from/size: expected a range inside [0, 2), got from 1 size 2");
        assertThatThrownBy(() -> b.fill(new int[] {0, 7}, 0, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("order: expected sample indices in [0, 3), got 7 at position 1");
        assertThatThrownBy(() -> new MnistBatches(split(), Layout.ROW, new PixelStats(0.1, 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("stats: expected std > 0, got 0.0");
        assertThatThrownBy(() -> b.fill(new int[] {0, 1}, 0, 2, 28, 1, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxPixels: expected 0 <= maxPixels < 28, got 28");
        assertThatThrownBy(() -> b.fill(new int[] {0, 1}, 0, 2, -1, 1, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxPixels: expected 0 <= maxPixels < 28, got -1");
        MnistSplit small = new MnistSplit(1, 2, 2, new byte[4], new byte[1]);
        assertThatThrownBy(() -> new MnistBatches(small, Layout.PIXEL, new PixelStats(0.1, 0.3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("split: expected images of 784 pixels for layout pixel, got 4");
    }
}
