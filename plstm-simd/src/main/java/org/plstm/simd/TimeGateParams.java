package org.plstm.simd;

import org.plstm.PhasedLstmParams;

/**
 * A layer's time-gate parameters widened to double and padded to {@code Hp} units, with the reciprocals the
 * kernels use: what {@link SimdPhasedLstm#timeGateRow} reads. Padded units have period 1, shift 0, ratioOn 1.
 */
final class TimeGateParams {
    final int hp;
    final double[] shift;
    final double[] period;
    final double[] invPeriod;
    final double[] invPeriodSquared;
    final double[] ratioOn;
    final double[] twoOverRatioOn;

    TimeGateParams(int hp) {
        this.hp = hp;
        shift = new double[hp];
        period = new double[hp];
        invPeriod = new double[hp];
        invPeriodSquared = new double[hp];
        ratioOn = new double[hp];
        twoOverRatioOn = new double[hp];
    }

    /** Copies (and widens) the time-gate tensors of {@code p}. */
    void set(PhasedLstmParams p) {
        int hs = p.config().hiddenSize();
        for (int j = 0; j < hp; j++) {
            boolean real = j < hs;
            shift[j] = real ? p.shift()[j] : 0.0;
            period[j] = real ? p.period()[j] : 1.0;
            invPeriod[j] = 1.0 / period[j];
            invPeriodSquared[j] = invPeriod[j] * invPeriod[j];
            ratioOn[j] = real ? p.ratioOn()[j] : 1.0;
            twoOverRatioOn[j] = 2.0 / ratioOn[j];
        }
    }

    /** @return the largest {@code (maxAbsTime + |s|)/tau}, to decide whether the vector phase reduction is exact */
    double maxPhaseQuotient(double maxAbsTime, int units) {
        double m = 0;
        for (int j = 0; j < units; j++) {
            m = Math.max(m, (maxAbsTime + Math.abs(shift[j])) * invPeriod[j]);
        }
        return m;
    }
}
