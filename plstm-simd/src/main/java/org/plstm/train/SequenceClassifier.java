package org.plstm.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.plstm.Check;
import org.plstm.DenseParams;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.Tensor;
import org.plstm.TimeGateInit;
import org.plstm.io.ModelWeights;

/**
 * A sequence classifier: {@code N >= 1} stacked Phased LSTM layers, a dense layer on the last layer's final hidden
 * state, and a softmax over {@code C} classes. Mutable, for training: it holds the parameters and, beside them, a
 * gradient buffer of the same shapes.
 *
 * <p>Shapes: layer 0 maps {@code x [B][T][I]} to {@code h [B][T][H_0]}; layer {@code k >= 1} has input size
 * {@code H_(k-1)} and reads the previous layer's whole hidden sequence; all layers see the same timestamps
 * {@code time [B][T]} and lengths. The dense layer maps {@code hT [B][H_last]} to logits {@code [B][C]}
 * ({@code kernel [H_last][C]}, {@code bias [C]}). All tensors are float32, row-major, Keras layout (see
 * {@link PhasedLstmParams}).
 *
 * <p>Tensor names used by {@link #tensors()}, {@link #gradientTensors()} and checkpoints (Keras-like):
 * {@code layers.<k>.kernel}, {@code layers.<k>.recurrent_kernel}, {@code layers.<k>.bias},
 * {@code layers.<k>.peephole}, {@code layers.<k>.period}, {@code layers.<k>.shift}, {@code layers.<k>.ratio_on},
 * {@code dense.kernel}, {@code dense.bias}.
 *
 * <p>Not thread-safe.
 */
public final class SequenceClassifier {
    private final List<PhasedLstmParams> layers;
    private final List<PhasedLstmParams> layerGradients;
    private final DenseParams dense;
    private final DenseParams denseGradients;
    private final List<Tensor> trainable;
    private final List<Tensor> trainableGradients;

