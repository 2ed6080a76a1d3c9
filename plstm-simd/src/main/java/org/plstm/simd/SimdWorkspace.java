package org.plstm.simd;

import org.plstm.Check;
import org.plstm.LayerWorkspace;
import org.plstm.PhasedLstmConfig;

/**
 * Buffers of the SIMD engine for one {@code (B, T)} shape, one layer configuration and one thread count, allocated
 * once and reused. Layout of the parameters: {@link PackedLayer} ({@code Hp} = H padded to whole vectors, packed gate
 * rows of {@code 4·Hp} floats in unit blocks {@code [NB][i, f, g, o][L]}).
 *
 * <p>Caches are step-major, so that one step of a worker's samples is contiguous (it streams well in both passes).
 * Slot 0 of {@code hc}/{@code cc} holds {@code h0}/{@code c0}; slot {@code t+1} the state after step {@code t}. The
 * time gate {@code k} is not cached: the backward recomputes it (bitwise) from the timestamps.
 */
final class SimdWorkspace extends LayerWorkspace {
    final int threads;       // workers it is sized for
    final PackedLayer layer; // the parameters of the last forward pass, packed
    final int in;            // I
    final int hidden;        // H
    final int hPad;          // Hp
    final int gateWidth;     // 4·Hp
    final int dwRows;        // I + H: rows of the packed weight gradient (its bias row is dwBias)
    final int[] dwBlockStart; // blocks of up to DW_BLOCK_ROWS rows of dw, never straddling kernel / recurrentKernel
    final int[] dwBlockCount;

    final float[] hc;        // [T+1][B][Hp]
    final float[] cc;        // [T+1][B][Hp]
    // The training arrays, empty until the first training pass needs them (trainingArrays()): an inference-only
    // workspace holds the states and the hidden sequence, not five gate caches, dz and dw as well.
    float[] gi = EMPTY;      // [T][B][Hp] gate values (training)
    float[] gf = EMPTY;
    float[] gg = EMPTY;
    float[] go = EMPTY;
    float[] tc = EMPTY;      // [T][B][Hp] tanh(c~)
    float[] dz = EMPTY;      // [T][B][4Hp] gate pre-activation gradients (backward; small layers: trainingArrays)
    float[] dw = EMPTY;      // [NB][I+H][4L] weight gradients in the packed layout of PackedLayer.w
    final float[] dwBias;    // [4Hp]
    final float[] dhN;       // [B][Hp] dL/dh_t being accumulated (backward)
    final float[] dcN;       // [B][Hp]
    final int[] lengths;     // [B] valid steps of the current input
    /** Whether the training caches hold the last forward pass (an inference forward does not write them). */
    boolean cached;

    // The weight-gradient pass's rows (all active (b, t), step-major): offsets into dz, hc (h_{t-1}) and x (training
    // arrays too: empty until trainingArrays()).
    int[] rowDz = NO_ROWS;
    int[] rowH = NO_ROWS;
    int[] rowX = NO_ROWS;
    int rowCount;
    /**
     * Rows per weight-gradient chunk: about 256 KiB of dz, so a chunk stays in L2 while the tiles sweep it, and at
     * most about 1 MiB of packed {@code [x, h]} rows (a worker's {@code gradA}) for layers with very many inputs.
     */
    final int chunk;
    /**
     * Weight gradients accumulated per step inside the backward recurrence, into one buffer per worker, when that
     * buffer is small ({@value #FUSED_WEIGHT_GRADIENT_BYTES} bytes at most: it then stays in L1/L2 and dz is never
     * re-read from memory); otherwise one blocked product over all rows after the recurrence.
     */
    final boolean fusedWeightGradients;
    static final int FUSED_WEIGHT_GRADIENT_BYTES = 256 * 1024;
    /** Rows of {@code dw} per weight-gradient tile: a multiple of every register tile's rows (6, 4, 2, 1). */
    static final int DW_BLOCK_ROWS = 12;

    final Worker[] workers;

    private static final float[] EMPTY = new float[0];
    private static final int[] NO_ROWS = new int[0];

