package org.plstm.simd;

import static org.plstm.simd.VectorLevel.DL;
import static org.plstm.simd.VectorLevel.DS;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import org.plstm.TimeGate;

/**
 * The time gate (paper eq. 11; {@link TimeGate} is its specification): the openness {@code k} of every unit for one
 * timestamp, computed in double and rounded to float, and the gradients of {@code period}, {@code shift} and
 * {@code ratioOn}.
 *
 * <p>The vector path is exact: with {@code q = (t − s)/tau} rounded to the nearest integer {@code n} (the
 * {@code 1.5·2^52} trick; no double-to-long conversion, which is one instruction only with AVX-512DQ), the
 * remainder {@code r = (t − s) − tau·n} is one fused multiply-add and exactly representable while
 * {@code |q| < 2^50}; adding {@code tau} when {@code r < 0} and clearing {@code r} when it rounds up to {@code tau}
 * then reproduces {@code floorMod} bit for bit, so {@code phi = r/tau} and the gate's region (opening, closing,
 * closed) are the reference's at every kink. The only difference is the sign of a zero phase (the reference keeps
 * {@code −0.0} where {@code t − s} is a negative multiple of {@code tau}; here it is {@code +0.0}), which gives the
 * same {@code k}. Without hardware FMA the product {@code tau·n} is made exact by Dekker's algorithm instead (the
 * vector {@code fma} would be the JDK's software emulation, about 100 times slower), with the same result.
 * Selections use sign-bit masks ({@code (bits >>> 63)} negated, then and/xor), not compares and blends, which C2
 * does not intrinsify for double lanes at 128 bits below AVX2, nor for any lanes with SSE only: the vector path runs
 * at every level. The scalar path ({@link TimeGate} itself) serves timestamps beyond {@code 2^50} periods.
 *
 * <p>The vector {@code k} may differ from {@code (float) TimeGate.openness(..)} in the last bit (it multiplies by
 * {@code 2/r_on} where the reference divides by {@code r_on}).
 *
 * <p>Conversions between double and float go through memory and a plain loop (which C2's auto-vectoriser turns into
 * vector conversions), never through a half-width {@code FloatVector}: one use of a second float shape anywhere in
 * the JVM makes the type profiles inside the JDK's shared {@code FloatVector} methods bimorphic, and C2 then boxed
 * every accumulator of the gate product in compilations that relied on those profiles (measured at shape
 * {@code 32x100x128x1024}, AVX-512: 70 GB allocated and 3.7 s per inference batch, against about 1 KB (JMH's own
 * bookkeeping) and 0.28 s with one float shape; found with JFR allocation samples and {@code -XX:+PrintInlining}).
 */
final class TimeGateKernel {
    /** {@code 1.5·2^52}: adding and subtracting it rounds a double below {@code 2^51} to an integer. */
    private static final double ROUND = 0x1.8p52;
    /** Veltkamp's splitting constant {@code 2^27 + 1}. */
    private static final double SPLIT = 0x1p27 + 1;
    /** Above this |(t − s)/tau| the vector reduction is not exact; such rows take the scalar path. */
    static final double MAX_VECTOR_QUOTIENT = 0x1p50;

    private TimeGateKernel() {
    }

    /**
     * {@code k} of every unit at time {@code t}, rounded to float, into {@code kOut[kOff .. kOff + Hp)}; the phase
     * into {@code phiOut[0 .. Hp)} (the caller's scratch when it does not need it: written unconditionally, as a
     * vector stored only on one side of a branch on a runtime value was boxed by C2 in some JVMs).
     *
     * @param tg     the layer's time gate, {@code [Hp]}
     * @param t      the timestamp
     * @param alpha  the leak of a closed gate
     * @param kWide  scratch of the vector path, {@code [Hp]}: {@code k} in double before rounding
     * @param vector whether the vector path may be used (every {@code |t − s|/tau < 2^50}, see {@link #vectorSafe})
     */
    static void openness(TimeGateParams tg, double t, double alpha, float[] kOut, int kOff, double[] phiOut,
                         double[] kWide, boolean vector) {
        openness(tg, t, alpha, kOut, kOff, phiOut, kWide, vector, 0, tg.hPad);
    }

