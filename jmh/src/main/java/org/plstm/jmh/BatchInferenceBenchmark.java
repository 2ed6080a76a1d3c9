package org.plstm.jmh;

import java.util.List;
import java.util.SplittableRandom;
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
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.SequenceBatch;
import org.plstm.TimeGateInit;
import org.plstm.inference.InferencePath;
import org.plstm.inference.PhasedLstmModel;

/**
 * Batches of B = 32 irregular streams of T = 100 events, I = 16: the model's batched prediction on the event-driven
 * path (each sample streamed through the skipping kernel, samples split over the processors) against the dense
 * path (the engine's blocked batch product, 2 threads). One operation is one batch: events/s =
 * {@value #EVENTS_PER_BATCH} / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Dplstm.threads=2"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class BatchInferenceBenchmark {
    /** Streams per batch, {@code B}. */
    public static final int STREAMS = 32;
    /** Events per stream, {@code T}. */
    public static final int EVENTS = 100;
    /** Events per operation (one batch), {@code B·T}. */
    public static final int EVENTS_PER_BATCH = STREAMS * EVENTS;
    /** Inputs per event, {@code I}. */
    public static final int INPUTS = 16;

    /** Hidden units. */
    @Param({"128", "512", "1024"})
    public int hidden;
    /** {@code EVENT_DRIVEN} or {@code DENSE}. */
    @Param({"EVENT_DRIVEN", "DENSE"})
    public String path;

    private PhasedLstmModel model;
    private SequenceBatch input;
    private InferencePath p;

    /** Builds the model and the batch. */
    @Setup(Level.Trial)
    public void setUp() {
        PhasedLstmConfig cfg = PhasedLstmConfig.builder(INPUTS, hidden).build();
        model = PhasedLstmModel.of(List.of(PhasedLstmParams.initialize(cfg, TimeGateInit.PAPER, 3)), null);
        SplittableRandom rng = new SplittableRandom(5);
        int b = STREAMS;
        int t = EVENTS;
        float[] x = new float[b * t * INPUTS];
        for (int n = 0; n < x.length; n++) {
            x[n] = (float) rng.nextGaussian();
        }
        double[] time = new double[b * t];
        for (int s = 0; s < b; s++) {
            double now = 1000 * rng.nextDouble();
            for (int u = 0; u < t; u++) {
                time[s * t + u] = now;
                now += 0.1 + 1.8 * rng.nextDouble();
            }
        }
        input = SequenceBatch.of(b, t, INPUTS, x, time);
        p = InferencePath.valueOf(path);
    }

    /** @return the final hidden states */
    @Benchmark
    public float[] batch() {
        return model.predictLastHidden(input, p);
    }
}
