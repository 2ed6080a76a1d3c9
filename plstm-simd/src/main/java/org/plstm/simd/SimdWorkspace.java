package org.plstm.simd;

import org.plstm.Check;
import org.plstm.LayerWorkspace;
import org.plstm.PhasedLstmConfig;

/**
 * Buffers of the SIMD engine for one {@code (B, T)} shape and one layer configuration, allocated once and reused.
 *
 * <p>Internal layout. {@code L} = float lanes of the preferred species; the hidden size is padded to
 * {@code Hp = roundUp(H, L)} so that every elementwise loop runs whole vectors (padded units have zero weights,
 * period 1, ratioOn 1, and stay exactly zero). Gate columns are packed per unit block: {@code NB = Hp / L} blocks,
 * each holding its {@code i, f, g, o} vectors contiguously, i.e. a packed gate row is {@code [NB][4][L]}
 * ({@code 4Hp} floats). This lets the gate kernel compute any subset of unit blocks (event-driven inference) and
 * keeps one unit block's four gates in one register tile.
 */
final class SimdWorkspace extends LayerWorkspace {
    final SimdEngine engine;
    final int in;      // I
    final int hs;      // H
    final int hp;      // Hp
    final int nb;      // NB
    final int g4;      // 4·Hp, width of a packed gate row
    final int kp;      // rows of the concatenated weight-gradient matrix: I + H + 1 (bias)
    final int[] kBlockStart; // blocks of up to 4 rows of dw, never straddling the x / h / bias regions
    final int[] kBlockCount;

    // Packed parameters (refreshed from PhasedLstmParams at each forward / backward).
    final float[] wx;        // [I][4Hp]
    final float[] wh;        // [H][4Hp]
    final float[] bias;      // [4Hp]
    final float[] peep;      // [3][Hp] (zeros without peepholes)
    final TimeGateParams tg; // time gate, double, [Hp]
    final float[] uT;        // [4Hp][Hp]: recurrentKernel transposed, for dh_{t-1} = dz·U^T

    // Caches, step-major so that one step of a worker's samples is contiguous (streams well in both passes).
    // Slot 0 of hc/cc holds h0/c0; slot t+1 holds the state after step t. The time gate k is not cached: the
    // backward recomputes it (bitwise) from the timestamps.
    final float[] hc;        // [T+1][B][Hp]
    final float[] cc;        // [T+1][B][Hp]
    final float[] gi;        // [T][B][Hp]
    final float[] gf;
    final float[] gg;
    final float[] go;
    final float[] tc;        // tanh(c~)
    final float[] dz;        // [T][B][4Hp] gate pre-activation gradients (backward)

    // Backward results before unpacking.
    final float[] dw;        // [kp][4Hp]: rows 0..I-1 kernel, I..I+H-1 recurrentKernel, I+H bias
    int[] lengths;           // [B], valid steps of the current input

    // The weight-gradient pass's rows (all active (b, t), step-major): offsets into dz, hc (h_{t-1}) and x.
    final int[] rowDz;
    final int[] rowH;
    final int[] rowX;
    int rowCount;

    final ThreadScratch[] scratch;

    /** Per-worker scratch; sized for the worker's largest share of the batch. */
    static final class ThreadScratch {
        final int[] rows;       // active samples at the current step
        final float[] z;        // [4][4Hp] z tile
        final float[] kS;       // [rowsMax][Hp] time gate per row
        final double[] phiD;    // [Hp] phase of the current row (backward)
        final float[] dhN;      // [rowsMax][Hp] dL/dh_t being accumulated
        final float[] dcN;      // [rowsMax][Hp]
        final float[] dkS;      // [Hp] dL/dk of the current row
        final double[] dkSum;   // [Hp] dL/dk summed over rows sharing a timestamp
        final double[] kTime;   // [rowsMax] timestamps whose k rows are in kS (forward reuse)
        final int[] kOff;       // [rowsMax] offset of each row's k in kS
        final float[] peepStep; // [3][Hp] peephole gradient of one step (float), flushed into peepAcc
        final double[] peepAcc; // [3][Hp]
        final double[] tgAcc;   // [3][Hp] period, shift, ratioOn gradients
        final float[] lanes;    // [L] for fixed-order lane sums
        final float[] e;        // transcendental scratch of one cell update (CELL_SCRATCH)
        final int[] cellOff;    // [4][ROW] row offsets for cellUpdateRows

        final float[] dw;       // [kp][4Hp] this worker's weight gradients (fused mode), else empty
        final int[] stepDz;     // [rowsMax] offsets of the step's rows (fused mode)
        final int[] stepH;
        final int[] stepX;

