package org.plstm.mnist.cli;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import org.plstm.data.EventCsvReader;
import org.plstm.data.EventData;
import org.plstm.data.EventFormatException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code events}: train, evaluate and predict on your own event data, a CSV file with one row per event (sequence id,
 * timestamp, features, label); {@code generate} writes the paper's frequency task as such a file.
 */
@Command(name = "events", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Your own event data (CSV: one row per event with a sequence id, a timestamp, features and a "
                + "label): train, evaluate, predict; generate writes an example file (the paper's frequency task)."},
        subcommands = {EventsGenerateCommand.class, EventsTrainCommand.class, EventsEvaluateCommand.class,
            EventsPredictCommand.class})
public final class EventsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** What the reader's messages call its settings in events train: that command's options. */
    static final EventCsvReader.SettingNames TRAIN_OPTIONS = new EventCsvReader.SettingNames("--id", "--time",
            "--features", "--label", "--label-per last-event", "--max-memory");

    /**
     * What the reader's messages call its settings in events evaluate and predict: the columns and the label mode are
     * those of the checkpoint, set by events train's options; the memory limit is the command's own.
     */
    static final EventCsvReader.SettingNames CHECKPOINT_OPTIONS = new EventCsvReader.SettingNames(
            "--id of events train", "--time of events train", "--features of events train", "--label of events train",
            "--label-per last-event in events train", "--max-memory");

    /** Creates the command (picocli instantiates it). */
    public EventsCommand() {
    }

    /** Without a subcommand: a usage error. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: expected generate, train, evaluate or "
                + "predict");
    }

    /**
     * Parses a memory size: bytes ({@code 1000000}), with a binary suffix ({@code 512K}, {@code 512M}, {@code 2G}), or
     * a percentage of the maximum heap ({@code 25%}).
     *
     * @param spec   the command, for errors
     * @param option the option's name
     * @param value  the value
     * @return bytes, {@code >= 1}
     * @throws ParameterException on anything else
     */
    static long memory(CommandSpec spec, String option, String value) {
        String v = value.trim().toUpperCase(Locale.ROOT);
        try {
            if (v.endsWith("%")) {
                double pct = Double.parseDouble(v.substring(0, v.length() - 1));
                if (pct > 0 && pct <= 100) {
                    return Math.max(1, (long) (Runtime.getRuntime().maxMemory() * pct / 100));
                }
            } else {
                long mult = 1;
                if (v.endsWith("K") || v.endsWith("M") || v.endsWith("G")) {
                    mult = v.endsWith("K") ? 1L << 10 : v.endsWith("M") ? 1L << 20 : 1L << 30;
                    v = v.substring(0, v.length() - 1);
                }
                long n = Long.parseLong(v);
                if (n >= 1 && n <= Long.MAX_VALUE / mult) {
                    return n * mult;
                }
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new ParameterException(spec.commandLine(), option + ": expected bytes (e.g. 1000000), a size with K, M "
                + "or G (e.g. 512M), or a percentage of the heap in (0, 100] (e.g. 25%), got '" + value + "'");
    }

    /**
     * Reads an event file named by {@code --data}; a missing file or a format error is a usage error naming the
     * option (the reader's messages name the options of its settings: {@link #TRAIN_OPTIONS},
     * {@link #CHECKPOINT_OPTIONS}).
     *
     * @param spec   the command
     * @param reader the configured reader
     * @param file   the file
     * @return its sequences
     * @throws IOException if reading fails otherwise
     */
    static EventData read(CommandSpec spec, EventCsvReader reader, Path file) throws IOException {
        if (java.nio.file.Files.isDirectory(file)) {
            throw new ParameterException(spec.commandLine(), "--data: expected a CSV file, got the directory " + file);
        }
        try {
            return reader.read(file);
        } catch (NoSuchFileException e) {
            throw new ParameterException(spec.commandLine(), "--data: no such file: " + file);
        } catch (EventFormatException e) {
            throw new ParameterException(spec.commandLine(), "--data: " + e.getMessage());
        }
    }
}
