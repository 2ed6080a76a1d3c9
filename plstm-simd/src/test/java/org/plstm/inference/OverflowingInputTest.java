package org.plstm.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.plstm.PhasedLstmParams;
import org.plstm.SequenceBatch;

/**
 * Finite features whose products with the weights overflow float32 give undefined results (NaN or ±Inf), as
 * {@link PhasedLstmModel} documents, for that sample only: a batched prediction on the dense path neither throws nor
 * disturbs the batch's other samples. Without FMA (the {@code sse-no-fma} execution, {@code -XX:-UseFMA}) the dense
 * kernel's z became NaN here, and the model's own hand-over of a layer's output to the next (and of the last layer's)
 * threw {@code IllegalArgumentException("x: expected finite values, got NaN at flat index 0")}, naming a finite
 * argument of the caller's.
 */
class OverflowingInputTest {

    /** I = 5, H = 16 then 8; the bottom kernel's rows alternate ±10, so x = 3e38 overflows; every gate open. */
    private static PhasedLstmModel overflowing(int depth) {
        PhasedLstmModel m = Models.random(3, 5, depth == 1 ? new int[] {16} : new int[] {16, 8}, false, false, 1f, 4);
        PhasedLstmParams p = m.layer(0);
        for (int n = 0; n < p.kernel().length; n++) {
            p.kernel()[n] = (n / 64) % 2 == 0 ? 10f : -10f;
        }
        return PhasedLstmModel.of(depth == 1 ? List.of(p) : List.of(p, m.layer(1)), m.head());
    }

    @Test
    void anOverflowingSampleLeavesTheRestOfItsDenseBatchAlone() {
        for (int depth : new int[] {1, 2}) {
            PhasedLstmModel model = overflowing(depth);
            int h = model.hiddenSize();
            int c = model.classes();
            float[] x = new float[2 * 3 * 5];
            Arrays.fill(x, 0, 15, 3e38f); // sample 0
            Arrays.fill(x, 15, 30, 0.5f); // sample 1
            double[] t = {1, 2, 3, 1, 2, 3};
            SequenceBatch both = SequenceBatch.of(2, 3, 5, x, t);
            SequenceBatch second = SequenceBatch.of(1, 3, 5, Arrays.copyOfRange(x, 15, 30), new double[] {1, 2, 3});
            for (PhasedLstmModel m : List.of(model, model.keepingLeak())) {
                float[] hT = m.predictLastHidden(both, InferencePath.DENSE);
                assertThat(Arrays.copyOfRange(hT, h, 2 * h))
                        .containsExactly(m.predictLastHidden(second, InferencePath.DENSE));
                float[] seq = m.predictHiddenSequence(both);
                assertThat(Arrays.copyOfRange(seq, 3 * h, 6 * h)).containsExactly(m.predictHiddenSequence(second));
                float[] p = m.predictProbabilities(both, InferencePath.DENSE);
                assertThat(Arrays.copyOfRange(p, c, 2 * c))
                        .containsExactly(m.predictProbabilities(second, InferencePath.DENSE));
                assertThat(m.predictClasses(both)).hasSize(2);
            }
        }
    }
}
