package org.plstm;

/**
 * A compute engine for the Phased LSTM and the small head around it (dense layer, softmax cross-entropy for
 * classification, mean squared error for regression). Two exist: the scalar double-precision reference
 * ({@code org.plstm.reference.ReferenceEngine}) and the Vector API engine ({@code org.plstm.simd.SimdEngine});
 * {@code org.plstm.engine.Engines} picks one. Both take the same float32 parameter objects and the same input layout, so they run side by side on one model.
 *
 * <p>The public methods validate every argument (shapes, NaN/Inf, parameter constraints) and throw
 * {@link IllegalArgumentException} naming the argument, the expected and the actual; the protected
 * {@code do*} methods behind them may assume valid input. Parameter gradients are <em>accumulated</em>
 * (clear them with {@link PhasedLstmParams#zero()}); input gradients are written.
 *
 * <p>Dimension letters: {@code B} batch, {@code T} steps, {@code I} inputs, {@code H} hidden units,
 * {@code C} classes. All arrays are flat and row-major.
 *
 * <p>An engine may own worker threads; it is safe to call from several threads as long as each uses its own
 * {@link LayerWorkspace} and its own output arrays.
 */
public abstract class Engine implements AutoCloseable {

    /** For subclasses: the SIMD engine and the reference. */
    protected Engine() {
    }

    /** @return {@code "simd"} or {@code "reference"} */
    public abstract String name();

    /** @return a one-line description (implementation, vector width, lanes, threads) */
    public abstract String description();

    /** @return the number of threads the engine splits a batch over ({@code >= 1}) */
    public abstract int threads();

    /**
     * Allocates buffers for a layer of {@code config} over batches of exactly {@code B} sequences of exactly
     * {@code T} steps. Reuse it for every batch of that shape.
     *
     * @param config the layer configuration
     * @param batch  {@code B >= 1}
     * @param steps  {@code T >= 1}
     * @return a new workspace owned by this engine
     * @throws IllegalArgumentException on a null config or a size below 1
     */
    public abstract LayerWorkspace newWorkspace(PhasedLstmConfig config, int batch, int steps);

    /**
     * Phased LSTM layer forward over a batch (docs/MODEL.md, paper eq. 1-11). Writes {@code ws.h() [B][T][H]},
     * {@code ws.hT()}, {@code ws.cT() [B][H]} and the cache for {@link #backward}.
     *
     * @param ws     a workspace from this engine for {@code (input.batch(), input.steps())} and this configuration
     * @param params parameters of the workspace's configuration (period {@code > 0}, ratioOn in {@code (0, 1]})
     * @param input  {@code x [B][T][I]}, {@code time [B][T]} (any finite reals, same unit as {@code period}),
     *               optional lengths
     * @param h0     initial hidden state {@code [B][H]}, or {@code null} for zeros
     * @param c0     initial cell state {@code [B][H]}, or {@code null} for zeros
     * @param mode   {@link Mode#TRAINING} (leak {@code config.leak()}), {@link Mode#INFERENCE} (leak 0) or
     *               {@link Mode#LEAKY_INFERENCE} (leak {@code config.leak()}, no training caches)
     * @throws IllegalArgumentException if an argument is null (other than the optional ones), from another
     *     engine, shaped or configured differently, or holds NaN/Inf or a violated constraint
     */
    public final void forward(LayerWorkspace ws, PhasedLstmParams params, SequenceBatch input, float[] h0,
                              float[] c0, Mode mode) {
        checkWorkspace(ws);
        Check.notNull("params", params);
        Check.notNull("input", input);
        Check.notNull("mode", mode);
        PhasedLstmConfig cfg = ws.config();
        if (!params.config().equals(cfg)) {
            throw new IllegalArgumentException("params: expected configuration " + cfg + ", got " + params.config());
        }
        if (input.batch() != ws.batch() || input.steps() != ws.steps() || input.inputSize() != cfg.inputSize()) {
            throw new IllegalArgumentException("input: expected " + Check.shape("B", ws.batch(), "T", ws.steps(),
                    "I", cfg.inputSize()) + ", got " + Check.shape("B", input.batch(), "T", input.steps(), "I",
                    input.inputSize()));
        }
        input.validate(); // its arrays are not copied: they may have changed since the batch was built
        if (h0 != null) {
            Check.length("h0", h0, "B", ws.batch(), "H", cfg.hiddenSize());
            Check.finite("h0", h0);
        }
        if (c0 != null) {
            Check.length("c0", c0, "B", ws.batch(), "H", cfg.hiddenSize());
            Check.finite("c0", c0);
        }
        params.validate("params");
        ws.params = null; // invalidates the cache should the pass fail
        doForward(ws, params, input, h0, c0, mode);
        ws.params = params;
        ws.input = input;
        ws.mode = mode;
        ws.xPrint = Fingerprint.of(input.x());
        ws.timePrint = Fingerprint.of(input.time());
        ws.lengthsPrint = Fingerprint.of(input.lengths());
        ws.paramsPrint = paramsPrint(params);
    }

