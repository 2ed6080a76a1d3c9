package org.plstm.simd;

import static org.plstm.simd.VectorLevel.FMA;
import static org.plstm.simd.VectorLevel.FS;
import static org.plstm.simd.VectorLevel.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import org.plstm.engine.LayerStream;

/**
 * Many independent streams of one layer, one event each, stepped together on the event-driven path (leak 0):
 * {@link StreamLayer#stepSkipping} for {@code n} streams at once, with the same bits per stream.
 *
 * <p>Why together: one stream's event reads the rows of {@link StreamLayer#wu} of its open units (about
 * {@code ratioOn·H} units, {@code 4·(I + H)} floats each), and a stream processor's next event belongs to another
 * stream, with other open units. For {@code H = 512} the rows are 4.3 MB, beyond a core's L2, so each event waits on
 * L3 for its rows. Here the events of the {@code n} streams are first turned into (stream, unit) pairs, every open
 * unit of every stream, sorted by unit (a counting sort); then each unit's rows are read once for all the streams
 * that opened it, two streams per pass over the rows (8 accumulators, 4 weight vectors and 2 input vectors: 14 of
 * AVX2's 16 registers). The rows stream through the cache once per batch instead of once per event.
 *
 * <p>Bitwise the single-stream kernel: each pair's dot products are the same vector operations in the same order
 * ({@code [x, h_{t-1}]} in vectors of {@code L}, the fused or separate multiply-add of the level, the lane sums in
 * the same fixed order, then the bias), the time gate is the same call per stream, and the cell update is
 * {@link CellKernel#forward} on groups of {@code L} gathered pairs, which is elementwise (a value does not depend on
 * its lane or its neighbours). {@code StreamBatchTest} checks it at every instruction level.
 *
 * <p>The streams go in blocks whose {@code [x, h_{t-1}]} rows fill about {@value #BLOCK_BYTES} bytes (a quarter of
 * a core's L2; at least {@value #MIN_BLOCK} streams), so the rows a unit's pairs read stay in L2 while the unit
 * rows pass through once per block. Pairs are gathered, updated and scattered in chunks of {@value #CHUNK_GROUPS} groups of {@code L}, so the
 * scratch is small and stays in L1; scattering a chunk's new state before the next chunk's dot products is safe
 * since those read the copy {@code xh} of the previous hidden state, and a pair is the only writer of its
 * (stream, unit) state.
 */
final class StreamBatchKernel {
    /** Groups of {@code L} pairs gathered per round. */
    static final int CHUNK_GROUPS = 16;
    static final int CHUNK = CHUNK_GROUPS * L;
    /** Bytes of {@code xh} rows per block of streams: about a quarter of a core's L2. */
    static final int BLOCK_BYTES = 256 * 1024;
    /** The fewest streams per block (wide layers): enough streams per unit to share its rows. */
    static final int MIN_BLOCK = 32;

    private StreamBatchKernel() {
    }

    /** The streams' states of one layer (rows of {@code Hp} floats) and the batch's scratch; not thread-safe. */
    static final class State implements LayerStream.BatchState {
        final int capacity;
        final int hPad;
        /** Streams per block: a block's {@code xh} rows fit in L2 with the unit rows passing through. */
        final int block;
        final float[] h;         // [capacity][Hp]
        final float[] c;         // [capacity][Hp]
        final float[] k;         // [Hp]: one stream's openness (scratch)
        final double[] phi;      // [Hp] time-gate scratch
        final double[] kWide;    // [Hp]
        final float[] xh;        // [block][rowPad]: [x, h_{t-1}, 0 ...] of each stream of the block
        final int[] open;        // [block][H]: each stream's open units, ascending
        final float[] openK;     // [block][H]: their openness
        final int[] openCount;   // [block]
        final int[] unitStart;   // [H + 1]: pairs of unit j at [unitStart[j], unitStart[j + 1])
        final int[] cursor;      // [H]
        final int[] pairStream;  // [block·H]: stream index within the block
        final int[] pairUnit;    // [block·H]
        final float[] pairK;     // [block·H]
        final float[] gz = new float[4 * CHUNK];  // a chunk's pre-activations, groups of [4][L]
        final float[] gc = new float[CHUNK];
        final float[] gh = new float[CHUNK];
        final float[] gk = new float[CHUNK];
        final float[] gp = new float[3 * CHUNK];  // peepholes, stride CHUNK
        final float[] outC = new float[CHUNK];
        final float[] outH = new float[CHUNK];
        final float[] lanes = new float[8 * L];
        final CellTile tile = new CellTile();
        /** Pairs of the last step: the (stream, unit) updates it computed. */
        long lastPairs;

