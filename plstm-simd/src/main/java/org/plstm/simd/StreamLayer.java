package org.plstm.simd;

import static org.plstm.simd.VectorLevel.FMA;
import static org.plstm.simd.VectorLevel.FS;
import static org.plstm.simd.VectorLevel.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import org.plstm.Check;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.engine.LayerStream;

/**
 * One Phased LSTM layer packed for inference on a single stream, one event at a time, in inference mode (leak 0).
 * This is the kernel behind {@code org.plstm.inference.StreamSession}; most users want that class.
 *
 * <p>Two paths. {@link #stepDense} updates every unit: the gate product is the engine's blocked kernel
 * ({@link GateProduct}) for one sample, and the result equals {@link SimdEngine}'s batched forward bitwise.
 * {@link #stepSkipping} is event-driven (the paper's "order of magnitude fewer computes", section 3): it first
 * evaluates the time gate (of every unit, or without FMA only of the units not known to be closed, see
 * {@link VectorLevel#CLOSED_BOUNDS}), then computes gates and state only for the units whose gate is open ({@code k > 0}),
 * reading only their columns of {@code kernel} and {@code recurrentKernel} (kept unit-major: each unit's four gate
 * columns contiguous); a closed unit keeps {@code c} and {@code h} bitwise, as the model defines
 * with {@code alpha = 0}. The open units' values equal the dense path's within float32 rounding (their dot products
 * are summed in another order).
 *
 * <p>Immutable and thread-safe; each stream keeps its own {@link State}. The layer copies the parameters, so later
 * changes to the {@link PhasedLstmParams} do not affect it.
 */
public final class StreamLayer implements LayerStream {
    final PackedLayer layer;
    final int in;
    final int hidden;
    final int hPad;
    /** {@code I + H} rounded up to whole vectors: the length of a unit's row in {@link #wu}. */
    final int rowPad;
    /** {@code [H][4][rowPad]}: unit j, gate g: {@code [kernel[:, g·H + j], recurrentKernel[:, g·H + j], 0 ...]}. */
    final float[] wu;
    /** {@code [4][H]}: the Keras bias. */
    final float[] biasU;

    /**
     * Packs a layer.
     *
     * @param params the layer's parameters (copied)
     * @throws IllegalArgumentException if {@code params} is null or invalid (NaN/Inf, period &lt;= 0, ratioOn outside
     *     {@code (0, 1]})
     * @throws IllegalStateException if this JVM's vectors are narrower than the kernels need (128 bits, e.g.
     *     {@code -XX:MaxVectorSize=8}); without {@code --add-modules jdk.incubator.vector} this class cannot be
     *     linked at all ({@code NoClassDefFoundError}, since its own code holds vectors). {@code
     *     Backend.get().newStream} checks both first and falls back to the reference stream.
     */
    public StreamLayer(PhasedLstmParams params) {
        SimdBackend.require("StreamLayer");
        Check.notNull("params", params);
        params.validate("params");
        PhasedLstmConfig cfg = params.config();
        layer = new PackedLayer(cfg);
        layer.pack(params);
        in = layer.in;
        hidden = layer.hidden;
        hPad = layer.hPad;
        rowPad = PackedLayer.roundUp(in + hidden, L);
        wu = new float[hidden * 4 * rowPad];
        biasU = params.bias().clone();
        for (int j = 0; j < hidden; j++) {
            for (int g = 0; g < 4; g++) {
                int row = (j * 4 + g) * rowPad;
                int col = g * hidden + j;
                for (int i = 0; i < in; i++) {
                    wu[row + i] = params.kernel()[i * 4 * hidden + col];
                }
                for (int i = 0; i < hidden; i++) {
                    wu[row + in + i] = params.recurrentKernel()[i * 4 * hidden + col];
                }
            }
        }
    }

    /** @return the layer configuration */
    public PhasedLstmConfig config() {
        return layer.config;
    }

    @Override
    public LayerStream.State newState() {
        return new State(this);
    }

