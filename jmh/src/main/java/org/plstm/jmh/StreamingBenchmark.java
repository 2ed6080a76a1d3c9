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
import org.plstm.TimeGateInit;
import org.plstm.inference.InferencePath;
import org.plstm.inference.PhasedLstmModel;
import org.plstm.inference.StreamSession;

/**
 * One stream (B = 1), one event per operation: events/s of the event-driven path (closed units skipped) against the
 * dense path on the same model and events. I = 16, H as a parameter, time gate as the paper advises
 * ({@code period = exp(U(1, 6))}, {@code ratioOn = 0.05}), irregular event times (gaps {@code U(0.1, 1.9)}).
 * Run with {@code -prof gc}: the steady state allocates nothing per event.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 2, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class StreamingBenchmark {
    /** Hidden units. */
    @Param({"128", "512", "1024"})
    public int hidden;
    /** {@code EVENT_DRIVEN} or {@code DENSE}. */
    @Param({"EVENT_DRIVEN", "DENSE"})
    public String path;

    private static final int EVENTS = 4096;
    private static final int INPUTS = 16;
    private StreamSession session;
    private float[][] x;
    private double[] time;
    private double span;
    private int next;
    private long lap;

    /** Builds the model, the session and a cycle of events. */
    @Setup(Level.Trial)
    public void setUp() {
        PhasedLstmConfig cfg = PhasedLstmConfig.builder(INPUTS, hidden).build();
        PhasedLstmParams p = PhasedLstmParams.initialize(cfg, TimeGateInit.PAPER, 3);
        PhasedLstmModel model = PhasedLstmModel.of(List.of(p), null);
        session = model.newSession(InferencePath.valueOf(path));
        SplittableRandom rng = new SplittableRandom(4);
        x = new float[EVENTS][INPUTS];
        time = new double[EVENTS];
        double t = 0;
        for (int e = 0; e < EVENTS; e++) {
            for (int i = 0; i < INPUTS; i++) {
                x[e][i] = (float) rng.nextGaussian();
            }
            time[e] = t;
            t += 0.1 + 1.8 * rng.nextDouble();
        }
        span = t;
    }

    /** @return the hidden state after the event */
    @Benchmark
    public float[] event() {
        int e = next;
        float[] h = session.step(x[e], time[e] + lap * span);
        if (++next == EVENTS) {
            next = 0;
            lap++;
        }
        return h;
    }
}
