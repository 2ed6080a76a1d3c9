package org.plstm.mnist.cli;

import picocli.CommandLine.Command;

/** Frequency discrimination: the Phased LSTM and the plain LSTM (time as an input channel) with identical settings,
 * both learning curves on one chart.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {"Frequency discrimination: the Phased LSTM and the plain LSTM (time as an input channel) with "
                + "identical settings, both learning curves on one chart.",
            "Writes metrics.csv, summary.json, accuracy.png, loss.png and checkpoint.safetensors (after every "
                + "epoch) into --out (plstm/ and lstm/ as freq does, the charts of both and summary.json in --out)."})
public final class FreqCompareCommand extends FreqTaskCommand {
    /** Creates the command (picocli instantiates it). */
    public FreqCompareCommand() {
    }

    @Override
    boolean compare() {
        return true;
    }
}
