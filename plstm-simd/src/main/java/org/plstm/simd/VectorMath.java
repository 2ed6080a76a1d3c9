package org.plstm.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

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
 * <p>The entry points take arrays, not vectors: C2 must inline every method that passes a vector, or it boxes it,
 * and these expand to many IR nodes. Called through arrays, a kernel stays correct and allocation-free whether or
 * not C2 inlines them.
 */
final class VectorMath {
    private static final VectorSpecies<Float> FS = SimdPhasedLstm.FS;
    private static final int L = SimdPhasedLstm.L;
    private static final float SHIFTER = 12582912f + 127f; // 1.5·2^23 + exponent bias

    private VectorMath() {
    }

    /**
     * {@code a[off .. off + n) = 1 / (1 + exp(-a[...]))}.
     *
     * @param a   values, replaced
     * @param off first index
     * @param n   count, a multiple of the lane count
     */
    static void sigmoidInPlace(float[] a, int off, int n) {
        apply(a, off, n, false);
    }

    /**
     * {@code a[off .. off + n) = tanh(a[...])}.
     *
     * @param a   values, replaced
     * @param off first index
     * @param n   count, a multiple of the lane count
     */
    static void tanhInPlace(float[] a, int off, int n) {
        apply(a, off, n, true);
    }

    /**
     * The one loop with the exponential: sigmoid ({@code e = exp(-x)}, {@code 1/(1 + e)}) or tanh
     * ({@code e = exp(2|x|)}). The exponential is written out here, once: a helper taking a vector would box it
     * whenever C2 declines to inline it.
     */
    private static void apply(float[] a, int off, int n, boolean tanh) {
        for (int i = off; i < off + n; i += L) {
            FloatVector x = FloatVector.fromArray(FS, a, i);
            FloatVector ax = x.abs();
            FloatVector arg = tanh ? ax.add(ax) : x.neg();
            // exp(arg): t = 1.5·2^23 + 127 + round(arg·log2 e) holds n + 127 in its low mantissa bits.
            arg = arg.max(-87f).min(88f);
            FloatVector t = arg.fma(FloatVector.broadcast(FS, 1.44269504088896341f),
                    FloatVector.broadcast(FS, SHIFTER));
            FloatVector m = t.sub(SHIFTER);
            FloatVector r = m.fma(FloatVector.broadcast(FS, -0.693359375f), arg);
            r = m.fma(FloatVector.broadcast(FS, 2.12194440e-4f), r);
            FloatVector p = r.fma(FloatVector.broadcast(FS, 1.9875691500e-4f),
                    FloatVector.broadcast(FS, 1.3981999507e-3f));
            p = p.fma(r, FloatVector.broadcast(FS, 8.3334519073e-3f));
            p = p.fma(r, FloatVector.broadcast(FS, 4.1665795894e-2f));
            p = p.fma(r, FloatVector.broadcast(FS, 1.6666665459e-1f));
            p = p.fma(r, FloatVector.broadcast(FS, 5.0000001201e-1f));
            FloatVector e = p.mul(r).fma(r, r).add(1f)
                    .mul(t.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            if (!tanh) {
                FloatVector.broadcast(FS, 1f).div(e.add(1f)).intoArray(a, i);
                continue;
            }
            FloatVector big = FloatVector.broadcast(FS, 1f).sub(FloatVector.broadcast(FS, 2f).div(e.add(1f)));
            big = big.blend(big.neg(), x.compare(VectorOperators.LT, 0f));
            FloatVector z = x.mul(x);
            FloatVector q = z.fma(FloatVector.broadcast(FS, -5.70498872745e-3f),
                    FloatVector.broadcast(FS, 2.06390887954e-2f));
            q = q.fma(z, FloatVector.broadcast(FS, -5.37397155531e-2f));
            q = q.fma(z, FloatVector.broadcast(FS, 1.33314422036e-1f));
            q = q.fma(z, FloatVector.broadcast(FS, -3.33332819422e-1f));
            FloatVector small = q.mul(z).fma(x, x);
            big.blend(small, ax.compare(VectorOperators.LT, 0.625f)).intoArray(a, i);
        }
    }
}
