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
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.TimeGateInit;
import org.plstm.inference.PhasedLstmModel;
import org.plstm.inference.SessionBatch;
import org.plstm.inference.StreamSession;

/**
 * Many streams, one event each per round: {@value #STREAMS} live {@link StreamSession}s stepped one after the other
 * ({@code sessions}) against the same streams as the slots of one {@link SessionBatch} stepped together
 * ({@code batch}). Events per second (one operation = one event). StreamingBenchmark's model (I = 16, one layer,
 * time gates as the paper advises: periods {@code exp(U(1, 6))}, ratioOn 0.05), each stream's times growing by
 * gaps {@code U(0.1, 1.9)} from its own random start. The states stay in place (no copies in or out): the kernels'
 * own cost. Run with {@code -prof gc}: both allocate nothing per event.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 2, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SessionBatchBenchmark {
    /** Streams per round. */
    static final int STREAMS = 1024;
    /** Hidden units. */
    @Param({"128", "512"})
    public int hidden;
    /** Streams stepped per round (at most STREAMS; events/s counts STREAMS per round, so scale by STREAMS/active). */
    @Param({"1024"})
    public int active;

    private static final int INPUTS = 16;
    private StreamSession[] sessions;
    private SessionBatch batch;
    private float[] x;
    private float[][] xs;
    private double[] time;
    private double[] gap;

    /** Builds the model, the sessions, the batch and the events. */
    @Setup(Level.Trial)
    public void setUp() {
        PhasedLstmConfig cfg = PhasedLstmConfig.builder(INPUTS, hidden).build();
        PhasedLstmModel model = PhasedLstmModel.of(List.of(PhasedLstmParams.initialize(cfg, TimeGateInit.PAPER, 3)),
                null);
        SplittableRandom rng = new SplittableRandom(4);
        sessions = new StreamSession[STREAMS];
        batch = model.newSessionBatch(STREAMS);
        x = new float[STREAMS * INPUTS];
        time = new double[STREAMS];
        gap = new double[STREAMS];
        for (int i = 0; i < STREAMS; i++) {
            sessions[i] = model.newSession();
            time[i] = 1000 * rng.nextDouble();
            gap[i] = 0.1 + 1.8 * rng.nextDouble();
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        xs = new float[STREAMS][];
        for (int i = 0; i < STREAMS; i++) {
            xs[i] = java.util.Arrays.copyOfRange(x, i * INPUTS, (i + 1) * INPUTS);
        }
    }

    private void advanceTimes() {
        for (int i = 0; i < STREAMS; i++) {
            time[i] += gap[i];
        }
    }

    /** @return a value of the last hidden state */
    @Benchmark
    @OperationsPerInvocation(STREAMS)
    public float sessions() {
        advanceTimes();
        float sink = 0;
        for (int i = 0; i < active; i++) {
            sink += sessions[i].step(xs[i], time[i])[0];
        }
        return sink;
    }

    /** @return the batch */
    @Benchmark
    @OperationsPerInvocation(STREAMS)
    public SessionBatch batch() {
        advanceTimes();
        batch.step(active, x, time);
        return batch;
    }
}
