package org.plstm.mnist.train;

import java.nio.file.Path;
import java.util.List;

/**
 * What a training run produced.
 *
 * @param config      the configuration
 * @param epochs      per-epoch statistics of every epoch so far, including those of a resumed checkpoint
 * @param metrics     per-batch and per-epoch metrics (as in {@code metrics.csv})
 * @param engine      the engine's description
 * @param outDir      the output directory
 * @param checkpoint  the last checkpoint written
 * @param parameters  the model's number of scalar parameters
 */
public record RunResult(TrainConfig config, List<EpochStats> epochs, MetricsLog metrics, String engine, Path outDir,
                        Path checkpoint, long parameters) {
    /** @return the last epoch's statistics */
    public EpochStats last() {
        return epochs.get(epochs.size() - 1);
    }
}