    @Override
    public void step(LayerStream.State state, float[] x, int xOff, double t, boolean skip) {
        State s = (State) state;
        if (skip) {
            stepSkipping(s, x, xOff, t);
        } else {
            stepDense(s, x, xOff, t);
        }
    }

    /**
     * A batch state for {@link #stepBatch} ({@link StreamBatchKernel}), or null without a time gate (every unit is
     * then computed, and the streams go one at a time through {@link #stepDense}).
     */
    @Override
    public LayerStream.BatchState newBatchState(int capacity) {
        return layer.timeGate ? new StreamBatchKernel.State(this, capacity) : null;
    }

    @Override
    public void stepBatch(LayerStream.BatchState state, int n, float[] x, int xOff, int xStride, double[] t) {
        if (!(state instanceof StreamBatchKernel.State s) || !layer.timeGate) {
            throw new UnsupportedOperationException("stepBatch: expected a batch state of this layer's "
                    + "newBatchState (layers with a time gate only), got " + state);
        }
        StreamBatchKernel.step(this, s, n, x, xOff, xStride, t);
    }

    /** Per-stream state and scratch of one layer; not thread-safe. */
    public static final class State implements LayerStream.State {
        final float[] h;       // [Hp]
        final float[] c;       // [Hp]
        final float[] hNew;    // [Hp]
        final float[] cNew;    // [Hp]
        final float[] k;       // [Hp] openness at the current event (with the bounds: 0 before a unit's bound)
        /**
         * [H] with {@link VectorLevel#CLOSED_BOUNDS}: per unit, a time before which its gate is certainly closed
         * ({@link TimeGateKernel#closedUntil}), valid for times {@code >= lastTime}; {@code -Infinity}: evaluate at
         * the next event.
         */
        final double[] closedUntil;
        /** The time of the last event through {@link #stepSkipping}; NaN: the bounds are void. */
        double lastTime = Double.NaN;
        final int[] due;                // [H] the units evaluated at the current event
        final TimeGateParams tgDue;     // [Hp] their time-gate parameters, gathered
        final float[] kDue;             // [Hp] their k
        final double[] phi;    // [Hp] phase at the current event (scratch; with the bounds, per evaluated unit)
        final double[] kWide;  // [Hp] the time gate's k in double (scratch)
        final float[] xh;      // [rowPad]: [x, h_{t-1}, 0 ...], what the open units' dot products read
        final int[] open;      // [H] indices of the open units
        final float[] gz;      // gathered pre-activations of the open units: groups of L as [4][L] blocks
        final float[] gc;      // [Hp] gathered c_{t-1} of the open units
        final float[] gh;      // [Hp] gathered h_{t-1}
        final float[] gk;      // [Hp] gathered k
        final float[] gp;      // [3][Hp] gathered peepholes
        final float[] outC;    // [Hp] new c of the open units
        final float[] outH;    // [Hp]
        final float[] lanes;   // [4L] for fixed-order lane sums
        final GateProduct.ProductRows product = new GateProduct.ProductRows(1);
        final CellTile tile;
        int lastOpen;

        /** @param layer the layer this state belongs to */
        public State(StreamLayer layer) {
            int hPad = layer.hPad;
            h = new float[hPad];
            c = new float[hPad];
            hNew = new float[hPad];
            cNew = new float[hPad];
            k = new float[hPad];
            phi = new double[hPad];
            closedUntil = new double[layer.hidden];
            due = new int[layer.hidden];
            tgDue = new TimeGateParams(hPad);
            kDue = new float[hPad];
            kWide = new double[hPad];
            xh = new float[layer.rowPad];
            open = new int[layer.hidden];
            gz = new float[4 * hPad];
            gc = new float[hPad];
            gh = new float[hPad];
            gk = new float[hPad];
            gp = new float[3 * hPad];
            outC = new float[hPad];
            outH = new float[hPad];
            lanes = new float[4 * L];
            tile = new CellTile();
            tile.noCaches();
            tile.sinkRows();
            tile.hard = layer.layer.hardFlag;
        }

        /** @return the hidden state {@code h [Hp]}, live; the first {@code H} entries are the units */
        @Override
        public float[] h() {
            return h;
        }

