package org.plstm.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.plstm.Engine;
import org.plstm.LayerWorkspace;
import org.plstm.Mode;
import org.plstm.PhasedLstmParams;
import org.plstm.SequenceBatch;
import org.plstm.reference.ReferencePhasedLstm;
import org.plstm.simd.SimdEngine;
import org.quicktheories.core.Gen;

/**
 * The event-driven path against the dense one and the reference, on random stacked models and irregular streams.
 *
 * <p>Tolerances: the skipping kernel sums each open unit's dot product over {@code I + H} lanes in another order
 * than the dense blocked product, so the two differ by float32 rounding, ~{@code sqrt(K)·u} per step, carried
 * through the recurrence ({@code T <= 60} events): the same bound as the SIMD/reference property tests,
 * {@code |a − b| <= 1e-5 + 1e-4·|b|}. Closed units must keep their state bitwise.
 */
class EventDrivenInferenceTest {
    private static final double ATOL = 1e-5;
    private static final double RTOL = 1e-4;

    record Spec(int in, int h1, int h2, int layers, boolean peepholes, boolean hard, int ratioKind, int steps,
                long seed) {
        float ratioOn() {
            return switch (ratioKind) {
                case 0 -> 0.05f;   // the paper's setting: mostly closed
                case 1 -> 0.5f;
                default -> 1f;     // always open (k > 0 except exactly at phi = 0)
            };
        }

        int[] hidden() {
            return layers == 1 ? new int[] {h1} : new int[] {h1, h2};
        }
    }

    static final Gen<Spec> SPECS = rs -> new Spec(integers().between(1, 20).generate(rs),
            integers().between(1, 70).generate(rs), integers().between(1, 40).generate(rs),
            integers().between(1, 2).generate(rs), booleans().all().generate(rs), booleans().all().generate(rs),
            integers().between(0, 2).generate(rs), integers().between(1, 60).generate(rs), longs().all().generate(rs));

    @Test
    void skippingEqualsDenseAndReference() {
        qt().withExamples(150).forAll(SPECS).checkAssert(EventDrivenInferenceTest::check);
    }

    static void check(Spec s) {
        PhasedLstmModel model = Models.random(s.seed(), s.in(), s.hidden(), s.peepholes(), s.hard(), s.ratioOn(), 0);
        SequenceBatch in = Models.streams(s.seed() + 1, 1, s.steps(), s.in());
        StreamSession skip = model.newSession(InferencePath.EVENT_DRIVEN);
        StreamSession dense = model.newSession(InferencePath.DENSE);
        assertThat(skip.path()).isEqualTo(InferencePath.EVENT_DRIVEN);
        int h = model.hiddenSize();
        float[] x = new float[s.in()];
        float[] prevSkip = new float[h];
        double[] ref = referenceHidden(model, in);
        for (int t = 0; t < s.steps(); t++) {
            System.arraycopy(in.x(), t * s.in(), x, 0, s.in());
            double time = in.time()[t];
            float[] a = skip.step(x, time).clone();
            float[] b = dense.step(x, time);
            int updated = skip.lastUpdatedUnitsPerLayer()[model.depth() - 1];
            assertThat(updated).isBetween(0, h);
            for (int j = 0; j < h; j++) {
                String where = s + " event " + t + " unit " + j;
                assertThat(Math.abs(a[j] - b[j])).as("skip vs dense: %s (%s vs %s)", where, a[j], b[j])
                        .isLessThanOrEqualTo((float) (ATOL + RTOL * Math.abs(b[j])));
                double r = ref[t * h + j];
                assertThat(Math.abs(a[j] - r)).as("skip vs reference: %s (%s vs %s)", where, a[j], r)
                        .isLessThanOrEqualTo(ATOL + RTOL * Math.abs(r));
            }
            if (model.depth() == 1) {
                // A closed unit keeps h bitwise (top layer of a 1-layer model: its k is known from the reference).
                double[] k = referenceK(model, in);
                for (int j = 0; j < h; j++) {
                    if (k[t * h + j] == 0.0) {
                        assertThat(Float.floatToRawIntBits(a[j])).as("closed unit %d at event %d: %s", j, t, s)
                                .isEqualTo(Float.floatToRawIntBits(prevSkip[j]));
                    }
                }
            }
            System.arraycopy(a, 0, prevSkip, 0, h);
        }
    }

