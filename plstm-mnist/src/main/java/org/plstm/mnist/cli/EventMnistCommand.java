package org.plstm.mnist.cli;

import picocli.CommandLine.Command;

/** Event-based sequential MNIST: each image becomes the sequence of its ink changes along the row-major scan,
 * timestamped by scan position (short sequences of different lengths where time carries the position).
 */
@Command(name = "event-mnist", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        subcommands = EventMnistCompareCommand.class,
        description = {"Event-based sequential MNIST: each image becomes the sequence of its ink changes along the "
                + "row-major scan, timestamped by scan position (short sequences of different lengths where time "
                + "carries the position).",
            "Writes metrics.csv, summary.json, accuracy.png, loss.png and checkpoint.safetensors (after every "
                + "epoch) into --out."})
public final class EventMnistCommand extends EventMnistTaskCommand {
    /** Creates the command (picocli instantiates it). */
    public EventMnistCommand() {
    }

    @Override
    boolean compare() {
        return false;
    }
}
