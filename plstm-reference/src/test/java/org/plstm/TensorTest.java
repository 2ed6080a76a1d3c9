package org.plstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A {@link Tensor}'s shape is checked against its data once, at construction, and cannot change afterwards. */
class TensorTest {

    @Test
    void nullArraysAreRefusedByName() {
        assertThatThrownBy(() -> new Tensor("kernel", null, new float[1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("kernel.shape: expected a value, got null");
        assertThatThrownBy(() -> new Tensor("kernel", new int[] {1}, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("kernel.data: expected a value, got null");
    }

    @Test
    void negativeDimensionsAreRefusedEvenWhenTheirProductMatches() {
        assertThatThrownBy(() -> new Tensor("kernel", new int[] {-1, -1}, new float[1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("kernel: expected dimensions >= 0, got -1 at dimension 0 of shape [-1, -1]");
        assertThatThrownBy(() -> new Tensor("kernel", new int[] {2, -3, -1}, new float[6]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("kernel: expected dimensions >= 0, got -3 at dimension 1 of shape [2, -3, -1]");
    }

    @Test
    void aShapeWhoseProductOverflowsIsNotTakenForItsWrappedValue() {
        // 2^16·2^16·2^16·2^16 = 2^64 wraps to 0 in a long: it used to match an empty array.
        assertThatThrownBy(() -> new Tensor("kernel", new int[] {65536, 65536, 65536, 65536}, new float[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("kernel: expected more than 2147483647 elements for shape [65536, 65536, 65536, 65536],"
                        + " got 0");
        // A zero dimension anywhere still makes an empty tensor.
        assertThat(new Tensor("empty", new int[] {65536, 65536, 65536, 65536, 0}, new float[0]).data()).isEmpty();
    }

    @Test
    void theCallersShapeArrayIsCopied() {
        int[] shape = {2, 3};
        Tensor t = new Tensor("kernel", shape, new float[6]);
        shape[0] = 5;
        assertThat(t.shape()).containsExactly(2, 3);
        assertThat(t).hasToString("kernel[2, 3]");
    }

    @Test
    void theDataStaysLive() {
        float[] data = new float[2];
        Tensor t = new Tensor("bias", new int[] {2}, data);
        data[1] = 4f;
        assertThat(t.data()).isSameAs(data).containsExactly(0f, 4f);
    }
}
