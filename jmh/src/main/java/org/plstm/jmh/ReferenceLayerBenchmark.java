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
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsPrepend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
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
