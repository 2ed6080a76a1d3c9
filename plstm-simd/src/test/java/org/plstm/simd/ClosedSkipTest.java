package org.plstm.simd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.plstm.GateActivation;
import org.plstm.LayerWorkspace;
import org.plstm.Mode;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.SequenceBatch;
import org.plstm.TimeGate;
import org.plstm.TimeGateInit;

/**
 * Inference with leak 0 skips, per unit block, the samples whose time gate is closed at every unit of the block
 * ({@link LayerForward}). Checked on random small layers (peepholes, hard sigmoid, lengths, regular and irregular
 * timestamps, 1 and 2 threads, and the split by unit blocks) against the same engine's dense update, a training
 * pass with leak 0 (it keeps caches, so it skips nothing and its {@code k} is the same 0): the hidden sequence,
 * {@code hT} and {@code cT} are equal element for element, and the h of every unit whose gate the reference finds
 * closed ({@code k = 0}) is its h one step before, bit for bit. The cases must skip blocks: the test counts the
 * (sample, step, block) triples the reference finds closed at every unit and requires some. Each case prints its
 * seed on failure.
 */
class ClosedSkipTest {
    private static final int L = VectorLevel.L;

    @Test
    void skippingClosedBlocksGivesTheDenseValues() {
        long closedBlocks = 0;
        try (SimdEngine one = new SimdEngine(1); SimdEngine two = new SimdEngine(2)) {
            for (long seed = 1; seed <= 24; seed++) {
                SplittableRandom rnd = new SplittableRandom(seed);
                int hidden = 1 + rnd.nextInt(3 * L + 2);
                closedBlocks += check(seed, (seed & 1) == 0 ? one : two, rnd, hidden);
            }
        }
        assertThat(closedBlocks).as("(sample, step, block) triples closed at every unit").isPositive();
    }

    @Test
    void theUnitSplitSkipsTheSameWay() {
        String old = System.getProperty(SimdWorkspace.SPLIT_PROPERTY);
        System.setProperty(SimdWorkspace.SPLIT_PROPERTY, "units");
        long closedBlocks = 0;
        try (SimdEngine two = new SimdEngine(2); SimdEngine three = new SimdEngine(3)) {
            for (long seed = 101; seed <= 106; seed++) {
                SplittableRandom rnd = new SplittableRandom(seed);
                closedBlocks += check(seed, (seed & 1) == 0 ? two : three, rnd, 12 * L + rnd.nextInt(L));
            }
        } finally {
            if (old == null) {
                System.clearProperty(SimdWorkspace.SPLIT_PROPERTY);
            } else {
                System.setProperty(SimdWorkspace.SPLIT_PROPERTY, old);
            }
        }
        assertThat(closedBlocks).as("(sample, step, block) triples closed at every unit").isPositive();
    }

    /** One random case; returns how many (sample, step, block) triples are closed at every unit. */
    private static long check(long seed, SimdEngine engine, SplittableRandom rnd, int hidden) {
        int batch = 1 + rnd.nextInt(14);
        int steps = 1 + rnd.nextInt(30);
        int in = 1 + rnd.nextInt(2 * L + 1);
        PhasedLstmConfig cfg = PhasedLstmConfig.builder(in, hidden).timeGate(true).leak(0)
                .peepholes(rnd.nextBoolean())
                .gateActivation(rnd.nextInt(4) == 0 ? GateActivation.HARD_SIGMOID : GateActivation.SIGMOID).build();
        PhasedLstmParams params = PhasedLstmParams.initialize(cfg,
                rnd.nextBoolean() ? TimeGateInit.PAPER : TimeGateInit.KERAS, seed);
        float[] x = new float[batch * steps * in];
        for (int n = 0; n < x.length; n++) {
            x[n] = (float) rnd.nextGaussian();
        }
        boolean shared = rnd.nextBoolean(); // every sample at the same timestamps (as sequential MNIST), or not
        double[] time = new double[batch * steps];
        for (int b = 0; b < batch; b++) {
            double now = shared ? 0 : 100 * rnd.nextDouble();
            for (int t = 0; t < steps; t++) {
                now += shared ? 1 : 0.1 + 2 * rnd.nextDouble();
                time[b * steps + t] = now;
            }
        }
        int[] lengths = new int[batch];
        for (int b = 0; b < batch; b++) {
            lengths[b] = rnd.nextInt(3) == 0 ? rnd.nextInt(steps + 1) : steps;
        }
        SequenceBatch input = new SequenceBatch(batch, steps, in, x, time, lengths);
        String what = "seed " + seed + ", B=" + batch + " T=" + steps + " I=" + in + " H=" + hidden + ", "
                + engine.description();

        LayerWorkspace skip = engine.newWorkspace(cfg, batch, steps);
        skip.setHiddenSequenceNeeded(true);
        engine.forward(skip, params, input, null, null, Mode.INFERENCE);
        LayerWorkspace dense = engine.newWorkspace(cfg, batch, steps);
        dense.setHiddenSequenceNeeded(true);
        engine.forward(dense, params, input, null, null, Mode.TRAINING); // leak 0: the same k, nothing skipped

        // Equal values (==, not bits: the one way the two may differ is the sign of a zero state, see LayerForward).
        assertEqual(what + ": h", skip.h(), dense.h());
        assertEqual(what + ": hT", skip.hT(), dense.hT());
        assertEqual(what + ": cT", skip.cT(), dense.cT());

        long closedBlocks = 0;
        float[] h = skip.h();
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < lengths[b]; t++) {
                double tb = time[b * steps + t];
                boolean blockClosed = true;
                for (int j = 0; j < hidden; j++) {
                    double phi = TimeGate.phase(tb, params.shift()[j], params.period()[j]);
                    boolean closed = TimeGate.openness(phi, params.ratioOn()[j], 0) == 0;
                    if (closed) {
                        int now = (b * steps + t) * hidden + j;
                        float before = t == 0 ? 0f : h[now - hidden];
                        assertThat(Float.floatToRawIntBits(h[now])).as("%s: closed unit %d of sample %d at step %d"
                                + " keeps h", what, j, b, t).isEqualTo(Float.floatToRawIntBits(before));
                    }
                    blockClosed &= closed;
                    if (j % L == L - 1 || j == hidden - 1) {
                        closedBlocks += blockClosed ? 1 : 0;
                        blockClosed = true;
                    }
                }
            }
        }
        return closedBlocks;
    }

    private static void assertEqual(String what, float[] actual, float[] expected) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        for (int n = 0; n < expected.length; n++) {
            if (!(actual[n] == expected[n])) {
                throw new AssertionError(what + " differs at " + n + ": " + actual[n] + " against " + expected[n]);
            }
        }
    }
}
