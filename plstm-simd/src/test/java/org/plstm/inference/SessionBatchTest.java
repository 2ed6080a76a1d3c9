package org.plstm.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.SequenceBatch;
import org.quicktheories.core.Gen;

/**
 * {@link SessionBatch} against one {@link StreamSession} per stream: equal bits, hidden state, class probabilities
 * and saved state, after every step, on random stacked models (peepholes, hard sigmoid, ratioOn from mostly closed
 * to always open, a layer without a time gate) and random interleavings of streams over slots (each step takes a
 * random subset of the streams with events left, in a random slot order, with states moved in and out of slots).
 * No tolerance: the batched kernel does the single-stream kernel's operations in the same order. The surefire
 * executions run this at every instruction level (AVX-512, AVX2, 128-bit, SSE without FMA).
 */
class SessionBatchTest {

    record Spec(int in, int h1, int h2, int layers, boolean peepholes, boolean hard, int ratioKind,
                boolean plainTop, int streams, int steps, int classes, long seed) {
        float ratioOn() {
            return switch (ratioKind) {
                case 0 -> 0.05f;
                case 1 -> 0.5f;
                default -> 1f;
            };
        }
    }

    static final Gen<Spec> SPECS = rs -> new Spec(integers().between(1, 20).generate(rs),
            integers().between(1, 70).generate(rs), integers().between(1, 40).generate(rs),
            integers().between(1, 2).generate(rs), booleans().all().generate(rs), booleans().all().generate(rs),
            integers().between(0, 2).generate(rs), integers().between(0, 5).generate(rs) == 0,
            integers().between(1, 40).generate(rs), integers().between(1, 30).generate(rs),
            integers().between(0, 3).generate(rs), longs().all().generate(rs));

    @Test
    void batchEqualsOneSessionPerStreamBitwise() {
        qt().withExamples(80).forAll(SPECS).checkAssert(SessionBatchTest::check);
    }

    static PhasedLstmModel model(Spec s) {
        int[] hidden = s.layers() == 1 ? new int[] {s.h1()} : new int[] {s.h1(), s.h2()};
        PhasedLstmModel m = Models.random(s.seed(), s.in(), hidden, s.peepholes(), s.hard(), s.ratioOn(), s.classes());
        if (!s.plainTop()) {
            return m;
        }
        // The top layer without a time gate: the model's streaming path becomes DENSE for every layer.
        List<PhasedLstmParams> layers = new ArrayList<>();
        for (int k = 0; k < m.depth(); k++) {
            PhasedLstmParams p = m.layer(k);
            if (k == m.depth() - 1) {
                PhasedLstmConfig cfg = p.config().toBuilder().timeGate(false).build();
                PhasedLstmParams q = new PhasedLstmParams(cfg);
                System.arraycopy(p.kernel(), 0, q.kernel(), 0, p.kernel().length);
                System.arraycopy(p.recurrentKernel(), 0, q.recurrentKernel(), 0, p.recurrentKernel().length);
                System.arraycopy(p.bias(), 0, q.bias(), 0, p.bias().length);
                if (p.peephole() != null) {
                    System.arraycopy(p.peephole(), 0, q.peephole(), 0, p.peephole().length);
                }
                p = q;
            }
            layers.add(p);
        }
        return PhasedLstmModel.of(layers, m.head());
    }

    static void check(Spec s) {
        PhasedLstmModel model = model(s);
        int streams = s.streams();
        int steps = s.steps();
        int in = s.in();
        SequenceBatch data = Models.streams(s.seed() + 1, streams, steps, in);
        StreamSession[] sessions = new StreamSession[streams];
        for (int b = 0; b < streams; b++) {
            sessions[b] = model.newSession();
        }
        SplittableRandom rng = new SplittableRandom(s.seed() + 2);
        int capacity = 1 + rng.nextInt(streams);
        SessionBatch batch = model.newSessionBatch(capacity);
        assertThat(batch.path()).isEqualTo(model.streamingPath());
        int h = model.hiddenSize();
        int depth = model.depth();
        int[] next = new int[streams];          // each stream's next event
        SessionState[] saved = new SessionState[streams];
        float[] x = new float[capacity * in];
        double[] t = new double[capacity];
        int[] who = new int[capacity];
        float[] hb = new float[h];
        int left = streams * steps;
        while (left > 0) {
            // A random subset of the streams with events left, in random order, into slots 0..n-1.
            List<Integer> ready = new ArrayList<>();
            for (int b = 0; b < streams; b++) {
                if (next[b] < steps) {
                    ready.add(b);
                }
            }
            java.util.Collections.shuffle(ready, new java.util.Random(rng.nextLong()));
            int n = Math.min(capacity, 1 + rng.nextInt(ready.size()));
            for (int i = 0; i < n; i++) {
                int b = ready.get(i);
                who[i] = b;
                if (saved[b] == null) {
                    batch.reset(i);
                } else {
                    batch.restore(i, saved[b]);
                }
                int e = next[b]++;
                System.arraycopy(data.x(), (b * steps + e) * in, x, i * in, in);
                t[i] = data.time()[b * steps + e];
            }
            batch.step(n, x, t);
            long[] updated = batch.lastUpdatedUnitsPerLayer();
            long[] expectUpdated = new long[depth];
            for (int i = 0; i < n; i++) {
                int b = who[i];
                float[] hs = sessions[b].step(java.util.Arrays.copyOfRange(x, i * in, (i + 1) * in), t[i]);
                int[] u = sessions[b].lastUpdatedUnitsPerLayer();
                for (int k = 0; k < depth; k++) {
                    expectUpdated[k] += u[k];
                }
                batch.hidden(i, hb, 0);
                String where = s + " stream " + b + " event " + (next[b] - 1) + " slot " + i;
                assertThat(hb).as("hidden: %s", where).isEqualTo(hs);
                if (model.hasHead()) {
                    float[] pb = new float[model.classes() + 2];
                    batch.classProbabilities(i, pb, 2);
                    assertThat(java.util.Arrays.copyOfRange(pb, 2, pb.length)).as("probabilities: %s", where)
                            .isEqualTo(sessions[b].classProbabilities());
                }
                saved[b] = batch.save(i);
                assertThat(saved[b]).as("state: %s", where).isEqualTo(sessions[b].saveState());
                assertThat(batch.events(i)).isEqualTo(sessions[b].events());
                assertThat(batch.lastTime(i)).isEqualTo(sessions[b].lastTime());
            }
            assertThat(updated).as("updated units: %s", s).isEqualTo(expectUpdated);
            left -= n;
        }
    }

