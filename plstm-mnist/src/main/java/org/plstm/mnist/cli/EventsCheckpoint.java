package org.plstm.mnist.cli;

import java.nio.file.Path;
import org.plstm.data.Labels;
import org.plstm.data.Standardizer;
import org.plstm.io.Checkpoint;
import org.plstm.mnist.train.EventConfig;
import org.plstm.mnist.train.EventTrainer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * What {@code events evaluate} and {@code events predict} read from a checkpoint of {@code events train}: the
 * configuration (columns, task), the standardisation and the classes.
 *
 * @param loaded the checkpoint
 * @param config its training configuration
 * @param stats  its standardisation
 * @param labels its classes, or null for regression
 */
record EventsCheckpoint(Checkpoint.Loaded loaded, EventConfig config, Standardizer stats, Labels labels) {

    /**
     * @param spec   the command
     * @param option the option naming the file
     * @param file   the file
     * @return its contents
     * @throws ParameterException if it is missing, malformed or not a checkpoint of events train
     */
    static EventsCheckpoint load(CommandSpec spec, String option, Path file) {
        Checkpoint.Loaded loaded = TrainCommand.loadCheckpoint(spec, option, file);
        try {
            if (loaded.trainer() == null || loaded.metadata().get("standardizer") == null) {
                throw new IllegalArgumentException("it lacks the metadata 'trainer' and 'standardizer' that events "
                        + "train writes");
            }
            EventConfig config = EventConfig.fromJson(loaded.trainer());
            Standardizer stats = Standardizer.fromJson(loaded.metadata().get("standardizer"));
            Labels labels = null;
            if (!config.regression()) {
                String json = loaded.metadata().get("labels");
                if (json == null) {
                    throw new IllegalArgumentException("it lacks the metadata 'labels' (the classes)");
                }
                labels = EventTrainer.parseLabels(json);
                if (labels.size() != loaded.weights().dense().outputSize()) {
                    throw new IllegalArgumentException("its " + labels.size() + " classes do not match the model's "
                            + loaded.weights().dense().outputSize() + " outputs");
                }
            }
            if (stats.features().size() != loaded.weights().layers().get(0).config().inputSize()) {
                throw new IllegalArgumentException("its standardisation has " + stats.features().size()
                        + " features but the model takes " + loaded.weights().layers().get(0).config().inputSize());
            }
            return new EventsCheckpoint(loaded, config.withFeatures(stats.features()), stats, labels);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), option + ": " + file + " is not a checkpoint of events "
                    + "train: " + e.getMessage());
        }
    }
}
