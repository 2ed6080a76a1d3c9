/**
 * Sequential MNIST training: {@link org.plstm.mnist.train.TrainConfig} (the run's configuration, JSON),
 * {@link org.plstm.mnist.train.MnistBatches} (standardised batches in reused arrays, per-epoch shuffling),
 * {@link org.plstm.mnist.train.MnistTrainer} (the epoch loop, evaluation, checkpoints, reports),
 * {@link org.plstm.mnist.train.MetricsLog} ({@code metrics.csv}) and {@link org.plstm.mnist.train.Charts}
 * ({@code accuracy.png}, {@code loss.png}).
 */
package org.plstm.mnist.train;
