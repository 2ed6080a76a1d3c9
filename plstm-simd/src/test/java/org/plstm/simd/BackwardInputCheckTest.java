package org.plstm.simd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.plstm.Engine;
import org.plstm.LayerWorkspace;
import org.plstm.Mode;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.SequenceBatch;
import org.plstm.TimeGateInit;

/**
 * The SIMD engine reads the forward pass's input again in backward (the weight gradients take {@code x}, the
 * time gate's gradients take {@code time}); {@code Engine.backward} refuses once either, or the parameters, no
 * longer hold the values forward read, before any gradient is accumulated.
 */
class BackwardInputCheckTest {
    private static final PhasedLstmConfig CFG = PhasedLstmConfig.builder(3, 9).build();

    @Test
    void refusesChangedInputOrParamsAndLeavesTheGradientsAlone() {
        try (Engine e = new SimdEngine(2)) {
            LayerWorkspace ws = e.newWorkspace(CFG, 5, 4);
            float[] x = new float[5 * 4 * 3];
            Arrays.fill(x, 0.5f);
            double[] time = new double[5 * 4];
            for (int i = 0; i < time.length; i++) {
                time[i] = i % 4 + 0.5 * (i / 4);
            }
            SequenceBatch in = SequenceBatch.of(5, 4, 3, x, time);
            PhasedLstmParams p = PhasedLstmParams.initialize(CFG, TimeGateInit.PAPER, 7);
            PhasedLstmParams grads = new PhasedLstmParams(CFG);
            float[] dhT = new float[5 * 9];
            Arrays.fill(dhT, 1f);
            e.forward(ws, p, in, null, null, Mode.TRAINING);
            e.backward(ws, grads, null, dhT, null);
            float[] once = grads.kernel().clone();
            x[0] = Float.NaN;
            assertThatThrownBy(() -> e.backward(ws, grads, null, dhT, null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("input.x: expected the values");
            x[0] = 0.5f;
            time[7] = 1e300;
            assertThatThrownBy(() -> e.backward(ws, grads, null, dhT, null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("input.time: expected the values");
            time[7] = 3 + 0.5;
            p.recurrentKernel()[4] += 1f;
            assertThatThrownBy(() -> e.backward(ws, grads, null, dhT, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("params: expected the values");
            assertThat(grads.kernel()).containsExactly(once); // the refused calls accumulated nothing
        }
    }
}