        ThreadScratch(int rowsMax, int hp, int g4, int dwSize) {
            dw = new float[dwSize];
            stepDz = new int[rowsMax];
            stepH = new int[rowsMax];
            stepX = new int[rowsMax];
            rows = new int[rowsMax];
            z = new float[4 * g4];
            kS = new float[rowsMax * hp];
            phiD = new double[hp];
            dhN = new float[rowsMax * hp];
            dcN = new float[rowsMax * hp];
            dkS = new float[hp];
            dkSum = new double[hp];
            kTime = new double[rowsMax];
            kOff = new int[rowsMax];
            peepStep = new float[3 * hp];
            peepAcc = new double[3 * hp];
            tgAcc = new double[3 * hp];
            lanes = new float[SimdPhasedLstm.L];
            e = new float[SimdPhasedLstm.CELL_SCRATCH];
            cellOff = new int[4 * SimdPhasedLstm.ROW];
        }
    }

    final int chunk;         // rows per weight-gradient chunk
    /**
     * Weight gradients accumulated per step inside the backward recurrence, into one {@code [kp][4Hp]} buffer per
     * worker, when that buffer is small ({@value #FUSED_WEIGHT_GRADIENT_BYTES} bytes at most: it then stays in
     * L1/L2 and dz is never re-read from memory); otherwise one blocked product over all rows after the recurrence.
     */
    final boolean fusedWeightGradients;
    static final int FUSED_WEIGHT_GRADIENT_BYTES = 256 * 1024;
    final SimdEngine.Pass pass = new SimdEngine.Pass(this);

    SimdWorkspace(SimdEngine engine, PhasedLstmConfig config, int batch, int steps) {
        super(config, batch, steps);
        this.engine = engine;
        int lanes = SimdPhasedLstm.L;
        in = config.inputSize();
        hs = config.hiddenSize();
        hp = (hs + lanes - 1) / lanes * lanes;
        nb = hp / lanes;
        g4 = 4 * hp;
        kp = in + hs + 1;
        int nBlocks = (in + 3) / 4 + (hs + 3) / 4 + 1;
        kBlockStart = new int[nBlocks];
        kBlockCount = new int[nBlocks];
        int kb = 0;
        for (int k = 0; k < in; k += 4) {
            kBlockStart[kb] = k;
            kBlockCount[kb++] = Math.min(4, in - k);
        }
        for (int k = 0; k < hs; k += 4) {
            kBlockStart[kb] = in + k;
            kBlockCount[kb++] = Math.min(4, hs - k);
        }
        kBlockStart[kb] = in + hs;
        kBlockCount[kb] = 1;
        wx = new float[in * g4];
        wh = new float[hs * g4];
        bias = new float[g4];
        peep = new float[3 * hp];
        tg = new TimeGateParams(hp);
        uT = new float[g4 * hp];
        Check.elements("batch·steps (gate cache [T][B][4H], padded)", batch, steps, g4);
        Check.elements("batch·steps (state cache [T+1][B][H], padded)", batch, steps + 1L, hp);
        long perStep = (long) batch * steps * hp;
        long withInit = (long) batch * (steps + 1) * hp;
        hc = new float[Math.toIntExact(withInit)];
        cc = new float[Math.toIntExact(withInit)];
        gi = new float[Math.toIntExact(perStep)];
        gf = new float[Math.toIntExact(perStep)];
        gg = new float[Math.toIntExact(perStep)];
        go = new float[Math.toIntExact(perStep)];
        tc = new float[Math.toIntExact(perStep)];
        dz = new float[Math.toIntExact((long) batch * steps * g4)];
        dw = new float[kp * g4];
        lengths = new int[batch];
        rowDz = new int[batch * steps];
        rowH = new int[batch * steps];
        rowX = new int[batch * steps];
        // Weight-gradient chunks of about 256 KiB of dz rows, so a chunk stays in L2 while tiles sweep it.
        chunk = Math.max(16, Math.min(1024, (256 * 1024) / (4 * g4)));
        int workers = Math.min(engine.threads(), batch);
        int rowsMax = (batch + workers - 1) / workers;
        fusedWeightGradients = (long) kp * g4 * Float.BYTES <= FUSED_WEIGHT_GRADIENT_BYTES;
        scratch = new ThreadScratch[engine.threads()];
        for (int w = 0; w < scratch.length; w++) {
            scratch[w] = new ThreadScratch(rowsMax, hp, g4, fusedWeightGradients ? kp * g4 : 0);
        }
    }

    /** First sample of worker {@code w}'s share when the batch is split over {@code workers}. */
    int sampleStart(int w, int workers) {
        return (int) ((long) batch() * w / workers);
    }

    /** Workers used for per-sample work: at most one per sample. */
    int sampleWorkers() {
        return Math.min(engine.threads(), batch());
    }
}
