package org.plstm.optim;

/**
 * Adam as Keras: {@code m = b1·m + (1 − b1)·g}, {@code v = b2·v + (1 − b2)·g²},
 * {@code p −= lr·sqrt(1 − b2^t)/(1 − b1^t) · m / (sqrt(v) + eps)}; defaults lr 1e-3, b1 0.9, b2 0.999, eps 1e-7.
 */
public final class Adam extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final float eps;

    /** @param learningRate step size (Keras default 1e-3) */
    public Adam(double learningRate) {
        this(learningRate, 0.9, 0.999, 1e-7);
    }

    /**
     * @param learningRate step size
     * @param beta1        first-moment decay in {@code [0, 1)}
     * @param beta2        second-moment decay in {@code [0, 1)}
     * @param eps          stability term, in {@code [Float.MIN_NORMAL, Float.MAX_VALUE]}
     * @throws IllegalArgumentException on values out of range
     */
    public Adam(double learningRate, double beta1, double beta2, double eps) {
        super(learningRate);
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("beta1: expected a value in [0, 1), got " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("beta2: expected a value in [0, 1), got " + beta2);
        }
        this.eps = checkEps("eps", eps);
        this.beta1 = beta1;
        this.beta2 = beta2;
    }

    @Override
    public String name() {
        return "adam";
    }

    @Override
    protected int slotsPerTensor() {
        return 2;
    }

    @Override
    protected boolean nonNegativeSlot(int slot) {
        return slot == 1;
    }

    @Override
    protected void update(int index, float[] p, float[] g, long iteration) {
        float[] m = slot(index, 0);
        float[] v = slot(index, 1);
        float step = (float) (learningRate() * Math.sqrt(1 - Math.pow(beta2, iteration))
                / (1 - Math.pow(beta1, iteration)));
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        for (int n = 0; n < p.length; n++) {
            float gn = g[n];
            float mn = b1 * m[n] + (1f - b1) * gn;
            float vn = b2 * v[n] + (1f - b2) * gn * gn;
            m[n] = mn;
            v[n] = vn;
            p[n] -= step * mn / ((float) Math.sqrt(vn) + eps);
        }
    }
}
