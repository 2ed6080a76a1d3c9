package org.plstm.mnist.train;

import org.plstm.optim.CosineDecay;
import org.plstm.optim.NonFiniteUpdateException;
import org.plstm.train.ClassifierTrainer;
import org.plstm.train.NonFiniteGradientException;
import org.plstm.train.TrainStepResult;

/**
 * The training steps of one epoch as every trainer of this module takes them ({@link MnistTrainer},
 * {@link TaskTrainer}, {@link EventTrainer}): the learning-rate schedule applied before each step, the step timed,
 * and divergence turned into a {@link DivergedException} that names the epoch, the 1-based batch and the last good
 * checkpoint. A run diverges when the engine refuses a step because an earlier update left the parameters out of
 * their valid range, when a batch's loss is not finite, or when the parameters or the optimiser's state are out of
 * range at the end of the epoch ({@link #finish}). What a trainer records per batch (metrics rows, progress) stays
 * with the trainer: that differs between them.
 */
final class EpochSteps {
    /** One training step on one batch (a classification or a regression step). */
    @FunctionalInterface
    interface Step {
        /**
         * @return the step's loss and counts
         * @throws IllegalArgumentException if the engine refuses the batch or the parameters
         */
        TrainStepResult take();
    }

    private final ClassifierTrainer trainer;
    private final CosineDecay schedule;
    private final int epoch;
    private final double learningRate;
    private final String lastGood;
    private double lastSeconds;

    /**
     * @param trainer      the trainer whose optimiser the schedule sets and whose parameters are checked
     * @param schedule     the learning-rate schedule, or null for a constant rate
     * @param epoch        the 1-based epoch
     * @param learningRate the run's (initial) learning rate, for the divergence message
     * @param lastGood     the last good checkpoint and its epoch, or a sentence saying there is none
     */
    EpochSteps(ClassifierTrainer trainer, CosineDecay schedule, int epoch, double learningRate, String lastGood) {
        this.trainer = trainer;
        this.schedule = schedule;
        this.epoch = epoch;
        this.learningRate = learningRate;
        this.lastGood = lastGood;
    }

    /**
     * Applies the schedule, then takes the step and times it.
     *
     * @param batch 1-based batch of the epoch (for the message)
     * @param step  the step
     * @return its result, whose loss is finite
     * @throws DivergedException if the loss, the gradients or the optimiser's update are not finite, or the engine
     *     refused the step and the parameters or the optimiser's state are out of range
     * @throws IllegalArgumentException what the engine threw, when the parameters are fine (a bad batch)
     */
    TrainStepResult take(int batch, Step step) {
        if (schedule != null) {
            schedule.applyTo(trainer.optimizer());
        }
        long t0 = System.nanoTime();
        TrainStepResult r;
        try {
            r = step.take();
        } catch (NonFiniteGradientException e) {
            throw new DivergedException(epoch, batch, "the gradients' norm is " + e.norm() + " (the step was not "
                    + "applied; timestamps far beyond the time gate's periods do this too, whatever the rate)",
                    learningRate, lastGood);
        } catch (NonFiniteUpdateException e) {
            throw new DivergedException(epoch, batch, e.getMessage(), learningRate, lastGood);
        } catch (IllegalArgumentException e) {
            // the engine validates the parameters first: an earlier update may have made them NaN
            String broken = RunSupport.divergence(trainer);
            if (broken == null) {
                throw e;
            }
            throw new DivergedException(epoch, batch, broken, learningRate, lastGood);
        }
        lastSeconds = (System.nanoTime() - t0) * 1e-9;
        if (!Double.isFinite(r.loss())) {
            throw new DivergedException(epoch, batch, "the loss is " + r.loss(), learningRate, lastGood);
        }
        return r;
    }

    /** @return the wall time of the last step {@link #take} took, in seconds */
    double lastSeconds() {
        return lastSeconds;
    }

    /**
     * The end-of-epoch check: the parameters and the optimiser's state after the last step.
     *
     * @param batches the epoch's batch count (the message names the last batch)
     * @throws DivergedException if either is out of range
     */
    void finish(int batches) {
        String broken = RunSupport.divergence(trainer);
        if (broken != null) {
            throw new DivergedException(epoch, batches, broken, learningRate, lastGood);
        }
    }
}
