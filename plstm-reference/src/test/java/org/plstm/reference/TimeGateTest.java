package org.plstm.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.plstm.Mode;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.SequenceBatch;
import org.plstm.TimeGate;

/** Hand-computed time-gate values (paper eq. 11) at tau = 10, s = 2, r_on = 0.1, alpha = 0.001. */
class TimeGateTest {
    private static final double TAU = 10;
    private static final double S = 2;
    private static final double R_ON = 0.1;
    private static final double ALPHA = 0.001;

    @ParameterizedTest(name = "t = {0} -> k = {1}")
    @CsvSource({
        "2,     0",      // phi = 0: opening starts
        "2.25,  0.5",    // phi = 0.025 = r_on/4
        "2.5,   1",      // phi = r_on/2: fully open
        "2.75,  0.5",    // closing
        "3.0,   1e-4",   // phi = r_on: closed, leak alpha·phi
        "7.0,   5e-4",   // phi = 0.5
        "12.25, 0.5",    // periodic: one period later
        "1,     9e-4",   // before the shift: phi = 0.9
        "0,     8e-4",   // phi = 0.8
    })
    void opennessAtHandComputedTimes(double t, double expectedK) {
        double k = TimeGate.openness(TimeGate.phase(t, S, TAU), R_ON, ALPHA);
        assertThat(k).isCloseTo(expectedK, within(1e-12));
    }

    @Test
    void largeTimestampsKeepTheirPhase() {
        double t1 = 1.7e9 + 12.3;
        double t2 = 1.7e9 + 13.3;
        double phi1 = TimeGate.phase(t1, S, TAU);
        double phi2 = TimeGate.phase(t2, S, TAU);
        // (1.7e9 + 10.3) mod 10 = 0.3 -> phi 0.03; one time unit later phi 0.13. Double has ~2e-7 spacing here.
        assertThat(phi1).isCloseTo(0.03, within(1e-6));
        assertThat(phi2).isCloseTo(0.13, within(1e-6));
        // float32 time could not tell them apart: its spacing at 1.7e9 is 128.
        assertThat((float) t1).isEqualTo((float) t2);
    }

    @Test
    void negativeTimesWrapIntoUnitInterval() {
        assertThat(TimeGate.phase(-1, S, TAU)).isCloseTo(0.7, within(1e-12));
        assertThat(TimeGate.phase(-1e-8, 0, TAU)).isCloseTo(1 - 1e-9, within(1e-15)).isLessThan(1.0);
        // -1e-17 mod 10 rounds to exactly 10.0; the guard maps it to phase 0, never 1.
        assertThat(TimeGate.phase(-1e-17, 0, TAU)).isEqualTo(0.0);
        assertThat(TimeGate.phase(-123456.789, 3.5, 7.25)).isGreaterThanOrEqualTo(0.0).isLessThan(1.0);
    }

    @Test
    void layerUsesTheTimeGateOfEachUnit() {
        // With the time gate at k and a plain step h~, the layer must output k·h~ + (1-k)·h0.
        PhasedLstmConfig cfg = PhasedLstmConfig.builder(1, 1).build();
        PhasedLstmParams p = new PhasedLstmParams(cfg);
        p.kernel()[2] = 1f; // zg = x
        p.bias()[0] = 2f;
        p.bias()[3] = 2f;
        p.period()[0] = (float) TAU;
        p.shift()[0] = (float) S;
        p.ratioOn()[0] = (float) R_ON;
        float[] h0 = {0.25f};
        float[] c0 = {-0.5f};
        SequenceBatch in = SequenceBatch.of(1, 1, 1, new float[] {1f}, new double[] {2.75});
        ReferencePhasedLstm.Forward f = ReferencePhasedLstm.forward(p, in, h0, c0, Mode.TRAINING);
        double i = 1 / (1 + Math.exp(-2));
        double fg = 0.5;
        double ct = fg * -0.5 + i * Math.tanh(1);
        double ht = i * Math.tanh(ct); // o = sigmoid(2) = i
        // phi = 0.075 (closing); r_on is the float32 0.1f, so k = 2 - 2·0.075/0.1f = 0.5 + 2.2e-8.
        double k = 2 - 2 * 0.075 / (double) (float) R_ON;
        assertThat(f.k[0]).isCloseTo(k, within(1e-12));
        assertThat(f.c[0]).isCloseTo(k * ct + (1 - k) * -0.5, within(1e-12));
        assertThat(f.h[0]).isCloseTo(k * ht + (1 - k) * 0.25, within(1e-12));
    }
}
