package org.plstm;

/**
 * A 64-bit fingerprint of an array's exact contents, with which {@link Engine#backward} proves that the input
 * and the parameters of the forward pass it differentiates were not changed in between (the check PyTorch's
 * autograd makes of the tensors it saved, by version counters that plain Java arrays do not have).
 *
 * <p>Four independent lanes {@code h = (h + bits)·K} (odd {@code K}, arithmetic mod 2^64) over the elements'
 * raw bits, combined at the end. Each step is a bijection of {@code h}, so any single changed element (a NaN
 * payload or {@code -0.0} included) always changes the fingerprint; unrelated changes of several elements leave it
 * unchanged with a chance of about 2^-64. It guards against mistakes, not against an adversary: it is no
 * cryptographic hash, and two changes in one lane can be chosen to cancel. The lanes keep four multiplications in
 * flight: about one element per cycle. The {@code float[]} and {@code double[]} versions are that one loop over two
 * primitive types, written twice as {@code Arrays.hashCode}'s overloads are (a shared core taking an element
 * accessor would put a call per element at the mercy of inlining).
 */
final class Fingerprint {
    private static final long K = 0x9E3779B97F4A7C15L; // odd: multiplication by it is a bijection mod 2^64

    private Fingerprint() {
    }

    /**
     * @param a an array, or {@code null}
     * @return its fingerprint ({@code 0} for {@code null}, a value that also depends on the length otherwise)
     */
    static long of(float[] a) {
        if (a == null) {
            return 0;
        }
        long h0 = 1;
        long h1 = 2;
        long h2 = 3;
        long h3 = 4;
        int n = a.length;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            h0 = (h0 + Float.floatToRawIntBits(a[i])) * K;
            h1 = (h1 + Float.floatToRawIntBits(a[i + 1])) * K;
            h2 = (h2 + Float.floatToRawIntBits(a[i + 2])) * K;
            h3 = (h3 + Float.floatToRawIntBits(a[i + 3])) * K;
        }
        for (; i < n; i++) {
            h0 = (h0 + Float.floatToRawIntBits(a[i])) * K;
        }
        return combine(h0, h1, h2, h3, n);
    }

    /**
     * @param a an array, or {@code null}
     * @return its fingerprint, as {@link #of(float[])}
     */
    static long of(double[] a) {
        if (a == null) {
            return 0;
        }
        long h0 = 1;
        long h1 = 2;
        long h2 = 3;
        long h3 = 4;
        int n = a.length;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            h0 = (h0 + Double.doubleToRawLongBits(a[i])) * K;
            h1 = (h1 + Double.doubleToRawLongBits(a[i + 1])) * K;
            h2 = (h2 + Double.doubleToRawLongBits(a[i + 2])) * K;
            h3 = (h3 + Double.doubleToRawLongBits(a[i + 3])) * K;
        }
        for (; i < n; i++) {
            h0 = (h0 + Double.doubleToRawLongBits(a[i])) * K;
        }
        return combine(h0, h1, h2, h3, n);
    }

    /**
     * @param a an array, or {@code null}
     * @return its fingerprint, as {@link #of(float[])}
     */
    static long of(int[] a) {
        if (a == null) {
            return 0;
        }
        long h = 1;
        for (int v : a) {
            h = (h + v) * K;
        }
        return combine(h, 0, 0, 0, a.length);
    }

    private static long combine(long h0, long h1, long h2, long h3, int n) {
        long h = ((((h0 * K + h1) * K + h2) * K + h3) * K + n) * K;
        return h ^ (h >>> 29);
    }
}
