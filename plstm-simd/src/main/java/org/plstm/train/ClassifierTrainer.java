package org.plstm.train;

import java.util.ArrayList;
import java.util.List;
import org.plstm.Check;
import org.plstm.Engine;
import org.plstm.LayerWorkspace;
import org.plstm.Mode;
import org.plstm.PhasedLstmParams;
import org.plstm.SequenceBatch;
import org.plstm.Softmax;
import org.plstm.Tensor;
import org.plstm.optim.GradientClipping;
import org.plstm.optim.Optimizer;

/**
 * Trains and evaluates a {@link SequenceClassifier} with one {@link Engine} and one {@link Optimizer}.
 *
 * <p>A {@link #step training step} is: zero the gradients; forward every layer in {@link Mode#TRAINING} (layer
 * {@code k+1} reads {@code SequenceBatch(B, T, H_k, ws_k.h(), time, lengths)}); dense layer on the last layer's
 * {@code hT [B][H_last]}; softmax cross-entropy averaged over the batch; dense backward; last layer backward with
 * {@code dhT} only; each lower layer backward with {@code dh} = the upper layer's {@code ws.dx() [B][T][H_k]};
 * optional clipping by global norm; the optimiser's update; {@link PhasedLstmParams#applyConstraints()} on every
 * layer.
 *
 * <p>Buffers: the trainer keeps one set of {@link LayerWorkspace}s and scratch arrays per batch shape {@code (B, T)},
 * made on first use and reused, so a steady-state step allocates nothing but its small result record; a run with
 * fixed-length sequences sees a handful of shapes (full batches, the last partial batch of each split). At most
 * {@value #MAX_SHAPES} shapes are kept, the least recently used dropped first: batches padded to their own longest
 * sequence (variable lengths, {@link Fit#batch}) come in as many shapes as there are lengths, and an unbounded cache
 * ran out of heap on sequences of up to 1,250 steps (6 GiB, the frequency task's high-resolution sampling). Such
 * runs allocate a workspace whenever a shape is not cached. {@link #releaseWorkspaces()} drops them all.
 * Evaluation shares the training workspaces (a forward pass in {@link Mode#INFERENCE} overwrites the cache, which is
 * harmless because backward only follows its own forward inside {@link #step}).
 *
 * <p>Regression ({@link #stepRegression}, {@link #evaluateRegression}, {@link #predictValues}) uses the same network:
 * the dense layer's {@code C} outputs are read as {@code K = C} predicted values per sequence (no activation), and
 * the loss is the mean squared error ({@link Engine#meanSquaredError}) instead of the softmax cross-entropy; the
 * rest of the step is the same. A model is trained for one task or the other, not both.
 *
 * <p>The engine remains the caller's: the trainer does not close it. Not thread-safe.
 */
public final class ClassifierTrainer {
    private final Engine engine;
    private final SequenceClassifier model;
    private final Optimizer optimizer;
    private final double clipNorm;
    /** The most {@code (B, T)} shapes whose buffers are kept. */
    static final int MAX_SHAPES = 8;

    private final List<Shape> shapes = new ArrayList<>(); // most recently used first
    private Shape last;

    /**
     * @param engine    the compute engine (not closed by the trainer)
     * @param model     the classifier to train, updated in place
     * @param optimizer the optimiser; its state must belong to {@code model.tensors()} (fresh, or restored for them)
     * @param clipNorm  the bound for clipping by global norm ({@link GradientClipping#clipByGlobalNorm}), or
     *                  {@code 0} for no clipping; finite and {@code >= 0}
     * @throws IllegalArgumentException if an argument is null or {@code clipNorm} is negative, NaN or infinite
     */
    public ClassifierTrainer(Engine engine, SequenceClassifier model, Optimizer optimizer, double clipNorm) {
        this.engine = Check.notNull("engine", engine);
        this.model = Check.notNull("model", model);
        this.optimizer = Check.notNull("optimizer", optimizer);
        if (!(clipNorm >= 0) || Double.isInfinite(clipNorm)) {
            throw new IllegalArgumentException("clipNorm: expected a finite value >= 0 (0 = off), got " + clipNorm);
        }
        this.clipNorm = clipNorm;
    }