    /** The reference's last-layer hidden sequence of sample 0, [T][H]. */
    static double[] referenceHidden(PhasedLstmModel model, SequenceBatch in) {
        SequenceBatch cur = in;
        ReferencePhasedLstm.Forward f = null;
        for (int k = 0; k < model.depth(); k++) {
            f = ReferencePhasedLstm.forward(model.layer(k), cur, null, null, Mode.INFERENCE);
            float[] next = new float[f.h.length];
            for (int n = 0; n < next.length; n++) {
                next[n] = (float) f.h[n];
            }
            cur = SequenceBatch.of(in.batch(), in.steps(), model.configs().get(k).hiddenSize(), next, in.time());
            if (k == model.depth() - 1) {
                return f.h;
            }
        }
        throw new AssertionError();
    }

    static double[] referenceK(PhasedLstmModel model, SequenceBatch in) {
        return ReferencePhasedLstm.forward(model.layer(0), in, null, null, Mode.INFERENCE).k;
    }

    @Test
    void densePathEqualsTheBatchedEngineBitwise() {
        PhasedLstmModel model = Models.random(5, 7, new int[] {37}, true, false, 0.3f, 0);
        SequenceBatch in = Models.streams(6, 5, 40, 7);
        float[] engineH;
        try (Engine e = new SimdEngine(2)) {
            LayerWorkspace ws = e.newWorkspace(model.configs().get(0), 5, 40);
            e.forward(ws, model.layer(0), in, null, null, Mode.INFERENCE);
            engineH = ws.h();
        }
        for (int b = 0; b < 5; b++) {
            float[] stream = Models.run(model.newSession(InferencePath.DENSE), in, b);
            for (int n = 0; n < stream.length; n++) {
                assertThat(Float.floatToRawIntBits(stream[n])).as("sample %d element %d", b, n)
                        .isEqualTo(Float.floatToRawIntBits(engineH[b * stream.length + n]));
            }
        }
    }

    @Test
    void exactGateBoundariesAllClosedAndAllOpenSteps() {
        // One layer, tau = 8, s = 2, r_on = 0.125 everywhere (all exact in binary): t = 2 (phi = 0, k = 0: closed),
        // 2.5 (phi = r_on/2, fully open), 3 (phi = r_on: closed), 6 (closed), 10.25 and again 10.25 (open).
        PhasedLstmModel base = Models.random(11, 3, new int[] {21}, false, false, 0.125f, 0);
        PhasedLstmParams p = base.layer(0);
        java.util.Arrays.fill(p.period(), 8f);
        java.util.Arrays.fill(p.shift(), 2f);
        PhasedLstmModel model = PhasedLstmModel.of(List.of(p), null);
        double[] times = {2.0, 2.5, 3.0, 6.0, 10.25, 10.25};
        int[] expectedOpen = {0, 21, 0, 0, 21, 21};
        StreamSession skip = model.newSession();
        StreamSession dense = model.newSession(InferencePath.DENSE);
        float[] x = {0.5f, -1f, 2f};
        float[] before = new float[21];
        float[] beforeDense = new float[21];
        for (int n = 0; n < times.length; n++) {
            float[] a = skip.step(x, times[n]).clone();
            float[] b = dense.step(x, times[n]).clone();
            assertThat(skip.lastUpdatedUnitsPerLayer()[0]).as("open units at t=%s", times[n]).isEqualTo(expectedOpen[n]);
            for (int j = 0; j < 21; j++) {
                if (expectedOpen[n] == 0) {
                    assertThat(Float.floatToRawIntBits(a[j])).isEqualTo(Float.floatToRawIntBits(before[j]));
                    assertThat(Float.floatToRawIntBits(b[j])).isEqualTo(Float.floatToRawIntBits(beforeDense[j]));
                } else {
                    assertThat(Math.abs(a[j] - b[j])).isLessThanOrEqualTo((float) (ATOL + RTOL * Math.abs(b[j])));
                }
            }
            System.arraycopy(a, 0, before, 0, 21);
            System.arraycopy(b, 0, beforeDense, 0, 21);
        }
    }