        /** @return the cell state {@code c [Hp]}, live */
        @Override
        public float[] c() {
            return c;
        }

        /** @return how many units the last step updated (all {@code H} on the dense path) */
        @Override
        public int lastUpdatedUnits() {
            return lastOpen;
        }
    }

    /** Writes the openness {@code k} of every unit at time {@code t} (leak 0) into {@code s.k}. */
    private void openness(State s, double t) {
        TimeGateKernel.openness(layer.tg, t, 0.0, s.k, 0, s.phi, s.kWide, TimeGateKernel.vectorSafe(layer.tg, Math.abs(t)));
    }

    /**
     * One event through every unit (dense). Arguments are not checked (the session validates).
     *
     * @param s    this stream's state, updated
     * @param x    input values, {@code I} of them from {@code xOff}
     * @param xOff offset of the event's inputs in {@code x}
     * @param t    the event's timestamp
     */
    public void stepDense(State s, float[] x, int xOff, double t) {
        if (layer.timeGate) {
            openness(s, t);
        }
        CellTile tile = s.tile;
        tile.rows = 1;
        tile.c = s.c;
        tile.h = s.h;
        tile.k = layer.timeGate ? s.k : layer.ones;
        tile.cOut = s.cNew;
        tile.hOut = s.hNew;
        tile.peep = layer.peep;
        tile.peepStride = hPad;
        GateProduct.ProductRows pr = s.product;
        pr.a = x;
        pr.aAt[0] = xOff;
        pr.aLen = in;
        pr.b = s.h;
        pr.bAt[0] = 0;
        pr.bLen = hidden;
        pr.init = layer.bias;
        pr.out = tile.z;
        pr.outAt[0] = 0;
        for (int nb = 0; nb < layer.blocks; nb++) {
            int u = nb * L;
            pr.initAt[0] = nb * 4 * L;
            GateProduct.accumulate(pr, 0, 1, layer.w, layer.stripRow(nb, 0), 4);
            tile.prev[0] = u;
            tile.kAt[0] = u;
            tile.next[0] = u;
            tile.peepAt[0] = u;
            CellKernel.forward(layer, tile);
        }
        System.arraycopy(s.hNew, 0, s.h, 0, hPad);
        System.arraycopy(s.cNew, 0, s.c, 0, hPad);
        s.lastOpen = hidden;
        s.lastTime = Double.NaN; // s.k now holds time t's values: the skipping path's bounds start over
    }

    /**
     * One event, updating only the units whose time gate is open (see the class comment). Without a time gate this
     * is {@link #stepDense}.
     *
     * @param s    this stream's state, updated
     * @param x    input values, {@code I} of them from {@code xOff}
     * @param xOff offset of the event's inputs in {@code x}
     * @param t    the event's timestamp
     */
    public void stepSkipping(State s, float[] x, int xOff, double t) {
        if (!layer.timeGate) {
            stepDense(s, x, xOff, t);
            return;
        }
        int m;
        if (VectorLevel.CLOSED_BOUNDS) {
            m = openUnitsAt(s, t);
        } else {
            openness(s, t);
            m = openUnits(s);
        }
        s.lastOpen = m;
        if (m == 0) {
            return;
        }
        // xh = [x, h_{t-1}, 0...]: the open units' dot products read it while their state is overwritten.
        System.arraycopy(x, xOff, s.xh, 0, in);
        System.arraycopy(s.h, 0, s.xh, in, hidden);
        gatherOpen(s, m);
        updateOpen(s, m);
    }

