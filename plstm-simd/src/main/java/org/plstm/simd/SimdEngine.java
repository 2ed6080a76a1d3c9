package org.plstm.simd;

import org.plstm.Check;
import org.plstm.DenseParams;
import org.plstm.Engine;
import org.plstm.LayerWorkspace;
import org.plstm.Mode;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.SequenceBatch;
import org.plstm.Softmax;
import org.plstm.engine.Backend;

/**
 * The Phased LSTM engine on the JDK Vector API ({@code jdk.incubator.vector}; run with
 * {@code --add-modules jdk.incubator.vector}). Float32 arithmetic, except the phase {@code phi}, which is computed
 * in double because timestamps are double. Same parameters, layout and semantics as the reference
 * ({@link org.plstm.reference.ReferencePhasedLstm}); property tests hold the two to a stated tolerance.
 *
 * <p>Multi-threaded over the batch: each of {@link #threads()} workers runs the recurrence of a contiguous share of
 * the samples. Weight gradients of small layers (a {@code [I+H+1][4H]} buffer of at most 256 KiB, e.g. sequential
 * MNIST) are accumulated per step inside the recurrence, one buffer per worker, then summed in worker order; larger
 * layers get one blocked product over all rows after the recurrence, split by output tile. The same inputs and
 * thread count give bitwise-identical results on every run, from the first call: the kernels use only IEEE-exact
 * vector operations (exp and tanh are computed by {@code VectorMath} rather than the Vector API's SVML calls, whose
 * interpreter fallback can differ in the last bit), so the JIT tier does not change a result. Different thread
 * counts give the same forward pass and gradients equal within float rounding (sums split differently).
 *
 * <p>In {@link Mode#INFERENCE} (leak 0, so a closed unit's state is copied) a sample whose time gate is closed at
 * every unit of a unit block ({@link #floatLanes()} units) skips that block's product and cell update at that step
 * and keeps its state there: the values of the dense update, at a fraction of its work when {@code ratioOn} is
 * small (the paper's sparse updates; the event-driven {@code StreamSession} does the same per unit).
 *
 * <p>Steady state allocates nothing: a {@link LayerWorkspace} holds every buffer for its {@code (B, T)} shape.
 * Calls are serialised on the engine's worker pool; use one workspace per calling thread. Close the engine to stop
 * its worker threads (they are daemon threads, so an unclosed engine does not keep the JVM alive).
 *
 * <p>Timestamps with {@code |t − s| / tau >= 2^50} (far beyond wall-clock times in seconds or milliseconds) take
 * an exact scalar path for the phase.
 */
public final class SimdEngine extends Engine {
    private final int threads;
    private final WorkerPool pool;
    /** {@link Backend#sharedEngine()}: {@link #close()} does nothing. */
    private final boolean shared;

    /**
     * An engine with one worker per available processor.
     *
     * @throws IllegalStateException if this JVM cannot run the SIMD kernels (no {@code --add-modules
     *     jdk.incubator.vector}, or vectors narrower than 128 bits); {@link Backend#get()} falls back instead
     */
    public SimdEngine() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /**
     * @param threads number of worker threads, including the calling thread, {@code >= 1}
     * @throws IllegalArgumentException if {@code threads < 1}
     * @throws IllegalStateException    if this JVM cannot run the SIMD kernels (no {@code --add-modules
     *     jdk.incubator.vector}, or vectors narrower than 128 bits); {@link Backend#get()} falls back instead
     */
    public SimdEngine(int threads) {
        this(threads, false);
    }

    /** With {@code shared}, {@link #close()} does nothing ({@link SimdBackend}'s shared engine). */
    SimdEngine(int threads, boolean shared) {
        SimdBackend.require("SimdEngine");
        this.threads = Backend.checkThreads("threads", threads);
        this.pool = new WorkerPool(threads);
        this.shared = shared;
    }

    /**
     * @return the vector width in bits used by the kernels (the preferred species)
     * @throws IllegalStateException if {@code jdk.incubator.vector} is not readable
     */
    public static int vectorBitSize() {
        SimdBackend.requireModule("SimdEngine.vectorBitSize");
        return VectorLevel.vectorBitSize();
    }

    /**
     * @return the number of float lanes per vector
     * @throws IllegalStateException if {@code jdk.incubator.vector} is not readable
     */
    public static int floatLanes() {
        SimdBackend.requireModule("SimdEngine.floatLanes");
        return VectorLevel.floatLanes();
    }

    @Override
    public String name() {
        return "simd";
    }

