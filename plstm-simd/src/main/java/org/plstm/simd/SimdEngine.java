package org.plstm.simd;

import org.plstm.Check;
import org.plstm.DenseParams;
import org.plstm.Engine;
import org.plstm.LayerWorkspace;
import org.plstm.Mode;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.SequenceBatch;

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

    /**
     * An engine with one worker per available processor.
     */
    public SimdEngine() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /**
     * @param threads number of worker threads, including the calling thread, {@code >= 1}
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public SimdEngine(int threads) {
        this.threads = Check.atLeast("threads", threads, 1);
        this.pool = new WorkerPool(threads);
    }

    /** @return the vector width in bits used by the kernels (the preferred species) */
    public static int vectorBitSize() {
        return SimdPhasedLstm.FS.vectorBitSize();
    }

    /** @return the number of float lanes per vector */
    public static int floatLanes() {
        return SimdPhasedLstm.L;
    }

    @Override
    public String name() {
        return "simd";
    }

    @Override
    public String description() {
        return "simd (Vector API, " + vectorBitSize() + "-bit vectors, " + floatLanes() + " float lanes, " + threads
                + (threads == 1 ? " thread)" : " threads)");
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public LayerWorkspace newWorkspace(PhasedLstmConfig config, int batch, int steps) {
        return new SimdWorkspace(this, config, batch, steps);
    }

    @Override
    protected void checkWorkspace(LayerWorkspace ws) {
        if (!(ws instanceof SimdWorkspace s) || s.engine != this) {
            throw new IllegalArgumentException("ws: expected a workspace made by this SIMD engine, got "
                    + (ws == null ? "null" : ws.getClass().getName()
                    + (ws instanceof SimdWorkspace ? " of another engine" : "")));
        }
    }

    @Override
    protected void doForward(LayerWorkspace lw, PhasedLstmParams params, SequenceBatch input, float[] h0, float[] c0,
                             Mode mode) {
        SimdWorkspace ws = (SimdWorkspace) lw;
        SimdPhasedLstm.pack(ws, params);
        for (int b = 0; b < ws.batch(); b++) {
            ws.lengths[b] = input.length(b);
        }
        Pass job = ws.pass;
        job.phase = Pass.FORWARD;
        job.input = input;
        job.h0 = h0;
        job.c0 = c0;
        job.mode = mode;
        job.vectorPhase = vectorPhaseSafe(ws, input);
        try {
            pool.run(job);
        } finally {
            job.clear();
        }
    }

    /** True if every {@code |(t − s)/tau| < 2^50}, so the vector phase reduction is exact. */
    private static boolean vectorPhaseSafe(SimdWorkspace ws, SequenceBatch input) {
        if (!ws.config().timeGate()) {
            return true;
        }
        double maxT = 0;
        for (double t : input.time()) {
            maxT = Math.max(maxT, Math.abs(t));
        }
        return ws.tg.maxPhaseQuotient(maxT, ws.hs) < SimdPhasedLstm.MAX_VECTOR_PHASE_QUOTIENT;
    }

    @Override
    protected void doBackward(LayerWorkspace lw, PhasedLstmParams params, SequenceBatch input,
                              PhasedLstmParams grads, float[] dh, float[] dhT, float[] dcT) {
        SimdWorkspace ws = (SimdWorkspace) lw;
        SimdPhasedLstm.pack(ws, params);
        SimdPhasedLstm.packRecurrentTransposed(ws, params);
        java.util.Arrays.fill(ws.dw, 0f);
        Pass job = ws.pass;
        job.input = input;
        job.dh = dh;
        job.dhT = dhT;
        job.dcT = dcT;
        job.mode = ws.lastMode();
        job.vectorPhase = vectorPhaseSafe(ws, input);
        try {
            job.phase = Pass.BACKWARD;
            pool.run(job);
            if (!ws.fusedWeightGradients) {
                SimdPhasedLstm.listRows(ws);
                job.phase = Pass.WEIGHT_GRADIENTS;
                pool.run(job);
            }
        } finally {
            job.clear();
        }
        SimdPhasedLstm.unpackGradients(ws, grads);
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
        double loss = 0;
        for (int b = 0; b < batch; b++) {
            int off = b * classes;
            float max = logits[off];
            for (int c = 1; c < classes; c++) {
                max = Math.max(max, logits[off + c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(logits[off + c] - max);
            }
            double logSum = Math.log(sum) + max;
            loss += logSum - logits[off + labels[b]];
            for (int c = 0; c < classes; c++) {
                double p = Math.exp(logits[off + c] - logSum);
                if (probs != null) {
                    probs[off + c] = (float) p;
                }
                if (dLogits != null) {
                    dLogits[off + c] = (float) ((p - (c == labels[b] ? 1 : 0)) / batch);
                }
            }
        }
        return loss / batch;
    }

    @Override
    public void close() {
        pool.close();
    }

    /** The per-workspace job run on the pool; its fields carry one call's arguments (no allocation per call). */
    static final class Pass implements WorkerPool.Job {
        static final int FORWARD = 0;
        static final int BACKWARD = 1;
        static final int WEIGHT_GRADIENTS = 2;
        private final SimdWorkspace ws;
        int phase;
        SequenceBatch input;
        float[] h0;
        float[] c0;
        float[] dh;
        float[] dhT;
        float[] dcT;
        Mode mode;
        boolean vectorPhase;

        Pass(SimdWorkspace ws) {
            this.ws = ws;
        }

        @Override
        public void run(int worker, int workers) {
            int sampleWorkers = ws.sampleWorkers();
            switch (phase) {
                case FORWARD -> {
                    if (worker < sampleWorkers) {
                        SimdPhasedLstm.forwardWorker(ws, input, h0, c0, mode, worker, sampleWorkers, vectorPhase);
                    }
                }
                case BACKWARD -> {
                    if (worker < sampleWorkers) {
                        SimdPhasedLstm.backwardWorker(ws, input, dh, dhT, dcT, mode, worker, sampleWorkers,
                                vectorPhase);
                    }
                }
                case WEIGHT_GRADIENTS -> SimdPhasedLstm.weightGradientWorker(ws, input, worker, workers);
                default -> throw new IllegalStateException("phase " + phase);
            }
        }

        void clear() {
            input = null;
            h0 = null;
            c0 = null;
            dh = null;
            dhT = null;
            dcT = null;
        }
    }
}
