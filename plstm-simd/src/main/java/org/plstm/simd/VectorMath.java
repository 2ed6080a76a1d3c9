package org.plstm.simd;

import static org.plstm.simd.VectorLevel.FMA;
import static org.plstm.simd.VectorLevel.FS;
import static org.plstm.simd.VectorLevel.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Sigmoid and tanh on float arrays, built only from IEEE-exact operations (add, multiply, fused multiply-add,
 * division, comparisons, bit shifts). The Vector API's own {@code EXP}/{@code TANH} call SVML once compiled but a
 * per-lane fallback before that, and the two can differ in the last bit; these give the same bits in every JIT tier,
 * so the engine is bitwise reproducible from its first call.
 *
 * <p>exp: Cody-Waite reduction {@code x = n·ln2 + r} ({@code |r| <= ln2/2}, {@code n} rounded with the
 * {@code 1.5·2^23} trick), Cephes' degree-6 polynomial for {@code e^r}, and {@code 2^n} assembled in the exponent bits;
 * relative error about 1.2 ulp on {@code [-87, 88]} (inputs are clamped to it). tanh: Cephes' odd polynomial below
 * 0.625 in magnitude, {@code 1 − 2/(e^{2|x|} + 1)} above; relative error about 2 ulp.
 *
 * <p>Each function has a vector form (arrays of whole vectors) and a scalar twin, the same polynomial one element at
 * a time, for levels whose vector compares and blends are not intrinsified ({@link VectorLevel#MASKS}). Without
 * hardware FMA both multiply and add instead of fusing ({@link VectorLevel#FMA}), so results differ from an FMA
 * machine's in the last bits.
 *
 * <p>The vector entry points take arrays, not vectors: C2 must inline every method that passes a vector, or it boxes
 * it, and these expand to many IR nodes. Called through arrays, a kernel stays correct and allocation-free whether
 * or not C2 inlines them.
 */
final class VectorMath {
    private static final float SHIFTER = 12582912f + 127f; // 1.5·2^23 + exponent bias
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = -0.693359375f;
    private static final float LN2_LO = 2.12194440e-4f;
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;
    private static final float T0 = -5.70498872745e-3f;
    private static final float T1 = 2.06390887954e-2f;
    private static final float T2 = -5.37397155531e-2f;
    private static final float T3 = 1.33314422036e-1f;
    private static final float T4 = -3.33332819422e-1f;
    /** Below this magnitude tanh uses its odd polynomial. */
    private static final float TANH_SMALL = 0.625f;

    private VectorMath() {
    }

    /**
     * The gate function in place: {@code a[off .. off + n) = 1 / (1 + exp(-a[...]))} (logistic sigmoid), or where
     * {@code hard > 0} Keras' {@code hard_sigmoid}, {@code clip(0.2·a + 0.5, 0, 1)}. Both are computed and one kept by
     * a mask, so the same compiled code serves every layer (see {@link CellKernel}: no branch on a layer flag).
     *
     * @param a    values, replaced
     * @param off  first index
     * @param n    count, a multiple of the lane count
     * @param hard 1 for the hard sigmoid, 0 for the logistic one
     */
    static void gatesInPlace(float[] a, int off, int n, float hard) {
        VectorMask<Float> useHard = FloatVector.broadcast(FS, hard).compare(VectorOperators.GT, 0f);
        for (int i = off; i < off + n; i += L) {
            FloatVector x = FloatVector.fromArray(FS, a, i);
            // e = exp(-x), written out (see tanhInPlace): t = 1.5·2^23 + 127 + round(arg·log2 e) holds n + 127 in its
            // low mantissa bits.
            FloatVector arg = x.neg().max(-87f).min(88f);
            FloatVector t = FMA ? arg.fma(LOG2E, SHIFTER) : arg.mul(LOG2E).add(SHIFTER);
            FloatVector m = t.sub(SHIFTER);
            FloatVector r = FMA ? m.fma(FloatVector.broadcast(FS, LN2_HI), arg) : m.mul(LN2_HI).add(arg);
            r = FMA ? m.fma(FloatVector.broadcast(FS, LN2_LO), r) : m.mul(LN2_LO).add(r);
            FloatVector p = FMA ? r.fma(P0, P1) : r.mul(P0).add(P1);
            p = FMA ? p.fma(r, FloatVector.broadcast(FS, P2)) : p.mul(r).add(P2);
            p = FMA ? p.fma(r, FloatVector.broadcast(FS, P3)) : p.mul(r).add(P3);
            p = FMA ? p.fma(r, FloatVector.broadcast(FS, P4)) : p.mul(r).add(P4);
            p = FMA ? p.fma(r, FloatVector.broadcast(FS, P5)) : p.mul(r).add(P5);
            FloatVector pr = p.mul(r);
            FloatVector e = (FMA ? pr.fma(r, r) : pr.mul(r).add(r)).add(1f)
                    .mul(t.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            FloatVector sigmoid = FloatVector.broadcast(FS, 1f).div(e.add(1f));
            FloatVector clipped = (FMA ? x.fma(0.2f, 0.5f) : x.mul(0.2f).add(0.5f)).max(0f).min(1f);
            sigmoid.blend(clipped, useHard).intoArray(a, i);
        }
    }

    /**
     * {@code a[off .. off + n) = tanh(a[...])}. The exponential is written out here and in
     * {@link #gatesInPlace} (twice rather than once behind a flag: a vector live across a branch on a runtime flag
     * was boxed by C2 in some JVMs, and a helper taking a vector is boxed whenever C2 declines to inline it).
     *
     * @param a   values, replaced
     * @param off first index
     * @param n   count, a multiple of the lane count
     */
    static void tanhInPlace(float[] a, int off, int n) {
        for (int i = off; i < off + n; i += L) {
            FloatVector x = FloatVector.fromArray(FS, a, i);
            FloatVector ax = x.abs();
            // e = exp(2|x|)
            FloatVector arg = ax.add(ax).max(-87f).min(88f);
            FloatVector t = FMA ? arg.fma(LOG2E, SHIFTER) : arg.mul(LOG2E).add(SHIFTER);
            FloatVector m = t.sub(SHIFTER);
            FloatVector r = FMA ? m.fma(FloatVector.broadcast(FS, LN2_HI), arg) : m.mul(LN2_HI).add(arg);
            r = FMA ? m.fma(FloatVector.broadcast(FS, LN2_LO), r) : m.mul(LN2_LO).add(r);
            FloatVector p = FMA ? r.fma(P0, P1) : r.mul(P0).add(P1);
            p = FMA ? p.fma(r, FloatVector.broadcast(FS, P2)) : p.mul(r).add(P2);
            p = FMA ? p.fma(r, FloatVector.broadcast(FS, P3)) : p.mul(r).add(P3);
            p = FMA ? p.fma(r, FloatVector.broadcast(FS, P4)) : p.mul(r).add(P4);
            p = FMA ? p.fma(r, FloatVector.broadcast(FS, P5)) : p.mul(r).add(P5);
            FloatVector pr = p.mul(r);
            FloatVector e = (FMA ? pr.fma(r, r) : pr.mul(r).add(r)).add(1f)
                    .mul(t.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            // 1 − 2/(e + 1) with the sign of x above 0.625 in magnitude, the odd polynomial below.
            FloatVector big = FloatVector.broadcast(FS, 1f).sub(FloatVector.broadcast(FS, 2f).div(e.add(1f)));
            big = big.blend(big.neg(), x.compare(VectorOperators.LT, 0f));
            FloatVector z = x.mul(x);
            FloatVector q = FMA ? z.fma(T0, T1) : z.mul(T0).add(T1);
            q = FMA ? q.fma(z, FloatVector.broadcast(FS, T2)) : q.mul(z).add(T2);
            q = FMA ? q.fma(z, FloatVector.broadcast(FS, T3)) : q.mul(z).add(T3);
            q = FMA ? q.fma(z, FloatVector.broadcast(FS, T4)) : q.mul(z).add(T4);
            FloatVector qz = q.mul(z);
            FloatVector small = FMA ? qz.fma(x, x) : qz.mul(x).add(x);
            big.blend(small, ax.compare(VectorOperators.LT, TANH_SMALL)).intoArray(a, i);
        }
    }

    /** {@code fma(a, b, c)} if the level has hardware FMA, else {@code a·b + c} (the vector kernels' rule). */
    private static float madd(float a, float b, float c) {
        return FMA ? Math.fma(a, b, c) : a * b + c;
    }

    /** The scalar twin of the vector exponential (same polynomial, same clamp). */
    static float exp(float x) {
        float arg = Math.min(88f, Math.max(-87f, x));
        float t = madd(arg, LOG2E, SHIFTER);
        float m = t - SHIFTER;
        float r = madd(m, LN2_HI, arg);
        r = madd(m, LN2_LO, r);
        float p = madd(r, P0, P1);
        p = madd(p, r, P2);
        p = madd(p, r, P3);
        p = madd(p, r, P4);
        p = madd(p, r, P5);
        return (madd(p * r, r, r) + 1f) * Float.intBitsToFloat(Float.floatToRawIntBits(t) << 23);
    }

    /** The scalar twin of the logistic sigmoid of {@link #gatesInPlace}. */
    static float sigmoid(float x) {
        return 1f / (exp(-x) + 1f);
    }

    /** The scalar twin of {@link #tanhInPlace}. */
    static float tanh(float x) {
        float ax = Math.abs(x);
        if (ax < TANH_SMALL) {
            float z = x * x;
            float q = madd(z, T0, T1);
            q = madd(q, z, T2);
            q = madd(q, z, T3);
            q = madd(q, z, T4);
            return madd(q * z, x, x);
        }
        float big = 1f - 2f / (exp(ax + ax) + 1f);
        return x < 0f ? -big : big;
    }
}
