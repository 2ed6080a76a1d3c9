package org.plstm.mnist.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The top-level {@code plstm-mnist} command; it only dispatches to its subcommands. */
@Command(name = "plstm-mnist", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Sequential MNIST with the Phased LSTM (Neil, Pfeiffer & Liu 2016) on the CPU, as the Keras "
                + "seed fferroni/PhasedLSTM-Keras examples/mnist_example.py.",
            "Run with: java --add-modules jdk.incubator.vector -jar plstm-mnist.jar <command> [options]"},
        subcommands = {FetchCommand.class, TrainCommand.class, CompareCommand.class, EvaluateCommand.class,
            EventsCommand.class, FreqCommand.class, EventMnistCommand.class},
        footer = {"", "Exit codes: 0 success, 1 failure, 2 bad command line or option value."})
public final class PlstmMnistCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** Creates the command (picocli instantiates it). */
    public PlstmMnistCommand() {
    }

    /** Without a subcommand: a usage error. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: expected fetch, train, compare, "
                + "evaluate, events, freq or event-mnist");
    }
}
