package org.plstm;

/**
 * How the time-gate parameters {@code period, shift, ratioOn} are initialised.
 * Time is in any unit, the same as the timestamps the layer will see.
 */
public enum TimeGateInit {
    /**
     * As the Keras seed (fferroni/PhasedLSTM-Keras): {@code period ~ U(10, 100)}, {@code shift ~ U(0, 1000)},
     * {@code ratioOn = 0.05}.
     */
    KERAS,
    /**
     * The paper's advice (Neil et al. 2016, section 3): {@code period = exp(U(1, 6))} (about 2.7 to 403),
     * {@code shift ~ U(0, period)}, {@code ratioOn = 0.05}.
     */
    PAPER
}
