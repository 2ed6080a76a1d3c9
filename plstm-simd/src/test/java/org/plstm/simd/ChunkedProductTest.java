package org.plstm.simd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link GateProduct#accumulateChunked} computes the same bits as {@link GateProduct#accumulate}: each row's sum runs
 * in the same order, its accumulators stored and reloaded between chunks. Chunk sizes fall inside either segment,
 * on the boundary between them and past the end; row counts break every tile (4, 2, 1). Run 200 times so the
 * compiled kernels are the ones compared.
 */
class ChunkedProductTest {

    @ParameterizedTest(name = "rows {0}, a {1}, b {2}, chunk {3}")
    @CsvSource({"7, 5, 19, 1", "7, 5, 19, 3", "9, 5, 19, 5", "5, 16, 64, 16", "6, 16, 64, 24", "3, 1, 40, 64",
        "64, 64, 256, 64", "13, 0, 33, 8", "13, 33, 0, 8"})
    void chunkedEqualsWholeStripBitForBit(int rows, int aLen, int bLen, int chunk) {
        long seed = 31L * rows + 7L * aLen + bLen + 1000L * chunk;
        System.out.println("ChunkedProductTest seed=" + seed);
        SplittableRandom rng = new SplittableRandom(seed);
        int cols = 4 * VectorLevel.L;
        float[] w = random(rng, 3 + (aLen + bLen) * cols);
        float[] a = random(rng, rows * Math.max(aLen, 1) + 2);
        float[] b = random(rng, rows * Math.max(bLen, 1) + 5);
        float[] init = random(rng, 2 * cols);
        GateProduct.ProductRows r = new GateProduct.ProductRows(rows);
        r.a = a;
        r.aLen = aLen;
        r.b = b;
        r.bLen = bLen;
        r.init = init;
        for (int q = 0; q < rows; q++) {
            r.aAt[q] = 2 + q * aLen;
            r.bAt[q] = 5 + q * bLen;
            r.initAt[q] = (q % 2) * cols;
            r.outAt[q] = q * cols;
        }
        GateProduct.ProductRows view = new GateProduct.ProductRows(rows);
        float[] whole = new float[rows * cols];
        float[] chunked = new float[rows * cols];
        for (int rep = 0; rep < 200; rep++) {
            r.out = whole;
            GateProduct.accumulate(r, 0, rows, w, 3, 4);
            r.out = chunked;
            GateProduct.accumulateChunked(r, view, 0, rows, w, 3, chunk);
        }
        for (int n = 0; n < whole.length; n++) {
            assertThat(Float.floatToRawIntBits(chunked[n])).as("element %d", n)
                    .isEqualTo(Float.floatToRawIntBits(whole[n]));
        }
    }

    private static float[] random(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        return v;
    }
}