    @Test
    void wholeBatchInSlotOrderKeepsStatesInPlace() {
        long seed = 20261202L;
        System.out.println("SessionBatchTest seed " + seed);
        PhasedLstmModel model = Models.random(seed, 5, new int[] {33, 17}, true, false, 0.05f, 3);
        int streams = 9;
        int steps = 40;
        SequenceBatch data = Models.streams(seed + 1, streams, steps, 5);
        SessionBatch batch = model.newSessionBatch(streams);
        float[] x = new float[streams * 5];
        double[] t = new double[streams];
        for (int e = 0; e < steps; e++) {
            for (int b = 0; b < streams; b++) {
                System.arraycopy(data.x(), (b * steps + e) * 5, x, b * 5, 5);
                t[b] = data.time()[b * steps + e];
            }
            batch.step(streams, x, t);
        }
        for (int b = 0; b < streams; b++) {
            StreamSession s = model.newSession();
            float[] expect = Models.run(s, data, b);
            float[] got = new float[17];
            batch.hidden(b, got, 0);
            assertThat(got).isEqualTo(java.util.Arrays.copyOfRange(expect, (steps - 1) * 17, steps * 17));
        }
    }

    @Test
    void badArgumentsAreRefusedAndChangeNothing() {
        PhasedLstmModel model = Models.random(5, 3, new int[] {8}, false, false, 0.5f, 2);
        SessionBatch batch = model.newSessionBatch(4);
        batch.step(2, new float[] {1, 2, 3, 4, 5, 6}, new double[] {1, 2});
        SessionState before0 = batch.save(0);
        SessionState before1 = batch.save(1);
        assertThatThrownBy(() -> batch.step(5, new float[15], new double[5]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n: expected 0..4");
        assertThatThrownBy(() -> batch.step(2, new float[5], new double[2]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x: expected at least n·I");
        assertThatThrownBy(() -> batch.step(2, new float[] {1, 2, 3, 4, Float.NaN, 6}, new double[] {3, 3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x[4] (slot 1, feature 1)");
        assertThatThrownBy(() -> batch.step(2, new float[6], new double[] {3, 1.5}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("t[1]: expected a timestamp >= 2.0");
        assertThatThrownBy(() -> batch.step(2, new float[6], new double[] {Double.NaN, 3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("t[0]: expected a finite");
        assertThatThrownBy(() -> batch.step(1, null, new double[1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x");
        assertThat(batch.save(0)).isEqualTo(before0);
        assertThat(batch.save(1)).isEqualTo(before1);
        assertThatThrownBy(() -> batch.hidden(4, new float[8], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slot: expected 0..3, got 4");
        assertThatThrownBy(() -> batch.hidden(0, new float[8], 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out: expected room for H = 8");
        assertThatThrownBy(() -> batch.restore(0, new float[][] {new float[7]}, new float[][] {new float[8]}, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("h[0]");
        assertThatThrownBy(() -> model.newSessionBatch(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity: expected >= 1, got 0");
        assertThatThrownBy(() -> model.newSessionBatch(Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity: expected at most");
        assertThatThrownBy(() -> model.keepingLeak().newSessionBatch(2))
                .isInstanceOf(IllegalStateException.class);
        PhasedLstmModel noHead = Models.random(5, 3, new int[] {8}, false, false, 0.5f, 0);
        assertThatThrownBy(() -> noHead.newSessionBatch(1).classProbabilities(0, new float[2], 0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no dense head");
    }
}
