package org.plstm.mnist.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.plstm.mnist.data.EventMnist;
import org.plstm.mnist.data.Mnist;
import org.plstm.train.LabeledSequence;

/** {@code event-mnist --translate}: the training images move by their epoch's offsets, the test images never. */
class EventMnistTranslationTest {
    private static TaskConfig config(int translate) {
        return new TaskConfig("event-mnist", null, "plstm", 8, 2, 32, 200, 50, 128, "adam", 1e-3, 1, "constant", 0,
                translate, 3, "paper", "simd", 1);
    }

    @Test
    void eachEpochMovesEachTrainingImageByItsOwnOffsetsBeforeItBecomesEvents() {
        System.out.println("EventMnistTranslationTest seed=3");
        Mnist mnist = RealMnist.get();
        TaskData plain = TaskData.of(config(0), mnist);
        TaskData moved = TaskData.of(config(2), mnist);
        List<LabeledSequence> epoch1 = moved.train(1);
        assertThat(epoch1).hasSize(200);
        int differ = 0;
        for (int i = 0; i < 200; i++) {
            long o = MnistBatches.translation(3, 1, i, 2);
            LabeledSequence expected = EventMnist.events(mnist.train(), i, 128, false, (int) (o >> 32), (int) o);
            assertThat(epoch1.get(i).time()).as("image %d", i).containsExactly(expected.time());
            assertThat(epoch1.get(i).x()).as("image %d", i).containsExactly(expected.x());
            assertThat(epoch1.get(i).label()).isEqualTo(plain.train(1).get(i).label());
            differ += java.util.Arrays.equals(epoch1.get(i).time(), plain.train(1).get(i).time()) ? 0 : 1;
        }
        // 24 of 25 offset pairs move the image: nearly all sequences change
        assertThat(differ).isGreaterThan(170);
        // a pure function of (seed, epoch, image): the same epoch again is the same, the next one another
        assertThat(moved.train(1).get(7).time()).containsExactly(epoch1.get(7).time());
        int same = 0;
        List<LabeledSequence> epoch2 = moved.train(2);
        for (int i = 0; i < 200; i++) {
            same += java.util.Arrays.equals(epoch2.get(i).time(), epoch1.get(i).time()) ? 1 : 0;
        }
        assertThat(same).isLessThan(40);
        // the test images are never moved
        for (int i = 0; i < 50; i++) {
            assertThat(moved.test(1).get(i).time()).containsExactly(plain.test(1).get(i).time());
        }
    }

    @Test
    void translateIsValidatedAndOnlyForEventMnist() {
        assertThatThrownBy(() -> config(14)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("translate: expected 0 (off) to 13 pixels, got 14");
        assertThatThrownBy(() -> new TaskConfig("freq", "async", "plstm", 8, 2, 32, 200, 50, 0, "adam", 1e-3, 1,
                "constant", 0, 1, 3, "paper", "simd", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("translate: expected 0 for freq (it moves MNIST images), got 1");
        // a configuration written before translation existed reads as off
        String json = config(0).toJson();
        assertThat(json).contains("\"translate\":0");
        assertThat(TaskConfig.fromJson(json.replace(",\"translate\":0", ""))).isEqualTo(config(0));
        assertThat(TaskConfig.fromJson(config(2).toJson())).isEqualTo(config(2));
    }
}
