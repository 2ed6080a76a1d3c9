package org.plstm.simd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.plstm.GateActivation;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.TimeGateInit;

/**
 * The batched event-driven kernel in blocks of streams smaller than the batch (1, 3, 7 and 32 streams per block;
 * SessionBatchTest covers the default, one block for its small layers) against {@link StreamLayer#stepSkipping} per
 * stream: equal bits. Seeded; the seed is printed.
 */
class StreamBatchKernelTest {

    @Test
    void blocksOfStreamsGiveTheSingleStreamBits() {
        long seed = 1202;
        System.out.println("StreamBatchKernelTest seed " + seed);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int block : new int[] {1, 3, 7, 32}) {
            for (boolean peep : new boolean[] {false, true}) {
                int in = 1 + rng.nextInt(20);
                int hidden = 1 + rng.nextInt(90);
                PhasedLstmConfig cfg = PhasedLstmConfig.builder(in, hidden).peepholes(peep)
                        .gateActivation(peep ? GateActivation.HARD_SIGMOID : GateActivation.SIGMOID).build();
                PhasedLstmParams p = PhasedLstmParams.initialize(cfg, TimeGateInit.PAPER, rng.nextLong());
                for (int j = 0; j < hidden; j++) {
                    p.ratioOn()[j] = 0.05f + 0.5f * rng.nextFloat();
                    p.bias()[j] = (float) rng.nextGaussian();
                    if (p.peephole() != null) {
                        p.peephole()[j] = (float) rng.nextGaussian();
                    }
                }
                StreamLayer layer = new StreamLayer(p);
                int streams = 1 + rng.nextInt(50);
                StreamBatchKernel.State batch = new StreamBatchKernel.State(layer, streams, block);
                StreamLayer.State[] single = new StreamLayer.State[streams];
                double[] t = new double[streams];
                for (int i = 0; i < streams; i++) {
                    single[i] = new StreamLayer.State(layer);
                    t[i] = 200 * rng.nextDouble() - 100;
                }
                float[] x = new float[streams * (in + 3)];
                for (int step = 0; step < 25; step++) {
                    int n = 1 + rng.nextInt(streams);
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) rng.nextGaussian();
                    }
                    for (int i = 0; i < n; i++) {
                        t[i] += 3 * rng.nextDouble();
                    }
                    layer.stepBatch(batch, n, x, 2, in + 3, t);
                    long pairs = 0;
                    for (int i = 0; i < n; i++) {
                        layer.stepSkipping(single[i], x, 2 + i * (in + 3), t[i]);
                        pairs += single[i].lastUpdatedUnits();
                        String where = "block " + block + " H " + hidden + " step " + step + " stream " + i;
                        for (int j = 0; j < hidden; j++) {
                            assertThat(batch.h[i * layer.hPad + j]).as("h %s unit %d", where, j)
                                    .isEqualTo(single[i].h[j]);
                            assertThat(batch.c[i * layer.hPad + j]).as("c %s unit %d", where, j)
                                    .isEqualTo(single[i].c[j]);
                        }
                    }
                    assertThat(batch.lastUpdatedUnits()).isEqualTo(pairs);
                }
            }
        }
    }

    /**
     * A batch of fewer streams than a block holds sizes its per-block scratch for the streams it has: a one-stream
     * batch of a wide layer allocated the scratch of a whole block (32 streams of {@code [x, h]} rows and open-unit
     * lists, 3 MB at H = 4096 instead of about 100 KB).
     */
    @Test
    void theScratchOfABatchSmallerThanABlockIsSizedForItsStreams() {
        PhasedLstmParams p = PhasedLstmParams.initialize(PhasedLstmConfig.builder(3, 40).build(), TimeGateInit.PAPER, 1);
        StreamLayer layer = new StreamLayer(p);
        StreamBatchKernel.State one = new StreamBatchKernel.State(layer, 1);
        assertThat(one.block).isEqualTo(1);
        assertThat(one.xh).hasSize(layer.rowPad);
        assertThat(one.open).hasSize(40);
        assertThat(one.openK).hasSize(40);
        assertThat(one.openCount).hasSize(1);
        assertThat(one.pairStream).hasSize(40);
        assertThat(one.pairUnit).hasSize(40);
        assertThat(one.pairK).hasSize(40);
        StreamBatchKernel.State five = new StreamBatchKernel.State(layer, 5, 3);
        assertThat(five.block).isEqualTo(3);
        assertThat(five.xh).hasSize(3 * layer.rowPad);
        assertThat(five.open).hasSize(3 * 40);
    }
}
