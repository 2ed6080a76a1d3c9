package org.plstm.simd;

import org.plstm.PhasedLstmParams;

/**
 * A layer's time-gate parameters widened to double and padded to {@code Hp} units, with the reciprocals the
 * kernels use: what {@link TimeGateKernel} reads. Padded units have period 1, shift 0, ratioOn 1.
 */
final class TimeGateParams {
    final int hPad;
    final double[] shift;
    final double[] period;
    final double[] invPeriod;
    final double[] invPeriodSquared;
    final double[] ratioOn;
    final double[] twoOverRatioOn;
    /** The largest {@code |s|} and {@code 1/tau} of the real units, for {@link #maxPhaseQuotient}. */
    private double maxAbsShift;
    private double maxInvPeriod;

    TimeGateParams(int hPad) {
        this.hPad = hPad;
        shift = new double[hPad];
        period = new double[hPad];
        invPeriod = new double[hPad];
        invPeriodSquared = new double[hPad];
        ratioOn = new double[hPad];
        twoOverRatioOn = new double[hPad];
    }

    /** Copies (and widens) the time-gate tensors of {@code p}. */
    void set(PhasedLstmParams p) {
        int hs = p.config().hiddenSize();
        maxAbsShift = 0;
        maxInvPeriod = 0;
        for (int j = 0; j < hPad; j++) {
            if (j < hs) {
                unit(j, p.shift()[j], p.period()[j], p.ratioOn()[j]);
            } else {
                padUnit(j);
            }
            maxAbsShift = Math.max(maxAbsShift, Math.abs(shift[j]));
            maxInvPeriod = Math.max(maxInvPeriod, invPeriod[j]);
        }
    }

    /** Unit {@code j}: its three parameters and the reciprocals derived from them. */
    private void unit(int j, double s, double tau, double ron) {
        shift[j] = s;
        period[j] = tau;
        invPeriod[j] = 1.0 / tau;
        invPeriodSquared[j] = invPeriod[j] * invPeriod[j];
        ratioOn[j] = ron;
        twoOverRatioOn[j] = 2.0 / ron;
    }

    /**
     * Unit {@code q} of these parameters becomes unit {@code j} of {@code from} (a gathered subset, as the event-driven
     * stream builds for the units it evaluates). {@link #maxPhaseQuotient} is not kept for a gathered set: ask the
     * source's.
     */
    void copyUnit(TimeGateParams from, int j, int q) {
        shift[q] = from.shift[j];
        period[q] = from.period[j];
        invPeriod[q] = from.invPeriod[j];
        invPeriodSquared[q] = from.invPeriodSquared[j];
        ratioOn[q] = from.ratioOn[j];
        twoOverRatioOn[q] = from.twoOverRatioOn[j];
    }

    /** Unit {@code q} becomes a padding unit (period 1, shift 0, ratioOn 1). */
    void padUnit(int q) {
        unit(q, 0.0, 1.0, 1.0);
    }

    /** @return an upper bound of {@code |t − s|/tau} over the units for every {@code |t| <= maxAbsTime} */
    double maxPhaseQuotient(double maxAbsTime) {
        return (maxAbsTime + maxAbsShift) * maxInvPeriod;
    }
}
