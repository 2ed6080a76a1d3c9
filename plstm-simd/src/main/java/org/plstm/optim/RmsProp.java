package org.plstm.optim;

/**
 * RMSprop as Keras: {@code a = rho·a + (1 − rho)·g²}, {@code p −= lr·g / (sqrt(a) + eps)}; defaults lr 1e-3,
 * rho 0.9, eps 1e-7.
 */
public final class RmsProp extends Optimizer {
    private final float rho;
    private final float eps;

    /** @param learningRate step size (Keras default 1e-3) */
    public RmsProp(double learningRate) {
        this(learningRate, 0.9, 1e-7);
    }

    /**
     * @param learningRate step size
     * @param rho          decay of the squared-gradient average, in {@code [0, 1)}
     * @param eps          added to the root for stability, in {@code [Float.MIN_NORMAL, Float.MAX_VALUE]}
     * @throws IllegalArgumentException on values out of range
     */
    public RmsProp(double learningRate, double rho, double eps) {
        super(learningRate);
        if (!(rho >= 0 && rho < 1)) {
            throw new IllegalArgumentException("rho: expected a value in [0, 1), got " + rho);
        }
        this.eps = checkEps("eps", eps);
        this.rho = (float) rho;
    }

    @Override
    public String name() {
        return "rmsprop";
    }

    @Override
    protected int slotsPerTensor() {
        return 1;
    }

    @Override
    protected boolean nonNegativeSlot(int slot) {
        return slot == 0;
    }

    @Override
    protected void update(int index, float[] p, float[] g, long iteration) {
        float[] a = slot(index, 0);
        float lr = (float) learningRate();
        float keep = 1f - rho;
        for (int n = 0; n < p.length; n++) {
            float gn = g[n];
            float an = rho * a[n] + keep * gn * gn;
            a[n] = an;
            p[n] -= lr * gn / ((float) Math.sqrt(an) + eps);
        }
    }
}
