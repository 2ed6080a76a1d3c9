package org.plstm.simd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The common layer's forward cell update ({@link CellKernel#forwardPlain}), which writes the sigmoid and tanh of
 * {@link VectorMath} out inline, gives the bits of its scalar twin ({@link CellKernel#forwardScalar}: no peepholes,
 * logistic sigmoid, with a time gate) for every row of a tile: state, hidden output and the five training caches.
 * Pre-activations include the clamps' bounds, infinities, NaN and signed zeros; the time gate includes exact 0 and 1.
 * NaNs compare as one value, as in {@code VectorMathTest}.
 * Each tile runs {@value #REPEATS} times, so C2's code is checked as well as the interpreter's, at whatever level this
 * JVM runs (surefire runs this suite at every x86 level; without vector masks, at {@code UseAVX=0}, the kernel clamps
 * with integer operations instead of blends). The backward's twin test is {@code CellBackwardTwinTest}.
 */
class CellKernelTest {
    private static final int REPEATS = 300;
    private static final long SEED = 20261203L;

    private static final float[] SPECIAL = {
        0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 1f, -1f, 87f, -87f, 88f, -88f,
        Math.nextUp(87f), Math.nextDown(-87f), 9f, -9f, Math.nextUp(9f), Math.nextDown(-9f), 1e-20f, -1e-20f, 100f,
        -100f,
    };

    @Test
    void plainForwardMatchesItsScalarTwinBitForBit() {
        System.out.println("CellKernelTest seed " + SEED + " (" + VectorLevel.describe() + ")");
        SplittableRandom rng = new SplittableRandom(SEED);
        int rows = CellTile.MAX_ROWS;
        int n = rows * 4 * VectorLevel.L;
        for (int rep = 0; rep < REPEATS; rep++) {
            float[] z = new float[n];
            for (int j = 0; j < n; j++) {
                z[j] = rng.nextInt(8) == 0 ? SPECIAL[rng.nextInt(SPECIAL.length)]
                        : (float) ((rep % 3 == 0 ? 10 : 3) * (2 * rng.nextDouble() - 1));
            }
            float[] c = values(rng, rows * VectorLevel.L, 4);
            float[] h = values(rng, rows * VectorLevel.L, 1);
            float[] k = new float[rows * VectorLevel.L];
            for (int j = 0; j < k.length; j++) {
                int pick = rng.nextInt(4);
                k[j] = pick == 0 ? 0f : pick == 1 ? 1f : (float) rng.nextDouble();
            }
            CellTile vector = tile(z, c, h, k, rows);
            CellTile scalar = tile(z, c, h, k, rows);
            CellKernel.forwardPlain(vector);
            CellKernel.forwardScalar(false, false, true, scalar);
            String at = "rep " + rep + " (seed " + SEED + ")";
            assertSameBits("c_t, " + at, scalar.cOut, vector.cOut);
            assertSameBits("h_t, " + at, scalar.hOut, vector.hOut);
            assertSameBits("i, " + at, scalar.gi, vector.gi);
            assertSameBits("f, " + at, scalar.gf, vector.gf);
            assertSameBits("g, " + at, scalar.gg, vector.gg);
            assertSameBits("o, " + at, scalar.go, vector.go);
            assertSameBits("tanh(c~), " + at, scalar.tc, vector.tc);
        }
    }

    /**
     * Inference's configuration: the state updated in place ({@code cOut}, {@code hOut} are {@code c}, {@code h} at
     * the same offsets) and every cache sent to the one shared sink ({@link CellTile#noCaches}). The two passes read
     * {@code c~} and o back from the tile's scratch, never from a cache, and each row's previous state before its
     * new state overwrites it; the new state has the scalar twin's bits, computed on separate arrays.
     */
    @Test
    void inPlaceStateWithSunkCachesMatchesTheScalarTwin() {
        SplittableRandom rng = new SplittableRandom(SEED + 1);
        int rows = CellTile.MAX_ROWS;
        int n = rows * 4 * VectorLevel.L;
        for (int rep = 0; rep < REPEATS; rep++) {
            float[] z = values(rng, n, 6);
            float[] c = values(rng, rows * VectorLevel.L, 4);
            float[] h = values(rng, rows * VectorLevel.L, 1);
            float[] k = values(rng, rows * VectorLevel.L, 0.5);
            for (int j = 0; j < k.length; j++) {
                k[j] += 0.5f;
            }
            CellTile scalar = tile(z, c, h, k, rows);
            CellKernel.forwardScalar(false, false, true, scalar);
            CellTile vector = tile(z, c.clone(), h.clone(), k, rows);
            vector.cOut = vector.c;
            vector.hOut = vector.h;
            vector.noCaches();
            vector.sinkRows();
            CellKernel.forwardPlain(vector);
            String at = "in place, rep " + rep + " (seed " + (SEED + 1) + ")";
            assertSameBits("c_t, " + at, scalar.cOut, vector.c);
            assertSameBits("h_t, " + at, scalar.hOut, vector.h);
        }
    }

    private static float[] values(SplittableRandom rng, int n, double scale) {
        float[] a = new float[n];
        for (int j = 0; j < n; j++) {
            a[j] = (float) (scale * (2 * rng.nextDouble() - 1));
        }
        return a;
    }

    /** A tile of {@code rows} rows, one block each, with its own outputs and caches. */
    private static CellTile tile(float[] z, float[] c, float[] h, float[] k, int rows) {
        int l = VectorLevel.L;
        CellTile t = new CellTile();
        t.rows = rows;
        System.arraycopy(z, 0, t.z, 0, z.length);
        t.c = c;
        t.h = h;
        t.k = k;
        t.cOut = new float[rows * l];
        t.hOut = new float[rows * l];
        t.peep = new float[3 * l];
        t.peepStride = l;
        t.gi = new float[rows * l];
        t.gf = new float[rows * l];
        t.gg = new float[rows * l];
        t.go = new float[rows * l];
        t.tc = new float[rows * l];
        for (int q = 0; q < rows; q++) {
            t.prev[q] = q * l;
            t.next[q] = q * l;
            t.kAt[q] = q * l;
            t.cacheAt[q] = q * l;
        }
        return t;
    }

    /** Bit for bit, NaNs as one value (which NaN an invalid operation yields differs between scalar and vector). */
    private static void assertSameBits(String what, float[] expected, float[] actual) {
        for (int j = 0; j < expected.length; j++) {
            assertThat(Float.floatToIntBits(actual[j]))
                    .as("%s, element %d: expected %s, got %s", what, j, expected[j], actual[j])
                    .isEqualTo(Float.floatToIntBits(expected[j]));
        }
    }
}