    /** The {@link Fingerprint} of every parameter array of {@code p}. */
    private static long paramsPrint(PhasedLstmParams p) {
        long h = Fingerprint.of(p.kernel());
        h = h * 31 + Fingerprint.of(p.recurrentKernel());
        h = h * 31 + Fingerprint.of(p.bias());
        h = h * 31 + Fingerprint.of(p.peephole());
        h = h * 31 + Fingerprint.of(p.period());
        h = h * 31 + Fingerprint.of(p.shift());
        return h * 31 + Fingerprint.of(p.ratioOn());
    }

    /**
     * Backward differentiates the forward pass that ran: the input's arrays and the parameters must still hold
     * its values (PyTorch's autograd refuses in the same way a saved tensor modified in place).
     */
    private static void requireUnchanged(LayerWorkspace ws) {
        String changed = Fingerprint.of(ws.input.x()) != ws.xPrint ? "input.x"
                : Fingerprint.of(ws.input.time()) != ws.timePrint ? "input.time"
                : Fingerprint.of(ws.input.lengths()) != ws.lengthsPrint ? "input.lengths"
                : paramsPrint(ws.params) != ws.paramsPrint ? "params" : null;
        if (changed != null) {
            throw new IllegalArgumentException(changed + ": expected the values the forward pass on this workspace "
                    + "read (backward differentiates that pass; change them after backward), got values changed "
                    + "since");
        }
    }

    /**
     * Full backpropagation through time of the last {@link #forward} on {@code ws}. Accumulates every parameter
     * gradient into {@code grads} ({@code period}, {@code shift}, {@code ratioOn} only when the time gate is on and
     * they are trainable) and writes {@code ws.dx()}, {@code ws.dh0()}, {@code ws.dc0()}.
     * {@code dphi/dtau = −(t − s)/tau²}, {@code dphi/ds = −1/tau} (docs/MODEL.md). Valid but extreme input can
     * overflow the time gate's gradients to ±Infinity or NaN (timestamps of {@code 1e100} did in small test models,
     * {@code 1e40} did not; or a period near {@code Float.MIN_VALUE}; the two engines may then differ in which
     * non-finite value they give): the trainers check the gradients' norm and refuse such a step
     * ({@code org.plstm.train.NonFiniteGradientException}).
     *
     * @param ws    the workspace of the forward pass
     * @param grads gradient buffer of the same configuration (accumulated into)
     * @param dh    {@code dL/dh_t} for every step {@code [B][T][H]}, or {@code null} when only the last state
     *              feeds the loss
     * @param dhT   {@code dL/dh_T [B][H]}, or {@code null}
     * @param dcT   {@code dL/dc_T [B][H]}, or {@code null}
     * @throws IllegalArgumentException if no forward pass preceded, {@code grads} is configured differently or is
     *     the forward pass's parameters, an output gradient is wrongly sized or not finite, or the forward pass's
     *     input arrays ({@code x}, {@code time}, {@code lengths}) or parameters no longer hold the values it read
     *     (compared by a 64-bit fingerprint taken at the end of forward, one pass over them at each call: any single
     *     changed element is detected, a deliberate collision is not)
     */
    public final void backward(LayerWorkspace ws, PhasedLstmParams grads, float[] dh, float[] dhT, float[] dcT) {
        checkWorkspace(ws);
        if (ws.params == null) {
            throw new IllegalArgumentException("ws: expected a workspace after a successful forward pass, got one "
                    + "without");
        }
        Check.notNull("grads", grads);
        ws.params.requireSameConfig("grads", grads);
        if (grads == ws.params || grads.kernel() == ws.params.kernel()) {
            throw new IllegalArgumentException("grads: expected a gradient buffer of its own, got the parameters of "
                    + "the forward pass (backward accumulates into grads while it reads the parameters)");
        }
        int hs = ws.config().hiddenSize();
        if (dh != null) {
            Check.length("dh", dh, "B", ws.batch(), "T", ws.steps(), "H", hs);
            Check.finite("dh", dh);
        }
        if (dhT != null) {
            Check.length("dhT", dhT, "B", ws.batch(), "H", hs);
            Check.finite("dhT", dhT);
        }
        if (dcT != null) {
            Check.length("dcT", dcT, "B", ws.batch(), "H", hs);
            Check.finite("dcT", dcT);
        }
        requireUnchanged(ws);
        doBackward(ws, ws.params, ws.input, grads, dh, dhT, dcT);
    }

