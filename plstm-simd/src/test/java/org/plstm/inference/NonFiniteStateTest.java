package org.plstm.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.plstm.PhasedLstmParams;

/**
 * Finite features whose products with the weights overflow float32 make a stream's state NaN (documented on
 * {@link PhasedLstmModel}: undefined results, kept until a reset). Saving and restoring such a state must behave the
 * same in a {@link StreamSession} and a {@link SessionBatch}: saving never throws, and a saved {@link SessionState}
 * restores into either.
 */
class NonFiniteStateTest {
    /** I = 5, H = 16, every gate open; kernel rows of alternating sign ±10, so x = 3e38 gives inf − inf = NaN. */
    private static PhasedLstmModel overflowing() {
        PhasedLstmModel m = Models.random(3, 5, new int[] {16}, false, false, 1f, 4);
        PhasedLstmParams p = m.layer(0);
        for (int n = 0; n < p.kernel().length; n++) {
            p.kernel()[n] = (n / 64) % 2 == 0 ? 10f : -10f;
        }
        return PhasedLstmModel.of(List.of(p), m.head());
    }

    private static final float[] HUGE = {3e38f, 3e38f, 3e38f, 3e38f, 3e38f};

    /**
     * The state of a session after one {@link #HUGE} event, which overflows the float32 kernels; the test is skipped
     * on the reference backend, which computes in double, where these products do not.
     */
    private static SessionState overflowedState(PhasedLstmModel model) {
        StreamSession session = model.newSession();
        session.step(HUGE, 1.0);
        SessionState s = session.saveState();
        assumeTrue(Float.isNaN(s.hidden(0)[0]), "the state overflowed (float32 kernels; not the double reference)");
        return s;
    }

    @Test
    void aBatchSlotSavesANonFiniteStateAsASessionDoes() {
        PhasedLstmModel model = overflowing();
        SessionState fromSession = overflowedState(model);

        SessionBatch batch = model.newSessionBatch(2);
        batch.step(1, HUGE, new double[] {1.0});
        SessionState fromBatch = batch.save(0); // threw "h[0]: expected finite values, got NaN at flat index 0"
        assertThat(fromBatch).isEqualTo(fromSession);
    }

    @Test
    void aSavedNonFiniteStateRestoresIntoABatchSlotAsIntoASession() {
        PhasedLstmModel model = overflowing();
        SessionState saved = overflowedState(model);
        assertThat(model.newSession(saved).saveState()).isEqualTo(saved);

        SessionBatch batch = model.newSessionBatch(2);
        batch.restore(1, saved); // threw "h[0]: expected finite values, got NaN at flat index 0"
        assertThat(batch.save(1)).isEqualTo(saved);
    }

    @Test
    void aStateOfAnotherShapeIsRefusedAsBySessionAndTheSlotKept() {
        PhasedLstmModel model = overflowing();
        SessionBatch batch = model.newSessionBatch(2);
        batch.step(1, new float[5], new double[] {2.0});
        SessionState before = batch.save(0);
        SessionState twoLayers = SessionState.of(new float[2][16], new float[2][16], 0, 0);
        SessionState narrow = SessionState.of(new float[][] {new float[15]}, new float[][] {new float[15]}, 0, 0);
        assertThatThrownBy(() -> batch.restore(0, twoLayers)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("state: expected 1 layers, got 2");
        assertThatThrownBy(() -> batch.restore(0, narrow)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("state: expected layer 0 of 16 units, got 15");
        assertThatThrownBy(() -> model.newSession().restoreState(narrow)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("state: expected layer 0 of 16 units, got 15");
        assertThatThrownBy(() -> batch.restore(0, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("state: expected a value, got null");
        assertThatThrownBy(() -> batch.restore(2, before)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("slot: expected 0..1, got 2");
        assertThat(batch.save(0)).isEqualTo(before);
    }

    @Test
    void theArrayFormsStillRefuseNonFiniteValues() {
        PhasedLstmModel model = overflowing();
        float[][] h = {new float[16]};
        h[0][3] = Float.NaN;
        float[][] c = {new float[16]};
        assertThatThrownBy(() -> model.newSessionBatch(1).restore(0, h, c, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("h[0]: expected finite values, got NaN at flat index 3");
    }
}