    /** Per-worker scratch, sized for the worker's largest share of the batch. */
    static final class Worker {
        final int[] rows;       // active samples at the current step
        final int[] open;       // [rowsMax] forward: the positions in rows that the current unit block computes
        final CellTile tile = new CellTile();
        final float[] kS;       // [rowsMax][Hp] time gate per row (forward), [Hp] (backward)
        final double[] phi;     // [Hp] phase of the current timestamp (backward)
        final double[] kWide;   // [Hp] the time gate's k in double (scratch)
        final double[] kTime;   // [rowsMax] timestamps whose k rows are in kS (forward reuse)
        final int[] kOff;       // [rowsMax] offset of each row's k in kS
        final GateProduct.ProductRows product; // the rows of the step's products (x and h rows, dz rows)
        final float[] dxRows;   // [rowsMax][Ip] dL/dx_t before it is copied out
        final float[] dk;       // [rowsMax][Hp] dL/dk of each row of the step
        final double[] dkSum;   // [Hp] dL/dk summed over rows sharing a timestamp
        final float[] peepStep; // [3][Hp] peephole gradient of one step (float), flushed into peepAcc
        final double[] peepAcc; // [3][Hp]
        final double[] tgAcc;   // [3][Hp] period, shift, ratioOn gradients
        final float[] dw;       // like SimdWorkspace.dw, this worker's (fused mode), else empty
        final float[] dwBias;   // [4Hp] (fused mode), else empty
        final int[] stepDz;     // [rowsMax] offsets of the step's rows (fused mode)
        final int[] stepX;      // [rowsMax] the step's rows whose dx this part computes (LayerBackward)
        final float[] slope;    // [5][L] scratch of the vector cell backward (CellKernel)
        final float[] dzStep;   // [rowsMax][4Hp] dz of the current step (fused mode: never written to ws.dz)
        // The weight gradients, one chunk of rows (large layers) or one step's rows (fused mode, where it is not
        // read in place) at a time, packed so that they are a plain blocked product (GateProduct): [x_t, h_{t-1}]
        // transposed, and dz by unit block.
        final float[] gradA;    // [I+H][rows of the chunk or step]
        final float[] gradDz;   // [NB][rows of the chunk][4L]; fused mode: one block's [rows of the step][4L]
        final int[] gradPacked; // [NB] 1 + the chunk whose dz is packed for block nb (0: none)
        final GateProduct.ProductRows gradRows; // DW_BLOCK_ROWS rows: the rows of dw of one tile
        float[] dz;             // where the backward writes dz: dzStep (fused mode) or the workspace's [T][B][4Hp]

        Worker(int rowsMax, int hPad, int inPad, int gateWidth, int dwSize, int chunk, int dwRows, int blocks) {
            rows = new int[rowsMax];
            open = new int[rowsMax];
            kS = new float[rowsMax * hPad];
            phi = new double[hPad];
            kWide = new double[hPad];
            kTime = new double[rowsMax];
            kOff = new int[rowsMax];
            product = new GateProduct.ProductRows(rowsMax);
            dxRows = new float[rowsMax * inPad];
            dk = new float[rowsMax * hPad];
            dkSum = new double[hPad];
            peepStep = new float[3 * hPad];
            peepAcc = new double[3 * hPad];
            tgAcc = new double[3 * hPad];
            dw = new float[dwSize];
            dwBias = new float[dwSize == 0 ? 0 : gateWidth];
            stepDz = new int[rowsMax];
            stepX = new int[rowsMax];
            slope = new float[5 * VectorLevel.L];
            dzStep = new float[dwSize == 0 ? 0 : rowsMax * gateWidth];
            gradA = new float[chunk * dwRows];
            gradDz = new float[chunk * gateWidth];
            gradPacked = new int[chunk == 0 ? 0 : blocks];
            gradRows = new GateProduct.ProductRows(DW_BLOCK_ROWS);
        }
    }

