/**
 * The sequential-MNIST trainer: {@link org.plstm.mnist.Main} (the CLI entry point), {@code cli} (picocli commands),
 * {@code train} (configuration, batching, the training loops of MNIST and of event CSV files, metrics, charts) and
 * {@code data} (MNIST files, the frequency-task generator).
 */
package org.plstm.mnist;
