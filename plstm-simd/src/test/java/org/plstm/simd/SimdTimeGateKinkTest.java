package org.plstm.simd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.plstm.Mode;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.SequenceBatch;
import org.plstm.TimeGate;
import org.plstm.reference.ReferencePhasedLstm;

/**
 * Timestamps exactly on the time gate's kinks (phi = 0, r_on/2, r_on, and one period later), where random cases
 * keep away. The SIMD phase reduction is exact, so it takes the same branch as the reference and k agrees to
 * float rounding, including the jump of the leak in training mode at phi = r_on and at the wrap phi -> 0.
 */
class SimdTimeGateKinkTest {

    @Test
    void kinksMatchReference() {
        int hs = 3;
        PhasedLstmConfig cfg = PhasedLstmConfig.builder(1, hs).leak(0.25).build(); // a large leak shows the jump
        PhasedLstmParams p = PhasedLstmParams.initialize(cfg, org.plstm.TimeGateInit.KERAS, 5);
        float[] tau = {10f, 3.75f, 0.5f};
        float[] s = {2f, -1.25f, 0.125f};
        float[] r = {0.1f, 0.5f, 1f};
        for (int j = 0; j < hs; j++) {
            p.period()[j] = tau[j];
            p.shift()[j] = s[j];
            p.ratioOn()[j] = r[j];
        }
        // Per unit: t = s + tau·{0, r/2, r, 1, 1 + r/2, 1 + r, 7} (computed in double like a user would).
        double[] multiples = {0, 0.5, 1, 0, 0.5, 1, 0};
        double[] periods = {0, 0, 0, 1, 1, 1, 7};
        int steps = multiples.length;
        for (int j = 0; j < hs; j++) {
            double[] time = new double[steps];
            for (int u = 0; u < steps; u++) {
                time[u] = s[j] + tau[j] * (periods[u] + multiples[u] * r[j]);
            }
            float[] x = new float[steps];
            for (int u = 0; u < steps; u++) {
                x[u] = 0.3f * (u + 1);
            }
            SequenceBatch in = SequenceBatch.of(1, steps, 1, x, time);
            for (Mode mode : Mode.values()) {
                ReferencePhasedLstm.Forward ref = ReferencePhasedLstm.forward(p, in, null, null, mode);
                try (SimdEngine e = new SimdEngine(1)) {
                    var ws = e.newWorkspace(cfg, 1, steps);
                    e.forward(ws, p, in, null, null, mode);
                    SimdWorkspace sw = (SimdWorkspace) ws;
                    float[] kRow = new float[sw.hPad];
                    float[] kScalar = new float[sw.hPad];
                    double[] phiRow = new double[sw.hPad];
                    double[] phiScalar = new double[sw.hPad];
                    double[] kWide = new double[sw.hPad];
                    for (int u = 0; u < steps; u++) {
                        double phi = TimeGate.phase(time[u], s[j], tau[j]);
                        double k = ref.k[u * hs + j];
                        TimeGateKernel.openness(sw.layer.tg, time[u], mode.alpha(cfg), kRow, 0, phiRow, kWide, true);
                        TimeGateKernel.opennessScalar(sw.layer.tg, time[u], mode.alpha(cfg), kScalar, 0, phiScalar);
                        assertThat(phiRow[j]).as("unit %d t=%s: the vector phase is the reference's, bit for bit", j, time[u])
                                .isEqualTo(Math.abs(phiScalar[j]));
                        float simdK = kRow[j];
                        // The vector path takes the reference's branch: k equals the scalar path's (the reference
                        // rounded to float) within one float ulp (it multiplies by 2/r_on where that divides).
                        assertThat(simdK).as("unit %d t=%s phi=%s mode %s: vector vs scalar k", j, time[u], phi, mode)
                                .isCloseTo(kScalar[j], org.assertj.core.data.Offset.offset(Math.ulp(kScalar[j])));
                        assertThat((double) simdK).as("unit %d t=%s phi=%s mode %s", j, time[u], phi, mode)
                                .isCloseTo(k, org.assertj.core.data.Offset.offset(1e-6));
                    }
                    for (int n = 0; n < ref.h.length; n++) {
                        assertThat((double) ws.h()[n]).as("h[%d] unit %d mode %s", n, j, mode)
                                .isCloseTo(ref.h[n], org.assertj.core.data.Offset.offset(1e-5 + 1e-4 * Math.abs(ref.h[n])));
                    }
                }
            }
        }
    }

    @Test
    void timestampsBeyondTheVectorRangeTakeTheExactScalarPath() {
        // |t − s|/tau ~ 1e16 > 2^50: the vector reduction would lose the phase; the engine must notice.
        CrossCheckCase c = new CrossCheckCase(new CrossCheckCase.Spec(3, 6, 2, 5, false, false, true, true, false,
                true, true, 0, 77));
        double[] time = c.input.time();
        for (int n = 0; n < time.length; n++) {
            time[n] = 1e17 + 64.0 * n; // doubles are 16 apart here
        }
        if (!c.awayFromKinks()) {
            return;
        }
        try (SimdEngine e = new SimdEngine(2)) {
            assertThat(c.compare(c.reference(), c.run(e, 1), SimdCrossCheckTest.ATOL, SimdCrossCheckTest.RTOL))
                    .isEmpty();
        }
    }
}
