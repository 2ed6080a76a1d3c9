package org.plstm.simd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Same inputs and thread count: bitwise the same results; 1 vs 2 threads: the same within float rounding. */
class SimdDeterminismTest {

    private static CrossCheckCase bigCase() {
        // Big enough that both workers have several samples and the weight-gradient tiles split between workers.
        return new CrossCheckCase(new CrossCheckCase.Spec(9, 30, 7, 2 * SimdEngine.floatLanes() + 3, true, false, true,
                true, true, true, true, 1, 4242));
    }

    @Test
    void sameThreadCountIsBitwiseReproducible() {
        CrossCheckCase c = bigCase();
        CrossCheckCase.Actual a;
        CrossCheckCase.Actual b;
        // The first run in a fresh engine (kernels possibly still interpreted) against a later one (compiled): the
        // same bits, because every vector operation used is IEEE-exact in every JIT tier.
        try (SimdEngine e = new SimdEngine(2)) {
            a = c.run(e, 1);
        }
        try (SimdEngine e = new SimdEngine(2)) {
            b = c.run(e, 300); // a new engine and workspace, same thread count, warm: the same bits
        }
        assertThat(a.h()).isEqualTo(b.h());
        assertThat(a.dx()).isEqualTo(b.dx());
        assertThat(a.dh0()).isEqualTo(b.dh0());
        for (int n = 0; n < a.grads().tensors().size(); n++) {
            assertThat(a.grads().tensors().get(n).data()).as(a.grads().tensors().get(n).name())
                    .isEqualTo(b.grads().tensors().get(n).data());
        }
    }

    @Test
    void oneAndTwoThreadsAgree() {
        CrossCheckCase c = bigCase();
        try (SimdEngine one = new SimdEngine(1); SimdEngine two = new SimdEngine(2)) {
            CrossCheckCase.Actual a = c.run(one, 1);
            CrossCheckCase.Actual b = c.run(two, 1);
            // The forward pass does not depend on the split: the same bits.
            assertThat(a.h()).isEqualTo(b.h());
            assertThat(a.dx()).isEqualTo(b.dx());
            // Gradients are summed per worker, then over workers in worker order (small layers fuse the weight
            // gradients into the recurrence): equal within float rounding of sums over B·T = 270 rows.
            for (int n = 0; n < a.grads().tensors().size(); n++) {
                float[] x = a.grads().tensors().get(n).data();
                float[] y = b.grads().tensors().get(n).data();
                for (int k = 0; k < x.length; k++) {
                    assertThat((double) y[k]).as("%s[%d]", a.grads().tensors().get(n).name(), k)
                            .isCloseTo(x[k], org.assertj.core.data.Offset.offset(1e-6 + 1e-5 * Math.abs(x[k])));
                }
            }
        }
    }

    @Test
    void largeLayerWeightGradientsDoNotDependOnTheWorkers() {
        // I + H = 70 + 101 rows of 4·Hp columns (Hp = 101 rounded up to the lanes): above
        // SimdWorkspace.FUSED_WEIGHT_GRADIENT_BYTES at every width, so the weight gradients run as the packed pass
        // after the recurrence (WeightGradients.run), split over the workers by output tile and chunked by rows
        // (variable lengths: some rows are padding). Each element sums the rows in ascending order whatever the
        // split: the same bits with 1, 2 and 3 threads.
        int in = 70;
        int hidden = 101;
        int lanes = SimdEngine.floatLanes();
        int hPad = (hidden + lanes - 1) / lanes * lanes;
        assertThat((long) (in + hidden) * 4 * hPad * Float.BYTES).as("packed weight gradient bytes")
                .isGreaterThan(SimdWorkspace.FUSED_WEIGHT_GRADIENT_BYTES);
        CrossCheckCase c = new CrossCheckCase(new CrossCheckCase.Spec(7, 30, in, hidden, false, false, true, true,
                true, true, true, 0, 777));
        CrossCheckCase.Actual one;
        try (SimdEngine e = new SimdEngine(1)) {
            one = c.run(e, 1);
        }
        for (int threads : new int[] {2, 3}) {
            try (SimdEngine e = new SimdEngine(threads)) {
                CrossCheckCase.Actual many = c.run(e, 1);
                for (String name : new String[] {"kernel", "recurrentKernel", "bias"}) {
                    assertThat(tensor(many, name)).as("%s with %d threads", name, threads)
                            .isEqualTo(tensor(one, name));
                }
            }
        }
    }

    private static float[] tensor(CrossCheckCase.Actual a, String name) {
        return a.grads().tensors().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow().data();
    }
}
