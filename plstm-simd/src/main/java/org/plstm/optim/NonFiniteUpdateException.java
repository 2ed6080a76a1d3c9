package org.plstm.optim;

/**
 * An optimiser step whose arithmetic overflowed: a parameter or a state value (a running mean of the gradients or of
 * their squares) would have become NaN or infinite, from finite gradients and valid hyperparameters (e.g. a learning
 * rate far too large for the gradients, or gradients whose squares exceed float's range). {@link Optimizer#step}
 * throws it after putting the parameters, the state and the step count back as they were before the call, so the
 * model stays usable. {@code org.plstm.train.Fit} reports it as training that diverged.
 */
public final class NonFiniteUpdateException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what became non-finite, where, and the hyperparameters of the step
     */
    NonFiniteUpdateException(String message) {
        super(message);
    }
}