    /** @return the engine */
    public Engine engine() {
        return engine;
    }

    /** @return the model being trained */
    public SequenceClassifier model() {
        return model;
    }

    /** @return the optimiser */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** @return the global-norm clipping bound, {@code 0} when off */
    public double clipNorm() {
        return clipNorm;
    }

    /**
     * One training step on a batch (see the class comment).
     *
     * @param batch  {@code x [B][T][I]} with {@code I = model.inputSize()}, {@code time [B][T]}, optional lengths
     * @param labels {@code [B]}, each in {@code [0, C)}
     * @return the loss and accuracy before the update, and the gradient norm before clipping
     * @throws IllegalArgumentException if an argument is null or misshapen, a label is out of range, or the model
     *     produced non-finite values (then the parameters and the optimiser are unchanged)
     * @throws NonFiniteGradientException (an {@link IllegalArgumentException}) if a gradient is NaN or infinite: the
     *     step is not applied
     * @throws org.plstm.optim.NonFiniteUpdateException if the optimiser's update would make a parameter or its state
     *     NaN or infinite: the step is not applied
     */
    public TrainStepResult step(SequenceBatch batch, int[] labels) {
        Shape s = shapeFor(batch, labels);
        model.zeroGradients();
        List<PhasedLstmParams> layers = model.layers();
        List<PhasedLstmParams> grads = model.layerGradients();
        int depth = layers.size();
        forwardAll(s, batch, Mode.TRAINING);
        LayerWorkspace top = s.ws[depth - 1];
        engine.denseForward(s.logits, top.hT(), model.dense(), s.batch);
        double loss = engine.softmaxCrossEntropy(s.probs, s.dLogits, s.logits, labels, s.batch, model.classes());
        int correct = countCorrect(s.logits, labels, s.batch, model.classes());
        engine.denseBackward(s.dHT, model.denseGradients(), s.dLogits, top.hT(), model.dense(), s.batch);
        engine.backward(top, grads.get(depth - 1), null, s.dHT, null);
        for (int k = depth - 2; k >= 0; k--) {
            engine.backward(s.ws[k], grads.get(k), s.ws[k + 1].dx(), null, null);
        }
        double norm = finiteGradientNorm();
        optimizer.step(model.tensors(), model.gradientTensors());
        model.applyConstraints();
        return new TrainStepResult(loss, correct, s.batch, norm);
    }

    /**
     * The gradients' global norm before clipping, after clipping them if {@link #clipNorm()} is on (one pass for the
     * norm either way).
     *
     * @throws NonFiniteGradientException if a gradient is not finite, before any parameter changes (the optimiser would
     *     write it into the model; clipping an infinite norm gives NaN gradients, left in the gradient buffers, which
     *     the next step zeroes)
     */
    private double finiteGradientNorm() {
        List<Tensor> g = model.gradientTensors();
        double norm = clipNorm > 0 ? GradientClipping.clipByGlobalNorm(g, clipNorm) : GradientClipping.globalNorm(g);
        if (!Double.isFinite(norm)) {
            throw new NonFiniteGradientException(norm);
        }
        return norm;
    }

    /**
     * Scores a batch in {@link Mode#INFERENCE} (leak 0) without touching parameters or gradients.
     *
     * @param batch  as for {@link #step}
     * @param labels {@code [B]}, each in {@code [0, C)}
     * @return the mean loss and the number of correct arg-max predictions
     * @throws IllegalArgumentException as {@link #step}
     */
    public EvalResult evaluate(SequenceBatch batch, int[] labels) {
        Shape s = shapeFor(batch, labels);
        forwardAll(s, batch, Mode.INFERENCE);
        engine.denseForward(s.logits, s.ws[s.ws.length - 1].hT(), model.dense(), s.batch);
        double loss = engine.softmaxCrossEntropy(s.probs, null, s.logits, labels, s.batch, model.classes());
        return new EvalResult(loss, countCorrect(s.logits, labels, s.batch, model.classes()), s.batch);
    }