    /**
     * Wraps existing parameters (not copied: the classifier takes them over) and allocates zero gradient buffers.
     *
     * @param layers the layers, bottom first; {@code layers.get(k).config().inputSize()} must equal
     *               {@code layers.get(k-1).config().hiddenSize()} for {@code k >= 1}; each a distinct object
     * @param dense  the output layer; {@code dense.inputSize()} must equal the last layer's hidden size
     * @throws IllegalArgumentException if an argument is null or empty, the sizes do not chain, or one parameter
     *     object is at two depths
     */
    public SequenceClassifier(List<PhasedLstmParams> layers, DenseParams dense) {
        Check.notNull("layers", layers);
        Check.notNull("dense", dense);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("layers: expected at least 1 layer, got 0");
        }
        List<PhasedLstmConfig> configs = new ArrayList<>();
        for (int k = 0; k < layers.size(); k++) {
            configs.add(Check.notNull("layers[" + k + "]", layers.get(k)).config());
            for (int j = 0; j < k; j++) {
                if (layers.get(j) == layers.get(k)) { // the optimiser would update it twice, with separate gradients
                    throw new IllegalArgumentException("layers[" + k + "]: expected parameters of their own, got the "
                            + "object of layers[" + j + "] again");
                }
            }
        }
        checkChain(configs);
        int last = configs.get(configs.size() - 1).hiddenSize();
        if (dense.inputSize() != last) {
            throw new IllegalArgumentException("dense: expected input size H_last=" + last + ", got "
                    + dense.inputSize());
        }
        this.layers = List.copyOf(layers);
        List<PhasedLstmParams> grads = new ArrayList<>();
        for (PhasedLstmConfig c : configs) {
            grads.add(new PhasedLstmParams(c));
        }
        this.layerGradients = List.copyOf(grads);
        this.dense = dense;
        this.denseGradients = new DenseParams(dense.inputSize(), dense.outputSize());
        // Names and order of the trainable tensors: the checkpoint's (ModelWeights); gradients mirror them.
        this.trainable = Collections.unmodifiableList(new ModelWeights(this.layers, dense).trainableTensors());
        this.trainableGradients = Collections.unmodifiableList(
                new ModelWeights(this.layerGradients, denseGradients).trainableTensors());
    }

    /**
     * The weights, for a checkpoint ({@code org.plstm.io.Checkpoint}): views of this classifier's parameters.
     *
     * @return the weights
     */
    public ModelWeights weights() {
        return new ModelWeights(layers, dense);
    }

    /**
     * A classifier on loaded weights (taken over, not copied), with zero gradients.
     *
     * @param weights the weights, e.g. {@code Checkpoint.load(file).weights()}
     * @return the classifier
     * @throws IllegalArgumentException if {@code weights} is null
     */
    public static SequenceClassifier of(ModelWeights weights) {
        Check.notNull("weights", weights);
        return new SequenceClassifier(weights.layers(), weights.dense());
    }

    /**
     * Initialises a classifier as Keras would ({@link PhasedLstmParams#initialize}, {@link DenseParams#initialize}).
     * Each layer and the dense layer get their own seed, drawn in order (layers bottom first, then dense) from a
     * {@link SplittableRandom} seeded with {@code seed}; so the same arguments give the same weights, and a plain
     * LSTM stack (time gate off) gets the same kernels as the Phased LSTM stack of the same seed.
     *
     * @param configs      the layer configurations, bottom first, chained as in the constructor
     * @param classes      {@code C >= 1}
     * @param timeGateInit how to draw {@code period, shift, ratioOn}
     * @param seed         the seed
     * @return a new classifier
     * @throws IllegalArgumentException if an argument is null or empty, the sizes do not chain or {@code C < 1}
     */
    public static SequenceClassifier initialize(List<PhasedLstmConfig> configs, int classes, TimeGateInit timeGateInit,
                                                long seed) {
        Check.notNull("configs", configs);
        Check.notNull("timeGateInit", timeGateInit);
        Check.atLeast("classes", classes, 1);
        if (configs.isEmpty()) {
            throw new IllegalArgumentException("configs: expected at least 1 layer, got 0");
        }
        for (int k = 0; k < configs.size(); k++) {
            Check.notNull("configs[" + k + "]", configs.get(k));
        }
        checkChain(configs);
        SplittableRandom seeds = new SplittableRandom(seed);
        List<PhasedLstmParams> layers = new ArrayList<>();
        for (PhasedLstmConfig c : configs) {
            layers.add(PhasedLstmParams.initialize(c, timeGateInit, seeds.nextLong()));
        }
        int last = configs.get(configs.size() - 1).hiddenSize();
        return new SequenceClassifier(layers, DenseParams.initialize(last, classes, seeds.nextLong()));
    }

    /**
     * The configurations of a stack of {@code depth} equal layers: layer 0 is {@code first}; every layer above has
     * input size and hidden size {@code first.hiddenSize()} and otherwise the same settings.
     *
     * @param first the bottom layer's configuration
     * @param depth {@code N >= 1}
     * @return {@code N} configurations, bottom first
     * @throws IllegalArgumentException if {@code first} is null or {@code depth < 1}
     */
    public static List<PhasedLstmConfig> stack(PhasedLstmConfig first, int depth) {
        Check.notNull("first", first);
        Check.atLeast("depth", depth, 1);
        List<PhasedLstmConfig> list = new ArrayList<>();
        list.add(first);
        for (int k = 1; k < depth; k++) {
            list.add(new PhasedLstmConfig(first.hiddenSize(), first.hiddenSize(), first.peepholes(),
                    first.gateActivation(), first.timeGate(), first.leak(), first.trainPeriod(), first.trainShift(),
                    first.trainRatioOn()));
        }
        return List.copyOf(list);
    }

    private static void checkChain(List<PhasedLstmConfig> configs) {
        for (int k = 1; k < configs.size(); k++) {
            int below = configs.get(k - 1).hiddenSize();
            if (configs.get(k).inputSize() != below) {
                throw new IllegalArgumentException("layers[" + k + "]: expected input size H_" + (k - 1) + "=" + below
                        + ", got " + configs.get(k).inputSize());
            }
        }
    }

    /** @return the Phased LSTM layers, bottom first (unmodifiable list of live parameters) */
    public List<PhasedLstmParams> layers() {
        return layers;
    }

    /** @return the gradient buffers of the layers, same order and configurations (live) */
    public List<PhasedLstmParams> layerGradients() {
        return layerGradients;
    }

    /** @return the output layer's parameters {@code kernel [H_last][C]}, {@code bias [C]} (live) */
    public DenseParams dense() {
        return dense;
    }

    /** @return the output layer's gradient buffer (live) */
    public DenseParams denseGradients() {
        return denseGradients;
    }

    /** @return {@code N}, the number of Phased LSTM layers */
    public int depth() {
        return layers.size();
    }

    /** @return {@code I}, the input features per step of layer 0 */
    public int inputSize() {
        return layers.get(0).config().inputSize();
    }

    /** @return {@code C}, the number of classes */
    public int classes() {
        return dense.outputSize();
    }

    /** @return the layer configurations, bottom first */
    public List<PhasedLstmConfig> configs() {
        List<PhasedLstmConfig> list = new ArrayList<>();
        for (PhasedLstmParams p : layers) {
            list.add(p.config());
        }
        return List.copyOf(list);
    }

    /**
     * The tensors an optimiser updates, as live views with qualified names (see the class comment): for each layer
     * bottom first its trainable tensors ({@link PhasedLstmParams#isTrainable}; the time-gate tensors only when the
     * time gate is on and they are trainable), then {@code dense.kernel}, {@code dense.bias}. The list is built once
     * and is the same object on every call.
     *
     * @return an unmodifiable list
     */
    public List<Tensor> tensors() {
        return trainable;
    }

    /**
     * The gradient buffers matching {@link #tensors()} one to one (same names, shapes, order).
     *
     * @return an unmodifiable list, the same object on every call
     */
    public List<Tensor> gradientTensors() {
        return trainableGradients;
    }

    /** Sets every gradient buffer to zero. */
    public void zeroGradients() {
        for (PhasedLstmParams g : layerGradients) {
            g.zero();
        }
        denseGradients.zero();
    }

    /** Applies {@link PhasedLstmParams#applyConstraints()} to every layer (call after each optimiser step). */
    public void applyConstraints() {
        for (PhasedLstmParams p : layers) {
            p.applyConstraints();
        }
    }

    /** @return the number of scalar parameters (all layer tensors, trainable or not, and the dense layer) */
    public long parameterCount() {
        long n = (long) dense.kernel().length + dense.bias().length;
        for (PhasedLstmParams p : layers) {
            for (Tensor t : p.tensors()) {
                n += t.data().length;
            }
        }
        return n;
    }

    /** @return a deep copy of the parameters, with fresh zero gradients */
    public SequenceClassifier copy() {
        List<PhasedLstmParams> c = new ArrayList<>();
        for (PhasedLstmParams p : layers) {
            c.add(p.copy());
        }
        return new SequenceClassifier(c, dense.copy());
    }

    /**
     * @return the layers as a table (type, input and output size, parameters, settings, total), like Keras'
     *     {@code summary()} ({@link org.plstm.ModelSummary})
     */
    public String summary() {
        return org.plstm.ModelSummary.table(layers, dense);
    }

    /** @return {@link #describe describe(Task.CLASSIFICATION)} */
    @Override
    public String toString() {
        return describe(Task.CLASSIFICATION);
    }

    /**
     * A one-line description, e.g. {@code SequenceClassifier[PLSTM(1->32) Dense(32->10) softmax]}.
     *
     * @param task what the model is trained for: the head's output is a softmax for {@link Task#CLASSIFICATION}
     *             and the dense layer's value itself for {@link Task#REGRESSION} ({@link ClassifierTrainer#stepRegression})
     * @return the layers and the head
     * @throws IllegalArgumentException if {@code task} is null
     */
    public String describe(Task task) {
        Check.notNull("task", task);
        StringBuilder sb = new StringBuilder("SequenceClassifier[");
        for (PhasedLstmParams p : layers) {
            PhasedLstmConfig c = p.config();
            sb.append(c.timeGate() ? "PLSTM(" : "LSTM(").append(c.inputSize()).append("->").append(c.hiddenSize())
                    .append(") ");
        }
        return sb.append("Dense(").append(dense.inputSize()).append("->").append(dense.outputSize())
                .append(task == Task.REGRESSION ? ") linear]" : ") softmax]").toString();
    }
}
