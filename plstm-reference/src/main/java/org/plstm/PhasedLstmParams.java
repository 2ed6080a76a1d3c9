package org.plstm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The parameters of one Phased LSTM layer in float32, in the Keras layout and gate order {@code i, f, g, o}
 * (Keras calls {@code g} "c"), so Keras weights map one-to-one. The same class holds gradients: a gradient
 * buffer is a {@code PhasedLstmParams} of the same configuration whose arrays accumulate
 * {@code dL/dparameter} (see {@link #zero()}).
 *
 * <table>
 *   <caption>Tensors (all row-major float arrays, returned live, not copied)</caption>
 *   <tr><th>accessor</th><th>shape</th><th>meaning</th></tr>
 *   <tr><td>{@link #kernel()}</td><td>{@code [I][4H]}</td><td>input weights, column blocks {@code i, f, g, o}</td></tr>
 *   <tr><td>{@link #recurrentKernel()}</td><td>{@code [H][4H]}</td><td>recurrent weights, same blocks</td></tr>
 *   <tr><td>{@link #bias()}</td><td>{@code [4H]}</td><td>same blocks</td></tr>
 *   <tr><td>{@link #peephole()}</td><td>{@code [3][H]}</td><td>diagonal peepholes of {@code i, f, o}; {@code null} when the
 *       configuration has no peepholes</td></tr>
 *   <tr><td>{@link #period()}</td><td>{@code [H]}</td><td>{@code tau}, same time unit as the timestamps, {@code > 0}</td></tr>
 *   <tr><td>{@link #shift()}</td><td>{@code [H]}</td><td>{@code s}, same time unit, any real</td></tr>
 *   <tr><td>{@link #ratioOn()}</td><td>{@code [H]}</td><td>{@code r_on}, open fraction of the period, in {@code (0, 1]}</td></tr>
 * </table>
 *
 * <p>The time-gate arrays exist even when {@link PhasedLstmConfig#timeGate()} is off (they are then unused).
 * The Keras seed stores them as one {@code timegate_kernel [3][H]} (rows period, shift, ratioOn); see
 * {@link #timegateKernel()}.
 *
 * <p>Not thread-safe for mutation; engines only read parameters and write gradients they were given.
 */
public final class PhasedLstmParams {
    /** Lower clamp for {@code period} after an optimiser step (docs/MODEL.md, Constraints). */
    public static final float MIN_PERIOD = 1e-3f;
    /** Lower clamp for {@code ratioOn} after an optimiser step (docs/MODEL.md, Constraints). */
    public static final float MIN_RATIO_ON = 1e-3f;

    private final PhasedLstmConfig config;
    private final float[] kernel;
    private final float[] recurrentKernel;
    private final float[] bias;
    private final float[] peephole;
    private final float[] period;
    private final float[] shift;
    private final float[] ratioOn;

    /**
     * Allocates all-zero parameters (or an all-zero gradient buffer) for {@code config}.
     *
     * @param config the layer configuration
     * @throws IllegalArgumentException if {@code config} is null
     */
    public PhasedLstmParams(PhasedLstmConfig config) {
        this.config = Check.notNull("config", config);
        int i = config.inputSize();
        int h = config.hiddenSize();
        this.kernel = new float[i * 4 * h];
        this.recurrentKernel = new float[h * 4 * h];
        this.bias = new float[4 * h];
        this.peephole = config.peepholes() ? new float[3 * h] : null;
        this.period = new float[h];
        this.shift = new float[h];
        this.ratioOn = new float[h];
    }

    /**
     * Creates parameters initialised as Keras does: {@code kernel} Glorot-uniform
     * ({@code U(±sqrt(6 / (I + 4H)))}), {@code recurrentKernel} orthogonal (orthonormal rows, as Keras'
     * {@code Orthogonal} on shape {@code [H][4H]}), {@code bias} zero with the forget block set to 1
     * ("unit forget bias"), peepholes zero, and the time gate as {@code timeGateInit} says.
     *
     * @param config       the layer configuration
     * @param timeGateInit how to draw {@code period, shift, ratioOn}
     * @param seed         seed of the deterministic generator; the same seed gives the same parameters
     * @return new parameters
     * @throws IllegalArgumentException if {@code config} or {@code timeGateInit} is null
     */
    public static PhasedLstmParams initialize(PhasedLstmConfig config, TimeGateInit timeGateInit, long seed) {
        Check.notNull("timeGateInit", timeGateInit);
        PhasedLstmParams p = new PhasedLstmParams(config);
        SplittableRandom rng = new SplittableRandom(seed);
        int in = config.inputSize();
        int h = config.hiddenSize();
        Init.glorotUniform(p.kernel, in, 4 * h, rng);
        Init.orthogonal(p.recurrentKernel, h, 4 * h, rng);
        for (int j = 0; j < h; j++) {
            p.bias[h + j] = 1f;
        }
        for (int j = 0; j < h; j++) {
            switch (timeGateInit) {
                case KERAS -> {
                    p.period[j] = (float) (10.0 + 90.0 * rng.nextDouble());
                    p.shift[j] = (float) (1000.0 * rng.nextDouble());
                }
                case PAPER -> {
                    double tau = Math.exp(1.0 + 5.0 * rng.nextDouble());
                    p.period[j] = (float) tau;
                    p.shift[j] = (float) (tau * rng.nextDouble());
                }
            }
            p.ratioOn[j] = 0.05f;
        }
        return p;
    }

    /** @return the configuration these parameters belong to */
    public PhasedLstmConfig config() {
        return config;
    }

    /** @return {@code kernel [I][4H]}, live */
    public float[] kernel() {
        return kernel;
    }

    /** @return {@code recurrentKernel [H][4H]}, live */
    public float[] recurrentKernel() {
        return recurrentKernel;
    }

    /** @return {@code bias [4H]}, live */
    public float[] bias() {
        return bias;
    }

    /** @return {@code peephole [3][H]} (rows {@code i, f, o}), live; {@code null} without peepholes */
    public float[] peephole() {
        return peephole;
    }

    /** @return {@code period [H]} ({@code tau}, time unit of the timestamps), live */
    public float[] period() {
        return period;
    }

    /** @return {@code shift [H]} ({@code s}, time unit of the timestamps), live */
    public float[] shift() {
        return shift;
    }

    /** @return {@code ratioOn [H]} ({@code r_on}), live */
    public float[] ratioOn() {
        return ratioOn;
    }

    /**
     * The Keras seed's {@code timegate_kernel}: a new {@code [3][H]} row-major array, rows period, shift, ratioOn.
     *
     * @return a copy in that layout
     */
    public float[] timegateKernel() {
        int h = config.hiddenSize();
        float[] out = new float[3 * h];
        System.arraycopy(period, 0, out, 0, h);
        System.arraycopy(shift, 0, out, h, h);
        System.arraycopy(ratioOn, 0, out, 2 * h, h);
        return out;
    }

    /**
     * All tensors of this layer in a fixed order ({@code kernel, recurrentKernel, bias, [peephole,] period,
     * shift, ratioOn}), as live views.
     *
     * @return an unmodifiable list
     */
    public List<Tensor> tensors() {
        int i = config.inputSize();
        int h = config.hiddenSize();
        List<Tensor> list = new ArrayList<>(7);
        list.add(new Tensor("kernel", new int[] {i, 4 * h}, kernel));
        list.add(new Tensor("recurrentKernel", new int[] {h, 4 * h}, recurrentKernel));
        list.add(new Tensor("bias", new int[] {4 * h}, bias));
        if (peephole != null) {
            list.add(new Tensor("peephole", new int[] {3, h}, peephole));
        }
        list.add(new Tensor("period", new int[] {h}, period));
        list.add(new Tensor("shift", new int[] {h}, shift));
        list.add(new Tensor("ratioOn", new int[] {h}, ratioOn));
        return Collections.unmodifiableList(list);
    }

    /**
     * Whether the tensor of that name receives gradients under this configuration ({@code period},
     * {@code shift}, {@code ratioOn} follow the trainable flags and are frozen when the time gate is off).
     *
     * @param tensorName a name from {@link #tensors()}
     * @return true if an optimiser should update it
     */
    public boolean isTrainable(String tensorName) {
        return switch (tensorName) {
            case "period" -> config.timeGate() && config.trainPeriod();
            case "shift" -> config.timeGate() && config.trainShift();
            case "ratioOn" -> config.timeGate() && config.trainRatioOn();
            default -> true;
        };
    }

    /** Sets every element to zero (clears a gradient buffer). Allocates nothing. */
    public void zero() {
        java.util.Arrays.fill(kernel, 0f);
        java.util.Arrays.fill(recurrentKernel, 0f);
        java.util.Arrays.fill(bias, 0f);
        if (peephole != null) {
            java.util.Arrays.fill(peephole, 0f);
        }
        java.util.Arrays.fill(period, 0f);
        java.util.Arrays.fill(shift, 0f);
        java.util.Arrays.fill(ratioOn, 0f);
    }

    /** @return a deep copy with the same configuration */
    public PhasedLstmParams copy() {
        PhasedLstmParams c = new PhasedLstmParams(config);
        c.copyFrom(this);
        return c;
    }

    /**
     * Copies every tensor of {@code other} into this object.
     *
     * @param other parameters of an equal configuration
     * @throws IllegalArgumentException if the configurations differ
     */
    public void copyFrom(PhasedLstmParams other) {
        requireSameConfig("other", other);
        List<Tensor> src = other.tensors();
        List<Tensor> dst = tensors();
        for (int n = 0; n < dst.size(); n++) {
            System.arraycopy(src.get(n).data(), 0, dst.get(n).data(), 0, dst.get(n).data().length);
        }
    }

    /**
     * Requires {@code other} to have a configuration equal to this one's.
     *
     * @param name  argument name for the message
     * @param other the other parameters
     * @throws IllegalArgumentException if {@code other} is null or configured differently
     */
    public void requireSameConfig(String name, PhasedLstmParams other) {
        Check.notNull(name, other);
        if (!other.config.equals(config)) {
            throw new IllegalArgumentException(name + ": expected parameters of configuration " + config
                    + ", got " + other.config);
        }
    }

    /**
     * Checks the values: every element finite, {@code period > 0}, {@code 0 < ratioOn <= 1}.
     *
     * @param name argument name used in messages, e.g. {@code "params"}
     * @throws IllegalArgumentException naming the tensor, the index and the value
     */
    public void validate(String name) {
        // Direct checks (no tensor list, no string building) so that a forward pass's validation allocates nothing.
        finite(name, "kernel", kernel);
        finite(name, "recurrentKernel", recurrentKernel);
        finite(name, "bias", bias);
        if (peephole != null) {
            finite(name, "peephole", peephole);
        }
        finite(name, "period", period);
        finite(name, "shift", shift);
        finite(name, "ratioOn", ratioOn);
        if (config.timeGate()) {
            for (int j = 0; j < period.length; j++) {
                if (!(period[j] > 0f)) {
                    throw new IllegalArgumentException(name + ".period: expected > 0, got " + period[j]
                            + " at unit " + j);
                }
                if (!(ratioOn[j] > 0f && ratioOn[j] <= 1f)) {
                    throw new IllegalArgumentException(name + ".ratioOn: expected a value in (0, 1], got "
                            + ratioOn[j] + " at unit " + j);
                }
            }
        }
    }

    private static void finite(String owner, String tensor, float[] a) {
        for (float v : a) {
            if (!Float.isFinite(v)) {
                Check.finite(owner + "." + tensor, a); // builds the message naming the index
            }
        }
    }

    /**
     * Applies the constraints an optimiser must keep after each step (docs/MODEL.md): {@code period >= 1e-3} and
     * {@code ratioOn} clamped into {@code [1e-3, 1]}. (Keras' {@code non_neg} allows exactly 0, which gives NaN.)
     */
    public void applyConstraints() {
        for (int j = 0; j < period.length; j++) {
            period[j] = Math.max(period[j], MIN_PERIOD);
            ratioOn[j] = Math.min(1f, Math.max(ratioOn[j], MIN_RATIO_ON));
        }
    }

    @Override
    public String toString() {
        return "PhasedLstmParams" + tensors() + " " + config;
    }
}
