package org.plstm.mnist.cli;

import picocli.CommandLine.Command;

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
public final class FreqCommand extends FreqTaskCommand {
    /** Creates the command (picocli instantiates it). */
    public FreqCommand() {
    }

    @Override
    boolean compare() {
        return false;
    }
}
