package org.plstm.jmh;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.plstm.simd.VectorLevel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The machine's float32 multiply-add peak as the Vector API reaches it at the JVM's instruction level: 12 independent
 * accumulator chains (enough to cover the FMA latency on both pipes), no memory traffic. One operation is
 * {@value #ITERATIONS} × 12 vector multiply-adds, i.e. {@code ITERATIONS·12·lanes·2} FLOPs. The report divides by it
 * for "% of peak"; {@code peak1} runs one thread, {@code peak2} two (one per core here).
 *
 * <p>Where the JVM has no hardware FMA ({@link VectorLevel#fma()} false, e.g. {@code -XX:UseAVX=0}), the loop
 * multiplies and adds, as the engine's kernels do there: the vector {@code fma} would be the JDK's exact software
 * emulation, about 100× slower, which is not the machine's peak (it made the kernels read as thousands of percent of
 * it).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PeakFlopsBenchmark {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Hardware FMA at this level; otherwise multiply and add (a constant: C2 keeps one branch). */
    static final boolean FMA = VectorLevel.fma();
    /** Loop trips per operation. */
    public static final int ITERATIONS = 10_000;

    /** Multiplier and addend close to 1 and 0 so the values stay finite. */
    public float a = 0.999f;
    /** Addend. */
    public float b = 1e-3f;

    /** @return FLOPs of one operation at this machine's preferred vector width */
    public static double flopsPerOp() {
        return ITERATIONS * 12.0 * S.length() * 2.0;
    }

    /** @return a lane so the work is kept */
    @Benchmark
    @Threads(1)
    public float peak1() {
        return fmaLoop();
    }

    /** @return a lane so the work is kept */
    @Benchmark
    @Threads(2)
    public float peak2() {
        return fmaLoop();
    }

    private float fmaLoop() {
        FloatVector va = FloatVector.broadcast(S, a);
        FloatVector vb = FloatVector.broadcast(S, b);
        FloatVector c0 = vb, c1 = vb.add(1f), c2 = vb.add(2f), c3 = vb.add(3f), c4 = vb.add(4f), c5 = vb.add(5f);
        FloatVector c6 = vb.add(6f), c7 = vb.add(7f), c8 = vb.add(8f), c9 = vb.add(9f), c10 = vb.add(10f);
        FloatVector c11 = vb.add(11f);
        if (FMA) {
            for (int i = 0; i < ITERATIONS; i++) {
                c0 = c0.fma(va, vb); c1 = c1.fma(va, vb); c2 = c2.fma(va, vb); c3 = c3.fma(va, vb);
                c4 = c4.fma(va, vb); c5 = c5.fma(va, vb); c6 = c6.fma(va, vb); c7 = c7.fma(va, vb);
                c8 = c8.fma(va, vb); c9 = c9.fma(va, vb); c10 = c10.fma(va, vb); c11 = c11.fma(va, vb);
            }
        } else {
            for (int i = 0; i < ITERATIONS; i++) {
                c0 = c0.mul(va).add(vb); c1 = c1.mul(va).add(vb); c2 = c2.mul(va).add(vb); c3 = c3.mul(va).add(vb);
                c4 = c4.mul(va).add(vb); c5 = c5.mul(va).add(vb); c6 = c6.mul(va).add(vb); c7 = c7.mul(va).add(vb);
                c8 = c8.mul(va).add(vb); c9 = c9.mul(va).add(vb); c10 = c10.mul(va).add(vb);
                c11 = c11.mul(va).add(vb);
            }
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .lane(0);
    }
}
