package org.plstm.mnist.cli;

import org.plstm.mnist.train.TaskConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Frequency discrimination (Phased LSTM paper, section 4.1): is a sine wave's period in [5, 6] ms? 110 units, last
 * step, dense, softmax; fresh data every epoch.
 */
@Command(name = "freq", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        subcommands = FreqCompareCommand.class,
        description = {"Frequency discrimination (Phased LSTM paper, section 4.1): is a sine wave's period in [5, 6] "
                + "ms? 110 units, last step, dense, softmax; fresh data every epoch.",
            "Writes metrics.csv, summary.json, accuracy.png, loss.png and checkpoint.safetensors (after every "
                + "epoch) into --out."})
public final class FreqCommand extends PaperTaskCommand {
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

    /** Creates the command (picocli instantiates it). */
    public FreqCommand() {
    }

    @Override
    String task() {
        return TaskConfig.FREQ;
    }

    @Override
    boolean compare() {
        return false;
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
