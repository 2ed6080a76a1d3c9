package org.plstm.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Standardizer}: its arrays are values, as its constructor's copies promise. */
class StandardizerTest {
    private static final EventSequence RAMP = new EventSequence("a", new float[] {1, 2, 3}, new double[] {0, 1, 2},
            "x");

    /**
     * The accessors once returned the record's own arrays: a caller who changed {@code std()[0]} (to 0, say) changed
     * the transform of every later {@link Standardizer#apply}, past the constructor's checks.
     */
    @Test
    void theAccessorsReturnCopiesSoACallerCannotChangeTheTransform() {
        Standardizer st = Standardizer.fit(List.of("f"), List.of(RAMP), false);
        float[] before = st.apply(RAMP).x();
        st.mean()[0] = 100;
        st.std()[0] = 0;
        assertThat(st.mean()).containsExactly(2.0);
        assertThat(st.std()).containsExactly(Math.sqrt(2.0 / 3));
        assertThat(st.apply(RAMP).x()).containsExactly(before);
    }

    /** Equal statistics are equal (the record's own equals compared the arrays' identities). */
    @Test
    void statisticsReadBackFromJsonEqualTheFittedOnes() {
        Standardizer st = Standardizer.fit(List.of("f"), List.of(RAMP), false);
        Standardizer back = Standardizer.fromJson(st.toJson());
        assertThat(back).isEqualTo(st).hasSameHashCodeAs(st);
        assertThat(new Standardizer(List.of("f"), new double[] {2}, new double[] {3}, Double.NaN, Double.NaN))
                .isNotEqualTo(new Standardizer(List.of("f"), new double[] {2}, new double[] {4}, Double.NaN,
                        Double.NaN));
    }
}
