/**
 * The sequential-MNIST trainer: {@link org.plstm.mnist.Main} (the CLI entry point), {@code cli} (picocli commands),
 * {@code train} (configuration, batching, the training loop, metrics, charts) and {@code data} (MNIST files).
 */
package org.plstm.mnist;
