package org.plstm.simd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.TimeGate;
import org.plstm.TimeGateInit;

/**
 * The bounds of closed gates that let the event-driven stream path skip a unit's time gate
 * ({@link TimeGateKernel#closedUntil}, used where {@link VectorLevel#CLOSED_BOUNDS}): every time before a bound gives
 * the unit a closed phase ({@link TimeGate#phase}, which both kernel paths equal bit for bit, see
 * {@link TimeGatePhaseExactTest}), checked right below the bound and at random times before it, for periods over 12
 * orders of magnitude, times up to {@code 2^50} periods away and phases just inside the closed window's ends; and a
 * stream that keeps its bounds computes the bits of one that evaluates every gate, with times that go back (which
 * voids the bounds) and the dense path in between. Surefire runs it at every level (the stream part exercises the
 * bounds where the level uses them, {@code UseAVX=0}, and is the plain path elsewhere).
 */
class ClosedBoundTest {

    @Test
    void aClosedGateStaysClosedUntilItsBound() {
        long seed = Long.getLong("plstm.test.seed", System.nanoTime());
        System.out.println("ClosedBoundTest seed=" + seed + " (replay with -Dplstm.test.seed=" + seed + ")");
        SplittableRandom random = new SplittableRandom(seed);
        PhasedLstmConfig cfg = PhasedLstmConfig.builder(1, 1).build();
        PhasedLstmParams p = PhasedLstmParams.initialize(cfg, TimeGateInit.KERAS, 1);
        PackedLayer layer = new PackedLayer(cfg);
        int bounded = 0;
        int cases = 0;
        for (int round = 0; round < 20_000; round++) {
            p.period()[0] = (float) Math.pow(10, -3 + 12 * random.nextDouble()); // 1e-3 .. 1e9
            p.shift()[0] = (float) (p.period()[0] * (random.nextDouble() * 4 - 2));
            p.ratioOn()[0] = (float) (0.01 + 0.99 * random.nextDouble());
            layer.pack(p);
            TimeGateParams tg = layer.tg;
            double tau = tg.period[0];
            double s = tg.shift[0];
            double ron = tg.ratioOn[0];
            double q = Math.rint(Math.scalb(random.nextDouble(), random.nextInt(51)) * (random.nextBoolean() ? 1 : -1));
            // a phase anywhere, at the closed window's start, or just before its end
            double[] fractions = {random.nextDouble(), ron, 1 - Math.scalb(1.0, -random.nextInt(10, 53))};
            double t = s + tau * (q + fractions[random.nextInt(fractions.length)]);
            int nudge = random.nextInt(5) - 2;
            for (int i = 0; i < Math.abs(nudge); i++) {
                t = nudge > 0 ? Math.nextUp(t) : Math.nextDown(t);
            }
            double phi = TimeGate.phase(t, s, tau);
            double bound = TimeGateKernel.closedUntil(tg, 0, t, phi);
            String where = "seed " + seed + " round " + round + ": tau=" + tau + " s=" + s + " ron=" + ron + " t=" + t
                    + " phi=" + phi + " bound=" + bound;
            cases++;
            if (phi < ron) {
                assertThat(bound).as(where).isEqualTo(Double.NEGATIVE_INFINITY);
                continue;
            }
            if (!(bound > t)) {
                assertThat(bound).as(where).isEqualTo(Double.NEGATIVE_INFINITY);
                continue;
            }
            bounded++;
            assertThat(bound).as(where).isLessThanOrEqualTo(t + tau * (1 - phi));
            double[] probes = {t, Math.nextDown(bound), t + (bound - t) * random.nextDouble(),
                t + (bound - t) * (1 - Math.scalb(random.nextDouble(), -20))};
            for (double probe : probes) {
                if (probe < t || probe >= bound) {
                    continue;
                }
                double later = TimeGate.phase(probe, s, tau);
                assertThat(later).as("%s probe=%s phase=%s", where, probe, later).isGreaterThanOrEqualTo(ron);
                assertThat(TimeGate.openness(later, ron, 0.0)).as("%s probe=%s", where, probe).isZero();
            }
        }
        // Not vacuous: most closed phases away from the window's end get a bound.
        assertThat(bounded).as("seed %d: cases with a bound, of %d", seed, cases).isGreaterThan(cases / 5);
    }

    @Test
    void aStreamKeepingBoundsComputesTheBitsOfAFullEvaluation() {
        long seed = Long.getLong("plstm.test.seed", System.nanoTime());
        System.out.println("ClosedBoundTest stream seed=" + seed + " (replay with -Dplstm.test.seed=" + seed + ")");
        SplittableRandom random = new SplittableRandom(seed);
        int in = 5;
        int hidden = 37;
        PhasedLstmConfig cfg = PhasedLstmConfig.builder(in, hidden).build();
        PhasedLstmParams p = PhasedLstmParams.initialize(cfg, TimeGateInit.PAPER, random.nextLong());
        StreamLayer layer = new StreamLayer(p);
        StreamLayer.State kept = new StreamLayer.State(layer);
        float[] x = new float[in];
        double t = 100 * random.nextDouble();
        for (int e = 0; e < 600; e++) {
            for (int i = 0; i < in; i++) {
                x[i] = (float) random.nextGaussian();
            }
            // gaps mostly shorter than the periods (2.7 to 403), a repeated time, and now and then a step back
            int kind = random.nextInt(40);
            t += kind == 0 ? -30 * random.nextDouble() : kind == 1 ? 0 : 2 * random.nextDouble();
            StreamLayer.State fresh = new StreamLayer.State(layer); // no bounds: every gate evaluated
            System.arraycopy(kept.h, 0, fresh.h, 0, kept.h.length);
            System.arraycopy(kept.c, 0, fresh.c, 0, kept.c.length);
            if (e % 97 == 50) {
                layer.stepDense(kept, x, 0, t);
                layer.stepDense(fresh, x, 0, t);
            } else {
                layer.stepSkipping(kept, x, 0, t);
                layer.stepSkipping(fresh, x, 0, t);
            }
            assertThat(kept.lastOpen).as("seed %d event %d t=%s: open units", seed, e, t).isEqualTo(fresh.lastOpen);
            for (int j = 0; j < hidden; j++) {
                assertThat(Float.floatToRawIntBits(kept.h[j])).as("seed %d event %d unit %d h", seed, e, j)
                        .isEqualTo(Float.floatToRawIntBits(fresh.h[j]));
                assertThat(Float.floatToRawIntBits(kept.c[j])).as("seed %d event %d unit %d c", seed, e, j)
                        .isEqualTo(Float.floatToRawIntBits(fresh.c[j]));
            }
        }
    }
}
