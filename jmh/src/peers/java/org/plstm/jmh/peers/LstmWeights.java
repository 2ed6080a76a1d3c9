package org.plstm.jmh.peers;

import java.util.SplittableRandom;
import org.plstm.PhasedLstmConfig;
import org.plstm.reference.ReferenceParams;

/**
 * Plain-LSTM weights in our (Keras) layout and gate order {@code i, f, g, o}, float32, as every peer adapter
 * takes them: {@code kernel [I][4H]}, {@code recurrentKernel [H][4H]}, {@code bias [4H]} and optionally
 * {@code peephole [3][H]} (rows {@code i, f, o}; {@code i, f} look at {@code c_{t-1}}, {@code o} at the new
 * cell). Arrays are row-major and shared, not copied.
 *
 * @param inputSize       {@code I}
 * @param hiddenSize      {@code H}
 * @param kernel          {@code [I][4H]}
 * @param recurrentKernel {@code [H][4H]}
 * @param bias            {@code [4H]}
 * @param peephole        {@code [3][H]} or {@code null}
 */
public record LstmWeights(int inputSize, int hiddenSize, float[] kernel, float[] recurrentKernel, float[] bias,
                          float[] peephole) {

    /** Checks the array lengths. */
    public LstmWeights {
        int g4 = 4 * hiddenSize;
        if (kernel.length != inputSize * g4 || recurrentKernel.length != hiddenSize * g4 || bias.length != g4
                || (peephole != null && peephole.length != 3 * hiddenSize)) {
            throw new IllegalArgumentException("weights do not match I=" + inputSize + ", H=" + hiddenSize);
        }
    }

    /**
     * Random weights: {@code kernel ~ U(±1/sqrt(I))}, {@code recurrentKernel ~ U(±1/sqrt(H))},
     * {@code bias ~ U(±0.5)}, {@code peephole ~ U(±0.5)} (large enough that every gate is well inside its
     * non-linear range, small enough that the state does not just saturate).
     *
     * @param inputSize  {@code I}
     * @param hiddenSize {@code H}
     * @param peepholes  whether to draw peepholes
     * @param rng        the generator
     * @return new weights
     */
    public static LstmWeights random(int inputSize, int hiddenSize, boolean peepholes, SplittableRandom rng) {
        int g4 = 4 * hiddenSize;
        float[] k = uniform(inputSize * g4, 1 / Math.sqrt(inputSize), rng);
        float[] r = uniform(hiddenSize * g4, 1 / Math.sqrt(hiddenSize), rng);
        float[] b = uniform(g4, 0.5, rng);
        float[] p = peepholes ? uniform(3 * hiddenSize, 0.5, rng) : null;
        return new LstmWeights(inputSize, hiddenSize, k, r, b, p);
    }

    /**
     * @param n   length
     * @param a   half-width
     * @param rng generator
     * @return {@code n} values uniform in {@code [-a, a)}, rounded to float
     */
    public static float[] uniform(int n, double a, SplittableRandom rng) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((2 * rng.nextDouble() - 1) * a);
        }
        return v;
    }

    /** @return whether peepholes are present */
    public boolean peepholes() {
        return peephole != null;
    }

    /**
     * The peephole row for one gate, as a separate {@code [H]} vector (zeros without peepholes).
     *
     * @param row 0 = {@code i}, 1 = {@code f}, 2 = {@code o}
     * @return a new {@code [H]} array
     */
    public float[] peepholeRow(int row) {
        float[] v = new float[hiddenSize];
        if (peephole != null) {
            System.arraycopy(peephole, row * hiddenSize, v, 0, hiddenSize);
        }
        return v;
    }

    /** @return the configuration of the same plain LSTM in our model: time gate off, sigmoid gates */
    public PhasedLstmConfig config() {
        return PhasedLstmConfig.builder(inputSize, hiddenSize).peepholes(peepholes()).timeGate(false).build();
    }

    /** @return these weights widened to double for {@code ReferencePhasedLstm} (time gate off) */
    public ReferenceParams toReference() {
        ReferenceParams p = new ReferenceParams(config());
        widen(kernel, p.kernel);
        widen(recurrentKernel, p.recurrentKernel);
        widen(bias, p.bias);
        if (peephole != null) {
            widen(peephole, p.peephole);
        }
        return p;
    }

    private static void widen(float[] src, double[] dst) {
        for (int i = 0; i < src.length; i++) {
            dst[i] = src[i];
        }
    }
}