        State(StreamLayer layer, int capacity) {
            this(layer, capacity, Math.max(MIN_BLOCK, BLOCK_BYTES / (4 * layer.rowPad)));
        }

        /**
         * With {@code block} streams per block at most (tests take small blocks); the per-block scratch is sized for
         * {@code min(capacity, block)} streams.
         */
        State(StreamLayer layer, int capacity, int block) {
            this.capacity = capacity;
            this.hPad = layer.hPad;
            int hidden = layer.hidden;
            this.block = Math.max(1, Math.min(capacity, block));
            h = new float[capacity * hPad];
            c = new float[capacity * hPad];
            k = new float[hPad];
            phi = new double[hPad];
            kWide = new double[hPad];
            xh = new float[this.block * layer.rowPad];
            open = new int[this.block * hidden];
            openK = new float[this.block * hidden];
            openCount = new int[this.block];
            unitStart = new int[hidden + 1];
            cursor = new int[hidden];
            pairStream = new int[this.block * hidden];
            pairUnit = new int[this.block * hidden];
            pairK = new float[this.block * hidden];
            tile.noCaches();
            tile.sinkRows();
            tile.hard = layer.layer.hardFlag;
        }

        @Override
        public float[] h() {
            return h;
        }

        @Override
        public float[] c() {
            return c;
        }

        @Override
        public int stride() {
            return hPad;
        }

        @Override
        public int capacity() {
            return capacity;
        }

        @Override
        public long lastUpdatedUnits() {
            return lastPairs;
        }
    }

    /**
     * Steps streams {@code 0 .. n-1}: stream {@code i} takes the event {@code x[xOff + i·xStride ..+I)} at
     * {@code t[i]}. Arguments are not checked (the caller validates).
     */
    static void step(StreamLayer sl, State s, int n, float[] x, int xOff, int xStride, double[] t) {
        long pairs = 0;
        for (int b0 = 0; b0 < n; b0 += s.block) {
            pairs += stepBlock(sl, s, b0, Math.min(s.block, n - b0), x, xOff, xStride, t);
        }
        s.lastPairs = pairs;
    }

    /** Streams {@code b0 .. b0 + n - 1} (one block); returns the pairs it updated. */
    private static int stepBlock(StreamLayer sl, State s, int b0, int n, float[] x, int xOff, int xStride,
                                 double[] t) {
        PackedLayer layer = sl.layer;
        int in = sl.in;
        int hidden = sl.hidden;
        int hPad = sl.hPad;
        int rowPad = sl.rowPad;
        java.util.Arrays.fill(s.unitStart, 0);
        // 1. Each stream's time gate, its open units, and [x, h_{t-1}] for the dot products.
        for (int i = 0; i < n; i++) {
            double ti = t[b0 + i];
            TimeGateKernel.openness(layer.tg, ti, 0.0, s.k, 0, s.phi, s.kWide,
                    TimeGateKernel.vectorSafe(layer.tg, Math.abs(ti)));
            int m = openUnits(s, i, hidden, hPad);
            s.openCount[i] = m;
            if (m > 0) {
                System.arraycopy(x, xOff + (b0 + i) * xStride, s.xh, i * rowPad, in);
                System.arraycopy(s.h, (b0 + i) * hPad, s.xh, i * rowPad + in, hidden);
            }
        }
        // 2. Pairs sorted by unit, streams ascending within a unit.
        int total = 0;
        for (int j = 0; j < hidden; j++) {
            int count = s.unitStart[j + 1];
            s.unitStart[j] = total;
            s.cursor[j] = total;
            total += count;
        }
        s.unitStart[hidden] = total;
        for (int i = 0; i < n; i++) {
            int base = i * hidden;
            for (int q = 0; q < s.openCount[i]; q++) {
                int j = s.open[base + q];
                int p = s.cursor[j]++;
                s.pairStream[p] = i;
                s.pairUnit[p] = j;
                s.pairK[p] = s.openK[base + q];
            }
        }
        // 3. Per chunk of pairs: dot products, cell update, scatter.
        for (int p0 = 0; p0 < total; p0 += CHUNK) {
            int count = Math.min(CHUNK, total - p0);
            gather(sl, s, b0, p0, count);
            update(layer, s, b0, p0, count);
        }
        return total;
    }

