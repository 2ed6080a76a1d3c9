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
import org.openjdk.jmh.annotations.Warmup;
import org.plstm.PhasedLstmParams;
import org.plstm.reference.ReferenceEngine;

/**
 * The twin of {@link SimdLayerBenchmark} on the scalar reference, with the same benchmark bodies. The reference
 * is slow (seconds per batch), so it gets its own, shorter settings: smaller batches of the same sequences (a
 * scalar loop's time per sample does not depend on the batch size; the report compares samples/s), one fork,
 * single-shot iterations. It is single-threaded by design.
 *
 * <p>Three warm-up shots, five measured ones: with one warm-up and three, the first measured shot was often still
 * warming up and a shot now and then took a collection (the reference allocates megabytes per batch), so the mean
 * overstated the reference's time and every "SIMD ÷ reference" ratio with it: at {@code UseAVX=0} (2026-12-04,
 * Zen 5) training (b)'s three shots took 616, 512 and 507 ms, a mean 7 % above the last two.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsPrepend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3)
@Measurement(iterations = 5)
public class ReferenceLayerBenchmark {
    /** {@code BxTxIxH}: the SIMD shapes with smaller batches. */
    @Param({"8x784x1x32", "4x100x64x256", "1x1000x16x128", "1x100x128x1024", "3x50x33x207"})
    public String shape;
    /** {@code plstm} or {@code lstm}. */
    @Param({"plstm", "lstm"})
    public String model;

    private LayerRun run;

    /** Builds the layer. */
    @Setup(Level.Trial)
    public void setUp() {
        run = new LayerRun(new ReferenceEngine(), Shape.parse(shape), model, 42);
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
