package org.plstm.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** {@link CosineDecay} against Keras' {@code CosineDecay} formula, its ends, and its validation. */
class CosineDecayTest {

    @Test
    void followsHalfACosineFromTheInitialRateToAlphaTimesIt() {
        CosineDecay d = new CosineDecay(2e-3, 100, 0.1);
        assertThat(d.rate(0)).isEqualTo(2e-3);
        // the midpoint is halfway between the two ends: cos(pi/2) = 0 up to one ulp of pi/2
        assertThat(d.rate(50)).isCloseTo(2e-3 * (0.9 * 0.5 + 0.1), within(1e-18));
        assertThat(d.rate(100)).isEqualTo(2e-3 * 0.1);
        assertThat(d.rate(1_000)).as("constant after decaySteps").isEqualTo(2e-3 * 0.1);
        // Keras: initial * ((1 - alpha) * 0.5 * (1 + cos(pi * step / decay_steps)) + alpha), step 37
        assertThat(d.rate(37)).isEqualTo(2e-3 * ((1 - 0.1) * 0.5 * (1 + Math.cos(Math.PI * (37 / 100.0))) + 0.1));
        double previous = Double.MAX_VALUE;
        for (long s = 0; s <= 100; s++) {
            assertThat(d.rate(s)).as("step %d", s).isLessThan(previous);
            previous = d.rate(s);
        }
    }

    @Test
    void alphaZeroEndsAtTheSmallestPositiveRateWhichOptimisersAccept() {
        CosineDecay d = new CosineDecay(1e-3, 10, 0);
        assertThat(d.rate(10)).isEqualTo((double) Float.MIN_VALUE);
        Optimizer adam = new Adam(1e-3);
        d.applyTo(adam);
        assertThat(adam.learningRate()).isEqualTo(1e-3); // 0 steps taken: the initial rate
    }

    @Test
    void rejectsBadArgumentsNamingThem() {
        assertThatThrownBy(() -> new CosineDecay(0, 10, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("initial").hasMessageContaining("got 0.0");
        assertThatThrownBy(() -> new CosineDecay(Double.NaN, 10, 0)).hasMessageContaining("initial");
        assertThatThrownBy(() -> new CosineDecay(1e-3, 0, 0)).hasMessageContaining("decaySteps")
                .hasMessageContaining("got 0");
        assertThatThrownBy(() -> new CosineDecay(1e-3, 10, 1.5)).hasMessageContaining("alpha");
        assertThatThrownBy(() -> new CosineDecay(1e-3, 10, Double.NaN)).hasMessageContaining("alpha");
        assertThatThrownBy(() -> new CosineDecay(1e-3, 10, 0).rate(-1)).hasMessageContaining("step")
                .hasMessageContaining("got -1");
        assertThatThrownBy(() -> new CosineDecay(1e-3, 10, 0).applyTo(null)).hasMessageContaining("optimizer");
    }
}