    /** {@link #openness} for units {@code [from, to)} only (multiples of the float lane count). */
    static void openness(TimeGateParams tg, double t, double alpha, float[] kOut, int kOff, double[] phiOut,
                         double[] kWide, boolean vector, int from, int to) {
        if (vector) {
            opennessVector(tg, t, alpha, kOut, kOff, phiOut, kWide, from, to);
        } else {
            opennessScalar(tg, t, alpha, kOut, kOff, phiOut, from, to);
        }
    }

    /** @return true if the vector reduction is exact for every unit at every {@code |t| <= maxAbsTime} */
    static boolean vectorSafe(TimeGateParams tg, double maxAbsTime) {
        return tg.maxPhaseQuotient(maxAbsTime) < MAX_VECTOR_QUOTIENT;
    }

    private static void opennessVector(TimeGateParams tg, double t, double alpha, float[] kOut, int kOff,
                                       double[] phiOut, double[] kWide, int from, int to) {
        DoubleVector tv = DoubleVector.broadcast(DS, t);
        for (int j = from; j < to; j += DL) {
            DoubleVector tau = DoubleVector.fromArray(DS, tg.period, j);
            DoubleVector d = tv.sub(DoubleVector.fromArray(DS, tg.shift, j));
            DoubleVector n = d.mul(DoubleVector.fromArray(DS, tg.invPeriod, j)).add(ROUND).sub(ROUND);
            DoubleVector r;
            if (VectorLevel.FMA) {
                r = tau.neg().fma(n, d); // exact
            } else {
                // Without FMA, Dekker's exact product: tau has float precision (24 bits), so with n = nh + nl split
                // into halves of at most 26 bits (Veltkamp), p + e = tau·n exactly; d − p is exact (d lies within
                // about tau/2 of p) and so is (d − p) − e, which equals the FMA's r.
                DoubleVector cn = n.mul(SPLIT);
                DoubleVector nh = cn.sub(cn.sub(n));
                DoubleVector p = tau.mul(n);
                DoubleVector e = tau.mul(nh).sub(p).add(tau.mul(n.sub(nh)));
                r = d.sub(p).sub(e);
            }
            // r < 0 (−0.0 is not): r += tau. Written out (no helper taking vectors: C2 would box them if it did not
            // inline it): m = all ones where the sign bit of r + 0.0 is set; r ^= (r ^ (r + tau)) & m.
            LongVector rb = r.reinterpretAsLongs();
            LongVector m = r.add(0.0).reinterpretAsLongs().lanewise(VectorOperators.LSHR, 63).neg();
            rb = rb.lanewise(VectorOperators.XOR, rb.lanewise(VectorOperators.XOR, r.add(tau).reinterpretAsLongs())
                    .lanewise(VectorOperators.AND, m));
            r = rb.reinterpretAsDoubles();
            // r rounded up to tau: r = 0 (r − tau is +0.0 there and negative below).
            m = r.sub(tau).reinterpretAsLongs().lanewise(VectorOperators.LSHR, 63).neg();
            r = rb.lanewise(VectorOperators.AND, m).reinterpretAsDoubles();
            DoubleVector phi = r.div(tau);
            phi.intoArray(phiOut, j);
            DoubleVector ron = DoubleVector.fromArray(DS, tg.ratioOn, j);
            DoubleVector up = phi.mul(DoubleVector.fromArray(DS, tg.twoOverRatioOn, j)); // 2·phi/r_on
            LongVector k = phi.mul(alpha).reinterpretAsLongs();                            // closed
            LongVector closing = up.neg().add(2.0).reinterpretAsLongs();
            LongVector open = phi.sub(ron).reinterpretAsLongs().lanewise(VectorOperators.LSHR, 63).neg();
            k = k.lanewise(VectorOperators.XOR, k.lanewise(VectorOperators.XOR, closing)
                    .lanewise(VectorOperators.AND, open));
            LongVector opening = phi.sub(ron.mul(0.5)).reinterpretAsLongs().lanewise(VectorOperators.LSHR, 63).neg();
            k = k.lanewise(VectorOperators.XOR, k.lanewise(VectorOperators.XOR, up.reinterpretAsLongs())
                    .lanewise(VectorOperators.AND, opening));
            k.reinterpretAsDoubles().intoArray(kWide, j);
        }
        for (int j = from; j < to; j++) { // rounded to float by a plain loop (see the class comment)
            kOut[kOff + j] = (float) kWide[j];
        }
    }

