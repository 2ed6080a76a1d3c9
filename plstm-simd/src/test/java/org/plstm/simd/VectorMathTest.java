package org.plstm.simd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The vector sigmoid and tanh ({@link VectorMath#gatesInPlace} with the logistic sigmoid,
 * {@link VectorMath#tanhInPlace}; {@code CellKernelTest} checks the common layer's inline copy) give the bits of their
 * scalar twins ({@link VectorMath#sigmoid}, {@link VectorMath#tanh}) for every input, special values included: the
 * clamps are compares and blends, which must keep a NaN as {@code Math.max}/{@code Math.min} do, and must not move a
 * value inside the clamp range. Each array goes through the kernels {@value #REPEATS} times, so the C2-compiled code
 * is checked as well as the interpreter's, at whatever level this JVM runs (surefire runs this suite at every x86
 * level).
 */
class VectorMathTest {
    private static final int REPEATS = 300;
    private static final long SEED = 20261202L;

    /** Special values: signed zeros, infinities, NaN, the clamps' bounds and their neighbours, subnormals. */
    private static final float[] SPECIAL = {
        0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.MIN_VALUE, -Float.MIN_VALUE,
        Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 1f, -1f,
        87f, -87f, 88f, -88f, Math.nextUp(87f), Math.nextDown(-87f), Math.nextUp(88f), Math.nextDown(88f),
        Math.nextDown(-88f), Math.nextUp(-88f), 9f, -9f, Math.nextUp(9f), Math.nextDown(9f), Math.nextDown(-9f),
        Math.nextUp(-9f), 1e-20f, -1e-20f, 100f, -100f, 1e30f, -1e30f,
    };

    @Test
    void vectorFormsMatchTheScalarTwinsBitForBit() {
        System.out.println("VectorMathTest seed " + SEED + " (" + VectorLevel.describe() + ")");
        float[] x = inputs();
        float[] sigmoid = new float[x.length];
        float[] tanh = new float[x.length];
        for (int k = 0; k < x.length; k++) {
            sigmoid[k] = VectorMath.sigmoid(x[k]);
            tanh[k] = VectorMath.tanh(x[k]);
        }
        float[] a = new float[x.length];
        for (int rep = 0; rep < REPEATS; rep++) {
            System.arraycopy(x, 0, a, 0, x.length);
            VectorMath.gatesInPlace(a, 0, a.length, 0f);
            assertSameBits("gatesInPlace (logistic)", rep, x, sigmoid, a);
            System.arraycopy(x, 0, a, 0, x.length);
            VectorMath.tanhInPlace(a, 0, a.length);
            assertSameBits("tanhInPlace", rep, x, tanh, a);
        }
    }

    /**
     * The integer clamp of the levels without vector masks gives {@code Math.min(hi, Math.max(lo, x))} bit for bit,
     * signed zeros and infinities included, and keeps NaN a NaN, for the bounds the cell kernel uses (the sigmoid's
     * argument, tanh's) and uneven ones. It is plain integer code, so every level can check it.
     */
    @Test
    void integerClampIsMathMinMax() {
        // NaNs of either sign and every payload class, the largest magnitude bits included (the NaN test's edge)
        int[] nanBits = {0x7fc00000, 0xffc00000, 0x7f800001, 0xff800001, 0x7fffffff, 0xffffffff};
        float[] base = inputs();
        int n = (base.length + nanBits.length + VectorLevel.L - 1) / VectorLevel.L * VectorLevel.L;
        float[] x = Arrays.copyOf(base, n);
        for (int k = 0; k < nanBits.length; k++) {
            x[base.length + k] = Float.intBitsToFloat(nanBits[k]);
        }
        float[][] bounds = {
            {-88f, 87f}, {-VectorMath.TANH_CLAMP, VectorMath.TANH_CLAMP}, {-1f, 1e-3f}, {-Float.MIN_VALUE, 100f},
        };
        float[] a = new float[n];
        for (float[] b : bounds) {
            float[] expected = new float[x.length];
            for (int k = 0; k < x.length; k++) {
                expected[k] = Math.min(b[1], Math.max(b[0], x[k]));
            }
            String kernel = "clampInPlace to [" + b[0] + ", " + b[1] + "]";
            for (int rep = 0; rep < REPEATS; rep++) {
                System.arraycopy(x, 0, a, 0, x.length);
                VectorMath.clampInPlace(a, 0, a.length, b[0], b[1]);
                assertSameBits(kernel, rep, x, expected, a);
            }
            // a range inside the array: the vectors around it keep their values
            float[] inside = x.clone();
            System.arraycopy(expected, VectorLevel.L, inside, VectorLevel.L, x.length - 2 * VectorLevel.L);
            System.arraycopy(x, 0, a, 0, x.length);
            VectorMath.clampInPlace(a, VectorLevel.L, x.length - 2 * VectorLevel.L, b[0], b[1]);
            assertSameBits(kernel + " on [L, n - L)", 0, x, inside, a);
        }
    }

    @Test
    void specialValuesGiveTheLimits() {
        assertThat(VectorMath.sigmoid(Float.NaN)).isNaN();
        assertThat(VectorMath.tanh(Float.NaN)).isNaN();
        // The exponential's argument is clamped to [-87, 88]: sigmoid(-inf) = 1/(1 + e^88), about 6e-39, not 0.
        assertThat(VectorMath.sigmoid(Float.POSITIVE_INFINITY)).isEqualTo(1f);
        assertThat(VectorMath.sigmoid(Float.NEGATIVE_INFINITY)).isBetween(0f, 1e-38f);
        // tanh is clamped to |x| <= 9, where the approximation is within its 5.7 ulp of tanh(9) = 1 - 3e-8.
        assertThat(VectorMath.tanh(Float.POSITIVE_INFINITY)).isCloseTo(1f, within(1e-6f));
        assertThat(VectorMath.tanh(Float.NEGATIVE_INFINITY)).isCloseTo(-1f, within(1e-6f));
        assertThat(VectorMath.sigmoid(0f)).isEqualTo(0.5f);
        assertThat(Float.floatToRawIntBits(VectorMath.tanh(-0f))).isEqualTo(Float.floatToRawIntBits(-0f));
    }

    /** The special values, then seeded random floats over several scales; a whole number of vectors. */
    private static float[] inputs() {
        SplittableRandom rng = new SplittableRandom(SEED);
        int n = SPECIAL.length + 4096;
        n = (n + VectorLevel.L - 1) / VectorLevel.L * VectorLevel.L;
        float[] x = new float[n];
        System.arraycopy(SPECIAL, 0, x, 0, SPECIAL.length);
        for (int k = SPECIAL.length; k < n; k++) {
            double scale = new double[] {1e-3, 1, 10, 100}[k % 4];
            x[k] = (float) (scale * (2 * rng.nextDouble() - 1));
        }
        return x;
    }

    private static void assertSameBits(String kernel, int rep, float[] x, float[] expected, float[] actual) {
        for (int k = 0; k < x.length; k++) {
            if (Float.floatToIntBits(actual[k]) != Float.floatToIntBits(expected[k])) {
                throw new AssertionError(kernel + " at x = " + x[k] + " (index " + k + ", repeat " + rep
                        + ", seed " + SEED + "): expected the scalar twin's " + expected[k] + ", got " + actual[k]);
            }
        }
    }
}
