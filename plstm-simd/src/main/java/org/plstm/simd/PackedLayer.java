package org.plstm.simd;

import static org.plstm.simd.VectorLevel.L;

import java.util.Arrays;
import org.plstm.GateActivation;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;

/**
 * One layer's parameters in the layout of the SIMD kernels (the packing section of the engine). The Keras layout
 * ({@code kernel [I][4H]}, {@code recurrentKernel [H][4H]}, gate blocks i, f, g, o) becomes:
 *
 * <pre>
 * Hp   = roundUp(H, L)            hidden units padded to whole vectors (L float lanes)
 * NB   = Hp / L                   unit blocks: L units × 4 gates = one register tile's 4 columns
 * w    [NB][I + H][4L]            block nb's strip, contiguous: the kernel rows (I), then the recurrentKernel rows (H);
 *                                 columns i, f, g, o of the block's L units
 * bias [NB][4L]                   the same column order ("packed gate row", 4·Hp floats)
 * peep [3][Hp]                    peepholes of i, f, o (zeros without)
 * tg                              time gate in double, [Hp]
 * uT   strips over H of [4·Hp][4L] (then [4·Hp][2L] and [4·Hp][L] for the last Hp/L mod 4 vectors):
 *                                 recurrentKernel transposed, for dh_{t-1} = dz_t · U^T (backward only)
 * xT   the same strips over I (padded to whole vectors): kernel transposed, for dx_t = dz_t · W^T
 * </pre>
 *
 * A strip is read front to back by the gate product of every sample tile of a step, so it streams from L2 or L3
 * with the hardware prefetchers' help (block-major packing runs the product at about 90 % of the FMA peak where the
 * row-major one [I+H][4Hp] ran at 46 %, on Zen 5). Padded units have zero weights, period 1 and ratioOn 1, and stay
 * exactly zero.
 */
final class PackedLayer {
    final PhasedLstmConfig config;
    final int in;         // I
    final int hidden;     // H
    final int hPad;       // Hp
    final int blocks;     // NB
    final int gateWidth;  // 4·Hp: a packed gate row
    final int strip;      // (I + H)·4L: floats per block strip of w
    final int inPad;      // I rounded up to whole vectors (rows of the dx strips)
    final boolean peepholes;
    final boolean hard;
    final boolean timeGate;
    /** Logistic sigmoid and no peepholes: the cell kernels' lean variant ({@link CellKernel}). */
    final boolean plain;
    /** 1 for the hard sigmoid, 0 for the logistic one: a mask in the branch-free kernels ({@link CellKernel}). */
    final float hardFlag;
    /** {@code [Hp]} ones: the time gate {@code k} of a layer without one. */
    final float[] ones;

    final float[] w;
    final float[] bias;
    final float[] peep;
    final TimeGateParams tg;
    /** Transposed strips for the backward pass; empty until {@link #packTransposed}. */
    float[] uT = new float[0];
    float[] xT = new float[0];

    PackedLayer(PhasedLstmConfig config) {
        this.config = config;
        in = config.inputSize();
        hidden = config.hiddenSize();
        hPad = roundUp(hidden, L);
        blocks = hPad / L;
        gateWidth = 4 * hPad;
        strip = (in + hidden) * 4 * L;
        inPad = roundUp(in, L);
        peepholes = config.peepholes();
        hard = config.gateActivation() == GateActivation.HARD_SIGMOID;
        timeGate = config.timeGate();
        hardFlag = hard ? 1f : 0f;
        plain = !hard && !peepholes;
        ones = new float[hPad];
        Arrays.fill(ones, 1f);
        w = new float[Math.toIntExact((long) blocks * strip)];
        bias = new float[gateWidth];
        peep = new float[3 * hPad];
        tg = new TimeGateParams(hPad);
    }

    static int roundUp(int n, int m) {
        return (n + m - 1) / m * m;
    }

    /** Packed column of gate {@code g} of unit {@code j} in a packed gate row ({@code [NB][4][L]}). */
    static int column(int g, int j) {
        return (j / L) * 4 * L + g * L + j % L;
    }

    /** Offset of row {@code r} (kernel rows first, then recurrentKernel rows) of block {@code nb}'s strip. */
    int stripRow(int nb, int r) {
        return nb * strip + r * 4 * L;
    }

