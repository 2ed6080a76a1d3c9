package org.plstm.mnist.train;

/**
 * The score of a model on a whole split.
 *
 * @param loss     mean cross-entropy per sample, in nats
 * @param accuracy fraction correct, in {@code [0, 1]}
 * @param samples  samples scored
 * @param seconds  wall time
 */
public record Evaluation(double loss, double accuracy, int samples, double seconds) {
}
