package org.plstm.reference;

import org.plstm.DenseParams;
import org.plstm.Engine;
import org.plstm.LayerWorkspace;
import org.plstm.Mode;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.SequenceBatch;

/**
 * The reference as an {@link Engine}: every call widens its float32 arguments to double, runs
 * {@link ReferencePhasedLstm}, {@link ReferenceDense} or {@link ReferenceSoftmaxCrossEntropy}, and rounds the
 * results back to float32 (gradients are accumulated in double for one call, then rounded once and added).
 * Single-threaded and slow by design; it allocates per call. It is the fallback when the Vector API is not
 * available and the {@code --engine reference} of the trainer.
 */
public final class ReferenceEngine extends Engine {

    /** Creates the engine (stateless). */
    public ReferenceEngine() {
    }

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public String description() {
        return "reference (scalar, double precision, 1 thread)";
    }

    @Override
    public int threads() {
        return 1;
    }

    @Override
    public LayerWorkspace newWorkspace(PhasedLstmConfig config, int batch, int steps) {
        return new Workspace(config, batch, steps);
    }

    private static final class Workspace extends LayerWorkspace {
        ReferencePhasedLstm.Forward fwd;

        Workspace(PhasedLstmConfig config, int batch, int steps) {
            super(config, batch, steps);
        }
    }

    @Override
    protected void checkWorkspace(LayerWorkspace ws) {
        if (!(ws instanceof Workspace)) {
            throw new IllegalArgumentException("ws: expected a workspace made by the reference engine, got "
                    + (ws == null ? "null" : ws.getClass().getName()));
        }
    }

    @Override
    protected void doForward(LayerWorkspace ws, PhasedLstmParams params, SequenceBatch input, float[] h0,
                             float[] c0, Mode mode) {
        Workspace w = (Workspace) ws;
        // Validated by Engine.forward: the unchecked entry (validation at the public boundary only).
        w.fwd = ReferencePhasedLstm.compute(ReferenceParams.of(params), ReferencePhasedLstm.widen(input.x()),
                input.time(), input.lengths(), input.batch(), input.steps(), h0 == null ? null
                        : ReferencePhasedLstm.widen(h0), c0 == null ? null : ReferencePhasedLstm.widen(c0), mode);
        narrow(w.fwd.h, w.h());
        narrow(w.fwd.hT, w.hT());
        narrow(w.fwd.cT, w.cT());
    }

    @Override
    protected void doBackward(LayerWorkspace ws, PhasedLstmParams params, SequenceBatch input,
                              PhasedLstmParams grads, float[] dh, float[] dhT, float[] dcT) {
        Workspace w = (Workspace) ws;
        ReferenceParams g = new ReferenceParams(params.config());
        ReferencePhasedLstm.InputGradients in = ReferencePhasedLstm.computeBackward(g, w.fwd, widenOrNull(dh),
                widenOrNull(dhT), widenOrNull(dcT));
        PhasedLstmParams rounded = new PhasedLstmParams(params.config());
        g.narrowInto(rounded);
        for (int n = 0; n < rounded.tensors().size(); n++) {
            float[] src = rounded.tensors().get(n).data();
            float[] dst = grads.tensors().get(n).data();
            for (int e = 0; e < src.length; e++) {
                dst[e] += src[e];
            }
        }
        narrow(in.dx(), w.dx());
        narrow(in.dh0(), w.dh0());
        narrow(in.dc0(), w.dc0());
    }

    @Override
    protected void doDenseForward(float[] out, float[] in, DenseParams params, int batch) {
        double[] o = new double[out.length];
        ReferenceDense.computeForward(o, ReferencePhasedLstm.widen(in), ReferencePhasedLstm.widen(params.kernel()),
                ReferencePhasedLstm.widen(params.bias()), batch, params.inputSize(), params.outputSize());
        narrow(o, out);
    }

    @Override
    protected void doDenseBackward(float[] dIn, DenseParams grads, float[] dOut, float[] in, DenseParams params,
                                   int batch) {
        double[] di = new double[dIn.length];
        double[] dk = new double[params.kernel().length];
        double[] db = new double[params.bias().length];
        ReferenceDense.computeBackward(di, dk, db, ReferencePhasedLstm.widen(dOut), ReferencePhasedLstm.widen(in),
                ReferencePhasedLstm.widen(params.kernel()), batch, params.inputSize(), params.outputSize());
        narrow(di, dIn);
        for (int n = 0; n < dk.length; n++) {
            grads.kernel()[n] += (float) dk[n];
        }
        for (int n = 0; n < db.length; n++) {
            grads.bias()[n] += (float) db[n];
        }
    }

    @Override
    protected double doSoftmaxCrossEntropy(float[] probs, float[] dLogits, float[] logits, int[] labels, int batch,
                                           int classes) {
        double[] p = probs == null ? null : new double[probs.length];
        double[] d = dLogits == null ? null : new double[dLogits.length];
        double loss = ReferenceSoftmaxCrossEntropy.compute(p, d, ReferencePhasedLstm.widen(logits), labels,
                batch, classes);
        if (p != null) {
            narrow(p, probs);
        }
        if (d != null) {
            narrow(d, dLogits);
        }
        return loss;
    }

    @Override
    protected double doMeanSquaredError(float[] dPred, float[] pred, float[] targets, int batch, int outputs) {
        double[] d = dPred == null ? null : new double[dPred.length];
        double loss = ReferenceMeanSquaredError.compute(d, ReferencePhasedLstm.widen(pred),
                ReferencePhasedLstm.widen(targets), batch, outputs);
        if (d != null) {
            narrow(d, dPred);
        }
        return loss;
    }

    private static double[] widenOrNull(float[] a) {
        return a == null ? null : ReferencePhasedLstm.widen(a);
    }

    private static void narrow(double[] src, float[] dst) {
        for (int n = 0; n < src.length; n++) {
            dst[n] = (float) src[n];
        }
    }
}
