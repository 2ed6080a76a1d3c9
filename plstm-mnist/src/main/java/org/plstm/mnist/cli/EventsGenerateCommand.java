package org.plstm.mnist.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.plstm.mnist.data.FrequencyTask;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code events generate}: the paper's frequency-discrimination task as an event CSV file. */
@Command(name = "generate", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {"Write the frequency-discrimination task of the Phased LSTM paper (section 4.1) as an event CSV: "
                + "sin(2*pi*t/P - phi0), label 1 iff the period P is in [5, 6] ms (half the sequences forced into "
                + "that band, the rest log-uniform on [1, 100] ms), 15-125 ms long, times in ms.",
            "Columns: seq,t,x,label,period (period is P itself, a regression target: train with --features x)."})
public final class EventsGenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "FILE", required = true,
            description = "The CSV file to write (atomically; a file already there is replaced).")
    Path out;

    @Option(names = "--sequences", paramLabel = "N", defaultValue = "2000",
            description = "Number of sequences. Default: ${DEFAULT-VALUE}.")
    int sequences;

    @Option(names = "--sampling", paramLabel = "async|standard|high-res", defaultValue = "async",
            description = "async: 15-125 events at uniform random times; standard: every 1 ms; high-res: every 0.1 ms. "
                    + "Default: ${DEFAULT-VALUE}.")
    String sampling;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed: the same seed writes the same file. Default: ${DEFAULT-VALUE}.")
    long seed;

    /** Creates the command (picocli instantiates it). */
    public EventsGenerateCommand() {
    }

    @Override
    public Integer call() throws Exception {
        ModelOptions.positive(spec, "--sequences", sequences);
        FrequencyTask.Sampling s;
        try {
            s = FrequencyTask.Sampling.parse(sampling);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--sampling: expected async, standard or high-res, got '"
                    + sampling + "'");
        }
        List<FrequencyTask.Sample> samples = FrequencyTask.generate(sequences, s, seed);
        FrequencyTask.writeCsv(out, samples);
        long events = samples.stream().mapToLong(x -> x.time().length).sum();
        long positive = samples.stream().filter(x -> x.label() == 1).count();
        spec.commandLine().getOut().printf(Locale.ROOT, "wrote %s: %d sequences (%d with label 1), %d events, %s "
                + "sampling, seed %d%n", out, sequences, positive, events, s, seed);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