    @Override
    public String description() {
        return "simd (Vector API: " + VectorLevel.describe() + "; " + threads
                + (threads == 1 ? " thread)" : " threads)");
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public LayerWorkspace newWorkspace(PhasedLstmConfig config, int batch, int steps) {
        Check.notNull("config", config);
        return new SimdWorkspace(threads, config, batch, steps);
    }

    @Override
    protected void checkWorkspace(LayerWorkspace ws) {
        if (!(ws instanceof SimdWorkspace s) || s.threads != threads) {
            throw new IllegalArgumentException("ws: expected a workspace made by a SIMD engine of " + threads
                    + (threads == 1 ? " thread" : " threads") + ", got " + (ws == null ? "null"
                    : ws instanceof SimdWorkspace s ? "one of " + s.threads + (s.threads == 1 ? " thread" : " threads")
                    : ws.getClass().getName()));
        }
    }

    @Override
    protected void doForward(LayerWorkspace lw, PhasedLstmParams params, SequenceBatch input, float[] h0, float[] c0,
                             Mode mode) {
        SimdWorkspace ws = (SimdWorkspace) lw;
        ws.layer.pack(params);
        for (int b = 0; b < ws.batch(); b++) {
            ws.lengths[b] = input.length(b);
        }
        if (ws.barrier != null) {
            ws.barrier.reset(); // after a failed pass
        }
        // Inference writes no training caches (gate values, tanh(c~)); a backward after it runs the forward again.
        boolean cache = mode == Mode.TRAINING;
        ws.cached = false;
        if (cache) {
            ws.trainingArrays();
        }
        pool.run(LayerPass.forward(ws, input, mode.alpha(ws.config()), vectorPhaseSafe(ws, input), h0, c0, cache,
                false));
        ws.cached = cache;
    }

    /** True if the exact vector phase reduction holds for every timestamp of the batch. */
    private static boolean vectorPhaseSafe(SimdWorkspace ws, SequenceBatch input) {
        if (!ws.config().timeGate()) {
            return true;
        }
        double maxT = 0;
        for (double t : input.time()) {
            maxT = Math.max(maxT, Math.abs(t));
        }
        return TimeGateKernel.vectorSafe(ws.layer.tg, maxT);
    }

    @Override
    protected void doBackward(LayerWorkspace lw, PhasedLstmParams params, SequenceBatch input,
                              PhasedLstmParams grads, float[] dh, float[] dhT, float[] dcT) {
        SimdWorkspace ws = (SimdWorkspace) lw;
        if (ws.barrier != null) {
            ws.barrier.reset(); // after a failed pass
        }
        double alpha = ws.lastMode().alpha(ws.config());
        boolean vectorPhase = vectorPhaseSafe(ws, input);
        ws.trainingArrays();
        if (!ws.cached) {
            pool.run(LayerPass.forward(ws, input, alpha, vectorPhase, null, null, true, true));
            ws.cached = true;
        }
        ws.layer.packTransposed(params, ws.inputGradientsNeeded());
        java.util.Arrays.fill(ws.dw, 0f);
        java.util.Arrays.fill(ws.dwBias, 0f);
        LayerPass pass = LayerPass.backward(ws, input, alpha, vectorPhase, dh, dhT, dcT);
        pool.run(pass);
        if (!ws.fusedWeightGradients) {
            WeightGradients.listRows(ws);
            pool.run(pass.weightGradients());
        }
        WeightGradients.unpack(ws, grads);
    }

    @Override
    protected void doDenseForward(float[] out, float[] in, DenseParams params, int batch) {
        int hs = params.inputSize();
        int cs = params.outputSize();
        float[] k = params.kernel();
        float[] bias = params.bias();
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < cs; c++) {
                out[b * cs + c] = bias[c];
            }
            for (int j = 0; j < hs; j++) {
                float v = in[b * hs + j];
                for (int c = 0; c < cs; c++) {
                    out[b * cs + c] += v * k[j * cs + c];
                }
            }
        }
    }

    @Override
    protected void doDenseBackward(float[] dIn, DenseParams grads, float[] dOut, float[] in, DenseParams params,
                                   int batch) {
        int hs = params.inputSize();
        int cs = params.outputSize();
        float[] k = params.kernel();
        float[] gk = grads.kernel();
        float[] gb = grads.bias();
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < hs; j++) {
                float sum = 0f;
                float v = in[b * hs + j];
                for (int c = 0; c < cs; c++) {
                    float d = dOut[b * cs + c];
                    sum += d * k[j * cs + c];
                    gk[j * cs + c] += v * d;
                }
                dIn[b * hs + j] = sum;
            }
            for (int c = 0; c < cs; c++) {
                gb[c] += dOut[b * cs + c];
            }
        }
    }

    @Override
    protected double doSoftmaxCrossEntropy(float[] probs, float[] dLogits, float[] logits, int[] labels, int batch,
                                           int classes) {
        return Softmax.crossEntropy(probs, dLogits, logits, labels, batch, classes);
    }

    @Override
    protected double doMeanSquaredError(float[] dPred, float[] pred, float[] targets, int batch, int outputs) {
        return SquaredErrorKernel.meanSquaredError(dPred, pred, targets, batch * outputs);
    }

    /** Stops the worker threads; does nothing on the backend's {@link Backend#sharedEngine() shared engine}. */
    @Override
    public void close() {
        if (!shared) {
            pool.close();
        }
    }
}