    SimdWorkspace(int threads, PhasedLstmConfig config, int batch, int steps) {
        // The caches' sizes are checked before super allocates the hidden sequence [B][T][H]: that one may fit an
        // array (and take gigabytes) while the gate cache [T][B][4Hp] cannot exist.
        Check.notNull("config", config);
        Check.atLeast("batch", batch, 1);
        Check.atLeast("steps", steps, 1);
        Check.elements("h", batch, steps, config.hiddenSize()); // super's checks first, with its messages
        Check.elements("dx", batch, steps, config.inputSize());
        int paddedHidden = PackedLayer.roundUp(config.hiddenSize(), VectorLevel.L);
        Check.elements("batch·steps (gate cache [T][B][4H], padded)", batch, steps, 4L * paddedHidden);
        Check.elements("batch·steps (state cache [T+1][B][H], padded)", batch, steps + 1L, paddedHidden);
        super(config, batch, steps);
        this.threads = threads;
        layer = new PackedLayer(config);
        in = layer.in;
        hidden = layer.hidden;
        hPad = layer.hPad;
        gateWidth = layer.gateWidth;
        dwRows = in + hidden;
        int nBlocks = (in + DW_BLOCK_ROWS - 1) / DW_BLOCK_ROWS + (hidden + DW_BLOCK_ROWS - 1) / DW_BLOCK_ROWS;
        dwBlockStart = new int[nBlocks];
        dwBlockCount = new int[nBlocks];
        int block = 0;
        for (int r = 0; r < in; r += DW_BLOCK_ROWS) {
            dwBlockStart[block] = r;
            dwBlockCount[block++] = Math.min(DW_BLOCK_ROWS, in - r);
        }
        for (int r = 0; r < hidden; r += DW_BLOCK_ROWS) {
            dwBlockStart[block] = in + r;
            dwBlockCount[block++] = Math.min(DW_BLOCK_ROWS, hidden - r);
        }
        int withInit = Math.toIntExact((long) batch * (steps + 1) * hPad);
        hc = new float[withInit];
        cc = new float[withInit];
        fusedWeightGradients = (long) (layer.w.length + gateWidth) * Float.BYTES <= FUSED_WEIGHT_GRADIENT_BYTES;
        long weightBytes = (long) layer.w.length * Float.BYTES;
        String split = splitProperty();
        boolean possible = threads > 1 && layer.blocks >= 4 * threads;
        unitSplit = possible && switch (split) {
            case "units" -> true;
            case "samples" -> false;
            default -> weightBytes >= UNIT_SPLIT_BYTES;
        };
        dwBias = new float[gateWidth];
        dhN = new float[batch * hPad];
        dcN = new float[batch * hPad];
        lengths = new int[batch];
        int dzRows = (256 * 1024) / (4 * gateWidth);
        int aRows = (1024 * 1024) / (4 * dwRows);
        chunk = Math.max(16, Math.min(1024, Math.min(dzRows, aRows)));
        parts = unitSplit ? threads : Math.min(threads, batch);
        barrier = unitSplit ? new StepBarrier(parts) : null;
        int rowsMax = unitSplit ? batch : (batch + parts - 1) / parts;
        workers = new Worker[threads];
        for (int w = 0; w < threads; w++) {
            workers[w] = new Worker(rowsMax, hPad, layer.inPad, gateWidth, fusedWeightGradients ? layer.w.length : 0,
                    fusedWeightGradients ? rowsMax : chunk, dwRows, layer.blocks);
        }
    }

    /**
     * Allocates the training arrays (the gate caches, {@code dz}, {@code dw} and the weight-gradient rows) on the
     * first training pass: a workspace that only ever runs inference does without them (at B = 64, T = 100, I = 64,
     * H = 256, heap retained after a GC: 23.5 MB after an inference pass, 83.9 MB after a training pass, which every
     * workspace held before). Once; later passes find them in place (no allocation on the hot path).
     */
    void trainingArrays() {
        if (gi != EMPTY) {
            return;
        }
        int perStep = Math.toIntExact((long) batch() * steps() * hPad);
        // With the fused weight gradients, each step's dz is used within the step: a per-worker buffer (split by
        // samples) or, split by units (every part reads every part's columns), a shared buffer of two steps (a part
        // writes step t-1 while another may still read step t); not [T][B][4Hp] written to memory and never read
        // again.
        float[] dzAll = new float[fusedWeightGradients ? (unitSplit ? 2 * batch() * gateWidth : 0)
                : Math.toIntExact((long) batch() * steps() * gateWidth)];
        float[] dwAll = new float[layer.w.length];
        int rows = batch() * steps();
        int[] dzRows = new int[rows];
        int[] hRows = new int[rows];
        int[] xRows = new int[rows];
        float[] i = new float[perStep];
        float[] f = new float[perStep];
        float[] g = new float[perStep];
        float[] o = new float[perStep];
        float[] t = new float[perStep];
        // All or nothing: an OutOfMemoryError above leaves the workspace as it was.
        dz = dzAll;
        dw = dwAll;
        rowDz = dzRows;
        rowH = hRows;
        rowX = xRows;
        gf = f;
        gg = g;
        go = o;
        tc = t;
        gi = i; // last: the test at the top
    }