    /**
     * A time before which unit {@code j}, found closed at {@code t} (phase {@code phi >= ratioOn}, so {@code k = 0}
     * at leak 0), stays closed: for every {@code t'} in {@code [t, bound)} the exact phase computation (either path)
     * gives a phase in {@code [phi, 1)}, hence {@code k = 0} bitwise. Or {@code -Infinity} when the unit is open at
     * {@code t} or its closed window is too short to bound.
     *
     * <p>Why: with {@code d = RN(t − s)} and its exact remainder {@code r = d − n·tau} in {@code [ratioOn·tau, tau)},
     * the phase of any {@code t' >= t} is computed from {@code d' = RN(t' − s) >= d} (rounding is monotone) and is the
     * same period's {@code r' = d' − n·tau >= r} while {@code d' < (n + 1)·tau = d + (tau − r)}; {@code RN(r'/tau)}
     * is then {@code >= phi}. The bound is {@code t + tau·(1 − phi)} shrunk by {@code 2^-40} relative and by
     * {@code (|t| + |s| + tau)·2^-47} (at least 32 ulps of that sum), which covers the rounding of {@code d}, of
     * {@code phi}, of {@code (n + 1)·tau} and of the bound's own arithmetic (together at most about 12 such ulps).
     *
     * @param tg  the layer's time gate
     * @param j   the unit
     * @param t   the time the unit's phase was computed at
     * @param phi that phase (as {@link #openness} wrote it)
     * @return the bound, or {@code -Infinity}
     */
    static double closedUntil(TimeGateParams tg, int j, double t, double phi) {
        if (!(phi >= tg.ratioOn[j])) {
            return Double.NEGATIVE_INFINITY;
        }
        double tau = tg.period[j];
        double window = tau * (1.0 - phi) * (1.0 - 0x1p-40);
        double margin = (Math.abs(t) + Math.abs(tg.shift[j]) + tau) * 0x1p-47;
        return window > 2 * margin ? t + (window - margin) : Double.NEGATIVE_INFINITY;
    }

    /** The scalar twin of {@link #opennessVector}: {@link TimeGate} for every unit. */
    static void opennessScalar(TimeGateParams tg, double t, double alpha, float[] kOut, int kOff, double[] phiOut) {
        opennessScalar(tg, t, alpha, kOut, kOff, phiOut, 0, tg.hPad);
    }

    private static void opennessScalar(TimeGateParams tg, double t, double alpha, float[] kOut, int kOff,
                                       double[] phiOut, int from, int to) {
        for (int j = from; j < to; j++) {
            double phi = TimeGate.phase(t, tg.shift[j], tg.period[j]);
            kOut[kOff + j] = (float) TimeGate.openness(phi, tg.ratioOn[j], alpha);
            phiOut[j] = phi;
        }
    }

    /**
     * {@code dkSum[from .. to) += dk[dkOff + from ..]}, widened to double: a plain loop, which C2 vectorises itself
     * (no half-width {@code FloatVector}, see the class comment).
     */
    static void accumulate(float[] dk, int dkOff, double[] dkSum, int from, int to) {
        for (int j = from; j < to; j++) {
            dkSum[j] += dk[dkOff + j];
        }
    }