    /** Copies {@code p} (validated, of this configuration) into the packed arrays. */
    void pack(PhasedLstmParams p) {
        float[] kernel = p.kernel();
        float[] rec = p.recurrentKernel();
        int hs = hidden;
        Arrays.fill(w, 0f);
        Arrays.fill(bias, 0f);
        for (int g = 0; g < 4; g++) {
            for (int j = 0; j < hs; j++) {
                int nb = j / L;
                int c = g * L + j % L;     // column inside the block
                int src = g * hs + j;      // Keras column
                for (int r = 0; r < in; r++) {
                    w[stripRow(nb, r) + c] = kernel[r * 4 * hs + src];
                }
                for (int r = 0; r < hs; r++) {
                    w[stripRow(nb, in + r) + c] = rec[r * 4 * hs + src];
                }
                bias[column(g, j)] = p.bias()[src];
            }
        }
        Arrays.fill(peep, 0f);
        if (p.peephole() != null) {
            for (int q = 0; q < 3; q++) {
                System.arraycopy(p.peephole(), q * hs, peep, q * hPad, hs);
            }
        }
        tg.set(p);
        transposedPacked = false;
    }

    /** Whether {@link #uT} (and {@link #xT} if asked for) hold the parameters of the last {@link #pack}. */
    boolean transposedPacked;

    /**
     * Packs {@link #uT} and, if {@code inputGradients}, {@link #xT} from {@code p} (the parameters last given to
     * {@link #pack}); a no-op when already packed since.
     */
    void packTransposed(PhasedLstmParams p, boolean inputGradients) {
        if (transposedPacked && (!inputGradients || xT.length > 0)) {
            return;
        }
        uT = transposedStrips(p.recurrentKernel(), hidden, hPad, uT);
        xT = inputGradients ? transposedStrips(p.kernel(), in, inPad, xT) : new float[0];
        transposedPacked = true;
    }

    /**
     * {@code src [rows][4H]} transposed into strips over its rows: output vectors {@code 4s .. 4s+3} ({@code 4L}
     * outputs) form strip {@code s}, {@code [4·Hp][4L]}; the remaining {@code (rowsPad/L) mod 4} vectors get a strip
     * of 2 and one of 1 vector ({@code [4·Hp][2L]}, {@code [4·Hp][L]}; see {@link #stripWidth}). Strip row {@code c} (a packed gate column) holds
     * {@code src[j][col(c)]} for the strip's outputs {@code j}, zero for padding.
     */
    private float[] transposedStrips(float[] src, int rows, int rowsPad, float[] reuse) {
        int n = gateWidth * rowsPad;
        float[] dst = reuse.length == n ? reuse : new float[n];
        Arrays.fill(dst, 0f);
        int hs = hidden;
        int vecs = rowsPad / L;
        for (int j = 0; j < rows; j++) {
            int vec = j / L;
            int width = stripWidth(vec, vecs);
            int base = stripStart(vec, vecs, gateWidth);
            int lane = j - firstVector(vec, vecs) * L;
            for (int g = 0; g < 4; g++) {
                for (int u = 0; u < hs; u++) {
                    dst[base + column(g, u) * width * L + lane] = src[j * 4 * hs + g * hs + u];
                }
            }
        }
        return dst;
    }

    /**
     * Vectors (of L outputs) in the strip holding output vector {@code vec} of {@code vecs}: strips of 4 vectors,
     * then one of 2 and one of 1 for the remainder ({@code vecs mod 4}), so a product tile never runs on padding.
     */
    static int stripWidth(int vec, int vecs) {
        int full = vecs / 4 * 4;
        if (vec < full) {
            return 4;
        }
        return vecs - full >= 2 && vec < full + 2 ? 2 : 1;
    }

    /** First output vector of the strip holding output vector {@code vec} of {@code vecs}. */
    static int firstVector(int vec, int vecs) {
        int full = vecs / 4 * 4;
        if (vec < full) {
            return vec / 4 * 4;
        }
        return vecs - full >= 2 && vec < full + 2 ? full : vec;
    }

    /** Offset of the strip holding output vector {@code vec} of {@code vecs}, strips of {@code k} rows each. */
    static int stripStart(int vec, int vecs, int k) {
        int v = firstVector(vec, vecs);
        return v * k * L; // strips are laid out in output order, each k rows of its width
    }
}
