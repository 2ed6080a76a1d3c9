package org.plstm.mnist.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.plstm.mnist.train.RealMnist;
import org.plstm.train.LabeledSequence;

/** Event-based MNIST: the events of hand-made images, exactly; and the statistics of the real data set's events. */
class EventMnistTest {
    /** Two 3x4 images: a horizontal bar, and one with a single ink pixel at the very end, plus a blank one. */
    private static MnistSplit images() {
        byte[] px = new byte[3 * 12];
        // image 0: row 1 columns 1..2 are ink (200, 128), column 3 is 127 (not ink at threshold 128)
        px[4 + 1] = (byte) 200;
        px[4 + 2] = (byte) 128;
        px[4 + 3] = (byte) 127;
        // image 1: the last pixel only
        px[12 + 11] = (byte) 255;
        // image 2: blank
        return new MnistSplit(3, 3, 4, px, new byte[] {7, 3, 1});
    }

    @Test
    void eventsAreTheInkChangesAlongTheScanAtTheirScanPositions() {
        LabeledSequence s = EventMnist.events(images(), 0, 128, false);
        assertThat(s.time()).containsExactly(5.0, 7.0);
        assertThat(s.x()).containsExactly(1f, -1f);
        assertThat(s.label()).isEqualTo(7);

        LabeledSequence g = EventMnist.events(images(), 0, 128, true);
        // gaps in rows (4 columns): 5/4, then 2/4
        assertThat(g.x()).containsExactly(1f, 1.25f, -1f, 0.5f);
        assertThat(g.time()).containsExactly(5.0, 7.0);

        assertThat(EventMnist.events(images(), 0, 100, false).time()).as("127 is ink at threshold 100")
                .containsExactly(5.0, 8.0);
        LabeledSequence last = EventMnist.events(images(), 1, 128, false);
        assertThat(last.time()).as("ink up to the end: no closing event").containsExactly(11.0);
        assertThat(last.x()).containsExactly(1f);
        LabeledSequence blank = EventMnist.events(images(), 2, 128, false);
        assertThat(blank.time()).as("a blank image gives one neutral event").containsExactly(0.0);
        assertThat(blank.x()).containsExactly(0f);
    }

    @Test
    void aMovedImageGivesTheEventsOfItsMovedInk() {
        // image 0's bar (row 1, columns 1..2) moved down 1 and left 1: row 2, columns 0..1, scan positions 8..9
        LabeledSequence moved = EventMnist.events(images(), 0, 128, false, 1, -1);
        assertThat(moved.time()).containsExactly(8.0, 10.0);
        assertThat(moved.x()).containsExactly(1f, -1f);
        assertThat(moved.label()).isEqualTo(7);
        // up 1 and right 2: row 0, column 3 (column 4 fell off the image), ink up to the row's end
        assertThat(EventMnist.events(images(), 0, 128, false, -1, 2).time()).containsExactly(3.0, 4.0);
        // image 1's only ink pixel (2, 3) moved right: gone, so a blank image's one neutral event
        assertThat(EventMnist.events(images(), 1, 128, false, 0, 1).time()).containsExactly(0.0);
        // no move is the plain conversion
        assertThat(EventMnist.events(images(), 0, 128, true, 0, 0).x())
                .containsExactly(EventMnist.events(images(), 0, 128, true).x());
        assertThatThrownBy(() -> EventMnist.events(images(), 0, 128, false, 3, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dy, dx: expected |dy| < 3 and |dx| < 4, got 3, 0");
    }

    @Test
    void badArgumentsAreRefused() {
        assertThatThrownBy(() -> EventMnist.events(images(), 0, 0, false)).hasMessageContaining("threshold")
                .hasMessageContaining("got 0");
        assertThatThrownBy(() -> EventMnist.events(images(), 3, 128, false))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> EventMnist.firstImages(images(), 4, 128, false)).hasMessageContaining("n: expected 1..3");
    }

    @Test
    void realDigitsGiveShortSequencesOfManyLengths() {
        MnistSplit train = RealMnist.get().train();
        int n = 2000;
        List<LabeledSequence> seqs = EventMnist.firstImages(train, n, EventMnist.DEFAULT_THRESHOLD, false);
        double mean = 0;
        int min = Integer.MAX_VALUE;
        int max = 0;
        Set<Integer> lengths = new HashSet<>();
        for (LabeledSequence s : seqs) {
            int t = s.length();
            mean += t;
            min = Math.min(min, t);
            max = Math.max(max, t);
            lengths.add(t);
            assertThat(t % 2).as("every stroke segment opens and closes within the image").isZero();
            for (int k = 1; k < t; k++) {
                assertThat(s.time()[k]).isGreaterThan(s.time()[k - 1]);
                assertThat(s.x()[k]).as("polarities alternate").isEqualTo(-s.x()[k - 1]);
            }
        }
        mean /= n;
        System.out.printf("event-MNIST over %d training images: mean %.1f events, min %d, max %d, %d lengths%n", n,
                mean, min, max, lengths.size());
        assertThat(mean).as("an order of magnitude shorter than the 784 pixels").isBetween(30.0, 120.0);
        assertThat(max).isLessThan(300);
        assertThat(lengths.size()).as("sequences of many different (even) lengths").isGreaterThan(20);
    }
}
