package org.plstm.simd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The surefire executions at forced narrower widths really run at those widths. */
class VectorWidthTest {
    @Test
    void runsAtTheExpectedWidth() {
        String expected = System.getProperty("plstm.test.expectVectorBits");
        int bits = SimdEngine.vectorBitSize();
        System.out.println("SIMD kernels run at " + bits + "-bit vectors, " + SimdEngine.floatLanes() + " float lanes");
        if (expected != null) {
            assertThat(bits).isEqualTo(Integer.parseInt(expected));
        }
        assertThat(SimdEngine.floatLanes() * 32).isEqualTo(bits);
    }
}