    /**
     * Dense layer forward {@code out = in·kernel + bias}.
     *
     * @param out    written, {@code [B][C]}
     * @param in     {@code [B][H]}
     * @param params {@code kernel [H][C]}, {@code bias [C]}
     * @param batch  {@code B >= 1}
     * @throws IllegalArgumentException on a wrong length, non-finite values, or {@code out} being the same array as
     *     {@code in} or a parameter
     */
    public final void denseForward(float[] out, float[] in, DenseParams params, int batch) {
        Check.notNull("params", params);
        Check.atLeast("batch", batch, 1);
        Check.length("in", in, "B", batch, "H", params.inputSize());
        Check.length("out", out, "B", batch, "C", params.outputSize());
        Check.distinct("out", out, "in", in, "params.kernel", params.kernel(), "params.bias", params.bias());
        Check.finite("in", in);
        params.validate("params");
        doDenseForward(out, in, params, batch);
    }

    /**
     * Dense layer backward: writes {@code dIn = dOut·kernel^T}, accumulates {@code grads.kernel += in^T·dOut} and
     * {@code grads.bias += sum_b dOut}.
     *
     * @param dIn    written, {@code [B][H]}
     * @param grads  gradient buffer shaped as {@code params}
     * @param dOut   {@code [B][C]}
     * @param in     the forward input {@code [B][H]}
     * @param params the forward parameters
     * @param batch  {@code B}
     * @throws IllegalArgumentException on a wrong length, a shape mismatch, non-finite {@code dOut}, {@code in} or
     *     parameters, {@code grads} being {@code params}, or a written array ({@code dIn}, {@code grads.kernel})
     *     being one that is read
     */
    public final void denseBackward(float[] dIn, DenseParams grads, float[] dOut, float[] in, DenseParams params,
                                    int batch) {
        Check.notNull("params", params);
        params.requireSameShape("grads", grads);
        Check.atLeast("batch", batch, 1);
        Check.length("in", in, "B", batch, "H", params.inputSize());
        Check.length("dIn", dIn, "B", batch, "H", params.inputSize());
        Check.length("dOut", dOut, "B", batch, "C", params.outputSize());
        Check.distinct("dIn", dIn, "dOut", dOut, "in", in, "params.kernel", params.kernel());
        if (grads == params || grads.kernel() == params.kernel()) {
            throw new IllegalArgumentException("grads: expected a gradient buffer of its own, got params (the call "
                    + "accumulates into grads while it reads params)");
        }
        Check.distinct("grads.kernel", grads.kernel(), "in", in, "dOut", dOut, "dIn", dIn);
        Check.finite("dOut", dOut);
        Check.finite("in", in);
        params.validate("params");
        doDenseBackward(dIn, grads, dOut, in, params, batch);
    }

    /**
     * Softmax cross-entropy averaged over the batch (Keras {@code sparse_categorical_crossentropy} from logits).
     *
     * @param probs   written softmax probabilities {@code [B][C]}, or {@code null}
     * @param dLogits written {@code (softmax − onehot) / B}, {@code [B][C]}, or {@code null}
     * @param logits  {@code [B][C]}
     * @param labels  {@code [B]}, each in {@code [0, C)}
     * @param batch   {@code B >= 1}
     * @param classes {@code C >= 1}
     * @return the mean loss in nats
     * @throws IllegalArgumentException on a wrong length, non-finite logits, a label out of range, or
     *     {@code probs}/{@code dLogits} being the same array as {@code logits} or as each other
     */
    public final double softmaxCrossEntropy(float[] probs, float[] dLogits, float[] logits, int[] labels,
                                            int batch, int classes) {
        Check.atLeast("batch", batch, 1);
        Check.atLeast("classes", classes, 1);
        Check.length("logits", logits, "B", batch, "C", classes);
        Check.finite("logits", logits);
        Check.labels(labels, batch, classes);
        if (probs != null) {
            Check.length("probs", probs, "B", batch, "C", classes);
        }
        if (dLogits != null) {
            Check.length("dLogits", dLogits, "B", batch, "C", classes);
        }
        Check.distinct("probs", probs, "logits", logits, "dLogits", dLogits);
        Check.distinct("dLogits", dLogits, "logits", logits);
        return doSoftmaxCrossEntropy(probs, dLogits, logits, labels, batch, classes);
    }

