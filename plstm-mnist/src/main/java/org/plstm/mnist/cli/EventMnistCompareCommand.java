package org.plstm.mnist.cli;

import picocli.CommandLine.Command;

/** Event-based MNIST: the Phased LSTM and the plain LSTM (time gap as an input channel) with identical settings,
 * both learning curves on one chart.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {"Event-based MNIST: the Phased LSTM and the plain LSTM (time gap as an input channel) with "
                + "identical settings, both learning curves on one chart.",
            "Writes metrics.csv, summary.json, accuracy.png, loss.png and checkpoint.safetensors (after every "
                + "epoch) into --out (plstm/ and lstm/ as event-mnist does, the charts of both and summary.json in --out)."})
public final class EventMnistCompareCommand extends EventMnistTaskCommand {
    /** Creates the command (picocli instantiates it). */
    public EventMnistCompareCommand() {
    }

    @Override
    boolean compare() {
        return true;
    }
}
