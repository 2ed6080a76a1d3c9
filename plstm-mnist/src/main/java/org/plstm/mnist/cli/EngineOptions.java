package org.plstm.mnist.cli;

import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Options about how to run, without a data location: engine, threads, progress bar (the {@code events} commands;
 * MNIST's {@link RuntimeOptions} adds its cache directory and parses through the same methods).
 */
public final class EngineOptions {
    @Option(names = "--engine", paramLabel = "simd|reference|auto", defaultValue = "auto",
            description = "Compute engine: simd (Vector API, needs --add-modules jdk.incubator.vector), reference "
                    + "(scalar double precision, slow) or auto (simd when available). Default: ${DEFAULT-VALUE}.")
    String engine;

    @Option(names = "--threads", paramLabel = "N|auto", defaultValue = "auto",
            description = "Engine worker threads, at most 1024; auto = the system property plstm.threads if set "
                    + "(-Dplstm.threads=N, as the library), else the available processors. Default: ${DEFAULT-VALUE}.")
    String threads;

    @Option(names = "--progress", negatable = true, fallbackValue = "true",
            description = "Show a progress bar per epoch on standard error. Default: on in a terminal, off when the "
                    + "output is redirected.")
    Boolean progress;

    /** Creates the options (picocli fills them). */
    public EngineOptions() {
    }

    /** @return whether to draw progress bars */
    boolean progressBar() {
        return progressBar(progress);
    }

    /**
     * @param spec the command
     * @return the engine name, validated
     */
    String engine(CommandSpec spec) {
        return engine(spec, engine);
    }

    /**
     * @param spec the command
     * @return the thread count, validated
     */
    int threads(CommandSpec spec) {
        return threads(spec, threads);
    }

    /**
     * @param progress the {@code --progress} value, or null if not given
     * @return as given, else only when attached to a terminal
     */
    static boolean progressBar(Boolean progress) {
        if (progress != null) {
            return progress;
        }
        java.io.Console console = System.console();
        return console != null && console.isTerminal();
    }

    /**
     * @param spec   the command, for errors
     * @param engine the {@code --engine} value
     * @return the engine name, validated
     * @throws ParameterException on an unknown engine
     */
    static String engine(CommandSpec spec, String engine) {
        String e = engine.trim().toLowerCase(Locale.ROOT);
        if (!e.equals("simd") && !e.equals("reference") && !e.equals("auto")) {
            throw new ParameterException(spec.commandLine(), "--engine: expected simd, reference or auto, got '"
                    + engine + "'");
        }
        return e;
    }

    /**
     * @param spec    the command, for errors
     * @param threads the {@code --threads} value
     * @return the thread count
     * @throws ParameterException unless {@code auto} or an integer in {@code [1, Backend.MAX_THREADS]}, or if
     *     {@code auto} meets a bad {@code plstm.threads} property
     */
    static int threads(CommandSpec spec, String threads) {
        if (threads.trim().equalsIgnoreCase("auto")) {
            try {
                return org.plstm.engine.Backend.defaultThreads(); // -Dplstm.threads, else the processors
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--threads auto: " + e.getMessage());
            }
        }
        try {
            int n = Integer.parseInt(threads.trim());
            if (n >= 1 && n <= org.plstm.engine.Backend.MAX_THREADS) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new ParameterException(spec.commandLine(), "--threads: expected auto or an integer in [1, "
                + org.plstm.engine.Backend.MAX_THREADS + "], got '" + threads + "'");
    }
}
