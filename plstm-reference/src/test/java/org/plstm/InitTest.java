package org.plstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The seeded initialisers follow Keras and the paper. */
class InitTest {

    @Test
    void kerasInitialisation() {
        PhasedLstmConfig cfg = PhasedLstmConfig.builder(5, 8).peepholes(true).build();
        PhasedLstmParams p = PhasedLstmParams.initialize(cfg, TimeGateInit.KERAS, 42);
        double limit = Math.sqrt(6.0 / (5 + 32));
        for (float w : p.kernel()) {
            assertThat(Math.abs(w)).isLessThanOrEqualTo((float) limit);
        }
        // Orthogonal: the 8 rows of recurrentKernel [8][32] are orthonormal.
        float[] u = p.recurrentKernel();
        for (int a = 0; a < 8; a++) {
            for (int b = 0; b < 8; b++) {
                double dot = 0;
                for (int c = 0; c < 32; c++) {
                    dot += (double) u[a * 32 + c] * u[b * 32 + c];
                }
                assertThat(dot).isCloseTo(a == b ? 1.0 : 0.0, within(1e-6));
            }
        }
        for (int col = 0; col < 32; col++) {
            assertThat(p.bias()[col]).isEqualTo(col >= 8 && col < 16 ? 1f : 0f); // unit forget bias
        }
        for (int j = 0; j < 8; j++) {
            assertThat(p.period()[j]).isBetween(10f, 100f);
            assertThat(p.shift()[j]).isBetween(0f, 1000f);
            assertThat(p.ratioOn()[j]).isEqualTo(0.05f);
        }
        assertThat(p.peephole()).containsOnly(0f);
        p.validate("p");
    }

    @Test
    void paperInitialisation() {
        PhasedLstmConfig cfg = PhasedLstmConfig.builder(1, 64).build();
        PhasedLstmParams p = PhasedLstmParams.initialize(cfg, TimeGateInit.PAPER, 5);
        for (int j = 0; j < 64; j++) {
            assertThat(p.period()[j]).isBetween((float) Math.exp(1), (float) Math.exp(6));
            assertThat(p.shift()[j]).isBetween(0f, p.period()[j]);
            assertThat(p.ratioOn()[j]).isEqualTo(0.05f);
        }
    }

    @Test
    void sameSeedSameParameters() {
        PhasedLstmConfig cfg = PhasedLstmConfig.builder(3, 7).build();
        PhasedLstmParams a = PhasedLstmParams.initialize(cfg, TimeGateInit.KERAS, 9);
        PhasedLstmParams b = PhasedLstmParams.initialize(cfg, TimeGateInit.KERAS, 9);
        PhasedLstmParams c = PhasedLstmParams.initialize(cfg, TimeGateInit.KERAS, 10);
        assertThat(a.kernel()).isEqualTo(b.kernel());
        assertThat(a.recurrentKernel()).isEqualTo(b.recurrentKernel());
        assertThat(a.period()).isEqualTo(b.period());
        assertThat(a.kernel()).isNotEqualTo(c.kernel());
    }

    @Test
    void tallOrthogonalHasOrthonormalColumns() {
        // A [rows > cols] orthogonal matrix (not used by the layer, but the initialiser must handle it).
        float[] w = new float[12 * 4];
        Init.orthogonal(w, 12, 4, new java.util.SplittableRandom(1));
        for (int a = 0; a < 4; a++) {
            for (int b = 0; b < 4; b++) {
                double dot = 0;
                for (int r = 0; r < 12; r++) {
                    dot += (double) w[r * 4 + a] * w[r * 4 + b];
                }
                assertThat(dot).isCloseTo(a == b ? 1.0 : 0.0, within(1e-6));
            }
        }
    }

    @Test
    void constraintsClampPeriodAndRatio() {
        PhasedLstmParams p = new PhasedLstmParams(PhasedLstmConfig.builder(1, 3).build());
        p.period()[0] = -2f;
        p.ratioOn()[1] = 3f;
        p.ratioOn()[2] = 0f;
        p.applyConstraints();
        assertThat(p.period()[0]).isEqualTo(1e-3f);
        assertThat(p.ratioOn()[1]).isEqualTo(1f);
        assertThat(p.ratioOn()[2]).isEqualTo(1e-3f);
    }
}