    /**
     * Class probabilities of a batch in {@link Mode#INFERENCE}.
     *
     * @param batch         as for {@link #step}
     * @param probabilities written, {@code [B][C]}: softmax of the logits, each row sums to 1
     * @throws IllegalArgumentException if an argument is null or misshapen
     */
    public void predict(SequenceBatch batch, float[] probabilities) {
        Check.notNull("batch", batch);
        Check.length("probabilities", probabilities, "B", batch.batch(), "C", model.classes());
        Shape s = shapeFor(batch, null);
        forwardAll(s, batch, Mode.INFERENCE);
        engine.denseForward(s.logits, s.ws[s.ws.length - 1].hT(), model.dense(), s.batch);
        // The labels only affect the (ignored) loss, not the probabilities.
        engine.softmaxCrossEntropy(probabilities, null, s.logits, s.zeroLabels, s.batch, model.classes());
    }

    /**
     * One regression training step: as {@link #step}, with the mean squared error of the dense outputs against
     * {@code targets} as the loss.
     *
     * @param batch   {@code x [B][T][I]} with {@code I = model.inputSize()}, {@code time [B][T]}, optional lengths
     * @param targets {@code [B][K]} with {@code K = model.classes()}, finite, in the unit the model predicts (e.g.
     *                standardised)
     * @return the mean squared error before the update (in {@link TrainStepResult#loss()}; {@code correct} is 0),
     *     and the gradient norm before clipping
     * @throws IllegalArgumentException if an argument is null or misshapen, a target is not finite, or the model
     *     produced non-finite values (then the parameters and the optimiser are unchanged)
     * @throws NonFiniteGradientException (an {@link IllegalArgumentException}) if a gradient is NaN or infinite: the
     *     step is not applied
     * @throws org.plstm.optim.NonFiniteUpdateException if the optimiser's update would make a parameter or its state
     *     NaN or infinite: the step is not applied
     */
    public TrainStepResult stepRegression(SequenceBatch batch, float[] targets) {
        Shape s = shapeFor(batch, null);
        Check.length("targets", targets, "B", s.batch, "K", model.classes());
        model.zeroGradients();
        List<PhasedLstmParams> grads = model.layerGradients();
        int depth = model.depth();
        forwardAll(s, batch, Mode.TRAINING);
        LayerWorkspace top = s.ws[depth - 1];
        engine.denseForward(s.logits, top.hT(), model.dense(), s.batch);
        double loss = engine.meanSquaredError(s.dLogits, s.logits, targets, s.batch, model.classes());
        engine.denseBackward(s.dHT, model.denseGradients(), s.dLogits, top.hT(), model.dense(), s.batch);
        engine.backward(top, grads.get(depth - 1), null, s.dHT, null);
        for (int k = depth - 2; k >= 0; k--) {
            engine.backward(s.ws[k], grads.get(k), s.ws[k + 1].dx(), null, null);
        }
        double norm = finiteGradientNorm();
        optimizer.step(model.tensors(), model.gradientTensors());
        model.applyConstraints();
        return new TrainStepResult(loss, 0, s.batch, norm);
    }

    /**
     * Scores a regression batch in {@link Mode#INFERENCE} without touching parameters or gradients.
     *
     * @param batch   as for {@link #step}
     * @param targets {@code [B][K]}, finite
     * @return the mean squared error ({@code correct} is 0)
     * @throws IllegalArgumentException as {@link #stepRegression}
     */
    public EvalResult evaluateRegression(SequenceBatch batch, float[] targets) {
        Shape s = shapeFor(batch, null);
        Check.length("targets", targets, "B", s.batch, "K", model.classes());
        forwardAll(s, batch, Mode.INFERENCE);
        engine.denseForward(s.logits, s.ws[s.ws.length - 1].hT(), model.dense(), s.batch);
        return new EvalResult(engine.meanSquaredError(null, s.logits, targets, s.batch, model.classes()), 0, s.batch);
    }

    /**
     * The regression outputs of a batch in {@link Mode#INFERENCE}: the dense layer's values, no activation.
     *
     * @param batch  as for {@link #step}
     * @param values written, {@code [B][K]} with {@code K = model.classes()}
     * @throws IllegalArgumentException if an argument is null or misshapen
     */
    public void predictValues(SequenceBatch batch, float[] values) {
        Check.notNull("batch", batch);
        Check.length("values", values, "B", batch.batch(), "K", model.classes());
        Shape s = shapeFor(batch, null);
        forwardAll(s, batch, Mode.INFERENCE);
        engine.denseForward(values, s.ws[s.ws.length - 1].hT(), model.dense(), s.batch);
    }

