package org.plstm.mnist.cli;

import org.plstm.mnist.train.TaskConfig;
import picocli.CommandLine.Option;

/** The frequency task's options and data, shared by {@code freq} and {@code freq compare}. */
abstract class FreqTaskCommand extends PaperTaskCommand {
    @Option(names = "--sampling", paramLabel = "standard|high-res|async", defaultValue = "standard",
            description = "How the sine waves are sampled: standard (every 1 ms, 15 to 125 steps), high-res (every "
                    + "0.1 ms, up to 1250 steps) or async (15 to 125 samples at uniform random times). "
                    + "Default: ${DEFAULT-VALUE}.")
    String sampling;

    @Option(names = "--train-samples", paramLabel = "N", defaultValue = "5000",
            description = "Fresh training samples per epoch (the paper: 5000). Default: ${DEFAULT-VALUE}.")
    int trainSamples;

    @Option(names = "--test-samples", paramLabel = "N", defaultValue = "500",
            description = "Fresh test samples scored after each epoch (the paper: 500). Default: ${DEFAULT-VALUE}.")
    int testSamples;

    /** For the subclasses. */
    FreqTaskCommand() {
    }

    @Override
    String task() {
        return TaskConfig.FREQ;
    }

    @Override
    String sampling() {
        return sampling;
    }

    @Override
    int trainSamples() {
        return trainSamples;
    }

    @Override
    int testSamples() {
        return testSamples;
    }
}
