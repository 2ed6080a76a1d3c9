package org.plstm;

/**
 * The time gate of the Phased LSTM (Neil et al. 2016, eq. 11), the part of the model that is not an LSTM.
 * Computed in double: timestamps are double and the phase of a large timestamp needs it.
 *
 * <pre>
 * phi = floorMod(t − s, tau) / tau            in [0, 1)
 * k   = 2·phi / r_on          if phi &lt; r_on / 2          (opening)
 *     = 2 − 2·phi / r_on      if r_on / 2 &lt;= phi &lt; r_on  (closing)
 *     = alpha·phi             otherwise                  (closed; leak alpha)
 * </pre>
 *
 * Time {@code t}, shift {@code s} and period {@code tau} share one unit (any unit).
 */
public final class TimeGate {
    private TimeGate() {
    }

    /**
     * The phase {@code phi = floorMod(t − s, tau) / tau}. The floor mod is computed as {@code r = (t − s) % tau},
     * {@code r += tau} if negative, and {@code r = 0} if rounding made it reach {@code tau} (the floor mod of
     * −1e-8 by 10 rounds to exactly 10.0), so the result is always in {@code [0, 1)}. Negative times wrap.
     *
     * @param t   timestamp
     * @param s   shift
     * @param tau period, {@code > 0}
     * @return phi in {@code [0, 1)}
     */
    public static double phase(double t, double s, double tau) {
        double r = (t - s) % tau;
        if (r < 0) {
            r += tau;
        }
        if (r >= tau) {
            r = 0;
        }
        return r / tau;
    }

    /**
     * The openness {@code k} of the gate at phase {@code phi}.
     *
     * @param phi   phase in {@code [0, 1)}
     * @param rOn   open ratio in {@code (0, 1]}
     * @param alpha leak while closed ({@code 0} in inference)
     * @return k in {@code [0, 1]}
     */
    public static double openness(double phi, double rOn, double alpha) {
        if (phi < 0.5 * rOn) {
            return 2.0 * phi / rOn;
        } else if (phi < rOn) {
            return 2.0 - 2.0 * phi / rOn;
        } else {
            return alpha * phi;
        }
    }

    /**
     * {@code dk/dphi} at phase {@code phi}: {@code 2/r_on}, {@code −2/r_on} or {@code alpha} by region.
     *
     * @param phi   phase
     * @param rOn   open ratio
     * @param alpha leak
     * @return the derivative
     */
    public static double dOpennessDPhase(double phi, double rOn, double alpha) {
        if (phi < 0.5 * rOn) {
            return 2.0 / rOn;
        } else if (phi < rOn) {
            return -2.0 / rOn;
        } else {
            return alpha;
        }
    }

    /**
     * {@code dk/dr_on} at phase {@code phi}: {@code −2·phi/r_on²}, {@code +2·phi/r_on²} or {@code 0} by region.
     *
     * @param phi phase
     * @param rOn open ratio
     * @return the derivative
     */
    public static double dOpennessDRatioOn(double phi, double rOn) {
        if (phi < 0.5 * rOn) {
            return -2.0 * phi / (rOn * rOn);
        } else if (phi < rOn) {
            return 2.0 * phi / (rOn * rOn);
        } else {
            return 0.0;
        }
    }
}