    /** @return how many {@code (B, T)} shapes have cached buffers, at most {@value #MAX_SHAPES} (for tests) */
    int cachedShapes() {
        return shapes.size();
    }

    /** Drops the cached workspaces and scratch arrays (they are made again on the next call). */
    public void releaseWorkspaces() {
        shapes.clear();
        last = null;
    }

    private void forwardAll(Shape s, SequenceBatch batch, Mode mode) {
        List<PhasedLstmParams> layers = model.layers();
        engine.forward(s.ws[0], layers.get(0), batch, null, null, mode);
        for (int k = 1; k < layers.size(); k++) {
            engine.forward(s.ws[k], layers.get(k), s.upperInput(k, batch), null, null, mode);
        }
    }

    private static int countCorrect(float[] logits, int[] labels, int batch, int classes) {
        int correct = 0;
        for (int b = 0; b < batch; b++) {
            int off = b * classes;
            if (Softmax.argmax(logits, off, classes) == labels[b]) {
                correct++;
            }
        }
        return correct;
    }

    private Shape shapeFor(SequenceBatch batch, int[] labels) {
        Check.notNull("batch", batch);
        if (batch.inputSize() != model.inputSize()) {
            throw new IllegalArgumentException("batch: expected input size I=" + model.inputSize() + ", got "
                    + batch.inputSize());
        }
        if (labels != null) {
            Check.length("labels", labels, "B", batch.batch());
        }
        Shape s = last;
        if (s == null || s.batch != batch.batch() || s.steps != batch.steps()) {
            s = null;
            for (int n = 0; n < shapes.size(); n++) {
                Shape c = shapes.get(n);
                if (c.batch == batch.batch() && c.steps == batch.steps()) {
                    s = shapes.remove(n);
                    break;
                }
            }
            if (s == null) {
                if (shapes.size() >= MAX_SHAPES) {
                    shapes.remove(shapes.size() - 1); // least recently used
                }
                s = new Shape(batch.batch(), batch.steps());
            }
            shapes.add(0, s);
            last = s;
        }
        return s;
    }

    /** Workspaces and scratch for one {@code (B, T)}. */
    private final class Shape {
        final int batch;
        final int steps;
        final LayerWorkspace[] ws;
        final SequenceBatch[] upper; // upper[k]: input of layer k >= 1
        final float[] logits;
        final float[] probs;
        final float[] dLogits;
        final float[] dHT;
        final int[] zeroLabels;

        Shape(int batch, int steps) {
            this.batch = batch;
            this.steps = steps;
            List<PhasedLstmParams> layers = model.layers();
            ws = new LayerWorkspace[layers.size()];
            for (int k = 0; k < ws.length; k++) {
                ws[k] = engine.newWorkspace(layers.get(k).config(), batch, steps);
            }
            ws[0].setInputGradientsNeeded(false); // the first layer's input is data: nobody reads dL/dx
            ws[ws.length - 1].setHiddenSequenceNeeded(false); // the head reads only the last layer's h_T
            upper = new SequenceBatch[layers.size()];
            int c = model.classes();
            logits = new float[batch * c];
            probs = new float[batch * c];
            dLogits = new float[batch * c];
            dHT = new float[batch * model.dense().inputSize()];
            zeroLabels = new int[batch];
        }

        /**
         * The input of layer {@code k >= 1}: the hidden sequence of layer {@code k-1} with the batch's timestamps and
         * lengths. Cached while the caller passes the same time and lengths arrays (the usual case of reused batch
         * buffers), so steady state allocates nothing.
         */
        SequenceBatch upperInput(int k, SequenceBatch batch) {
            SequenceBatch u = upper[k];
            if (u == null || u.time() != batch.time() || u.lengths() != batch.lengths()) {
                LayerWorkspace below = ws[k - 1];
                u = new SequenceBatch(batch.batch(), batch.steps(), below.config().hiddenSize(), below.h(),
                        batch.time(), batch.lengths());
                upper[k] = u;
            }
            return u;
        }
    }
}
