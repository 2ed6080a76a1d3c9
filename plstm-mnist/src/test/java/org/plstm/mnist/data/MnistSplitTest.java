package org.plstm.mnist.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MnistSplitTest {

    /** Three 2x2 images: pixels 0,255,0,255 / 0,0,0,0 / 255,255,255,255. */
    private static MnistSplit tiny() {
        byte[] px = {0, (byte) 255, 0, (byte) 255, 0, 0, 0, 0, (byte) 255, (byte) 255, (byte) 255, (byte) 255};
        return new MnistSplit(3, 2, 2, px, new byte[] {3, 1, 9});
    }

    @Test
    void accessorsUseTheDocumentedLayout() {
        MnistSplit s = tiny();
        assertThat(s.imageSize()).isEqualTo(4);
        assertThat(s.pixel(0, 0, 1)).isEqualTo(255);
        assertThat(s.pixel(0, 1, 0)).isEqualTo(0);
        assertThat(s.pixel(2, 1, 1)).isEqualTo(255);
        assertThat(s.label(2)).isEqualTo(9);
        assertThatThrownBy(() -> s.pixel(3, 0, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> s.pixel(0, 2, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(s).hasToString("MnistSplit[count=3, rows=2, cols=2]");
    }

    @Test
    void pixelStatsArePopulationMeanAndStdOfPixelOver255() {
        // 12 pixels: 6 of 255 (1.0), 6 of 0 -> mean 0.5, population std 0.5
        PixelStats st = tiny().pixelStats();
        assertThat(st.mean()).isCloseTo(0.5, within(1e-15));
        assertThat(st.std()).isCloseTo(0.5, within(1e-15));
        assertThat(st.standardise(255)).isCloseTo(1.0, within(1e-12));
        assertThat(st.standardise(0)).isCloseTo(-1.0, within(1e-12));

        // pixels 51 (0.2) and 102 (0.4): mean 0.3, std 0.1
        MnistSplit two = new MnistSplit(1, 1, 2, new byte[] {51, 102}, new byte[] {0});
        assertThat(two.pixelStats().mean()).isCloseTo(0.3, within(1e-15));
        assertThat(two.pixelStats().std()).isCloseTo(0.1, within(1e-15));
        assertThatThrownBy(() -> st.standardise(256)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pixelStatsOfEmptySplitIsAnError() {
        MnistSplit empty = new MnistSplit(0, 28, 28, new byte[0], new byte[0]);
        assertThatThrownBy(empty::pixelStats).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void limitKeepsTheFirstSamples() {
        MnistSplit s = tiny();
        MnistSplit two = s.limit(2);
        assertThat(two.count()).isEqualTo(2);
        assertThat(two.pixels()).containsExactly(0, (byte) 255, 0, (byte) 255, 0, 0, 0, 0);
        assertThat(two.labels()).containsExactly(3, 1);
        assertThat(s.limit(0).count()).isZero();
        assertThat(s.limit(3)).isSameAs(s);
        assertThat(s.limit(100)).isSameAs(s);
        assertThatThrownBy(() -> s.limit(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void mnistLimitAndTrainStats() {
        MnistSplit train = tiny();
        MnistSplit test = new MnistSplit(1, 2, 2, new byte[4], new byte[] {7});
        Mnist m = new Mnist(train, test);
        Mnist small = m.limit(1, 0);
        assertThat(small.train().labels()).containsExactly(3);
        assertThat(small.test().count()).isZero();
        assertThat(m.trainPixelStats()).isEqualTo(train.pixelStats());
    }

    @Test
    void equalityIsByContent() {
        assertThat(tiny()).isEqualTo(tiny()).hasSameHashCodeAs(tiny());
        assertThat(tiny().limit(2)).isNotEqualTo(tiny());
    }

    @Test
    void constructorValidatesShape() {
        assertThatThrownBy(() -> new MnistSplit(2, 2, 2, new byte[7], new byte[2]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pixels has 7 bytes");
        assertThatThrownBy(() -> new MnistSplit(2, 2, 2, new byte[8], new byte[3]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("labels has 3 entries");
        assertThatThrownBy(() -> new MnistSplit(1, 2, 2, new byte[4], new byte[] {10}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label 10 at index 0");
        assertThatThrownBy(() -> new MnistSplit(-1, 2, 2, new byte[0], new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
