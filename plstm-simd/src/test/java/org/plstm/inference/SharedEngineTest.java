package org.plstm.inference;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.plstm.Engine;
import org.plstm.SequenceBatch;
import org.plstm.engine.Backend;

/**
 * The backend's shared engine serves every model's dense predictions in the process: a caller that closes it (a
 * {@code try (Engine e = Backend.get().sharedEngine())} block) must not stop them, as shutting the common fork-join
 * pool down does not stop it.
 */
class SharedEngineTest {

    @Test
    void closingTheSharedEngineLeavesEveryModelPredicting() {
        PhasedLstmModel model = Models.random(3, 5, new int[] {16}, false, false, 0.3f, 4);
        SequenceBatch input = Models.streams(9, 3, 4, 5);
        float[] before = model.predictLastHidden(input, InferencePath.DENSE);
        Engine shared = Backend.get().sharedEngine();
        try (Engine e = shared) { // the careless caller
            assertThat(e.threads()).isPositive();
        }
        assertThat(Backend.get().sharedEngine()).isSameAs(shared);
        assertThat(model.predictLastHidden(input, InferencePath.DENSE)).containsExactly(before);
        assertThat(model.predictProbabilities(input, InferencePath.DENSE)).hasSize(3 * 4);
    }

    @Test
    void theReferenceBackendsSharedEngineLikewise() {
        Engine shared = Backend.named("reference").sharedEngine();
        shared.close();
        assertThat(Backend.named("reference").sharedEngine()).isSameAs(shared);
        assertThat(shared.newWorkspace(org.plstm.PhasedLstmConfig.builder(1, 2).build(), 1, 1)).isNotNull();
    }
}
