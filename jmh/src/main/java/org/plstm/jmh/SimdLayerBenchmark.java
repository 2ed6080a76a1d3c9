package org.plstm.jmh;

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
import org.plstm.PhasedLstmParams;
import org.plstm.simd.SimdEngine;

/**
 * The SIMD engine on whole layers: inference forward and training forward + backward, one batch per operation.
 * Shapes: (a) sequential MNIST, (b) a mid-size layer, (c) one long stream, (d) a wide layer, and an odd shape
 * that breaks every vector tail. {@code model=lstm} turns the time gate off, the configuration the peers run.
 *
 * <p>Before any timing, {@link #setUp} checks on this benchmark's own data that the SIMD engine agrees with its
 * twin, the reference ({@link ReferenceLayerBenchmark} runs the same body): see {@link TwinCheck}.
 *
 * <p>Settings: 2 forks (JIT and layout luck differ between JVMs), 6 × 2 s warm-up, 5 × 2 s measurement. The warm-up
 * must outlast C2: with {@code -XX:+PrintCompilation}, shape (a) on one thread pinned to one core (AMD Zen 5, AVX-512)
 * still compiled its hot methods at tier 4 about 9 s after the JVM started, and with 3 × 2 s some forks measured
 * while the compiler thread took 14 % of the core ({@code perf}): six forks of training (a) gave 37 to 49 ms. With
 * 6 × 2 s six forks gave 36.5 to 38.8 ms. The peers ({@code PeerLstmBenchmark}) warm up the same way.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xms4g", "-Xmx4g"})
@Warmup(iterations = 6, time = 2)
@Measurement(iterations = 5, time = 2)
public class SimdLayerBenchmark {
    /** {@code BxTxIxH}. */
    @Param({"128x784x1x32", "64x100x64x256", "1x1000x16x128", "32x100x128x1024", "9x50x33x207"})
    public String shape;
    /** Worker threads of the engine. */
    @Param({"1", "2"})
    public int threads;
    /** {@code plstm} or {@code lstm}. */
    @Param({"plstm", "lstm"})
    public String model;

    private SimdEngine engine;
    private LayerRun run;

    /** Builds the layer and checks the twins agree. */
    @Setup(Level.Trial)
    public void setUp() {
        engine = new SimdEngine(threads);
        run = new LayerRun(engine, Shape.parse(shape), model, 42);
        TwinCheck.assertAgrees(run);
    }

    /** Stops the engine's workers. */
    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
    }

    /** @return the hidden sequence */
    @Benchmark
    public float[] inference() {
        return run.inference();
    }

    /** @return the gradients */
    @Benchmark
    public PhasedLstmParams training() {
        return run.training();
    }
}
