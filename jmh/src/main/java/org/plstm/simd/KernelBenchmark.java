package org.plstm.simd;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.TimeGateInit;

/**
 * The SIMD engine's kernels on their own, one step of a whole batch per operation, single-threaded, so a reader
 * can see where a layer's time goes: {@code gateProduct} is the gate matrix product {@code [B][I+H] x [I+H][4H]}
 * (the report gives GFLOP/s, {@code 2·B·4H·(I+H)} FLOPs per op); {@code cellUpdate} the fused gates, cell, time
 * gate and state update over {@code [B][H]}; {@code timeGate} the phase and openness of one row per sample
 * (distinct timestamps), both reported as ns per unit-step ({@code B·H} per op).
 *
 * <p>Lives in package {@code org.plstm.simd} to reach the package-private kernels.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class KernelBenchmark {
    /** {@code BxTxIxH}; T is ignored (one step). */
    @Param({"128x784x1x32", "64x100x64x256", "32x100x128x1024"})
    public String shape;

    private SimdEngine engine;
    private SimdWorkspace ws;
    private PhasedLstmConfig cfg;
    private float[] x;
    private double[] time;
    private float[] z;
    private float[] kS;
    private final float[] e = new float[SimdPhasedLstm.CELL_SCRATCH];
    private final int[] off = new int[4 * SimdPhasedLstm.ROW];
    private int[] kOffs;
    private int[] rows;
    private int batch;

    /** Packs random parameters into a one-step workspace. */
    @Setup(Level.Trial)
    public void setUp() {
        String[] p = shape.split("x");
        batch = Integer.parseInt(p[0]);
        int in = Integer.parseInt(p[2]);
        int hs = Integer.parseInt(p[3]);
        cfg = PhasedLstmConfig.builder(in, hs).build();
        engine = new SimdEngine(1);
        ws = (SimdWorkspace) engine.newWorkspace(cfg, batch, 1);
        SimdPhasedLstm.pack(ws, PhasedLstmParams.initialize(cfg, TimeGateInit.PAPER, 7));
        java.util.SplittableRandom rng = new java.util.SplittableRandom(7);
        x = new float[batch * in];
        for (int n = 0; n < x.length; n++) {
            x[n] = (float) rng.nextGaussian();
        }
        for (int n = 0; n < batch * ws.hp; n++) {
            ws.hc[n] = (float) (0.5 * rng.nextGaussian());
            ws.cc[n] = (float) rng.nextGaussian();
        }
        time = new double[batch];
        for (int n = 0; n < batch; n++) {
            time[n] = 1000 * rng.nextDouble();
        }
        z = new float[4 * ws.g4];
        rows = new int[batch];
        kOffs = new int[batch];
        for (int n = 0; n < batch; n++) {
            rows[n] = n;
            kOffs[n] = n * ws.hp;
        }
        kS = new float[batch * ws.hp];
        for (int b = 0; b < batch; b++) {
            SimdPhasedLstm.timeGateRow(ws.tg, time[b], 0.001, kS, b * ws.hp, null);
        }
    }

    /** Stops the engine. */
    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
    }

    /** @return the last tile */
    @Benchmark
    public float[] gateProduct() {
        int r = 0;
        for (; r + 4 <= batch; r += 4) {
            for (int blk = 0; blk < ws.nb; blk++) {
                SimdPhasedLstm.gateTile4(ws, x, r, r + 1, r + 2, r + 3, 0, blk, z);
            }
        }
        for (; r < batch; r++) {
            for (int blk = 0; blk < ws.nb; blk++) {
                SimdPhasedLstm.gateTile1(ws, x, r, 0, blk, z);
            }
        }
        return z;
    }

    /** @return the state written */
    @Benchmark
    public float[] cellUpdate() {
        // The engine's forward order: 4 samples of one unit block per call (a gate tile), then the tail.
        int b = 0;
        for (; b + 4 <= batch; b += 4) {
            for (int blk = 0; blk < ws.nb; blk++) {
                SimdPhasedLstm.cellForward(ws, cfg, z, 4, rows, b, 0, blk, kS, kOffs, off, e);
            }
        }
        for (; b < batch; b++) {
            for (int blk = 0; blk < ws.nb; blk++) {
                SimdPhasedLstm.cellForward(ws, cfg, z, 1, rows, b, 0, blk, kS, kOffs, off, e);
            }
        }
        return ws.hc;
    }

    /** @return the openness rows */
    @Benchmark
    public float[] timeGate() {
        for (int b = 0; b < batch; b++) {
            SimdPhasedLstm.timeGateRow(ws.tg, time[b], 0.001, kS, b * ws.hp, null);
        }
        return kS;
    }
}