    /**
     * How a pass splits over the workers. By samples (the default): each worker runs all units of a contiguous
     * share of the batch, with no synchronisation between steps; each reads the whole weight matrix every step,
     * which is fine while it fits a core's cache. By unit blocks, for layers of at least
     * {@value #UNIT_SPLIT_BYTES} bytes of packed weights and {@code 4·workers} unit blocks: each worker runs its own
     * contiguous range of unit blocks (whole 4-vector groups) for every sample, so its share of the weights stays in
     * its core's L2 across steps, and the workers meet at a {@link StepBarrier} once per step (the next step needs
     * all of {@code h_t}). Measured on Zen 5 with 2 threads (AVX-512): the 1.3 MB of packed weights of a 64-input,
     * 256-unit layer ran faster split by samples (both cores read the weights from the shared L3 well enough, and the
     * barrier costs more), while the 19 MB of a 128-input, 1024-unit layer ran 19 % faster split by units; hence the
     * threshold (docs/performance-notes.md).
     */
    final boolean unitSplit;
    /** Workers that take part in a pass: one per sample at most (sample split), every thread (unit split). */
    final int parts;
    /** The per-step barrier of the unit split, null otherwise. */
    final StepBarrier barrier;
    /**
     * System property that forces the split of new workspaces, for benchmarks: {@code samples}, {@code units} (when
     * the layer has at least {@code 4·threads} unit blocks) or {@code auto} (the default).
     */
    static final String SPLIT_PROPERTY = "plstm.simd.split";

    /**
     * @return {@value #SPLIT_PROPERTY} in lower case, {@code auto} when unset or blank
     * @throws IllegalArgumentException if it is not {@code samples}, {@code units} or {@code auto}
     */
    static String splitProperty() {
        String p = System.getProperty(SPLIT_PROPERTY);
        String s = p == null || p.isBlank() ? "auto" : p.trim().toLowerCase(java.util.Locale.ROOT);
        if (!s.equals("auto") && !s.equals("samples") && !s.equals("units")) {
            throw new IllegalArgumentException(SPLIT_PROPERTY + ": expected samples, units or auto, got '" + p + "'");
        }
        return s;
    }
    /** Packed weights from which a layer splits by unit blocks (with enough blocks). */
    static final long UNIT_SPLIT_BYTES = 8L << 20;

    /** First sample of part {@code w}. */
    int sampleStart(int w) {
        return unitSplit ? 0 : (int) ((long) batch() * w / parts);
    }

    /** End (exclusive) of part {@code w}'s samples. */
    int sampleEnd(int w) {
        return unitSplit ? batch() : (int) ((long) batch() * (w + 1) / parts);
    }

    /** First unit block of part {@code w}: whole groups of 4 blocks, so backward strips never straddle parts. */
    int blockStart(int w) {
        return unitSplit ? (int) ((long) (layer.blocks / 4) * w / parts) * 4 : 0;
    }

    /** End (exclusive) of part {@code w}'s unit blocks (the last part takes the blocks past the last group of 4). */
    int blockEnd(int w) {
        return unitSplit && w + 1 < parts ? blockStart(w + 1) : layer.blocks;
    }

    /** Offset of sample {@code b}'s state after step {@code t - 1} (slot {@code t}) in {@link #hc}/{@link #cc}. */
    int state(int t, int b) {
        return (t * batch() + b) * hPad;
    }
}