    /** Lists stream {@code i}'s units with {@code k > 0} in {@code s.open} and counts them per unit. */
    private static int openUnits(State s, int i, int hidden, int hPad) {
        int m = 0;
        int kOff = 0;
        int base = i * hidden;
        if (VectorLevel.MASKS) {
            for (int j = 0; j < hPad; j += L) {
                long bits = FloatVector.fromArray(FS, s.k, kOff + j).compare(VectorOperators.GT, 0f).toLong();
                while (bits != 0) {
                    int unit = j + Long.numberOfTrailingZeros(bits);
                    bits &= bits - 1;
                    if (unit < hidden) {
                        s.openK[base + m] = s.k[unit];
                        s.open[base + m++] = unit;
                        s.unitStart[unit + 1]++;
                    }
                }
            }
        } else {
            for (int j = 0; j < hidden; j++) {
                if (s.k[kOff + j] > 0f) {
                    s.openK[base + m] = s.k[j];
                    s.open[base + m++] = j;
                    s.unitStart[j + 1]++;
                }
            }
        }
        return m;
    }

    /**
     * The pre-activations of pairs {@code [p0, p0 + count)} (two pairs of one unit per pass where they come in
     * twos) and their state, time gate and peepholes, gathered as the cell tile reads them, zero-padded to whole
     * groups of {@code L}.
     */
    private static void gather(StreamLayer sl, State s, int b0, int p0, int count) {
        int rowPad = sl.rowPad;
        int hPad = sl.hPad;
        float[] wu = sl.wu;
        float[] xh = s.xh;
        int q = 0;
        while (q < count) {
            int p = p0 + q;
            int j = s.pairUnit[p];
            int row = j * 4 * rowPad;
            if (q + 1 < count && s.pairUnit[p + 1] == j) {
                int aRow = s.pairStream[p] * rowPad;
                int bRow = s.pairStream[p + 1] * rowPad;
                FloatVector ai = FloatVector.zero(FS);
                FloatVector af = FloatVector.zero(FS);
                FloatVector ag = FloatVector.zero(FS);
                FloatVector ao = FloatVector.zero(FS);
                FloatVector bi = FloatVector.zero(FS);
                FloatVector bf = FloatVector.zero(FS);
                FloatVector bg = FloatVector.zero(FS);
                FloatVector bo = FloatVector.zero(FS);
                for (int e = 0; e < rowPad; e += L) {
                    FloatVector wi = FloatVector.fromArray(FS, wu, row + e);
                    FloatVector wf = FloatVector.fromArray(FS, wu, row + rowPad + e);
                    FloatVector wg = FloatVector.fromArray(FS, wu, row + 2 * rowPad + e);
                    FloatVector wo = FloatVector.fromArray(FS, wu, row + 3 * rowPad + e);
                    FloatVector a = FloatVector.fromArray(FS, xh, aRow + e);
                    FloatVector b = FloatVector.fromArray(FS, xh, bRow + e);
                    ai = FMA ? wi.fma(a, ai) : wi.mul(a).add(ai);
                    af = FMA ? wf.fma(a, af) : wf.mul(a).add(af);
                    ag = FMA ? wg.fma(a, ag) : wg.mul(a).add(ag);
                    ao = FMA ? wo.fma(a, ao) : wo.mul(a).add(ao);
                    bi = FMA ? wi.fma(b, bi) : wi.mul(b).add(bi);
                    bf = FMA ? wf.fma(b, bf) : wf.mul(b).add(bf);
                    bg = FMA ? wg.fma(b, bg) : wg.mul(b).add(bg);
                    bo = FMA ? wo.fma(b, bo) : wo.mul(b).add(bo);
                }
                ai.intoArray(s.lanes, 0);
                af.intoArray(s.lanes, L);
                ag.intoArray(s.lanes, 2 * L);
                ao.intoArray(s.lanes, 3 * L);
                bi.intoArray(s.lanes, 4 * L);
                bf.intoArray(s.lanes, 5 * L);
                bg.intoArray(s.lanes, 6 * L);
                bo.intoArray(s.lanes, 7 * L);
                finish(sl, s, b0, q, p, j, 0, hPad);
                finish(sl, s, b0, q + 1, p + 1, j, 4 * L, hPad);
                q += 2;
            } else {
                int aRow = s.pairStream[p] * rowPad;
                FloatVector ai = FloatVector.zero(FS);
                FloatVector af = FloatVector.zero(FS);
                FloatVector ag = FloatVector.zero(FS);
                FloatVector ao = FloatVector.zero(FS);
                for (int e = 0; e < rowPad; e += L) {
                    FloatVector a = FloatVector.fromArray(FS, xh, aRow + e);
                    FloatVector wi = FloatVector.fromArray(FS, wu, row + e);
                    FloatVector wf = FloatVector.fromArray(FS, wu, row + rowPad + e);
                    FloatVector wg = FloatVector.fromArray(FS, wu, row + 2 * rowPad + e);
                    FloatVector wo = FloatVector.fromArray(FS, wu, row + 3 * rowPad + e);
                    ai = FMA ? wi.fma(a, ai) : wi.mul(a).add(ai);
                    af = FMA ? wf.fma(a, af) : wf.mul(a).add(af);
                    ag = FMA ? wg.fma(a, ag) : wg.mul(a).add(ag);
                    ao = FMA ? wo.fma(a, ao) : wo.mul(a).add(ao);
                }
                ai.intoArray(s.lanes, 0);
                af.intoArray(s.lanes, L);
                ag.intoArray(s.lanes, 2 * L);
                ao.intoArray(s.lanes, 3 * L);
                finish(sl, s, b0, q, p, j, 0, hPad);
                q++;
            }
        }
        StreamLayer.padGroups(count, s.gz, s.gc, s.gh, s.gk, s.gp, CHUNK);
    }

