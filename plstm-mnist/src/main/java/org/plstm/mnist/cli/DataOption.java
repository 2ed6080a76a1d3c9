package org.plstm.mnist.cli;

import java.nio.file.Path;
import org.plstm.mnist.data.MnistFetcher;
import picocli.CommandLine.Option;

/** The {@code --data} option alone (for {@code fetch}). */
public final class DataOption {
    @Option(names = "--data", paramLabel = "DIR",
            description = "MNIST cache directory. Default: $XDG_CACHE_HOME/plstm/mnist or ~/.cache/plstm/mnist.")
    Path data;

    /** Creates the option (picocli fills it). */
    public DataOption() {
    }

    /** @return the fetcher for {@code --data} or the default cache */
    MnistFetcher fetcher() {
        return data == null ? MnistFetcher.atDefaultLocation() : MnistFetcher.at(data);
    }
}
