package org.plstm.optim;

import java.util.ArrayList;
import java.util.List;
import org.plstm.Check;
import org.plstm.Tensor;
import org.plstm.io.OptimizerState;

/**
 * A first-order optimiser updating float32 parameters in place from their gradients, with Keras' defaults and
 * update rules. The parameter list is fixed on the first {@link #step}: every later call must pass tensors of the
 * same count and shapes, in the same order (the optimiser keeps per-tensor state by position). Steady-state steps
 * allocate nothing. Not thread-safe.
 *
 * <p>A step is all or nothing: it refuses non-finite gradients before any change, and when its arithmetic
 * overflows (a parameter or a state value becomes NaN or infinite, e.g. a learning rate too large for the
 * gradients) it puts the parameters, the state and the step count back as they were and throws
 * {@link NonFiniteUpdateException}. For that it keeps a copy of the parameters and the state, taken at the start of
 * each step (twice the memory of parameters and state; copying is a small part of a training step).
 */
public abstract class Optimizer {
    private double learningRate;
    /** The largest step count a restored state may hold: beyond it the step count is not exact as a double. */
    static final long MAX_ITERATIONS = 1L << 53;

    private double weightDecay;
    private long iterations;
    private List<float[]> slots;
    private int[] sizes;
    /** The shapes of the parameters of the first step (or of {@link #restore(long, List, List)}). */
    private int[][] shapes;
    /** The parameters' arrays of the first step (or {@link #restore}): the tensors the state belongs to. */
    private float[][] bound;
    /** The parameters and the slots as they were before the current step (allocated on the first step). */
    private float[][] backup;

    /**
     * @param learningRate the step size, in {@code [Float.MIN_VALUE, Float.MAX_VALUE]} (the updates are float
     *                     arithmetic: a smaller rate would be 0)
     * @throws IllegalArgumentException if it is not
     */
    protected Optimizer(double learningRate) {
        this.learningRate = checkLearningRate(learningRate, 0);
    }

    /** The learning rates an optimiser takes, for messages: float's positive range. */
    public static final String LEARNING_RATES = "[" + Float.MIN_VALUE + ", " + Float.MAX_VALUE
            + "] (float's positive range)";

    /**
     * @param rate a learning rate
     * @return whether an optimiser takes it: {@code > 0} as a float (the updates are float arithmetic, and a rate
     *     below {@link Float#MIN_VALUE} would round to 0) and at most {@link Float#MAX_VALUE}; false for NaN
     */
    public static boolean validLearningRate(double rate) {
        return (float) rate > 0 && rate <= Float.MAX_VALUE;
    }

    private static double checkLearningRate(double rate, double weightDecay) {
        if (!validLearningRate(rate)) {
            throw new IllegalArgumentException("learningRate: expected a value in " + LEARNING_RATES + ", got "
                    + rate);
        }
        checkShrink(rate, weightDecay);
        return rate;
    }

    /**
     * Decoupled weight decay multiplies a weight by {@code 1 − lr·wd}, with {@code lr·wd} rounded to float as
     * {@link #step} applies it: at 1 or more it zeroes or flips the weight.
     */
    private static void checkShrink(double rate, double weightDecay) {
        if (!((float) (rate * weightDecay) < 1f)) {
            throw new IllegalArgumentException("weightDecay: expected learningRate · weightDecay < 1 (each step "
                    + "multiplies a weight matrix by 1 − learningRate · weightDecay), got " + rate + " · "
                    + weightDecay + " = " + rate * weightDecay);
        }
    }

    /**
     * @param name the argument's name
     * @param eps  a stability term added to a root, as given
     * @return {@code eps} as a float
     * @throws IllegalArgumentException unless {@code eps > 0} as a float and finite, i.e. in
     *     {@code [Float.MIN_NORMAL, Float.MAX_VALUE]} (a smaller one rounds to 0 or loses precision, and a zero
     *     gradient with a zero root then gives {@code 0/0})
     */
    static float checkEps(String name, double eps) {
        if (!(eps >= Float.MIN_NORMAL && eps <= Float.MAX_VALUE)) {
            throw new IllegalArgumentException(name + ": expected a value in [" + Float.MIN_NORMAL + ", "
                    + Float.MAX_VALUE + "] (> 0, in float's normal range), got " + eps);
        }
        return (float) eps;
    }

