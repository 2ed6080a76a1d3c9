package org.plstm.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.plstm.PhasedLstmConfig;
import org.plstm.TimeGateInit;
import org.plstm.train.SequenceClassifier;

/** The Keras-like summary: one row per layer with its parameter count, and the total. */
class ModelSummaryTest {
    @Test
    void rowsAndTotalCountEveryParameter() {
        SequenceClassifier c = SequenceClassifier.initialize(List.of(PhasedLstmConfig.builder(3, 5).peepholes(true)
                .build(), PhasedLstmConfig.builder(5, 4).timeGate(false).build()), 3, TimeGateInit.PAPER, 1);
        PhasedLstmModel m = PhasedLstmModel.of(c.weights().layers(), c.weights().dense());
        String s = m.summary();
        // layer 0: 3*20 + 5*20 + 20 + 3*5 (peepholes) + 3*5 (time gate) = 210; layer 1: 5*16 + 4*16 + 16 + 3*4 = 172
        assertThat(s.lines()).hasSize(5);
        assertThat(s.lines().toList().get(1)).matches("0\\s+PLSTM\\s+3\\s+5\\s+210\\s+gates sigmoid, leak 0.001, "
                + "peepholes");
        assertThat(s.lines().toList().get(2)).matches("1\\s+LSTM\\s+5\\s+4\\s+172\\s+gates sigmoid, no time gate");
        assertThat(s.lines().toList().get(3)).matches("head\\s+Dense\\s+4\\s+3\\s+15\\s+softmax");
        assertThat(s.lines().toList().get(4)).matches("total\\s+397\\s*");
        assertThat(c.parameterCount()).isEqualTo(397);
        assertThat(c.summary()).isEqualTo(s);
        assertThat(m.toString()).startsWith("PhasedLstmModel[PLSTM(3->5) LSTM(5->4) Dense(4->3) softmax ");
    }
}
