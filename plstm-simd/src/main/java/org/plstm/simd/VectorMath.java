package org.plstm.simd;

import static org.plstm.simd.VectorLevel.FMA;
import static org.plstm.simd.VectorLevel.FS;
import static org.plstm.simd.VectorLevel.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
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
 * relative error about 1.2 ulp on {@code [-87, 88]} (inputs are clamped to it); the sigmoid {@code 1/(1 + e^-x)} from
 * it. tanh: a rational approximation {@code x·P(x²)/Q(x²)} (degrees 5 and 3) fitted for this project on
 * {@code |x| <= 9}, max error 5.7 ulp, mean 0.28 ulp over every float (measured against {@code Math.tanh}).
 *
 * <p>Each function has a vector form (arrays of whole vectors) and a scalar twin, the same polynomial one element at
 * a time, for levels whose vector compares and blends are not intrinsified ({@link VectorLevel#MASKS}). Without
 * hardware FMA both multiply and add instead of fusing ({@link VectorLevel#FMA}), so results differ from an FMA
 * machine's in the last bits.
 *
 * <p>The vector entry points take arrays, not vectors: C2 must inline every method that passes a vector, or it boxes
 * it, and these expand to many IR nodes. Called through arrays, a kernel stays correct and allocation-free whether
 * or not C2 inlines them. The common layer's forward ({@code CellKernel.forwardPlain}) spells the same operations
 * out inline instead, with this class's constants, so that the gates never leave the registers; the two are kept
 * bit for bit equal by {@code CellKernelTest}.
 *
 * <p>The clamps are a compare and a blend each, not {@code max}/{@code min}: C2 (JDK 25) compiles the vector
 * {@code max}/{@code min} with Java's NaN and signed-zero rules, six instructions each at AVX-512 (a sign-mask move,
 * two blends, {@code vmaxps}, an unordered compare and a masked move; seen with {@code -XX:+PrintAssembly}), on the
 * function's critical path. Against a nonzero constant the two give the same value for every input (a NaN compares
 * false and stays NaN, as {@code Math.max} keeps it), so the scalar twins' {@code Math.max}/{@code Math.min} still
 * match bit for bit. {@code KernelBenchmark.cellUpdate}, 1 thread, Zen 5, AVX-512, jars alternating: (a) 10.1-10.9
 * → 9.1-9.3 µs, (b) 40.6-41.9 → 37.0-37.8 µs.
 */
final class VectorMath {
    static final float SHIFTER = 12582912f + 127f; // 1.5·2^23 + exponent bias
    static final float LOG2E = 1.44269504088896341f;
    static final float LN2_HI = -0.693359375f;
    static final float LN2_LO = 2.12194440e-4f;
    static final float P0 = 1.9875691500e-4f;
    static final float P1 = 1.3981999507e-3f;
    static final float P2 = 8.3334519073e-3f;
    static final float P3 = 4.1665795894e-2f;
    static final float P4 = 1.6666665459e-1f;
    static final float P5 = 5.0000001201e-1f;
    // tanh(x) ~ x·P(x²)/Q(x²) on |x| <= 9: degrees 5 and 3 in x², fitted for plstm (relative minimax by
    // iteratively reweighted least squares against mpmath's tanh, then rounded to float, P(0) set to 1). Measured over
    // every float in [1e-12, 12] against Math.tanh with FMA Horner evaluation: max error 5.7 ulp (near |x| = 7.6),
    // mean 0.28 ulp. 13 operations and one division, against about 35 for an exp-based tanh with a small-|x| branch.
    static final float TANH_CLAMP = 9f;
    static final float TP0 = 1f;
    static final float TP1 = 0.1291971653699875f;
    static final float TP2 = 0.0029212029185146093f;
    static final float TP3 = 9.269626389141195e-06f;
    static final float TP4 = -1.2780730251904515e-08f;
    static final float TP5 = 1.8242352073372103e-11f;
    static final float TQ0 = 1f;
    static final float TQ1 = 0.4625299870967865f;
    static final float TQ2 = 0.023765215650200844f;
    static final float TQ3 = 0.0002281487686559558f;

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
            // e = exp(-x), written out (as in CellKernel.forwardPlain: a helper taking a vector is boxed whenever
            // C2 does not inline it): t = 1.5·2^23 + 127 + round(arg·log2 e) holds n + 127 in its low mantissa bits.
            FloatVector arg = x.neg();
            arg = arg.blend(-87f, arg.compare(VectorOperators.LT, -87f));
            arg = arg.blend(88f, arg.compare(VectorOperators.GT, 88f));
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
     * {@code a[off .. off + n) = tanh(a[...])}: the rational approximation {@code x·P(x²)/Q(x²)} (see the class
     * comment) on {@code |x| <= 9}, where {@code x} is clamped (tanh(±9) rounds to ±1 in float).
     *
     * @param a   values, replaced
     * @param off first index
     * @param n   count, a multiple of the lane count
     */
    static void tanhInPlace(float[] a, int off, int n) {
        for (int i = off; i < off + n; i += L) {
            FloatVector x = FloatVector.fromArray(FS, a, i);
            x = x.blend(-TANH_CLAMP, x.compare(VectorOperators.LT, -TANH_CLAMP));
            x = x.blend(TANH_CLAMP, x.compare(VectorOperators.GT, TANH_CLAMP));
            FloatVector u = x.mul(x);
            FloatVector p = FMA ? u.fma(TP5, TP4) : u.mul(TP5).add(TP4);
            p = FMA ? p.fma(u, FloatVector.broadcast(FS, TP3)) : p.mul(u).add(TP3);
            p = FMA ? p.fma(u, FloatVector.broadcast(FS, TP2)) : p.mul(u).add(TP2);
            p = FMA ? p.fma(u, FloatVector.broadcast(FS, TP1)) : p.mul(u).add(TP1);
            p = FMA ? p.fma(u, FloatVector.broadcast(FS, TP0)) : p.mul(u).add(TP0);
            FloatVector q = FMA ? u.fma(TQ3, TQ2) : u.mul(TQ3).add(TQ2);
            q = FMA ? q.fma(u, FloatVector.broadcast(FS, TQ1)) : q.mul(u).add(TQ1);
            q = FMA ? q.fma(u, FloatVector.broadcast(FS, TQ0)) : q.mul(u).add(TQ0);
            x.mul(p).div(q).intoArray(a, i);
        }
    }

    /**
     * {@code a[off .. off + n) = min(hi, max(lo, a[...]))} for {@code lo < 0 < hi}, with integer operations only:
     * the clamp of levels whose float compares, blends and {@code min}/{@code max} fall back to Java (SSE only,
     * {@link VectorLevel#MASKS} false), where integer {@code and}, {@code or}, {@code neg}, {@code add}, shifts and
     * {@code min} are intrinsified. A float's bits, sign apart, order like its magnitude as a signed int, so the
     * magnitude is clamped with an integer {@code min} against {@code |lo|}'s bits in negative lanes and {@code hi}'s
     * in the others, and the sign put back. The same value as {@code Math.min(hi, Math.max(lo, x))} for every input,
     * signed zeros and infinities included, and NaN stays NaN (its magnitude bits, above the infinity's, are or-ed
     * back in). Checked once over all 2^32 floats for the cell's two bounds at {@code UseAVX=0} (no mismatch;
     * {@code VectorMathTest} keeps a seeded sample at every level).
     *
     * @param a   values, replaced
     * @param off first index
     * @param n   count, a multiple of the lane count
     * @param lo  lower bound, {@code < 0} (a zero bound would keep the sign of a clamped negative value: -0, not 0)
     * @param hi  upper bound, {@code > 0}
     */
    static void clampInPlace(float[] a, int off, int n, float lo, float hi) {
        int loBits = Float.floatToRawIntBits(-lo);
        int hiBits = Float.floatToRawIntBits(hi);
        for (int i = off; i < off + n; i += L) {
            IntVector bits = FloatVector.fromArray(FS, a, i).reinterpretAsInts();
            IntVector magnitude = bits.and(0x7fffffff);
            IntVector negative = bits.lanewise(VectorOperators.ASHR, 31);
            IntVector limit = negative.and(hiBits - loBits).neg().add(hiBits);
            IntVector nan = magnitude.neg().add(0x7f800000).lanewise(VectorOperators.ASHR, 31);
            magnitude.min(limit).or(magnitude.and(nan)).or(bits.and(0x80000000)).reinterpretAsFloats()
                    .intoArray(a, i);
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
        float c = Math.min(TANH_CLAMP, Math.max(-TANH_CLAMP, x));
        float u = c * c;
        float p = madd(u, TP5, TP4);
        p = madd(p, u, TP3);
        p = madd(p, u, TP2);
        p = madd(p, u, TP1);
        p = madd(p, u, TP0);
        float q = madd(u, TQ3, TQ2);
        q = madd(q, u, TQ1);
        q = madd(q, u, TQ0);
        return c * p / q;
    }
}