    /** @return the learning rate */
    public double learningRate() {
        return learningRate;
    }

    /**
     * Changes the learning rate for the following steps (a schedule; Keras {@code optimizer.learning_rate.assign});
     * the optimiser's state is kept.
     *
     * @param rate the new step size, in {@code [Float.MIN_VALUE, Float.MAX_VALUE]}
     * @throws IllegalArgumentException if it is not, or if {@code rate · weightDecay() >= 1}
     */
    public void setLearningRate(double rate) {
        this.learningRate = checkLearningRate(rate, weightDecay);
    }

    /** @return the decoupled weight decay, 0 (the default) if off; see {@link #setWeightDecay} */
    public double weightDecay() {
        return weightDecay;
    }

    /**
     * Sets the decoupled weight decay (Loshchilov &amp; Hutter, "Decoupled Weight Decay Regularization", ICLR 2019;
     * Keras 3's {@code weight_decay} argument of every optimiser, AdamW's default 0.004): before each update, every
     * weight matrix shrinks by {@code p −= learningRate · weightDecay · p}. Weight matrices are the tensors whose
     * name is, or ends in {@code .}, {@code kernel}, {@code recurrent_kernel} or {@code recurrentKernel} (the
     * layers' and the dense head's); biases, peepholes and the time gate's {@code period}, {@code shift} and
     * {@code ratio_on} are never decayed (a decayed period would drift towards 0). Not saved in
     * {@link #checkpointState()}: set it again after {@link #restore(OptimizerState, List)}.
     *
     * @param weightDecay the rate, {@code >= 0} and finite; 0 turns it off
     * @throws IllegalArgumentException if it is negative, NaN or infinite, or if
     *     {@code learningRate() · weightDecay >= 1} (a step would zero or flip the weights' signs)
     */
    public void setWeightDecay(double weightDecay) {
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weightDecay: expected a finite value >= 0, got " + weightDecay);
        }
        checkShrink(learningRate, weightDecay);
        this.weightDecay = weightDecay;
    }

    /**
     * @param name a parameter tensor's name, or null (a {@link Tensor} may have none)
     * @return whether {@link #setWeightDecay weight decay} applies to it (a weight matrix); false for null
     */
    public static boolean decays(String name) {
        if (name == null) {
            return false;
        }
        String n = name.substring(name.lastIndexOf('.') + 1);
        return n.equals("kernel") || n.equals("recurrent_kernel") || n.equals("recurrentKernel");
    }

    /** @return the number of steps taken (Keras {@code iterations}) */
    public long iterations() {
        return iterations;
    }

    /** @return the optimiser's name, e.g. {@code rmsprop} */
    public abstract String name();

    /** @return how many state arrays the optimiser keeps per parameter tensor (0 for plain SGD) */
    protected abstract int slotsPerTensor();

    /**
     * One update of every parameter from its gradient (after the {@link #setWeightDecay weight decay} of the
     * weight matrices, if set).
     *
     * @param params parameters, updated in place; the same tensors, in the same order, as on the first step (or
     *               the {@link #restore}): an optimiser's state belongs to one model (as in Keras, whose optimiser
     *               refuses variables it was not built with)
     * @param grads  gradients, as many elements as their parameters, finite, not modified
     * @throws IllegalArgumentException if a list or an element is null, the lists differ in size, a parameter's
     *     shape differs from the first step's, a gradient's size from its parameter's, or a gradient is NaN or
     *     infinite, or a parameter is another tensor than the first step's (e.g. another model's of the same shape);
     *     nothing is changed (a refused first step does not fix the parameter list either)
     * @throws NonFiniteUpdateException if the update made a parameter or a state value NaN or infinite: the
     *     parameters, the state and {@link #iterations()} are as they were before the call (as they are after any
     *     other exception during the update)
     * @throws IllegalStateException if {@link #iterations()} has reached 2^53 (a checkpoint could not restore it)
     */
    public final void step(List<Tensor> params, List<Tensor> grads) {
        validate(params, grads);
        if (iterations >= MAX_ITERATIONS) {
            throw new IllegalStateException("iterations: expected fewer than 2^53 steps (the largest count a "
                    + "checkpoint restores exactly), got " + iterations);
        }
        if (sizes == null) {
            sizes = new int[params.size()];
            shapes = new int[params.size()][];
            slots = new ArrayList<>();
            bound = new float[params.size()][];
            for (int n = 0; n < params.size(); n++) {
                sizes[n] = params.get(n).data().length;
                shapes[n] = params.get(n).shape().clone();
                bound[n] = params.get(n).data();
                for (int s = 0; s < slotsPerTensor(); s++) {
                    slots.add(new float[sizes[n]]);
                }
            }
        }
        if (backup == null) {
            backup = new float[sizes.length + slots.size()][];
            for (int n = 0; n < sizes.length; n++) {
                backup[n] = new float[sizes[n]];
            }
            for (int k = 0; k < slots.size(); k++) {
                backup[sizes.length + k] = new float[slots.get(k).length];
            }
        }
        for (int n = 0; n < sizes.length; n++) {
            System.arraycopy(params.get(n).data(), 0, backup[n], 0, sizes[n]);
        }
        for (int k = 0; k < slots.size(); k++) {
            System.arraycopy(slots.get(k), 0, backup[sizes.length + k], 0, slots.get(k).length);
        }
        String overflow;
        try {
            iterations++;
            float shrink = (float) (learningRate * weightDecay);
            for (int n = 0; n < sizes.length; n++) {
                float[] p = params.get(n).data();
                if (shrink > 0 && decays(params.get(n).name())) {
                    for (int e = 0; e < p.length; e++) {
                        p[e] -= p[e] * shrink;
                    }
                }
                update(n, p, grads.get(n).data(), iterations);
            }
            overflow = overflow(params);
        } catch (RuntimeException | Error e) {
            rollBack(params);
            throw e;
        }
        if (overflow != null) {
            rollBack(params);
            throw new NonFiniteUpdateException(overflow + "; the step was not applied (learning rate "
                    + learningRate + ", weight decay " + weightDecay + ")");
        }
    }

    /**
     * Everything {@link #step} checks before it changes anything (the parameter list of the first step included, so
     * a refused first step fixes nothing). Messages are built only on failure: a step allocates nothing.
     */
    private void validate(List<Tensor> params, List<Tensor> grads) {
        Check.notNull("params", params);
        Check.notNull("grads", grads);
        if (params.size() != grads.size()) {
            throw new IllegalArgumentException("grads: expected " + params.size() + " tensors, got " + grads.size());
        }
        if (sizes != null && params.size() != sizes.length) {
            throw new IllegalArgumentException("params: expected the " + sizes.length
                    + " tensors of the first step, got " + params.size());
        }
        for (int n = 0; n < params.size(); n++) {
            Tensor p = params.get(n);
            Tensor g = grads.get(n);
            if (p == null || g == null) {
                throw new IllegalArgumentException((p == null ? "params[" : "grads[") + n + "]: expected a tensor, "
                        + "got null");
            }
            if (sizes != null && !java.util.Arrays.equals(p.shape(), shapes[n])) {
                throw new IllegalArgumentException("params[" + n + "] (" + p.name() + "): expected the shape "
                        + java.util.Arrays.toString(shapes[n]) + " of the first step, got "
                        + java.util.Arrays.toString(p.shape()));
            }
            if (bound != null && p.data() != bound[n]) {
                throw new IllegalArgumentException("params[" + n + "] (" + p.name() + "): expected the tensor of "
                        + "the first step (this optimiser's state belongs to it), got another model's of the same "
                        + "shape; use one optimiser per model (Optimizer.create, or Optimizer.restore for a saved "
                        + "state)");
            }
            if (g.data().length != p.data().length) {
                throw new IllegalArgumentException("grads[" + n + "] (" + g.name() + "): expected "
                        + p.data().length + " elements as params[" + n + "], got " + g.data().length);
            }
            float[] d = g.data();
            for (int e = 0; e < d.length; e++) {
                if (!Float.isFinite(d[e])) {
                    throw new IllegalArgumentException("grads[" + n + "] (" + g.name() + "): expected finite values, "
                            + "got " + d[e] + " at flat index " + e + "; nothing was changed");
                }
            }
        }
    }

    /** @return null if every parameter and state value is finite, else the first one that is not, named */
    private String overflow(List<Tensor> params) {
        for (int n = 0; n < sizes.length; n++) {
            int e = firstNonFinite(params.get(n).data());
            if (e >= 0) {
                return "params[" + n + "] (" + params.get(n).name() + ") became " + params.get(n).data()[e]
                        + " at flat index " + e;
            }
        }
        for (int k = 0; k < slots.size(); k++) {
            int e = firstNonFinite(slots.get(k));
            if (e >= 0) {
                int n = k / slotsPerTensor();
                return "the state of params[" + n + "] (" + params.get(n).name() + ", slot " + k % slotsPerTensor()
                        + ") became " + slots.get(k)[e] + " at flat index " + e;
            }
        }
        return null;
    }

    /** Puts the parameters, the state and the step count back as they were before the current step. */
    private void rollBack(List<Tensor> params) {
        for (int n = 0; n < sizes.length; n++) {
            System.arraycopy(backup[n], 0, params.get(n).data(), 0, sizes[n]);
        }
        for (int k = 0; k < slots.size(); k++) {
            System.arraycopy(backup[sizes.length + k], 0, slots.get(k), 0, slots.get(k).length);
        }
        iterations--;
    }

    /** @return the index of the first value of {@code a} that is NaN or infinite, or -1 if there is none */
    private static int firstNonFinite(float[] a) {
        for (int e = 0; e < a.length; e++) {
            if (!Float.isFinite(a[e])) {
                return e;
            }
        }
        return -1;
    }

    /**
     * Updates one tensor.
     *
     * @param index     position of the tensor in the list
     * @param param     values, updated in place
     * @param grad      gradient
     * @param iteration 1-based step count
     */
    protected abstract void update(int index, float[] param, float[] grad, long iteration);

    /**
     * @param index tensor position
     * @param slot  slot number in {@code [0, slotsPerTensor())}
     * @return the state array
     */
    protected final float[] slot(int index, int slot) {
        return slots.get(index * slotsPerTensor() + slot);
    }

    /**
     * The optimiser state for checkpoints: the slot arrays (tensor-major), live. Empty before the first step.
     *
     * @return the state arrays
     */
    public List<float[]> state() {
        return slots == null ? List.of() : List.copyOf(slots);
    }

    /**
     * @param slot slot number in {@code [0, slotsPerTensor())}
     * @return true if that slot holds a mean of squared gradients, which can never be negative
     */
    protected boolean nonNegativeSlot(int slot) {
        return false;
    }

    /**
     * Restores a state saved from {@link #state()} and {@link #iterations()} of an optimiser of the same kind on the
     * same parameter list.
     *
     * @param savedIterations the step count
     * @param saved           the slot arrays, tensor-major
     * @param params          the parameter list the state belongs to (fixes the shapes; later steps take these
     *                        tensors only)
     * @throws IllegalArgumentException if counts or sizes do not match, {@code savedIterations} is outside
     *     {@code [0, 2^53]}, or a slot holds NaN/Inf or a negative value where only non-negative ones can arise (a
     *     running mean of squared gradients): such a state would turn the parameters into NaN at the next step
     */
    public void restore(long savedIterations, List<float[]> saved, List<Tensor> params) {
        Check.notNull("saved", saved);
        Check.notNull("params", params);
        if (savedIterations < 0 || savedIterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations: expected a value in [0, 2^53], got " + savedIterations);
        }
        int expected = params.size() * slotsPerTensor();
        if (saved.size() != expected) {
            throw new IllegalArgumentException("optimizer state: expected " + expected + " arrays for "
                    + params.size() + " tensors, got " + saved.size());
        }
        int[] s = new int[params.size()];
        List<float[]> copy = new ArrayList<>();
        for (int n = 0; n < params.size(); n++) {
            s[n] = params.get(n).data().length;
            for (int k = 0; k < slotsPerTensor(); k++) {
                float[] a = saved.get(n * slotsPerTensor() + k);
                if (a.length != s[n]) {
                    throw new IllegalArgumentException("optimizer state of " + params.get(n).name() + ": expected "
                            + s[n] + " elements, got " + a.length);
                }
                String name = "optimizer state of " + params.get(n).name() + " (slot " + k + ")";
                Check.finite(name, a);
                if (nonNegativeSlot(k)) {
                    for (int e = 0; e < a.length; e++) {
                        if (a[e] < 0) {
                            throw new IllegalArgumentException(name + ": expected values >= 0 (a mean of squared "
                                    + "gradients), got " + a[e] + " at flat index " + e);
                        }
                    }
                }
                copy.add(a.clone());
            }
        }
        sizes = s;
        shapes = new int[params.size()][];
        bound = new float[params.size()][];
        for (int n = 0; n < params.size(); n++) {
            shapes[n] = params.get(n).shape().clone();
            bound[n] = params.get(n).data();
        }
        slots = copy;
        backup = null;
        iterations = savedIterations;
    }

    /**
     * This optimiser's state for a checkpoint ({@code org.plstm.io.Checkpoint}).
     *
     * @return the state (the slot arrays are copies)
     */
    public OptimizerState checkpointState() {
        List<float[]> copies = new ArrayList<>();
        for (float[] a : state()) {
            copies.add(a.clone());
        }
        return new OptimizerState(name(), learningRate(), iterations(), copies);
    }

    /**
     * A new optimiser of the saved kind and learning rate (other hyperparameters: Keras defaults) holding the saved
     * state, for {@code params}: it continues at step {@code iterations + 1}.
     *
     * @param state  a checkpoint's optimiser state
     * @param params the trainable tensors the state belongs to (e.g. {@code SequenceClassifier.tensors()})
     * @return the optimiser
     * @throws IllegalArgumentException if an argument is null or the state does not fit the tensors
     */
    public static Optimizer restore(OptimizerState state, List<Tensor> params) {
        Check.notNull("state", state);
        Check.notNull("params", params);
        Optimizer o = create(state.name(), state.learningRate());
        if (state.iterations() > 0 || !state.slots().isEmpty()) {
            o.restore(state.iterations(), state.slots(), params);
        }
        return o;
    }

    /**
     * Creates an optimiser by name with Keras' defaults for everything but the learning rate.
     *
     * @param name         {@code rmsprop}, {@code adam} or {@code sgd} (case-insensitive)
     * @param learningRate step size
     * @return the optimiser
     * @throws IllegalArgumentException on an unknown name or a bad learning rate
     */
    public static Optimizer create(String name, double learningRate) {
        return switch (name == null ? "" : name.toLowerCase(java.util.Locale.ROOT)) {
            case "rmsprop" -> new RmsProp(learningRate);
            case "adam" -> new Adam(learningRate);
            case "sgd" -> new Sgd(learningRate);
            default -> throw new IllegalArgumentException("optimizer: expected rmsprop, adam or sgd, got " + name);
        };
    }
}
