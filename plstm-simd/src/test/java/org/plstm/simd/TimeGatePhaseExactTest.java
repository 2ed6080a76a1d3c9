package org.plstm.simd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.TimeGate;
import org.plstm.TimeGateInit;

/**
 * The vector phase reduction is exact at every level: with FMA ({@code fma}) and without ({@code -XX:UseAVX=0},
 * Dekker's product), its phase equals {@link TimeGate#phase} bit for bit (up to the sign of a zero), for periods
 * over 12 orders of magnitude, times up to {@code 2^50} periods away, and times placed on and next to the kinks and
 * the rounding boundaries of the quotient ({@code (t − s)/tau} at integers and half-integers), where an inexact
 * reduction would show. Surefire runs it at every instruction level.
 */
class TimeGatePhaseExactTest {
    private static final int H = 64;

    @Test
    void theVectorPhaseIsTheReferencePhaseBitForBit() {
        long seed = Long.getLong("plstm.test.seed", System.nanoTime());
        System.out.println("TimeGatePhaseExactTest seed=" + seed + " (replay with -Dplstm.test.seed=" + seed + ")");
        SplittableRandom random = new SplittableRandom(seed);
        PhasedLstmConfig cfg = PhasedLstmConfig.builder(1, H).build();
        PhasedLstmParams p = PhasedLstmParams.initialize(cfg, TimeGateInit.KERAS, 1);
        PackedLayer layer = new PackedLayer(cfg);
        int hPad = layer.hPad;
        float[] k = new float[hPad];
        double[] phi = new double[hPad];
        double[] kWide = new double[hPad];
        float[] kRef = new float[hPad];
        double[] phiRef = new double[hPad];
        int checked = 0;
        for (int round = 0; round < 600; round++) {
            for (int j = 0; j < H; j++) {
                p.period()[j] = (float) Math.pow(10, -3 + 12 * random.nextDouble()); // 1e-3 .. 1e9
                p.shift()[j] = (float) (p.period()[j] * (random.nextDouble() * 4 - 2));
                p.ratioOn()[j] = (float) (0.01 + 0.99 * random.nextDouble());
            }
            layer.pack(p);
            TimeGateParams tg = layer.tg;
            int j0 = random.nextInt(H);
            double tau = tg.period[j0];
            double s = tg.shift[j0];
            // a quotient up to 2^50, then on or next to an integer or half-integer of it, or a kink
            double q = Math.scalb(random.nextDouble(), random.nextInt(51)) * (random.nextBoolean() ? 1 : -1);
            double[] anchors = {Math.rint(q), Math.rint(q) + 0.5, Math.rint(q) + tg.ratioOn[j0] / 2,
                Math.rint(q) + tg.ratioOn[j0], q};
            double t = s + tau * anchors[random.nextInt(anchors.length)];
            int nudge = random.nextInt(5) - 2;
            for (int i = 0; i < Math.abs(nudge); i++) {
                t = nudge > 0 ? Math.nextUp(t) : Math.nextDown(t);
            }
            if (!TimeGateKernel.vectorSafe(tg, Math.abs(t))) {
                continue;
            }
            TimeGateKernel.openness(tg, t, 0.0, k, 0, phi, kWide, true);
            TimeGateKernel.opennessScalar(tg, t, 0.0, kRef, 0, phiRef);
            for (int j = 0; j < H; j++) {
                double expected = TimeGate.phase(t, tg.shift[j], tg.period[j]);
                assertThat(phi[j]).as("seed %d unit %d: t=%s s=%s tau=%s", seed, j, t, tg.shift[j], tg.period[j])
                        .isEqualTo(Math.abs(expected));
                // k: the same branch, and values within double rounding before the float rounding: the vector path
                // multiplies phi by 2/r_on (two roundings, each at most 2^-53 relative of a value <= 2) where the
                // reference divides 2·phi by r_on (one), and near phi = r_on, 2 − that cancels: at most 3·2^-52
                // absolute (1e-15 bounds it), then one float ulp.
                assertThat((double) k[j]).as("seed %d unit %d k phi=%s ron=%s", seed, j, phi[j], tg.ratioOn[j])
                        .isCloseTo(kRef[j], org.assertj.core.data.Offset.offset(1e-15 + Math.ulp(kRef[j])));
            }
            checked++;
        }
        assertThat(checked).as("cases inside the vector range").isGreaterThan(250);
    }
}