    /**
     * The open units at {@code t}, listed in {@code s.open} (ascending), their {@code k} in {@code s.k}; returns how
     * many ({@link VectorLevel#CLOSED_BOUNDS}). Only the units not known to be closed ({@code t >= closedUntil}) are evaluated:
     * their time-gate parameters are gathered into {@code s.tgDue} and go through the vector kernel together (the same
     * bits as evaluating every unit: the kernel works lane by lane), then each gets its new bound. A unit whose gate
     * closed stays closed until its next period can start; with events much closer together than the periods (the
     * paper's streams) most units are not evaluated at all, and a skipped unit's {@code k} is 0, as the full
     * evaluation's would be. A time before {@code s.lastTime} voids the bounds.
     */
    private int openUnitsAt(State s, double t) {
        if (!(t >= s.lastTime)) {
            Arrays.fill(s.closedUntil, Double.NEGATIVE_INFINITY);
        }
        s.lastTime = t;
        int n = 0;
        for (int u = 0; u < hidden; u++) {
            s.due[n] = u;
            n += t < s.closedUntil[u] ? 0 : 1;
        }
        TimeGateParams all = layer.tg;
        TimeGateParams due = s.tgDue;
        for (int q = 0; q < n; q++) {
            due.copyUnit(all, s.due[q], q);
        }
        int end = PackedLayer.roundUp(n, L);
        for (int q = n; q < end; q++) {
            due.padUnit(q);
        }
        TimeGateKernel.openness(due, t, 0.0, s.kDue, 0, s.phi, s.kWide, TimeGateKernel.vectorSafe(all, Math.abs(t)),
                0, end);
        int m = 0;
        for (int q = 0; q < n; q++) {
            int u = s.due[q];
            float k = s.kDue[q];
            s.k[u] = k;
            s.closedUntil[u] = TimeGateKernel.closedUntil(all, u, t, s.phi[q]);
            if (k > 0f) {
                s.open[m++] = u;
            }
        }
        return m;
    }

    /**
     * The pre-activations of the {@code m} open units ({@code bias + [x, h_{t-1}]·W} over their unit-major rows of
     * {@link #wu}) and their state, time gate and peepholes, gathered into groups of {@code L} (the layout of a cell
     * tile's rows), zero-padded to whole groups.
     */
    private void gatherOpen(State s, int m) {
        for (int q = 0; q < m; q++) {
            int j = s.open[q];
            int row = j * 4 * rowPad;
            FloatVector ci = FloatVector.zero(FS);
            FloatVector cf = FloatVector.zero(FS);
            FloatVector cg = FloatVector.zero(FS);
            FloatVector co = FloatVector.zero(FS);
            for (int i = 0; i < rowPad; i += L) {
                FloatVector a = FloatVector.fromArray(FS, s.xh, i);
                FloatVector wi = FloatVector.fromArray(FS, wu, row + i);
                FloatVector wf = FloatVector.fromArray(FS, wu, row + rowPad + i);
                FloatVector wg = FloatVector.fromArray(FS, wu, row + 2 * rowPad + i);
                FloatVector wo = FloatVector.fromArray(FS, wu, row + 3 * rowPad + i);
                ci = FMA ? wi.fma(a, ci) : wi.mul(a).add(ci);
                cf = FMA ? wf.fma(a, cf) : wf.mul(a).add(cf);
                cg = FMA ? wg.fma(a, cg) : wg.mul(a).add(cg);
                co = FMA ? wo.fma(a, co) : wo.mul(a).add(co);
            }
            // Lane sums in a fixed order (deterministic in every JIT tier), written out rather than a helper taking
            // a vector (which C2 would box if it declined to inline it).
            ci.intoArray(s.lanes, 0);
            cf.intoArray(s.lanes, L);
            cg.intoArray(s.lanes, 2 * L);
            co.intoArray(s.lanes, 3 * L);
            laneSums(s.lanes, 0, biasU, hidden, j, s.gz, q);
            s.gc[q] = s.c[j];
            s.gh[q] = s.h[j];
            s.gk[q] = s.k[j];
            s.gp[q] = layer.peep[j];
            s.gp[hPad + q] = layer.peep[hPad + j];
            s.gp[2 * hPad + q] = layer.peep[2 * hPad + j];
        }
        padGroups(m, s.gz, s.gc, s.gh, s.gk, s.gp, hPad);
    }