    /**
     * Time-gate parameter gradients of one timestamp, in double: with {@code dk} summed over the rows that share
     * {@code t} and {@code phi} their phase, {@code d period += dk·dk/dphi·(−(t − s)/tau²)},
     * {@code d shift += dk·dk/dphi·(−1/tau)}, {@code d ratioOn += dk·dk/dr_on} (docs/MODEL.md), accumulated into
     * {@code acc [3][Hp]} (all three: the caller keeps the trainable ones; computing all avoids branches on runtime
     * flags inside the vector loop), for units {@code [from, to)}.
     */
    static void gradients(TimeGateParams tg, double t, double alpha, double[] phi, double[] dk, double[] acc,
                          int from, int to) {
        gradientsVector(tg, t, alpha, phi, dk, acc, from, to);
    }

    private static void gradientsVector(TimeGateParams tg, double t, double alpha, double[] phiD, double[] dkSum,
                                        double[] acc, int from, int to) {
        int hPad = tg.hPad;
        DoubleVector tv = DoubleVector.broadcast(DS, t);
        for (int j = from; j < to; j += DL) {
            DoubleVector dk = DoubleVector.fromArray(DS, dkSum, j);
            DoubleVector phi = DoubleVector.fromArray(DS, phiD, j);
            DoubleVector ron = DoubleVector.fromArray(DS, tg.ratioOn, j);
            DoubleVector twoOverR = DoubleVector.fromArray(DS, tg.twoOverRatioOn, j);
            LongVector open = phi.sub(ron).reinterpretAsLongs().lanewise(VectorOperators.LSHR, 63).neg();
            LongVector opening = phi.sub(ron.mul(0.5)).reinterpretAsLongs().lanewise(VectorOperators.LSHR, 63).neg();
            // dk/dphi: alpha closed, −2/r_on closing, 2/r_on opening.
            LongVector slope = DoubleVector.broadcast(DS, alpha).reinterpretAsLongs();
            slope = slope.lanewise(VectorOperators.XOR, slope.lanewise(VectorOperators.XOR,
                    twoOverR.neg().reinterpretAsLongs()).lanewise(VectorOperators.AND, open));
            slope = slope.lanewise(VectorOperators.XOR, slope.lanewise(VectorOperators.XOR,
                    twoOverR.reinterpretAsLongs()).lanewise(VectorOperators.AND, opening));
            DoubleVector dphi = dk.mul(slope.reinterpretAsDoubles());
            DoubleVector coeff = DoubleVector.fromArray(DS, tg.shift, j).sub(tv)
                    .mul(DoubleVector.fromArray(DS, tg.invPeriodSquared, j));
            DoubleVector negInv = DoubleVector.fromArray(DS, tg.invPeriod, j).neg();
            DoubleVector acc0 = DoubleVector.fromArray(DS, acc, j);
            DoubleVector acc1 = DoubleVector.fromArray(DS, acc, hPad + j);
            (VectorLevel.FMA ? dphi.fma(coeff, acc0) : dphi.mul(coeff).add(acc0)).intoArray(acc, j);
            (VectorLevel.FMA ? dphi.fma(negInv, acc1) : dphi.mul(negInv).add(acc1)).intoArray(acc, hPad + j);
            // dk/dr_on: −2·phi/r_on² opening, +2·phi/r_on² closing, 0 closed.
            DoubleVector g = phi.mul(twoOverR).mul(twoOverR).mul(0.5);
            LongVector dkdr = g.reinterpretAsLongs().lanewise(VectorOperators.AND, open);
            dkdr = dkdr.lanewise(VectorOperators.XOR, dkdr.lanewise(VectorOperators.XOR,
                    g.neg().reinterpretAsLongs()).lanewise(VectorOperators.AND, opening));
            DoubleVector acc2 = DoubleVector.fromArray(DS, acc, 2 * hPad + j);
            (VectorLevel.FMA ? dk.fma(dkdr.reinterpretAsDoubles(), acc2) : dk.mul(dkdr.reinterpretAsDoubles()).add(acc2))
                    .intoArray(acc, 2 * hPad + j);
        }
    }
}
