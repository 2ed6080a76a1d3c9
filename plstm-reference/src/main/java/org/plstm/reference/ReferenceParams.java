package org.plstm.reference;

import java.util.Arrays;
import org.plstm.Check;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;

/**
 * A double-precision copy of {@link PhasedLstmParams}, in the same Keras layout and gate order
 * ({@code i, f, g, o}); the reference computes in it, and accumulates gradients into another instance of it.
 * Fields are public, live, row-major arrays: {@code kernel [I][4H]}, {@code recurrentKernel [H][4H]},
 * {@code bias [4H]}, {@code peephole [3][H]} ({@code null} without peepholes), {@code period, shift, ratioOn [H]}.
 */
public final class ReferenceParams {
    /** The layer configuration. */
    public final PhasedLstmConfig config;
    /** {@code [I][4H]}. */
    public final double[] kernel;
    /** {@code [H][4H]}. */
    public final double[] recurrentKernel;
    /** {@code [4H]}. */
    public final double[] bias;
    /** {@code [3][H]} rows {@code i, f, o}, or {@code null}. */
    public final double[] peephole;
    /** {@code tau [H]}. */
    public final double[] period;
    /** {@code s [H]}. */
    public final double[] shift;
    /** {@code r_on [H]}. */
    public final double[] ratioOn;

    /**
     * All-zero parameters (or a gradient buffer) for {@code config}.
     *
     * @param config the layer configuration
     * @throws IllegalArgumentException if {@code config} is null
     */
    public ReferenceParams(PhasedLstmConfig config) {
        this.config = Check.notNull("config", config);
        int i = config.inputSize();
        int h = config.hiddenSize();
        kernel = new double[i * 4 * h];
        recurrentKernel = new double[h * 4 * h];
        bias = new double[4 * h];
        peephole = config.peepholes() ? new double[3 * h] : null;
        period = new double[h];
        shift = new double[h];
        ratioOn = new double[h];
    }

    /**
     * Widens float32 parameters to double (exactly).
     *
     * @param p the parameters
     * @return a new double copy
     * @throws IllegalArgumentException if {@code p} is null
     */
    public static ReferenceParams of(PhasedLstmParams p) {
        Check.notNull("params", p);
        ReferenceParams d = new ReferenceParams(p.config());
        widen(p.kernel(), d.kernel);
        widen(p.recurrentKernel(), d.recurrentKernel);
        widen(p.bias(), d.bias);
        if (d.peephole != null) {
            widen(p.peephole(), d.peephole);
        }
        widen(p.period(), d.period);
        widen(p.shift(), d.shift);
        widen(p.ratioOn(), d.ratioOn);
        return d;
    }

    /**
     * Rounds these values to float32 into {@code out} (for handing reference gradients to float code).
     *
     * @param out float parameters of the same configuration
     * @throws IllegalArgumentException if the configurations differ
     */
    public void narrowInto(PhasedLstmParams out) {
        Check.notNull("out", out);
        if (!out.config().equals(config)) {
            throw new IllegalArgumentException("out: expected configuration " + config + ", got " + out.config());
        }
        narrow(kernel, out.kernel());
        narrow(recurrentKernel, out.recurrentKernel());
        narrow(bias, out.bias());
        if (peephole != null) {
            narrow(peephole, out.peephole());
        }
        narrow(period, out.period());
        narrow(shift, out.shift());
        narrow(ratioOn, out.ratioOn());
    }

    /** @return a deep copy: the same configuration, every array copied */
    public ReferenceParams copy() {
        ReferenceParams out = new ReferenceParams(config);
        System.arraycopy(kernel, 0, out.kernel, 0, kernel.length);
        System.arraycopy(recurrentKernel, 0, out.recurrentKernel, 0, recurrentKernel.length);
        System.arraycopy(bias, 0, out.bias, 0, bias.length);
        if (peephole != null) {
            System.arraycopy(peephole, 0, out.peephole, 0, peephole.length);
        }
        System.arraycopy(period, 0, out.period, 0, period.length);
        System.arraycopy(shift, 0, out.shift, 0, shift.length);
        System.arraycopy(ratioOn, 0, out.ratioOn, 0, ratioOn.length);
        return out;
    }

    /** Sets every element to zero. */
    public void zero() {
        Arrays.fill(kernel, 0);
        Arrays.fill(recurrentKernel, 0);
        Arrays.fill(bias, 0);
        if (peephole != null) {
            Arrays.fill(peephole, 0);
        }
        Arrays.fill(period, 0);
        Arrays.fill(shift, 0);
        Arrays.fill(ratioOn, 0);
    }

    /**
     * Checks values as {@link PhasedLstmParams#validate(String)} does.
     *
     * @param name argument name for messages
     * @throws IllegalArgumentException on a non-finite value, {@code period <= 0} or {@code ratioOn} outside
     *     {@code (0, 1]} (the latter two only when the time gate is on)
     */
    public void validate(String name) {
        Check.finite(name + ".kernel", kernel);
        Check.finite(name + ".recurrentKernel", recurrentKernel);
        Check.finite(name + ".bias", bias);
        if (peephole != null) {
            Check.finite(name + ".peephole", peephole);
        }
        Check.finite(name + ".period", period);
        Check.finite(name + ".shift", shift);
        Check.finite(name + ".ratioOn", ratioOn);
        if (config.timeGate()) {
            for (int j = 0; j < period.length; j++) {
                if (!(period[j] > 0)) {
                    throw new IllegalArgumentException(name + ".period: expected > 0, got " + period[j]
                            + " at unit " + j);
                }
                if (!(ratioOn[j] > 0 && ratioOn[j] <= 1)) {
                    throw new IllegalArgumentException(name + ".ratioOn: expected a value in (0, 1], got "
                            + ratioOn[j] + " at unit " + j);
                }
            }
        }
    }

    private static void widen(float[] src, double[] dst) {
        for (int n = 0; n < src.length; n++) {
            dst[n] = src[n];
        }
    }

    private static void narrow(double[] src, float[] dst) {
        for (int n = 0; n < src.length; n++) {
            dst[n] = (float) src[n];
        }
    }
}
