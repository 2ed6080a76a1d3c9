package org.plstm.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link StreamSession#saveState(float[][], float[][])} and its restore: the same state as the SessionState pair. */
class StreamSessionStateArraysTest {
    private final PhasedLstmModel model = Models.random(5, 2, new int[] {9, 4}, false, false, 0.3f, 3);

    @Test
    void arraysCarryTheSameStateAsASessionState() {
        StreamSession a = model.newSession();
        for (int t = 0; t < 30; t++) {
            a.step(new float[] {t * 0.1f, -1f}, t * 1.7);
        }
        float[][] h = {new float[9], new float[4]};
        float[][] c = {new float[9], new float[4]};
        a.saveState(h, c);
        SessionState saved = a.saveState();
        assertThat(SessionState.of(h, c, a.lastTime(), a.events())).isEqualTo(saved);

        StreamSession b = model.newSession();
        b.restoreState(h, c, a.lastTime(), a.events());
        assertThat(b.saveState()).isEqualTo(saved);
        float[] next = a.step(new float[] {0.7f, 0.2f}, 60.0).clone();
        assertThat(b.step(new float[] {0.7f, 0.2f}, 60.0)).isEqualTo(next);
        assertThat(b.classProbabilities()).isEqualTo(a.classProbabilities());
    }

    @Test
    void badArraysAreRefusedAndLeaveTheSessionAsItWas() {
        StreamSession s = model.newSession();
        s.step(new float[] {1f, 2f}, 3.0);
        SessionState before = s.saveState();
        float[][] h = {new float[9], new float[4]};
        float[][] c = {new float[9], new float[4]};
        assertThatThrownBy(() -> s.saveState(new float[][] {new float[9]}, c))
                .hasMessage("h: expected 2 layers, got 1");
        assertThatThrownBy(() -> s.saveState(h, new float[][] {new float[9], new float[5]}))
                .hasMessage("c[1]: expected length 4 [H=4], got 5");
        assertThatThrownBy(() -> s.restoreState(null, c, 0, 0)).hasMessage("h: expected a value, got null");
        float[][] nan = {new float[9], {0, Float.NaN, 0, 0}};
        assertThatThrownBy(() -> s.restoreState(nan, c, 0, 0))
                .hasMessage("h[1]: expected finite values, got NaN at flat index 1");
        assertThatThrownBy(() -> s.restoreState(h, c, Double.NaN, 0))
                .hasMessage("lastTime: expected a finite timestamp or negative infinity, got NaN");
        assertThatThrownBy(() -> s.restoreState(h, c, 0, -1)).hasMessage("events: expected >= 0, got -1");
        assertThat(s.saveState()).isEqualTo(before);
    }

    /** h and c are written one after the other: one array for both gave c in h's place, silently. */
    @Test
    void savingIntoOneArrayForBothHAndCIsRefused() {
        StreamSession s = model.newSession();
        s.step(new float[] {1f, 2f}, 3.0);
        float[][] both = {new float[9], new float[4]};
        assertThatThrownBy(() -> s.saveState(both, both)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("c: expected arrays of its own, got the same array as h at layer 0 (the call writes both)");
        float[][] h = {new float[9], new float[4]};
        float[][] c = {new float[9], h[1]};
        assertThatThrownBy(() -> s.saveState(h, c)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("c: expected arrays of its own, got the same array as h at layer 1 (the call writes both)");
        SessionBatch batch = model.newSessionBatch(2);
        assertThatThrownBy(() -> batch.save(0, both, both)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("c: expected arrays of its own, got the same array as h at layer 0 (the call writes both)");
    }
}
