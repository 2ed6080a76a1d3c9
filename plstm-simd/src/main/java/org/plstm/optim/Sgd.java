package org.plstm.optim;

/** Plain stochastic gradient descent: {@code p −= lr·g} (Keras SGD without momentum). */
public final class Sgd extends Optimizer {

    /** @param learningRate step size (Keras default 0.01) */
    public Sgd(double learningRate) {
        super(learningRate);
    }

    @Override
    public String name() {
        return "sgd";
    }

    @Override
    protected int slotsPerTensor() {
        return 0;
    }

    @Override
    protected void update(int index, float[] p, float[] g, long iteration) {
        float lr = (float) learningRate();
        for (int n = 0; n < p.length; n++) {
            p[n] -= lr * g[n];
        }
    }
}