    /**
     * {@code gz}'s entry for gathered position {@code q} (blocks of {@code [4][L]}, as the cell tile reads them):
     * the lane sums of four accumulators stored at {@code lanes[from ..+4L)} (gate {@code g}'s at
     * {@code from + g·L}), each in a fixed order (even and odd lanes in two running sums, then added: deterministic
     * in every JIT tier), plus the bias of unit {@code j}. Shared with {@link StreamBatchKernel}, so the two compute
     * the same bits.
     */
    static void laneSums(float[] lanes, int from, float[] biasU, int hidden, int j, float[] gz, int q) {
        int zq = (q / L) * 4 * L + q % L;
        for (int g = 0; g < 4; g++) {
            float s0 = 0f;
            float s1 = 0f;
            for (int l = from + g * L; l < from + (g + 1) * L; l += 2) {
                s0 += lanes[l];
                s1 += lanes[l + 1];
            }
            gz[zq + g * L] = biasU[g * hidden + j] + (s0 + s1);
        }
    }

    /** Zeroes the gathered positions {@code count ..} up to a whole group of {@code L} (peepholes at stride). */
    static void padGroups(int count, float[] gz, float[] gc, float[] gh, float[] gk, float[] gp, int stride) {
        int groups = (count + L - 1) / L;
        for (int q = count; q < groups * L; q++) {
            int zq = (q / L) * 4 * L + q % L;
            gz[zq] = 0f;
            gz[zq + L] = 0f;
            gz[zq + 2 * L] = 0f;
            gz[zq + 3 * L] = 0f;
            gc[q] = 0f;
            gh[q] = 0f;
            gk[q] = 0f;
            gp[q] = 0f;
            gp[stride + q] = 0f;
            gp[2 * stride + q] = 0f;
        }
    }

    /**
     * The cell update of {@code count} gathered positions (their pre-activations in {@code gz}, state, time gate and
     * peepholes in the tile's arrays, set by the caller), up to 4 groups of {@code L} per tile; results in the tile's
     * {@code cOut}, {@code hOut}. Shared with {@link StreamBatchKernel}.
     */
    static void updateGathered(PackedLayer layer, CellTile tile, float[] gz, int count) {
        int groups = (count + L - 1) / L;
        for (int g0 = 0; g0 < groups; g0 += CellTile.MAX_ROWS) {
            int rows = Math.min(CellTile.MAX_ROWS, groups - g0);
            tile.rows = rows;
            for (int q = 0; q < rows; q++) {
                int v = (g0 + q) * L;
                System.arraycopy(gz, 4 * v, tile.z, q * 4 * L, 4 * L);
                tile.prev[q] = v;
                tile.kAt[q] = v;
                tile.next[q] = v;
                tile.peepAt[q] = v;
            }
            CellKernel.forward(layer, tile);
        }
    }

    /** The cell update of the {@code m} gathered open units, up to 4 groups of L per tile, and the scatter back. */
    private void updateOpen(State s, int m) {
        CellTile tile = s.tile;
        tile.c = s.gc;
        tile.h = s.gh;
        tile.k = s.gk;
        tile.cOut = s.outC;
        tile.hOut = s.outH;
        tile.peep = s.gp;
        tile.peepStride = hPad;
        updateGathered(layer, tile, s.gz, m);
        for (int q = 0; q < m; q++) {
            int j = s.open[q];
            s.c[j] = s.outC[q];
            s.h[j] = s.outH[q];
        }
    }

    /** Lists the units with {@code k > 0} in {@code s.open}; returns how many. */
    private int openUnits(State s) {
        int m = 0;
        if (VectorLevel.MASKS) {
            for (int j = 0; j < hPad; j += L) {
                long bits = FloatVector.fromArray(FS, s.k, j).compare(VectorOperators.GT, 0f).toLong();
                while (bits != 0) {
                    int unit = j + Long.numberOfTrailingZeros(bits);
                    bits &= bits - 1;
                    if (unit < hidden) {
                        s.open[m++] = unit;
                    }
                }
            }
        } else {
            for (int j = 0; j < hidden; j++) {
                if (s.k[j] > 0f) {
                    s.open[m++] = j;
                }
            }
        }
        return m;
    }
}