    /**
     * Chunk position {@code q} (pair {@code p}, unit {@code j}): the lane sums of its four accumulators at
     * {@code s.lanes[from ..]} in the single-stream kernel's fixed order, plus the bias, and its gathered state.
     */
    private static void finish(StreamLayer sl, State s, int b0, int q, int p, int j, int from, int hPad) {
        StreamLayer.laneSums(s.lanes, from, sl.biasU, sl.hidden, j, s.gz, q);
        int at = (b0 + s.pairStream[p]) * hPad + j;
        float[] peep = sl.layer.peep;
        s.gc[q] = s.c[at];
        s.gh[q] = s.h[at];
        s.gk[q] = s.pairK[p];
        s.gp[q] = peep[j];
        s.gp[CHUNK + q] = peep[hPad + j];
        s.gp[2 * CHUNK + q] = peep[2 * hPad + j];
    }

    /** The cell update of a gathered chunk, up to 4 groups of L per tile, and the scatter back to the streams. */
    private static void update(PackedLayer layer, State s, int b0, int p0, int count) {
        CellTile tile = s.tile;
        tile.c = s.gc;
        tile.h = s.gh;
        tile.k = s.gk;
        tile.cOut = s.outC;
        tile.hOut = s.outH;
        tile.peep = s.gp;
        tile.peepStride = CHUNK;
        StreamLayer.updateGathered(layer, tile, s.gz, count);
        int hPad = s.hPad;
        for (int q = 0; q < count; q++) {
            int at = (b0 + s.pairStream[p0 + q]) * hPad + s.pairUnit[p0 + q];
            s.c[at] = s.outC[q];
            s.h[at] = s.outH[q];
        }
    }
}
