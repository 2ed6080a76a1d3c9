package org.plstm.train;

/**
 * A training step computed a gradient that is NaN or infinite, and was not applied: {@link ClassifierTrainer#step}
 * and {@link ClassifierTrainer#stepRegression} throw it before clipping and before the optimiser, so the model and
 * the optimiser's state are as they were before the step. The input passed every check (finite values, valid
 * shapes): the model's arithmetic overflowed, e.g. on timestamps far beyond the periods' float precision (in the
 * tests' small models with the paper's initial periods, timestamps of {@code 1e100} and more overflowed and
 * {@code 1e40} did not) or with weights grown very large. {@link Fit} reports it as training that diverged.
 */
public final class NonFiniteGradientException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The gradients' global L2 norm: NaN or infinite. */
    private final double norm;

    /**
     * @param norm the gradients' global norm (NaN or infinite)
     */
    NonFiniteGradientException(double norm) {
        super("gradients: expected finite values, got a global norm of " + norm
                + " (e.g. timestamps too large for the periods' float precision); the step was not applied");
        this.norm = norm;
    }

    /** @return the gradients' global L2 norm, NaN or infinite */
    public double norm() {
        return norm;
    }
}
