package org.plstm.jmh.peers;

import ai.onnxruntime.OrtException;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The peers running a plain LSTM layer (no peepholes, time gate off in ours) over one whole batch: inference
 * forward (ONNX Runtime, TensorFlow {@code BlockLSTMV2}, DL4J) and training forward + backward (TensorFlow
 * {@code BlockLSTMV2} + {@code BlockLSTMGradV2} in one session call, DL4J {@code backpropGradient}, which runs its
 * own training forward pass first). One benchmark call = one batch; the score is the time per batch.
 *
 * <p>Shapes ({@code @Param shape}, {@code BxTxIxH}): (a) 128×784×1×32 (pixel MNIST), (b) 64×100×64×256,
 * (c) 1×1000×16×128 (one long sequence), (d) 32×100×128×1024. Threads ({@code @Param threads}): the peer's
 * intra-op thread count: ONNX Runtime {@code setIntraOpNumThreads}, TF {@code intra_op_parallelism_threads}
 * (inter-op 1 for both), ND4J {@code Environment.setMaxThreads}/{@code setMaxMasterThreads} and OpenBLAS'
 * thread count (the run-time equivalent of {@code OMP_NUM_THREADS}). Each benchmark method and parameter
 * combination runs in its own fork, and each state creates only its own peer, so peers never share a JVM.
 *
 * <p>Setup (not timed) builds the model/graph/network and the random inputs (seeded); the timed call includes
 * copying the inputs into the peer's tensors and the outputs back to Java arrays, as a caller would.
 *
 * <pre>
 * mvn -Ppeers -Djavacpp.platform=linux-x86_64 -pl jmh -am verify -DskipTests -Dpeers.bench.skip=false \
 *     -Dpeers.bench="PeerLstmBenchmark -p shape=1x1000x16x128 -f 1 -wi 1 -i 1 -w 1s -r 1s"
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 6, time = 2) // as SimdLayerBenchmark: the same warm-up for both sides
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED", "-Xmx8g"})
public class PeerLstmBenchmark {

    /** Shape and thread count, and the random problem of that shape. */
    @State(Scope.Benchmark)
    public static class Problem {
        /** {@code B x T x I x H}. */
        @Param({"128x784x1x32", "64x100x64x256", "1x1000x16x128", "32x100x128x1024"})
        public String shape;

        /** Intra-op threads of the peer. */
        @Param({"1", "2"})
        public int threads;

        int batch;
        int steps;
        LstmWeights weights;
        float[] x;
        float[] dh;

        /** Draws weights, inputs and the output gradient (seeded, the same for every peer). */
        @Setup(Level.Trial)
        public void draw() {
            String[] d = shape.split("x");
            batch = Integer.parseInt(d[0]);
            steps = Integer.parseInt(d[1]);
            int in = Integer.parseInt(d[2]);
            int hidden = Integer.parseInt(d[3]);
            SplittableRandom rng = new SplittableRandom(42);
            weights = LstmWeights.random(in, hidden, false, rng);
            x = LstmWeights.uniform(batch * steps * in, 1, rng);
            dh = LstmWeights.uniform(batch * steps * hidden, 1, rng);
        }
    }

    /** An ONNX Runtime session. */
    @State(Scope.Benchmark)
    public static class Onnx {
        OnnxLstm lstm;

        /**
         * Opens the session, on ONNX Runtime as published, or held to the level {@code PLSTM_ONNXRUNTIME_ISA} names
         * ({@link OnnxRuntimeIsa}; {@code jmh/report.sh} sets it at {@code avx2}).
         */
        @Setup(Level.Trial)
        public void open(Problem p) throws OrtException {
            OnnxRuntimeIsa.apply(System.getenv(OnnxRuntimeIsa.ENV));
            lstm = new OnnxLstm(p.weights, p.threads);
        }

        @TearDown(Level.Trial)
        public void close() throws OrtException {
            lstm.close();
        }
    }

    /** A TensorFlow graph session ({@code BlockLSTMV2}, what TF Java's {@code tf.nn.blockLSTM} creates). */
    @State(Scope.Benchmark)
    public static class Tf {
        TfBlockLstm lstm;

        @Setup(Level.Trial)
        public void open(Problem p) {
            lstm = new TfBlockLstm(p.weights, TfBlockLstm.Variant.V2, p.threads);
        }

        @TearDown(Level.Trial)
        public void close() {
            lstm.close();
        }
    }

    /** A DL4J network. */
    @State(Scope.Benchmark)
    public static class Dl4j {
        Dl4jLstm lstm;

        @Setup(Level.Trial)
        public void open(Problem p) {
            Dl4jLstm.setThreads(p.threads);
            lstm = new Dl4jLstm(p.weights);
        }
    }

    /** ONNX Runtime {@code LSTM} forward, from zero state; returns {@code h}, {@code hT}, {@code cT}. */
    @Benchmark
    public LstmResult inferenceOnnx(Problem p, Onnx s) throws OrtException {
        return s.lstm.forward(p.x, null, null, p.batch, p.steps);
    }

    /** TF {@code BlockLSTMV2} forward, from zero state; returns {@code h}, {@code hT}, {@code cT}. */
    @Benchmark
    public LstmResult inferenceTf(Problem p, Tf s) {
        return s.lstm.forward(p.x, null, null, p.batch, p.steps);
    }

    /** DL4J {@code MultiLayerNetwork.output}, from zero state; returns {@code h}. */
    @Benchmark
    public float[] inferenceDl4j(Problem p, Dl4j s) {
        return s.lstm.output(p.x, p.batch, p.steps);
    }

    /** TF {@code BlockLSTMV2} + {@code BlockLSTMGradV2}: one session call, all gradients. */
    @Benchmark
    public LstmGradients trainingTf(Problem p, Tf s) {
        return s.lstm.backward(p.x, null, null, p.dh, null, null, p.batch, p.steps);
    }

    /** DL4J {@code LSTM.backpropGradient} (training forward + BPTT): {@code dx} and parameter gradients. */
    @Benchmark
    public LstmGradients trainingDl4j(Problem p, Dl4j s) {
        return s.lstm.backward(p.x, p.dh, p.batch, p.steps);
    }
}
