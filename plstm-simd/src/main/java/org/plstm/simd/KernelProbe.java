package org.plstm.simd;

import static org.plstm.simd.VectorLevel.L;

import java.util.SplittableRandom;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.TimeGateInit;

/**
 * The SIMD kernels one at a time, on one step of a random layer, single-threaded: the one entry through which
 * benchmarks ({@code org.plstm.jmh.KernelBenchmark}) and allocation tests reach the package-private kernels.
 * <b>Internal</b>: not part of the library's API, and it may change with the kernels.
 *
 * <p>A probe holds a layer of {@code I} inputs and {@code H} units packed as the engine packs it, a batch of
 * {@code B} samples with random inputs, states and distinct timestamps, and each kernel's buffers. Not thread-safe.
 */
public final class KernelProbe {
    private final int batch;
    private final PackedLayer layer;
    private final float[] x;     // [B][I]
    private final float[] hc;    // [2][B][Hp]: h_{t-1}, then h_t
    private final float[] cc;    // [2][B][Hp]
    private final double[] time; // [B]
    private final float[] k;     // [B][Hp]
    private final double[] phi;  // [Hp] scratch
    private final double[] kWide; // [Hp] scratch
    private final float[] z;     // [B][4Hp]
    private final GateProduct.ProductRows product;
    private final CellTile tile = new CellTile();

    private KernelProbe(int batch, int in, int hidden, long seed) {
        this.batch = batch;
        PhasedLstmConfig cfg = PhasedLstmConfig.builder(in, hidden).build();
        layer = new PackedLayer(cfg);
        layer.pack(PhasedLstmParams.initialize(cfg, TimeGateInit.PAPER, seed));
        int hPad = layer.hPad;
        SplittableRandom rng = new SplittableRandom(seed);
        x = new float[batch * in];
        for (int n = 0; n < x.length; n++) {
            x[n] = (float) rng.nextGaussian();
        }
        hc = new float[2 * batch * hPad];
        cc = new float[2 * batch * hPad];
        for (int n = 0; n < batch * hPad; n++) {
            hc[n] = (float) (0.5 * rng.nextGaussian());
            cc[n] = (float) rng.nextGaussian();
        }
        time = new double[batch];
        for (int n = 0; n < batch; n++) {
            time[n] = 1000 * rng.nextDouble();
        }
        k = new float[batch * hPad];
        phi = new double[hPad];
        kWide = new double[hPad];
        z = new float[batch * layer.gateWidth];
        product = new GateProduct.ProductRows(batch);
        product.a = x;
        product.aLen = in;
        product.b = hc;
        product.bLen = hidden;
        product.init = layer.bias;
        product.out = z;
        for (int b = 0; b < batch; b++) {
            product.aAt[b] = b * in;
            product.bAt[b] = b * hPad;
        }
        timeGate();
    }

    /**
     * @param batch  {@code B >= 1}
     * @param in     {@code I >= 1}
     * @param hidden {@code H >= 1}
     * @param seed   weights, inputs and timestamps
     * @return a probe
     * @throws IllegalArgumentException if a size is below 1
     */
    public static KernelProbe create(int batch, int in, int hidden, long seed) {
        if (batch < 1 || in < 1 || hidden < 1) {
            throw new IllegalArgumentException("sizes: expected B, I, H >= 1, got " + batch + ", " + in + ", "
                    + hidden);
        }
        return new KernelProbe(batch, in, hidden, seed);
    }

    /**
     * The gate product of one step for the whole batch, {@code z = bias + x·kernel + h·recurrentKernel}, unit block
     * by unit block as the forward runs it: {@code 2·B·4H·(I+H)} FLOPs.
     *
     * @return {@code z}, {@code [B][4Hp]} in packed column order
     */
    public float[] gateProduct() {
        for (int nb = 0; nb < layer.blocks; nb++) {
            int col = nb * 4 * L;
            for (int b = 0; b < batch; b++) {
                product.initAt[b] = col;
                product.outAt[b] = b * layer.gateWidth + col;
            }
            GateProduct.accumulate(product, 0, batch, layer.w, layer.stripRow(nb, 0), 4);
        }
        return z;
    }

    /**
     * The fused cell update of one step for the whole batch (gates, cell, time gate, state), from the last
     * {@link #gateProduct}'s {@code z}, in tiles of up to {@link CellTile#MAX_ROWS} samples as the forward runs it.
     *
     * @return the new hidden state {@code [B][Hp]} (second half of the state buffer)
     */
    public float[] cellUpdate() {
        int hPad = layer.hPad;
        tile.c = cc;
        tile.h = hc;
        tile.cOut = cc;
        tile.hOut = hc;
        tile.k = k;
        tile.peep = layer.peep;
        tile.peepStride = hPad;
        tile.hard = layer.hardFlag;
        tile.noCaches();
        tile.sinkRows();
        for (int nb = 0; nb < layer.blocks; nb++) {
            int u = nb * L;
            for (int first = 0; first < batch; first += CellTile.MAX_ROWS) {
                int count = Math.min(CellTile.MAX_ROWS, batch - first);
                tile.rows = count;
                for (int q = 0; q < count; q++) {
                    int b = first + q;
                    System.arraycopy(z, b * layer.gateWidth + nb * 4 * L, tile.z, q * 4 * L, 4 * L);
                    tile.prev[q] = b * hPad + u;
                    tile.next[q] = (batch + b) * hPad + u;
                    tile.kAt[q] = b * hPad + u;
                    tile.peepAt[q] = u;
                }
                CellKernel.forward(layer, tile);
            }
        }
        return hc;
    }

    /**
     * The time gate of one row per sample (distinct timestamps): {@code B·H} phases and openness values.
     *
     * @return {@code k}, {@code [B][Hp]}
     */
    public float[] timeGate() {
        for (int b = 0; b < batch; b++) {
            TimeGateKernel.openness(layer.tg, time[b], 0.001, k, b * layer.hPad, phi, kWide, true);
        }
        return k;
    }

    /** @return the level the kernels run at ({@link VectorLevel#describe()}) */
    public static String level() {
        return VectorLevel.describe();
    }
}