    @Test
    void batchedPredictionMatchesStreaming() {
        PhasedLstmModel model = Models.random(21, 4, new int[] {33, 17}, false, false, 0.05f, 5);
        SequenceBatch in = new SequenceBatch(6, 30, 4, Models.streams(22, 6, 30, 4).x(),
                Models.streams(22, 6, 30, 4).time(), new int[] {30, 0, 7, 30, 1, 29});
        assertThat(model.batchPath(in)).isEqualTo(InferencePath.EVENT_DRIVEN);
        float[] skip = model.predictProbabilities(in, InferencePath.EVENT_DRIVEN);
        float[] dense = model.predictProbabilities(in, InferencePath.DENSE);
        for (int n = 0; n < skip.length; n++) {
            assertThat(Math.abs(skip[n] - dense[n])).as("probability %d", n).isLessThan(1e-5f);
        }
        int[] classes = model.predictClasses(in);
        assertThat(classes).hasSize(6);
        // Streaming sample 2 (length 7) by hand gives the same final state.
        StreamSession s = model.newSession();
        float[] x = new float[4];
        for (int t = 0; t < 7; t++) {
            System.arraycopy(in.x(), (2 * 30 + t) * 4, x, 0, 4);
            s.step(x, in.time()[2 * 30 + t]);
        }
        float[] p = s.classProbabilities();
        for (int c = 0; c < 5; c++) {
            assertThat(p[c]).isEqualTo(skip[2 * 5 + c]);
        }
        // Sample 1 has no events: the zero state.
        float[] h = model.predictLastHidden(in);
        for (int j = 0; j < 17; j++) {
            assertThat(h[17 + j]).isEqualTo(0f);
        }
    }

    @Test
    void batchedPredictionTakesTimestampsInAnyOrderOnBothPaths() {
        // A batch may hold timestamps that go backwards (SequenceBatch allows it; only a stream forbids it): the
        // event-driven path must not reject it and must agree with the dense path and the reference.
        PhasedLstmModel model = Models.random(41, 3, new int[] {29}, false, false, 0.05f, 0);
        SequenceBatch sorted = Models.streams(42, 3, 25, 3);
        double[] time = sorted.time().clone();
        for (int b = 0; b < 3; b++) { // reverse every sample's timestamps
            for (int t = 0; t < 12; t++) {
                double tmp = time[b * 25 + t];
                time[b * 25 + t] = time[b * 25 + 24 - t];
                time[b * 25 + 24 - t] = tmp;
            }
        }
        SequenceBatch in = SequenceBatch.of(3, 25, 3, sorted.x(), time);
        assertThat(model.batchPath(in)).isEqualTo(InferencePath.EVENT_DRIVEN);
        float[] skip = model.predictLastHidden(in, InferencePath.EVENT_DRIVEN);
        float[] dense = model.predictLastHidden(in, InferencePath.DENSE);
        double[] ref = ReferencePhasedLstm.forward(model.layer(0), in, null, null, Mode.INFERENCE).hT;
        for (int n = 0; n < skip.length; n++) {
            assertThat(Math.abs(skip[n] - dense[n])).as("skip vs dense, element %d", n)
                    .isLessThanOrEqualTo((float) (ATOL + RTOL * Math.abs(dense[n])));
            assertThat(Math.abs(skip[n] - ref[n])).as("skip vs reference, element %d", n)
                    .isLessThanOrEqualTo(ATOL + RTOL * Math.abs(ref[n]));
        }
    }

    @Test
    void concurrentSessionsOnOneModelMatchSequentialOnes() throws Exception {
        PhasedLstmModel model = Models.random(31, 8, new int[] {64, 32}, true, false, 0.05f, 10);
        int streams = 16;
        SequenceBatch in = Models.streams(32, streams, 200, 8);
        List<float[]> sequential = new ArrayList<>();
        for (int b = 0; b < streams; b++) {
            sequential.add(Models.run(model.newSession(), in, b));
        }
        float[][] parallel = new float[streams][];
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int w = 0; w < 8; w++) {
            final int worker = w;
            Thread th = new Thread(() -> {
                try {
                    for (int b = worker; b < streams; b += 8) {
                        parallel[b] = Models.run(model.newSession(), in, b);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        assertThat(errors).isEmpty();
        for (int b = 0; b < streams; b++) {
            assertThat(parallel[b]).as("stream %d", b).isEqualTo(sequential.get(b));
        }
    }
    @Test
    void aBatchWhoseResultWouldNotFitAnArrayIsRefusedBeforeAnyWork() {
        PhasedLstmModel m = Models.random(1, 1, new int[] {1024}, false, false, 0.05f, 3);
        int b = 2_200_000; // B·H = 2,252,800,000 > Integer.MAX_VALUE (the event-driven path overflowed an int)
        SequenceBatch in = SequenceBatch.of(b, 1, 1, new float[b], new double[b]);
        assertThatThrownBy(() -> m.predictLastHidden(in, InferencePath.EVENT_DRIVEN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("hT: expected at most 2147483647 elements, got 2200000·1024·1");
        assertThatThrownBy(() -> m.predictProbabilities(in, InferencePath.EVENT_DRIVEN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("hT: expected at most 2147483647 elements, got 2200000·1024·1");
        assertThatThrownBy(() -> m.predictLastHidden(in, InferencePath.DENSE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("h: expected at most 2147483647 elements, got 2200000·1·1024");
    }
}
