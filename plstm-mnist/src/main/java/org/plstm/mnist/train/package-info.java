/**
 * Sequential MNIST training: {@link org.plstm.mnist.train.TrainConfig} (the run's configuration, JSON),
 * {@link org.plstm.mnist.train.MnistBatches} (standardised batches in reused arrays, per-epoch shuffling),
 * {@link org.plstm.mnist.train.MnistTrainer} (the epoch loop, evaluation, checkpoints, reports),
 * {@link org.plstm.mnist.train.MetricsLog} ({@code metrics.csv}) and {@link org.plstm.mnist.train.Charts}
 * ({@code accuracy.png}, {@code loss.png}).
 *
 * <p>Training on an event CSV file: {@link org.plstm.mnist.train.EventConfig} and
 * {@link org.plstm.mnist.train.EventTrainer} (split, standardisation, classification or regression), writing the same
 * files through the same pieces; {@link org.plstm.mnist.train.RunSupport} holds what both trainers share (the run
 * directory's lock, leftovers of an interrupted save, the progress bar, the divergence check).
 *
 * <p>The paper's experiments (frequency discrimination, event-based MNIST): {@link org.plstm.mnist.train.TaskConfig},
 * {@link org.plstm.mnist.train.TaskData} (each epoch's data as a pure function of the seed and the epoch) and
 * {@link org.plstm.mnist.train.TaskTrainer}, again through the same pieces.
 */
package org.plstm.mnist.train;
