package org.plstm.inference;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
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
import org.plstm.engine.LayerStream;
import org.plstm.io.Checkpoint;

/**
 * A trained Phased LSTM for inference: one or more stacked layers that all see the same timestamps (the layer
 * above receives the hidden sequence of the layer below and the same times), then an optional dense + softmax head.
 * Built in code ({@link #of}) or loaded from the trainer's {@code checkpoint.safetensors} ({@link #load}).
 *
 * <p>Immutable after construction (parameters are copied in) and safe to share across threads: batched predictions
 * may run concurrently, and any number of {@link StreamSession}s (one per stream and thread) may run on one model.
 *
 * <p>Memory: a thread's batched predictions on the dense path reuse one set of per-layer workspaces while the batch
 * shape repeats, kept per model and thread until the thread ends or the model is no longer reachable (a new shape
 * replaces them). A layer's workspace holds its states {@code 2·B·(T+1)·H} and hidden sequence {@code B·T·H}
 * floats (H rounded up to the vector width), no training caches.
 *
 * <p>Inference uses leak {@code alpha = 0} (paper): a unit whose time gate is closed keeps its state exactly, so its
 * work can be skipped. Streaming sessions do that ({@link InferencePath#EVENT_DRIVEN}) whenever every layer has its
 * time gate on. Batched predictions choose per call: see {@link #batchPath(SequenceBatch)}. Both paths take a
 * batch's timestamps in any order, as {@link SequenceBatch} does (each step's gate depends on its own time only);
 * only a {@link StreamSession} requires them not to go backwards.
 *
 * <p>Backend: the process's {@link Backend#get()} (the Vector API kernels when {@code jdk.incubator.vector} is
 * readable, else the scalar reference, unless the system property {@code plstm.backend} forces one); {@link #backend()}
 * says which. The choice is logged once per process, not per model. Batched predictions on the dense path run on the
 * backend's {@link Backend#sharedEngine() shared engine}. A system property with a value that cannot be used is an
 * {@link IllegalArgumentException} naming the property from the first call that reads it: {@code plstm.backend}
 * other than {@code simd}, {@code reference} or {@code auto} (building a model), {@code plstm.threads} not an
 * integer in {@code [1, 1024]} (the first dense prediction of the process).
 *
 * <p>Inputs are the raw model inputs: if the model was trained on standardised data (the MNIST trainer stores its
 * pixel mean and std in the checkpoint), standardise them the same way first. Arithmetic is float32: finite inputs
 * whose products with the weights overflow it (magnitudes near {@code 3e38}) give undefined results (NaN or ±Inf,
 * possibly different on the two paths), as in any float32 implementation, for that sample only: the other samples of
 * a batch are unaffected (on the dense path, a sample whose output overflows in a layer below the last gets NaN for
 * every value of its result); a stream session then keeps a non-finite state until {@link StreamSession#reset()}.
 */
public final class PhasedLstmModel {
    /**
     * Mean ratioOn at or below which batched predictions take the event-driven path. Measured on this project's
     * machine (docs/PERFORMANCE.md): with 5% open units, per-sample skipping beats the batched dense product by an
     * order of magnitude; the dense product wins once about a third of the units are open at a time.
     */
    public static final double EVENT_DRIVEN_MAX_MEAN_RATIO_ON = 0.25;

    private final List<PhasedLstmParams> layers;
    private final DenseParams head;
    private final Backend backend;
    private final LayerStream[] streams; // each layer packed for streaming by the backend
    private final double meanRatioOn;
    /** Closed gates keep each layer's configured leak (Keras' predict), not alpha = 0: dense batches only. */
    private final boolean leak;

    private PhasedLstmModel(List<PhasedLstmParams> layers, DenseParams head) {
        this(layers, head, false);
    }

    private PhasedLstmModel(List<PhasedLstmParams> layers, DenseParams head, boolean leak) {
        this.layers = layers;
        this.head = head;
        this.leak = leak;
        this.backend = Backend.get();
        this.streams = new LayerStream[layers.size()];
        double sum = 0;
        int n = 0;
        for (int k = 0; k < layers.size(); k++) {
            streams[k] = backend.newStream(layers.get(k));
            for (float r : layers.get(k).ratioOn()) {
                sum += r;
                n++;
            }
        }
        this.meanRatioOn = sum / n;
    }

