package org.plstm.jmh.peers;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.Map;

/**
 * ONNX Runtime (CPU) running the ONNX {@code LSTM} operator on our weights: inference only (ONNX Runtime's
 * inference build has no LSTM gradient). The model is written in code by {@link OnnxLstmModel}, which also
 * documents the layout conversion (ONNX gate order {@code i, o, f, c}).
 *
 * <p>Not thread-safe; close it to free the native session.
 */
public final class OnnxLstm implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final int hidden;
    private final int input;
    private final boolean withLengths;

    /**
     * A model without per-sample lengths.
     *
     * @param w       weights in our layout
     * @param threads intra-op threads ({@code SessionOptions.setIntraOpNumThreads}); inter-op is 1 and execution
     *                sequential
     * @throws OrtException if ONNX Runtime rejects the model
     */
    public OnnxLstm(LstmWeights w, int threads) throws OrtException {
        this(w, threads, false);
    }

    /**
     * @param w           weights in our layout
     * @param threads     intra-op threads ({@code SessionOptions.setIntraOpNumThreads}); inter-op is 1 and
     *                    execution sequential
     * @param withLengths whether {@link #forward(float[], float[], float[], int[], int, int)} takes per-sample
     *                    lengths (ONNX {@code sequence_lens})
     * @throws OrtException if ONNX Runtime rejects the model
     */
    public OnnxLstm(LstmWeights w, int threads, boolean withLengths) throws OrtException {
        this.env = OrtEnvironment.getEnvironment();
        this.hidden = w.hiddenSize();
        this.input = w.inputSize();
        this.withLengths = withLengths;
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(threads);
            opts.setInterOpNumThreads(1);
            opts.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            this.session = env.createSession(OnnxLstmModel.build(w, withLengths), opts);
        }
    }

    /**
     * Runs the layer over a batch.
     *
     * @param x     {@code [B][T][I]}
     * @param h0    {@code [B][H]} or {@code null} for zeros
     * @param c0    {@code [B][H]} or {@code null} for zeros
     * @param batch {@code B}
     * @param steps {@code T}
     * @return {@code h [B][T][H]}, {@code hT}, {@code cT}
     * @throws OrtException on a runtime error
     */
    public LstmResult forward(float[] x, float[] h0, float[] c0, int batch, int steps) throws OrtException {
        return forward(x, h0, c0, null, batch, steps);
    }

    /**
     * Runs the layer over a batch of sequences with per-sample lengths (needs a model built with lengths).
     * Beware ONNX's convention: {@code h} is zero past a sample's length (ours repeats the last state);
     * {@code hT}, {@code cT} are the state after the last valid step (as ours).
     *
     * @param x       {@code [B][T][I]}
     * @param h0      {@code [B][H]} or {@code null} for zeros
     * @param c0      {@code [B][H]} or {@code null} for zeros
     * @param lengths {@code [B]}, or {@code null} for all {@code T}
     * @param batch   {@code B}
     * @param steps   {@code T}
     * @return {@code h [B][T][H]}, {@code hT}, {@code cT}
     * @throws OrtException on a runtime error (such as lengths ONNX Runtime refuses)
     */
    public LstmResult forward(float[] x, float[] h0, float[] c0, int[] lengths, int batch, int steps)
            throws OrtException {
        if (lengths != null && !withLengths) {
            throw new IllegalStateException("this model was built without lengths");
        }
        float[] zeros = h0 == null || c0 == null ? new float[batch * hidden] : null;
        try (OnnxTensor tx = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {batch, steps, input});
             OnnxTensor th = OnnxTensor.createTensor(env, FloatBuffer.wrap(h0 == null ? zeros : h0),
                     new long[] {1, batch, hidden});
             OnnxTensor tc = OnnxTensor.createTensor(env, FloatBuffer.wrap(c0 == null ? zeros : c0),
                     new long[] {1, batch, hidden});
             OnnxTensor tl = withLengths ? OnnxTensor.createTensor(env, IntBuffer.wrap(lengths != null ? lengths
                     : filled(batch, steps)), new long[] {batch}) : null;
             OrtSession.Result r = session.run(withLengths
                     ? Map.of("x", tx, "h0", th, "c0", tc, "lengths", tl)
                     : Map.of("x", tx, "h0", th, "c0", tc))) {
            return new LstmResult(read(r, "h"), read(r, "hT"), read(r, "cT"));
        }
    }

    private static int[] filled(int n, int v) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    private static float[] read(OrtSession.Result r, String name) throws OrtException {
        FloatBuffer b = ((OnnxTensor) r.get(name).orElseThrow()).getFloatBuffer();
        float[] a = new float[b.remaining()];
        b.get(a);
        return a;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