    /**
     * Mean squared error averaged over the batch and the outputs (Keras {@code mean_squared_error}): the loss of the
     * regression head, whose {@code K} dense outputs are the predicted values (no activation).
     * {@code L = (1/(B·K))·sum (pred − target)²}, {@code dPred = 2·(pred − target)/(B·K)}.
     *
     * @param dPred   written, {@code [B][K]}, or {@code null}
     * @param pred    predictions {@code [B][K]}
     * @param targets targets {@code [B][K]}, in the unit of the predictions
     * @param batch   {@code B >= 1}
     * @param outputs {@code K >= 1}
     * @return the mean loss, in the targets' unit squared
     * @throws IllegalArgumentException on a wrong length, a NaN/infinite prediction or target, or {@code dPred}
     *     being the same array as {@code pred} or {@code targets}
     */
    public final double meanSquaredError(float[] dPred, float[] pred, float[] targets, int batch, int outputs) {
        Check.atLeast("batch", batch, 1);
        Check.atLeast("outputs", outputs, 1);
        Check.length("pred", pred, "B", batch, "K", outputs);
        Check.length("targets", targets, "B", batch, "K", outputs);
        Check.finite("pred", pred);
        Check.finite("targets", targets);
        if (dPred != null) {
            Check.length("dPred", dPred, "B", batch, "K", outputs);
        }
        Check.distinct("dPred", dPred, "pred", pred, "targets", targets);
        return doMeanSquaredError(dPred, pred, targets, batch, outputs);
    }

    /**
     * Releases worker threads, if any. The engine must not be used afterwards, except a process-wide shared engine
     * ({@code org.plstm.engine.Backend#sharedEngine()}), whose {@code close()} does nothing.
     */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return description();
    }

    /**
     * Checks that {@code ws} was made by this engine.
     *
     * @param ws the workspace
     * @throws IllegalArgumentException if null or from another engine
     */
    protected abstract void checkWorkspace(LayerWorkspace ws);

    /**
     * Validated forward; see {@link #forward}.
     *
     * @param ws     workspace of this engine
     * @param params parameters
     * @param input  input batch
     * @param h0     initial hidden state or null
     * @param c0     initial cell state or null
     * @param mode   mode
     */
    protected abstract void doForward(LayerWorkspace ws, PhasedLstmParams params, SequenceBatch input, float[] h0,
                                      float[] c0, Mode mode);

    /**
     * Validated backward; see {@link #backward}.
     *
     * @param ws     workspace of the forward pass
     * @param params the parameters of the forward pass
     * @param input  the input of the forward pass
     * @param grads  gradient buffer
     * @param dh     per-step output gradient or null
     * @param dhT    final hidden-state gradient or null
     * @param dcT    final cell-state gradient or null
     */
    protected abstract void doBackward(LayerWorkspace ws, PhasedLstmParams params, SequenceBatch input,
                                       PhasedLstmParams grads, float[] dh, float[] dhT, float[] dcT);

    /**
     * Validated dense forward; see {@link #denseForward}.
     *
     * @param out    output
     * @param in     input
     * @param params parameters
     * @param batch  B
     */
    protected abstract void doDenseForward(float[] out, float[] in, DenseParams params, int batch);

    /**
     * Validated dense backward; see {@link #denseBackward}.
     *
     * @param dIn    input gradient (written)
     * @param grads  parameter gradients (accumulated)
     * @param dOut   output gradient
     * @param in     forward input
     * @param params parameters
     * @param batch  B
     */
    protected abstract void doDenseBackward(float[] dIn, DenseParams grads, float[] dOut, float[] in,
                                            DenseParams params, int batch);

    /**
     * Validated softmax cross-entropy; see {@link #softmaxCrossEntropy}.
     *
     * @param probs   probabilities or null
     * @param dLogits gradient or null
     * @param logits  logits
     * @param labels  labels
     * @param batch   B
     * @param classes C
     * @return mean loss
     */
    protected abstract double doSoftmaxCrossEntropy(float[] probs, float[] dLogits, float[] logits, int[] labels,
                                                    int batch, int classes);

    /**
     * Validated mean squared error; see {@link #meanSquaredError}.
     *
     * @param dPred   gradient or null
     * @param pred    predictions
     * @param targets targets
     * @param batch   B
     * @param outputs K
     * @return mean loss
     */
    protected abstract double doMeanSquaredError(float[] dPred, float[] pred, float[] targets, int batch,
                                                 int outputs);
}
