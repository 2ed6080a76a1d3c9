package org.plstm.mnist.train;

import org.plstm.train.TrainStepResult;

/**
 * Receives every training step of a trainer ({@link MnistTrainer}, {@link EventTrainer}, {@link TaskTrainer}); for
 * tests and tools. The trainers' default does nothing.
 */
@FunctionalInterface
public interface StepListener {
    /**
     * @param epoch     1-based epoch
     * @param iteration optimiser step count after the step
     * @param result    the step's result
     */
    void onStep(int epoch, long iteration, TrainStepResult result);
}
