package org.plstm.jmh.peers;

import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.GraphOperationBuilder;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.nn.BlockLSTM;
import org.tensorflow.op.nn.BlockLSTMGrad;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * TensorFlow Java running TF's fused LSTM kernels over a whole sequence on our weights, in one graph session:
 * {@code BlockLSTM} forward and {@code BlockLSTMGrad} backward (full BPTT), raw ops.
 *
 * <p>Two op generations, chosen by {@link Variant}:
 * <ul>
 *   <li>{@link Variant#V1} {@code BlockLSTM}/{@code BlockLSTMGrad} (raw op through {@code Graph.opBuilder}): gate
 *       order {@code i, ci, f, o} ({@link GateOrder#IGFO}). Its {@code forget_bias} attribute (default 1.0, added
 *       to the forget pre-activation) is set to 0, and its {@code cell_clip} (default 3.0!) to -1, which disables
 *       clipping.</li>
 *   <li>{@link Variant#V2} {@code BlockLSTMV2}/{@code BlockLSTMGradV2}, what TF Java's generated
 *       {@code tf.nn.blockLSTM} wraps: gate order {@code i, f, ci, o} ({@link GateOrder#IFGO}, Keras', ours), no
 *       {@code forget_bias}; {@code cell_clip} set to -1 too.</li>
 * </ul>
 * Layout conversion (both): TF's {@code w} is {@code [(I+H)][4H]} with the input rows first (it multiplies
 * {@code [x, h_prev]}), so {@code w} is our {@code kernel} stacked on our {@code recurrentKernel}, gate columns
 * rearranged; {@code b [4H]} likewise; peepholes are three {@code [H]} vectors {@code wci, wcf, wco} (our rows
 * {@code i, f, o}); with {@code use_peephole=true}, {@code o} peeps at the new {@code cs}, as ours. {@code x} is
 * time-major {@code [T,B,I]}: the graph transposes from and to our batch-major layouts.
 *
 * <p>The graph holds the weights as constants; {@link #forward} runs the forward op only, {@link #backward} runs
 * forward and gradient ops in one session call. Not thread-safe; close it to free the native graph and session.
 */
public final class TfBlockLstm implements AutoCloseable {
    /** The op generation. */
    public enum Variant {
        /** {@code BlockLSTM} + {@code BlockLSTMGrad}, {@code ICFO}, {@code forget_bias = 0}. */
        V1,
        /** {@code BlockLSTMV2} + {@code BlockLSTMGradV2}, {@code IFCO}. */
        V2
    }

    private final Variant variant;
    private final int in;
    private final int hs;
    private final boolean peepholes;
    private final Graph graph;
    private final Session session;
    private final Placeholder<TInt64> seqLen;
    private final Placeholder<TFloat32> x;
    private final Placeholder<TFloat32> h0;
    private final Placeholder<TFloat32> c0;
    private final Placeholder<TFloat32> hGrad;
    private final Placeholder<TFloat32> csGrad;
    private final Operand<TFloat32> hOut;
    private final Operand<TFloat32> hLast;
    private final Operand<TFloat32> cLast;
    private final Operand<TFloat32> dx;
    private final Output<TFloat32> dh0;
    private final Output<TFloat32> dc0;
    private final Output<TFloat32> dw;
    private final Output<TFloat32> db;
    private final Output<TFloat32> dwci;
    private final Output<TFloat32> dwcf;
    private final Output<TFloat32> dwco;
    private float[] zeroState = new float[0];
    private float[] zeroSequence = new float[0];

    /**
     * @param w       weights in our layout (peepholes used if present)
     * @param variant which op generation
     * @param threads {@code intra_op_parallelism_threads} (inter-op: 1). TF may share one CPU thread pool per
     *                process, sized by the first session created in it: use one thread count per process.
     */
    public TfBlockLstm(LstmWeights w, Variant variant, int threads) {
        this.variant = variant;
        this.in = w.inputSize();
        this.hs = w.hiddenSize();
        this.peepholes = w.peepholes();
        GateOrder order = variant == Variant.V1 ? GateOrder.IGFO : GateOrder.IFGO;
        int g4 = 4 * hs;
        float[] wTf = new float[(in + hs) * g4];
        System.arraycopy(order.fromOurs(w.kernel(), in, hs), 0, wTf, 0, in * g4);
        System.arraycopy(order.fromOurs(w.recurrentKernel(), hs, hs), 0, wTf, in * g4, hs * g4);
        float[] bTf = order.fromOurs(w.bias(), 1, hs);

        graph = new Graph();
        Ops tf = Ops.create(graph);
        seqLen = tf.withName("seq_len_max").placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
        x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, in)));
        h0 = tf.withName("h0").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, hs)));
        c0 = tf.withName("c0").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, hs)));
        hGrad = tf.withName("h_grad").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, hs)));
        csGrad = tf.withName("cs_grad").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, hs)));
        Operand<TFloat32> wc = tf.constant(Shape.of(in + hs, g4), DataBuffers.of(wTf, true, false));
        Operand<TFloat32> bc = tf.constant(Shape.of(g4), DataBuffers.of(bTf, true, false));
        Operand<TFloat32> wci = tf.constant(Shape.of(hs), DataBuffers.of(w.peepholeRow(0), true, false));
        Operand<TFloat32> wcf = tf.constant(Shape.of(hs), DataBuffers.of(w.peepholeRow(1), true, false));
        Operand<TFloat32> wco = tf.constant(Shape.of(hs), DataBuffers.of(w.peepholeRow(2), true, false));
        Operand<TInt64> tbi = tf.constant(new long[] {1, 0, 2});
        Operand<TFloat32> xt = tf.linalg.transpose(x, tbi); // [T,B,I]

        // Forward: outputs i, cs, f, o, ci, co, h, each [T,B,H].
        Output<?>[] fwd = new Output<?>[7];
        if (variant == Variant.V1) {
            GraphOperationBuilder b = graph.opBuilder("BlockLSTM", "block_lstm", tf.scope());
            for (Operand<?> o : new Operand<?>[] {seqLen, xt, c0, h0, wc, wci, wcf, wco, bc}) {
                b.addInput(o.asOutput());
            }
            b.setAttr("forget_bias", 0f);
            b.setAttr("cell_clip", -1f);
            b.setAttr("use_peephole", peepholes);
            GraphOperation op = b.build();
            for (int k = 0; k < 7; k++) {
                fwd[k] = op.output(k);
            }
        } else {
            BlockLSTM<TFloat32> op = tf.nn.blockLSTM(seqLen, xt, c0, h0, wc, wci, wcf, wco, bc,
                    BlockLSTM.cellClip(-1f), BlockLSTM.usePeephole(peepholes));
            fwd = new Output<?>[] {op.i(), op.cs(), op.f(), op.o(), op.ci(), op.co(), op.h()};
        }
        @SuppressWarnings("unchecked")
        Output<TFloat32> cs = (Output<TFloat32>) fwd[1];
        @SuppressWarnings("unchecked")
        Output<TFloat32> h = (Output<TFloat32>) fwd[6];
        Operand<TInt64> last = tf.math.sub(seqLen, tf.constant(1L));
        hOut = tf.linalg.transpose(h, tbi); // [B,T,H]
        hLast = tf.gather(h, last, tf.constant(0)); // [B,H]
        cLast = tf.gather(cs, last, tf.constant(0));

        // Backward: inputs as forward plus the forward outputs and the gradients w.r.t. cs and h per step.
        Operand<TFloat32> hGradT = tf.linalg.transpose(hGrad, tbi);
        Operand<TFloat32> csGradT = tf.linalg.transpose(csGrad, tbi);
        Output<?>[] grads = new Output<?>[8]; // x, cs_prev, h_prev, w, wci, wcf, wco, b
        if (variant == Variant.V1) {
            GraphOperationBuilder b = graph.opBuilder("BlockLSTMGrad", "block_lstm_grad", tf.scope());
            for (Operand<?> o : new Operand<?>[] {seqLen, xt, c0, h0, wc, wci, wcf, wco, bc}) {
                b.addInput(o.asOutput());
            }
            for (Output<?> o : fwd) {
                b.addInput(o);
            }
            b.addInput(csGradT.asOutput());
            b.addInput(hGradT.asOutput());
            b.setAttr("use_peephole", peepholes);
            GraphOperation op = b.build();
            for (int k = 0; k < 8; k++) {
                grads[k] = op.output(k);
            }
        } else {
            @SuppressWarnings("unchecked")
            Output<TFloat32>[] f = (Output<TFloat32>[]) fwd;
            BlockLSTMGrad<TFloat32> op = tf.nn.blockLSTMGrad(seqLen, xt, c0, h0, wc, wci, wcf, wco, bc,
                    f[0], f[1], f[2], f[3], f[4], f[5], f[6], csGradT, hGradT, peepholes);
            grads = new Output<?>[] {op.xGrad(), op.csPrevGrad(), op.hPrevGrad(), op.wGrad(), op.wciGrad(),
                op.wcfGrad(), op.wcoGrad(), op.bGrad()};
        }
        @SuppressWarnings("unchecked")
        Output<TFloat32>[] g = (Output<TFloat32>[]) grads;
        dx = tf.linalg.transpose(g[0], tbi); // [B,T,I]
        dc0 = g[1];
        dh0 = g[2];
        dw = g[3];
        dwci = g[4];
        dwcf = g[5];
        dwco = g[6];
        db = g[7];

        ConfigProto config = ConfigProto.newBuilder()
                .setIntraOpParallelismThreads(threads)
                .setInterOpParallelismThreads(1)
                .build();
        session = new Session(graph, config);
    }

    /** @return the op generation */
    public Variant variant() {
        return variant;
    }

    /**
     * Forward pass.
     *
     * @param xs    {@code [B][T][I]}
     * @param h0s   {@code [B][H]} or {@code null} for zeros
     * @param c0s   {@code [B][H]} or {@code null} for zeros
     * @param batch {@code B}
     * @param steps {@code T}
     * @return {@code h [B][T][H]}, {@code hT}, {@code cT}
     */
    public LstmResult forward(float[] xs, float[] h0s, float[] c0s, int batch, int steps) {
        try (Tensor tl = TInt64.scalarOf(steps);
             Tensor tx = floats(xs, batch, steps, in);
             Tensor th = state(h0s, batch);
             Tensor tc = state(c0s, batch);
             Result r = session.runner().feed(seqLen, tl).feed(x, tx).feed(h0, th).feed(c0, tc)
                     .fetch(hOut).fetch(hLast).fetch(cLast).run()) {
            return new LstmResult(read(r, 0, batch * steps * hs), read(r, 1, batch * hs), read(r, 2, batch * hs));
        }
    }

    /**
     * Forward and full backward pass (one session call running {@code BlockLSTM} then {@code BlockLSTMGrad}),
     * for a loss whose gradient is {@code dh} with respect to every {@code h_t}, plus {@code dhT} and
     * {@code dcT} with respect to the final state ({@code h_T = h_{T-1}}, {@code c_T = cs_{T-1}}: they are added to
     * the last step's {@code h_grad} and {@code cs_grad}).
     *
     * @param xs    {@code [B][T][I]}
     * @param h0s   {@code [B][H]} or {@code null}
     * @param c0s   {@code [B][H]} or {@code null}
     * @param dh    {@code [B][T][H]} or {@code null}
     * @param dhT   {@code [B][H]} or {@code null}
     * @param dcT   {@code [B][H]} or {@code null}
     * @param batch {@code B}
     * @param steps {@code T}
     * @return the gradients in our layout and gate order
     */
    public LstmGradients backward(float[] xs, float[] h0s, float[] c0s, float[] dh, float[] dhT, float[] dcT,
                                  int batch, int steps) {
        int n = batch * steps * hs;
        float[] hg = dh == null ? new float[n] : dhT == null ? dh : dh.clone();
        if (zeroSequence.length != n) {
            zeroSequence = new float[n];
        }
        float[] cg = dcT == null ? zeroSequence : new float[n];
        for (int b = 0; b < batch && (dhT != null || dcT != null); b++) {
            int row = (b * steps + steps - 1) * hs;
            for (int j = 0; j < hs; j++) {
                if (dhT != null) {
                    hg[row + j] += dhT[b * hs + j];
                }
                if (dcT != null) {
                    cg[row + j] = dcT[b * hs + j];
                }
            }
        }
        try (Tensor tl = TInt64.scalarOf(steps);
             Tensor tx = floats(xs, batch, steps, in);
             Tensor th = state(h0s, batch);
             Tensor tc = state(c0s, batch);
             Tensor thg = floats(hg, batch, steps, hs);
             Tensor tcg = floats(cg, batch, steps, hs);
             Result r = session.runner().feed(seqLen, tl).feed(x, tx).feed(h0, th).feed(c0, tc)
                     .feed(hGrad, thg).feed(csGrad, tcg)
                     .fetch(dx).fetch(dh0).fetch(dc0).fetch(dw).fetch(db).fetch(dwci).fetch(dwcf).fetch(dwco)
                     .run()) {
            GateOrder order = variant == Variant.V1 ? GateOrder.IGFO : GateOrder.IFGO;
            int g4 = 4 * hs;
            float[] w = read(r, 3, (in + hs) * g4);
            float[] k = new float[in * g4];
            float[] rk = new float[hs * g4];
            System.arraycopy(w, 0, k, 0, k.length);
            System.arraycopy(w, k.length, rk, 0, rk.length);
            float[] peep = null;
            if (peepholes) {
                peep = new float[3 * hs];
                System.arraycopy(read(r, 5, hs), 0, peep, 0, hs);
                System.arraycopy(read(r, 6, hs), 0, peep, hs, hs);
                System.arraycopy(read(r, 7, hs), 0, peep, 2 * hs, hs);
            }
            return new LstmGradients(read(r, 0, batch * steps * in), read(r, 1, batch * hs),
                    read(r, 2, batch * hs), order.toOurs(k, in, hs), order.toOurs(rk, hs, hs),
                    order.toOurs(read(r, 4, g4), 1, hs), peep);
        }
    }

    private Tensor state(float[] s, int batch) {
        if (s == null && zeroState.length != batch * hs) {
            zeroState = new float[batch * hs]; // cached and fed read-only: no allocation per call
        }
        return floats(s == null ? zeroState : s, batch, hs);
    }

    private static Tensor floats(float[] a, long... shape) {
        return TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(a, true, false));
    }

    private static float[] read(Result r, int index, int size) {
        float[] out = new float[size];
        TFloat32 t = (TFloat32) r.get(index);
        if (t.shape().size() != size) {
            throw new IllegalStateException("output " + index + ": expected " + size + " values, got shape "
                    + t.shape());
        }
        t.copyTo(DataBuffers.of(out, false, false));
        return out;
    }

    @Override
    public void close() {
        session.close();
        graph.close();
    }
}
