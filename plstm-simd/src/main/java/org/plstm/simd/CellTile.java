package org.plstm.simd;

import static org.plstm.simd.VectorLevel.L;

/**
 * One tile of the forward cell update, filled by its caller and read by {@link CellKernel#forward}: up to
 * {@value #MAX_ROWS} rows (samples, or groups of open units in event-driven inference) of one block of {@code L}
 * units. Arrays are set once per pass; offsets per tile. Per-worker scratch, not thread-safe.
 */
final class CellTile {
    /**
     * Rows per tile at most: 6, so that a tile is one 6-row register tile of the gate product at levels with 32
     * vector registers ({@link GateProduct}), or three 2-row ones with 16.
     */
    static final int MAX_ROWS = 6;
    /** Scratch floats of the cell update: per row i, f, g, c~, tanh(c~), o ({@link CellKernel}'s layout). */
    static final int SCRATCH = MAX_ROWS * 6 * L;

    /** Rows in this tile, {@code 1..MAX_ROWS}. */
    int rows;
    /** Pre-activations {@code [MAX_ROWS rows][i, f, g, o][L]}, written by the gate product. */
    final float[] z = new float[MAX_ROWS * 4 * L];

    /** Previous state {@code c_{t-1}}, {@code h_{t-1}}: row {@code q} at {@code prev[q]}. */
    float[] c;
    float[] h;
    final int[] prev = new int[MAX_ROWS];
    /** Time gate {@code k} (a row of ones, {@link PackedLayer#ones}, without one): row {@code q} at {@code kAt[q]}. */
    float[] k;
    final int[] kAt = new int[MAX_ROWS];
    /** New state {@code c_t}, {@code h_t}: row {@code q} at {@code next[q]}. */
    float[] cOut;
    float[] hOut;
    final int[] next = new int[MAX_ROWS];
    /** Peepholes {@code p_i, p_f, p_o} (zeros without): row {@code q}'s at {@code peepAt[q]}, {@code + stride}, ... */
    float[] peep;
    int peepStride;
    final int[] peepAt = new int[MAX_ROWS];
    /**
     * Training caches: gate values i, f, g, o and {@code tanh(c~)}, row {@code q}'s at {@code cacheAt[q]} (the
     * previous-state offset into {@code [T][B][Hp]} caches). Callers that keep no caches point all five at
     * {@link #sink} and {@code cacheAt[q]} at {@code q·L}: the kernels store unconditionally (see
     * {@link CellKernel}).
     */
    float[] gi;
    float[] gf;
    float[] gg;
    float[] go;
    float[] tc;
    final int[] cacheAt = new int[MAX_ROWS];
    /** Where the caches of a tile that keeps none go: {@code [MAX_ROWS rows][L]}, overwritten. */
    final float[] sink = new float[MAX_ROWS * L];
    /** 1 for the hard sigmoid, 0 for the logistic sigmoid (a mask in the kernels, not a branch). */
    float hard;

    /** Points the caches at the sink: no caching (offsets then set by {@link #sinkRows}). */
    void noCaches() {
        gi = sink;
        gf = sink;
        gg = sink;
        go = sink;
        tc = sink;
    }

    /** {@code cacheAt[q] = q·L}: the sink's rows. */
    void sinkRows() {
        for (int q = 0; q < MAX_ROWS; q++) {
            cacheAt[q] = q * L;
        }
    }

    /** Transcendental scratch. */
    final float[] e = new float[SCRATCH];
}