    /**
     * A model from parameters (copied).
     *
     * @param layers stacked layers, bottom first; layer {@code k+1}'s input size must equal layer {@code k}'s hidden
     *               size
     * @param head   dense head {@code [H_last][C]} followed by softmax, or {@code null} for none
     * @return the model
     * @throws IllegalArgumentException if {@code layers} is null or empty, sizes do not chain, the head's input size
     *     differs from the last hidden size, or any parameter is invalid (NaN/Inf, period &lt;= 0, ratioOn outside
     *     {@code (0, 1]})
     * @throws IllegalStateException if the system property {@code plstm.backend} forces a backend this JVM cannot
     *     run ({@link Backend#get()}); an {@link IllegalArgumentException} if it has an unknown value
     */
    public static PhasedLstmModel of(List<PhasedLstmParams> layers, DenseParams head) {
        Check.notNull("layers", layers);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("layers: expected at least one layer, got none");
        }
        List<PhasedLstmParams> copies = new ArrayList<>();
        for (int k = 0; k < layers.size(); k++) {
            PhasedLstmParams p = Check.notNull("layers[" + k + "]", layers.get(k));
            if (k > 0 && p.config().inputSize() != layers.get(k - 1).config().hiddenSize()) {
                throw new IllegalArgumentException("layers[" + k + "]: expected inputSize "
                        + layers.get(k - 1).config().hiddenSize() + " (the hidden size of layer " + (k - 1)
                        + "), got " + p.config().inputSize());
            }
            p.validate("layers[" + k + "]");
            copies.add(p.copy());
        }
        DenseParams h = null;
        if (head != null) {
            int last = copies.get(copies.size() - 1).config().hiddenSize();
            if (head.inputSize() != last) {
                throw new IllegalArgumentException("head: expected inputSize " + last
                        + " (the last layer's hidden size), got " + head.inputSize());
            }
            head.validate("head");
            h = head.copy();
        }
        return new PhasedLstmModel(Collections.unmodifiableList(copies), h);
    }

    /**
     * Loads the weights and configuration of a checkpoint written by the trainer ({@code plstm-mnist train}) or by
     * {@link Checkpoint#save}; the optimiser state in it is ignored.
     *
     * @param checkpoint a {@code .safetensors} checkpoint
     * @return the model (with its dense head)
     * @throws IOException if the file cannot be read or is not a valid checkpoint (the message names the file and
     *     the problem)
     * @throws IllegalArgumentException if {@code checkpoint} is null
     * @throws IllegalStateException as {@link #of}, for the system property {@code plstm.backend}
     */
    public static PhasedLstmModel load(Path checkpoint) throws IOException {
        Check.notNull("checkpoint", checkpoint);
        Checkpoint.Loaded loaded = Checkpoint.load(checkpoint);
        return of(loaded.weights().layers(), loaded.weights().dense());
    }

    /**
     * This model with the leak kept at inference: a closed time gate lets {@code alpha = leak} of the update through
     * ({@link PhasedLstmConfig#leak()} of each layer, {@link Mode#LEAKY_INFERENCE}) instead of the paper's
     * {@code alpha = 0}. That is what the Keras {@code PhasedLSTM} layer computes in {@code predict} (it has no
     * inference mode); models imported from it use this to predict what Keras predicts. Such a model predicts
     * batches on the dense path only: skipping closed units needs {@code alpha = 0}, so {@link #newSession()} and a
     * forced {@link InferencePath#EVENT_DRIVEN} are refused.
     *
     * @return a model of the same parameters that keeps the leak (this one if it already does)
     */
    public PhasedLstmModel keepingLeak() {
        return leak ? this : new PhasedLstmModel(layers, head, true);
    }

    /** @return whether closed gates keep the configured leak at inference ({@link #keepingLeak()}) */
    public boolean keepsLeak() {
        return leak;
    }

    /** @return a copy of the dense head {@code [H_last][C]}, or {@code null} if the model has none */
    public DenseParams head() {
        return head == null ? null : head.copy();
    }

    /**
     * @return the layers as a table (type, input and output size, parameters, settings, total), like Keras'
     *     {@code summary()} ({@link org.plstm.ModelSummary})
     */
    public String summary() {
        return org.plstm.ModelSummary.table(layers, head);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("PhasedLstmModel[");
        for (PhasedLstmParams p : layers) {
            sb.append(p.config().timeGate() ? "PLSTM(" : "LSTM(").append(p.config().inputSize()).append("->")
                    .append(p.config().hiddenSize()).append(") ");
        }
        if (head != null) {
            sb.append("Dense(").append(head.inputSize()).append("->").append(head.outputSize()).append(") softmax ");
        }
        return sb.append(backend.name()).append(leak ? ", leak kept]" : "]").toString();
    }

    /** @return the number of stacked layers */
    public int depth() {
        return layers.size();
    }

    /** @return {@code I}, the input features per event */
    public int inputSize() {
        return layers.get(0).config().inputSize();
    }

    /** @return {@code H} of the last layer */
    public int hiddenSize() {
        return layers.get(layers.size() - 1).config().hiddenSize();
    }

    /** @return the hidden size of every layer, bottom first */
    public List<Integer> hiddenSizes() {
        List<Integer> out = new ArrayList<>();
        for (PhasedLstmParams p : layers) {
            out.add(p.config().hiddenSize());
        }
        return out;
    }

    /** @return the layer configurations, bottom first */
    public List<PhasedLstmConfig> configs() {
        List<PhasedLstmConfig> out = new ArrayList<>();
        for (PhasedLstmParams p : layers) {
            out.add(p.config());
        }
        return Collections.unmodifiableList(out);
    }

    /** @return true if the model ends in a dense + softmax head */
    public boolean hasHead() {
        return head != null;
    }

    /** @return {@code C}, the head's classes, or 0 without a head */
    public int classes() {
        return head == null ? 0 : head.outputSize();
    }

    /**
     * @param layer index, bottom first
     * @return a copy of that layer's parameters
     * @throws IllegalArgumentException if there is no such layer ({@code layer} outside {@code [0, depth())})
     */
    public PhasedLstmParams layer(int layer) {
        if (layer < 0 || layer >= layers.size()) {
            throw new IllegalArgumentException("layer: expected an index in [0, " + layers.size() + "), got " + layer);
        }
        return layers.get(layer).copy();
    }

    /** The head itself, not a copy, for this package's sessions. */
    DenseParams headView() {
        return head;
    }

    /** @return {@code "simd"} (Vector API kernels) or {@code "reference"} (scalar fallback): {@link Backend#name()} */
    public String backend() {
        return backend.name();
    }

    /** @return the path a new {@link StreamSession} takes: event-driven when every layer has its time gate on */
    public InferencePath streamingPath() {
        for (PhasedLstmParams p : layers) {
            if (!p.config().timeGate()) {
                return InferencePath.DENSE;
            }
        }
        return InferencePath.EVENT_DRIVEN;
    }

    /** @return a new session on {@link #streamingPath()}, in the zero state */
    public StreamSession newSession() {
        return newSession(streamingPath());
    }

    /**
     * @param path {@link InferencePath#DENSE} forces every unit to be computed (for comparisons);
     *             {@link InferencePath#EVENT_DRIVEN} skips closed units (layers without a time gate run dense)
     * @return a new session in the zero state
     * @throws IllegalArgumentException if {@code path} is null
     * @throws IllegalStateException if the model {@link #keepsLeak() keeps the leak} (sessions need alpha = 0)
     */
    public StreamSession newSession(InferencePath path) {
        Check.notNull("path", path);
        refuseStreamingWithLeak();
        return new StreamSession(this, streams, path == InferencePath.EVENT_DRIVEN);
    }

    /**
     * A session on {@link #streamingPath()} that starts from a given state (saved from a session of this model, or
     * built with {@link SessionState#of}).
     *
     * @param state the state to start from
     * @return a new session
     * @throws IllegalArgumentException if {@code state} is null or its layer sizes differ from this model's
     */
    public StreamSession newSession(SessionState state) {
        StreamSession s = newSession(streamingPath());
        s.restoreState(state);
        return s;
    }

    /**
     * A batch of {@code capacity} stream slots on {@link #streamingPath()}, each in the zero state: many streams
     * advanced together, one event each per step, with the results of one {@link StreamSession} per stream (see
     * {@link SessionBatch}).
     *
     * @param capacity the most streams one step advances, {@code >= 1}; memory is about
     *     {@code capacity · Σ_k (7·H_k + I_k)} floats
     * @return a new batch
     * @throws IllegalArgumentException if {@code capacity < 1} or the batch's arrays would exceed the JVM's array
     *     size ({@code capacity · (I + H + 64)} beyond 2^31 - 1 for some layer)
     * @throws IllegalStateException if the model {@link #keepsLeak() keeps the leak} (streams need alpha = 0)
     */
    public SessionBatch newSessionBatch(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: expected >= 1, got " + capacity);
        }
        for (PhasedLstmParams p : layers) {
            long width = p.config().inputSize() + p.config().hiddenSize() + 64L;
            if ((long) capacity * width > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("capacity: expected at most " + Integer.MAX_VALUE / width
                        + " streams for a layer of I + H = " + (width - 64) + " (Java's array size), got " + capacity);
            }
        }
        refuseStreamingWithLeak();
        return new SessionBatch(this, streams, streamingPath() == InferencePath.EVENT_DRIVEN, capacity);
    }

    /**
     * The path a batched prediction of {@code input} takes when none is forced: {@link InferencePath#EVENT_DRIVEN}
     * (each sample streamed through the skipping kernel, samples split over the available processors) when every
     * layer has its time gate on and the mean ratioOn is at most {@value #EVENT_DRIVEN_MAX_MEAN_RATIO_ON}, else
     * {@link InferencePath#DENSE} (the engine's blocked batch product). Per-sample open sets rather than their union:
     * with irregular per-sample timestamps the union of B samples' open units is most of the layer.
     *
     * @param input the batch (only its presence is checked)
     * @return the path
     */
    public InferencePath batchPath(SequenceBatch input) {
        Check.notNull("input", input);
        return !leak && streamingPath() == InferencePath.EVENT_DRIVEN && meanRatioOn <= EVENT_DRIVEN_MAX_MEAN_RATIO_ON
                ? InferencePath.EVENT_DRIVEN : InferencePath.DENSE;
    }

    /**
     * The last layer's final hidden state of every sample (after its last valid step).
     *
     * @param input {@code x [B][T][I]}, {@code time [B][T]}, optional lengths
     * @return {@code [B][H]}
     * @throws IllegalArgumentException if {@code input} is null, its input size is not {@link #inputSize()}, or
     *     the result ({@code B·H} floats; on the dense path also the engine's buffers, up to {@code B·T·4H} with
     *     {@code H} padded to whole vectors) would exceed the JVM's array size
     */
    public float[] predictLastHidden(SequenceBatch input) {
        return predictLastHidden(input, batchPath(input));
    }

    /**
     * As {@link #predictLastHidden(SequenceBatch)} on a forced path.
     *
     * @param input the batch
     * @param path  the path
     * @return {@code [B][H]}
     * @throws IllegalArgumentException on a null argument, a wrong input size, or a result too large for an array
     */
    public float[] predictLastHidden(SequenceBatch input, InferencePath path) {
        checkInput(input);
        Check.notNull("path", path);
        if (path == InferencePath.DENSE) {
            Run r = dense(input);
            return r.poison(r.ws.hT().clone(), hiddenSize());
        }
        refuseStreamingWithLeak();
        float[] out = new float[Check.elements("hT", input.batch(), hiddenSize(), 1)];
        streamSamples(input, out);
        return out;
    }

    /**
     * The last layer's hidden sequence; steps past a sample's length repeat its last state.
     *
     * @param input the batch
     * @return {@code [B][T][H]}
     * @throws IllegalArgumentException on a null input, a wrong input size, or buffers too large for an array (as
     *     {@link #predictLastHidden(SequenceBatch)} on the dense path)
     */
    public float[] predictHiddenSequence(SequenceBatch input) {
        checkInput(input);
        Run r = dense(input);
        return r.poison(r.ws.h().clone(), input.steps() * hiddenSize());
    }

    /**
     * Class probabilities of every sample from its final state.
     *
     * @param input the batch
     * @return {@code [B][C]}
     * @throws IllegalArgumentException on a null input, a wrong input size, or a result ({@code B·C}, or the final
     *     states, {@code B·H}) too large for an array
     * @throws IllegalStateException if the model has no head
     */
    public float[] predictProbabilities(SequenceBatch input) {
        return predictProbabilities(input, batchPath(input));
    }

    /**
     * As {@link #predictProbabilities(SequenceBatch)} on a forced path.
     *
     * @param input the batch
     * @param path  the path
     * @return {@code [B][C]}
     * @throws IllegalArgumentException on a null argument, a wrong input size, or a result too large for an array
     * @throws IllegalStateException if the model has no head
     */
    public float[] predictProbabilities(SequenceBatch input, InferencePath path) {
        if (head == null) {
            throw new IllegalStateException("the model has no dense head; use predictLastHidden");
        }
        checkInput(input);
        int c = head.outputSize();
        float[] probs = new float[Check.elements("probabilities", input.batch(), c, 1)];
        float[] hT = predictLastHidden(input, path);
        float[] logits = new float[c];
        for (int b = 0; b < input.batch(); b++) {
            softmaxHead(head, hT, b * hiddenSize(), logits, probs, b * c);
        }
        return probs;
    }

    /**
     * The most probable class of every sample.
     *
     * @param input the batch
     * @return {@code [B]} class indices
     * @throws IllegalArgumentException on a null input, a wrong input size, or a result too large for an array (as
     *     {@link #predictProbabilities(SequenceBatch)})
     * @throws IllegalStateException if the model has no head
     */
    public int[] predictClasses(SequenceBatch input) {
        float[] p = predictProbabilities(input);
        int c = classes();
        int[] out = new int[input.batch()];
        for (int b = 0; b < out.length; b++) {
            out[b] = Softmax.argmax(p, b * c, c);
        }
        return out;
    }

    private void checkInput(SequenceBatch input) {
        Check.notNull("input", input);
        if (input.inputSize() != inputSize()) {
            throw new IllegalArgumentException("input: expected inputSize " + inputSize() + ", got "
                    + input.inputSize());
        }
        input.validate(); // its arrays are not copied: they may have changed since the batch was built
    }

    /**
     * The last layer's workspace, and the samples whose output overflowed float32 in a layer below the last (null if
     * none): their results are undefined, and are given as NaN.
     */
    private record Run(LayerWorkspace ws, boolean[] overflowed) {
        /** {@code out[b·width ..+width)} = NaN for every overflowed sample {@code b}. */
        float[] poison(float[] out, int width) {
            if (overflowed != null) {
                for (int b = 0; b < overflowed.length; b++) {
                    if (overflowed[b]) {
                        java.util.Arrays.fill(out, b * width, (b + 1) * width, Float.NaN);
                    }
                }
            }
            return out;
        }
    }

    /** The workspaces of the last batch shape a thread predicted, reused while the shape repeats. */
    private static final class Workspaces {
        int batch;
        int steps;
        LayerWorkspace[] ws;
    }

    private final ThreadLocal<Workspaces> workspaces = ThreadLocal.withInitial(Workspaces::new);

    /** Every layer through the engine in inference mode; returns the last layer's workspace. */
    private Run dense(SequenceBatch input) {
        Engine e = engine();
        Workspaces cache = workspaces.get();
        if (cache.ws == null || cache.batch != input.batch() || cache.steps != input.steps()) {
            cache.ws = new LayerWorkspace[layers.size()];
            for (int k = 0; k < layers.size(); k++) {
                cache.ws[k] = e.newWorkspace(layers.get(k).config(), input.batch(), input.steps());
            }
            cache.batch = input.batch();
            cache.steps = input.steps();
        }
        SequenceBatch in = input;
        LayerWorkspace ws = null;
        boolean[] overflowed = null;
        for (int k = 0; k < layers.size(); k++) {
            PhasedLstmParams p = layers.get(k);
            ws = cache.ws[k];
            e.forward(ws, p, in, null, null, leak ? Mode.LEAKY_INFERENCE : Mode.INFERENCE);
            if (k + 1 < layers.size()) {
                int hs = p.config().hiddenSize();
                float[] h = ws.h();
                boolean[] now = overflowedSamples(h, input.batch(), input.steps() * hs);
                if (now != null) { // the engine refuses NaN input: those samples continue from zeros, flagged
                    h = h.clone();
                    for (int b = 0; b < now.length; b++) {
                        if (now[b]) {
                            java.util.Arrays.fill(h, b * input.steps() * hs, (b + 1) * input.steps() * hs, 0f);
                            overflowed = overflowed == null ? now : overflowed;
                            overflowed[b] = true;
                        }
                    }
                }
                in = new SequenceBatch(input.batch(), input.steps(), hs, h, input.time(), input.lengths());
            }
        }
        return new Run(ws, overflowed);
    }

    /**
     * The samples whose rows ({@code row} floats each) of {@code h} hold a NaN or an infinity, or null if none do
     * (one pass over {@code h}; nothing allocated then).
     */
    private static boolean[] overflowedSamples(float[] h, int batch, int row) {
        boolean[] out = null;
        for (int b = 0; b < batch; b++) {
            for (int n = b * row; n < (b + 1) * row; n++) {
                if (!Float.isFinite(h[n])) {
                    out = out == null ? new boolean[batch] : out;
                    out[b] = true;
                    break;
                }
            }
        }
        return out;
    }

    private void refuseStreamingWithLeak() {
        if (leak) {
            throw new IllegalStateException("this model keeps the leak of closed time gates (keepingLeak(), as Keras' "
                    + "predict); the event-driven path and stream sessions need alpha = 0: predict batches on the "
                    + "dense path, or use the model without keepingLeak()");
        }
    }

    private Engine engine() {
        return backend.sharedEngine();
    }

    /** Streams every sample through an event-driven session (samples split over the common pool); writes h_T. */
    private void streamSamples(SequenceBatch input, float[] out) {
        int batch = input.batch();
        int steps = input.steps();
        int in = input.inputSize();
        int hs = hiddenSize();
        int workers = Math.min(batch, ForkJoinPool.getCommonPoolParallelism() + 1);
        IntStream.range(0, workers).parallel().forEach(w -> {
            StreamSession s = newSession(InferencePath.EVENT_DRIVEN);
            int b0 = (int) ((long) batch * w / workers);
            int b1 = (int) ((long) batch * (w + 1) / workers);
            float[] x = input.x();
            double[] time = input.time();
            for (int b = b0; b < b1; b++) {
                s.reset();
                int len = input.length(b);
                for (int t = 0; t < len; t++) {
                    s.advance(x, (b * steps + t) * in, time[b * steps + t]);
                }
                System.arraycopy(s.hiddenView(), 0, out, b * hs, hs);
            }
        });
    }

    /** {@code probs[pOff..] = softmax(h[hOff..] · kernel + bias)}: the head's logits, then {@link Softmax}. */
    static void softmaxHead(DenseParams d, float[] h, int hOff, float[] logits, float[] probs, int pOff) {
        int hs = d.inputSize();
        int c = d.outputSize();
        float[] k = d.kernel();
        for (int q = 0; q < c; q++) {
            logits[q] = d.bias()[q];
        }
        for (int j = 0; j < hs; j++) {
            float v = h[hOff + j];
            for (int q = 0; q < c; q++) {
                logits[q] += v * k[j * c + q];
            }
        }
        if (pOff == 0 && probs.length == c) {
            Softmax.crossEntropy(probs, null, logits, null, 1, c);
        } else {
            Softmax.crossEntropy(logits, null, logits, null, 1, c);
            System.arraycopy(logits, 0, probs, pOff, c);
        }
    }
}
