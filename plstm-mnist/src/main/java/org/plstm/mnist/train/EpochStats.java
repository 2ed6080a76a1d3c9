package org.plstm.mnist.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The summary of one epoch.
 *
 * @param epoch            1-based epoch number
 * @param trainLoss        mean training cross-entropy over the epoch's batches (nats, weighted by batch size)
 * @param trainAccuracy    fraction of training samples classified correctly during the epoch (before each update)
 * @param testLoss         mean test cross-entropy after the epoch (nats)
 * @param testAccuracy     test accuracy after the epoch
 * @param seconds          wall time of the epoch's training steps, excluding evaluation and file writing
 * @param samplesPerSecond training samples per second of the epoch
 * @param testSeconds      wall time of the test evaluation
 */
@JsonPropertyOrder({"epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "seconds",
        "samples_per_second", "test_seconds"})
public record EpochStats(
        @JsonProperty("epoch") int epoch,
        @JsonProperty("train_loss") double trainLoss,
        @JsonProperty("train_accuracy") double trainAccuracy,
        @JsonProperty("test_loss") double testLoss,
        @JsonProperty("test_accuracy") double testAccuracy,
        @JsonProperty("seconds") double seconds,
        @JsonProperty("samples_per_second") double samplesPerSecond,
        @JsonProperty("test_seconds") double testSeconds) {
}
