package org.plstm.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.plstm.DenseParams;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.TimeGateInit;

/** Session state handling and argument checks. */
class StreamSessionApiTest {
    private final PhasedLstmModel model = Models.random(3, 2, new int[] {9}, false, false, 0.3f, 4);

    @Test
    void timeMustNotGoBackwards() {
        StreamSession s = model.newSession();
        s.step(new float[] {1f, 2f}, 5.0);
        s.step(new float[] {1f, 2f}, 5.0); // equal times are fine
        float[] before = s.saveState().hidden(0);
        assertThatThrownBy(() -> s.step(new float[] {1f, 2f}, 4.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("t: expected a timestamp >= 5.0 (the previous event's; time must not go backwards within "
                        + "a session), got 4.5");
        assertThat(s.saveState().hidden(0)).isEqualTo(before);
        assertThat(s.events()).isEqualTo(2);
        assertThatThrownBy(() -> s.step(new float[] {1f, 2f}, Double.NaN))
                .hasMessage("t: expected a finite timestamp, got NaN");
        assertThatThrownBy(() -> s.step(new float[] {1f}, 6.0)).hasMessage("x: expected length 2 [I=2], got 1");
        assertThatThrownBy(() -> s.step(new float[] {1f, Float.NaN}, 6.0))
                .hasMessage("x: expected finite values, got NaN at flat index 1");
    }

    @Test
    void saveRestoreAndResetRoundTrip() {
        StreamSession a = model.newSession();
        for (int t = 0; t < 20; t++) {
            a.step(new float[] {t * 0.1f, -1f}, t * 1.3);
        }
        SessionState mid = a.saveState();
        float[] next = a.step(new float[] {0.7f, 0.2f}, 40.0).clone();
        StreamSession b = model.newSession();
        b.restoreState(mid);
        assertThat(b.events()).isEqualTo(20);
        assertThat(b.lastTime()).isEqualTo(19 * 1.3);
        assertThat(b.step(new float[] {0.7f, 0.2f}, 40.0)).isEqualTo(next);
        b.reset();
        assertThat(b.events()).isZero();
        assertThat(b.saveState().hidden(0)).containsOnly(0f);
        b.step(new float[] {0f, 0f}, -1e6); // after a reset any time is allowed again
        StreamSession other = Models.random(3, 2, new int[] {10}, false, false, 0.3f, 0).newSession();
        assertThatThrownBy(() -> other.restoreState(mid))
                .hasMessage("state: expected layer 0 of 10 units, got 9");
    }

    @Test
    void theEventCountStopsAtLongMaxValueSoASavedStateStaysValid() {
        SessionState full = SessionState.of(new float[1][9], new float[1][9], 0.0, Long.MAX_VALUE);
        StreamSession s = model.newSession(full);
        s.step(new float[] {0.1f, 0.2f}, 1.0);
        assertThat(s.events()).isEqualTo(Long.MAX_VALUE);
        SessionState saved = s.saveState();
        SessionState rebuilt = SessionState.of(new float[][] {saved.hidden(0)}, new float[][] {saved.cell(0)},
                saved.lastTime(), saved.events());
        assertThat(rebuilt).isEqualTo(saved);
    }

    @Test
    void probabilitiesSumToOne() {
        StreamSession s = model.newSession();
        s.step(new float[] {1f, 1f}, 0.0);
        float[] p = s.classProbabilities();
        double sum = 0;
        for (float v : p) {
            sum += v;
        }
        assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        StreamSession headless = Models.random(3, 2, new int[] {9}, false, false, 0.3f, 0).newSession();
        assertThatThrownBy(headless::classProbabilities).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void modelValidatesItsParts() {
        PhasedLstmParams l1 = PhasedLstmParams.initialize(PhasedLstmConfig.builder(2, 5).build(), TimeGateInit.KERAS, 1);
        PhasedLstmParams l2 = PhasedLstmParams.initialize(PhasedLstmConfig.builder(4, 3).build(), TimeGateInit.KERAS, 1);
        assertThatThrownBy(() -> PhasedLstmModel.of(List.of(l1, l2), null))
                .hasMessage("layers[1]: expected inputSize 5 (the hidden size of layer 0), got 4");
        assertThatThrownBy(() -> PhasedLstmModel.of(List.of(l1), new DenseParams(4, 2)))
                .hasMessage("head: expected inputSize 5 (the last layer's hidden size), got 4");
        assertThatThrownBy(() -> PhasedLstmModel.of(List.of(), null))
                .hasMessage("layers: expected at least one layer, got none");
        l1.period()[0] = -1f;
        assertThatThrownBy(() -> PhasedLstmModel.of(List.of(l1), null))
                .hasMessage("layers[0].period: expected > 0, got -1.0 at unit 0");
    }

    @Test
    void lstmLayersRunDenseAndSayWhy() {
        PhasedLstmParams lstm = PhasedLstmParams.initialize(PhasedLstmConfig.builder(2, 5).timeGate(false).build(),
                TimeGateInit.KERAS, 1);
        PhasedLstmModel m = PhasedLstmModel.of(List.of(lstm), null);
        assertThat(m.streamingPath()).isEqualTo(InferencePath.DENSE);
        assertThat(m.newSession().path()).isEqualTo(InferencePath.DENSE);
        assertThat(model.streamingPath()).isEqualTo(InferencePath.EVENT_DRIVEN);
        assertThat(model.backend()).isEqualTo(System.getProperty("plstm.test.expectBackend", "simd"));
    }

    @Test
    void theModelDoesNotSeeLaterChangesToItsInputs() {
        PhasedLstmParams p = PhasedLstmParams.initialize(PhasedLstmConfig.builder(1, 4).build(), TimeGateInit.KERAS, 1);
        PhasedLstmModel m = PhasedLstmModel.of(List.of(p), null);
        float[] first = m.newSession().step(new float[] {1f}, 3.0).clone();
        java.util.Arrays.fill(p.kernel(), 5f);
        assertThat(m.newSession().step(new float[] {1f}, 3.0)).isEqualTo(first);
        assertThat(m.layer(0).kernel()).isNotEqualTo(p.kernel());
    }

    @Test
    void batchesChangedAfterConstructionAreCheckedAgainOnEveryPath() {
        // SequenceBatch does not copy its arrays: predictions re-check them, on the event-driven path (which runs
        // no engine) as on the dense one, so a bad value is a clear error, not an index error in a kernel.
        float[] x = new float[2 * 3 * 2];
        int[] lengths = {3, 3};
        org.plstm.SequenceBatch b = new org.plstm.SequenceBatch(2, 3, 2, x, new double[] {0, 1, 2, 0, 1, 2}, lengths);
        lengths[0] = 7;
        for (InferencePath path : InferencePath.values()) {
            assertThatThrownBy(() -> model.predictProbabilities(b, path)).as("%s", path)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("lengths: expected values in [0, T=3], got 7 at sample 0");
        }
        lengths[0] = 3;
        x[4] = Float.NaN;
        for (InferencePath path : InferencePath.values()) {
            assertThatThrownBy(() -> model.predictLastHidden(b, path)).as("%s", path)
                    .hasMessage("x: expected finite values, got NaN at flat index 4");
        }
        x[4] = 0f;
        assertThat(model.predictProbabilities(b)).hasSize(2 * 4);
        assertThatThrownBy(() -> model.layer(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("layer: expected an index in [0, 1), got -1");
        SessionState state = model.newSession().saveState();
        assertThatThrownBy(() -> state.hidden(1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("layer: expected an index in [0, 1), got 1");
        assertThatThrownBy(() -> state.cell(-1)).hasMessage("layer: expected an index in [0, 1), got -1");
    }
}
