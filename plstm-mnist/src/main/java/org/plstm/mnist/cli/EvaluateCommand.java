package org.plstm.mnist.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.plstm.Engine;
import org.plstm.engine.Backend;
import org.plstm.io.Checkpoint;
import org.plstm.mnist.data.Mnist;
import org.plstm.mnist.data.PixelStats;
import org.plstm.mnist.train.Evaluation;
import org.plstm.mnist.train.Layout;
import org.plstm.mnist.train.MnistBatches;
import org.plstm.mnist.train.MnistTrainer;
import org.plstm.mnist.train.TrainConfig;
import org.plstm.optim.Sgd;
import org.plstm.train.ClassifierTrainer;
import org.plstm.train.SequenceClassifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code evaluate}: scores a checkpoint on the MNIST test set. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        description = "Score a checkpoint on the MNIST test set (inference mode) and print loss and accuracy.")
public final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", paramLabel = "FILE", required = true,
            description = "A checkpoint.safetensors written by train.")
    Path checkpoint;

    @Option(names = "--test-limit", paramLabel = "N", defaultValue = "10000",
            description = "Score the first N test samples (all of them where N is larger). "
                    + "Default: ${DEFAULT-VALUE} (all).")
    int testLimit;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "128",
            description = "Samples per batch. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Mixin
    RuntimeOptions runtime;

    /** Creates the command (picocli instantiates it). */
    public EvaluateCommand() {
    }

    @Override
    public Integer call() throws Exception {
        ModelOptions.positive(spec, "--test-limit", testLimit);
        ModelOptions.positive(spec, "--batch", batch);
        String engineName = runtime.engine(spec);
        int threads = runtime.threads(spec);
        Checkpoint.Loaded loaded = TrainCommand.loadCheckpoint(spec, "--checkpoint", checkpoint);
        String other = otherTrainer(loaded.trainer());
        if (other != null) {
            throw new ParameterException(spec.commandLine(), "--checkpoint: " + checkpoint + " is a checkpoint of "
                    + other);
        }
        Layout layout;
        try {
            layout = loaded.trainer() != null ? TrainConfig.fromJson(loaded.trainer()).layout()
                    : Layout.forInputSize(loaded.weights().layers().get(0).config().inputSize());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--checkpoint: " + checkpoint + ": " + e.getMessage());
        }
        int modelInput = loaded.weights().layers().get(0).config().inputSize();
        if (layout.inputSize() != modelInput) {
            throw new ParameterException(spec.commandLine(), "--checkpoint: " + checkpoint + ": its training "
                    + "configuration says the " + layout + " layout (" + layout.inputSize() + " input(s) per step) "
                    + "but its model takes " + modelInput + "; the file is inconsistent (use a checkpoint the trainer "
                    + "wrote, or one without 'trainer' metadata)");
        }
        Mnist mnist = runtime.load();
        PixelStats stats = savedStats(loaded, mnist);
        MnistBatches test = new MnistBatches(mnist.test().limit(testLimit), layout, stats);
        try (Engine engine = Backend.named(engineName).newEngine(threads)) {
            // The optimiser is never stepped: evaluation only runs forward passes.
            ClassifierTrainer t = new ClassifierTrainer(engine, SequenceClassifier.of(loaded.weights()), new Sgd(1e-3), 0);
            Evaluation e = MnistTrainer.evaluate(t, test, batch);
            spec.commandLine().getOut().printf(Locale.ROOT,
                    "%s: epoch %d, %s layout; test loss %.4f, test accuracy %.4f (%d samples, %.1f s, engine %s)%n",
                    checkpoint, loaded.epoch(), layout, e.loss(), e.accuracy(), e.samples(), e.seconds(),
                    engine.description());
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    /**
     * The pixel statistics the checkpoint's model was trained with (metadata {@code pixel_mean}, {@code pixel_std});
     * the training set's when the checkpoint has none (one written by the library rather than the trainer).
     */
    private PixelStats savedStats(Checkpoint.Loaded loaded, Mnist mnist) {
        String mean = loaded.metadata().get("pixel_mean");
        String std = loaded.metadata().get("pixel_std");
        if (mean == null && std == null) {
            return mnist.trainPixelStats();
        }
        double m = statEntry("pixel_mean", mean);
        double s = statEntry("pixel_std", std);
        if (!(m >= 0 && m <= 1)) {
            throw new ParameterException(spec.commandLine(), "--checkpoint: " + checkpoint
                    + ": metadata pixel_mean must be in [0, 1] (pixels scaled to [0, 1]), got " + mean);
        }
        if (!(s > 0 && s <= 1)) {
            throw new ParameterException(spec.commandLine(), "--checkpoint: " + checkpoint
                    + ": metadata pixel_std must be in (0, 1] (pixels scaled to [0, 1]), got " + std);
        }
        return new PixelStats(m, s);
    }

    private double statEntry(String key, String value) {
        try {
            return Double.parseDouble(java.util.Objects.requireNonNull(value));
        } catch (NumberFormatException | NullPointerException e) {
            throw new ParameterException(spec.commandLine(), "--checkpoint: " + checkpoint + ": metadata " + key
                    + " must be a number, got " + (value == null ? "nothing" : "'" + value + "'"));
        }
    }

    /**
     * @param trainer a checkpoint's {@code trainer} metadata (JSON), or null
     * @return what wrote it and how to score it, if it is not a sequential-MNIST run's ({@code train},
     *     {@code compare}); else null
     */
    static String otherTrainer(String trainer) {
        if (trainer == null) {
            return null;
        }
        String task;
        try {
            JsonNode node = new ObjectMapper().readTree(trainer);
            task = node != null && node.hasNonNull("task") ? node.get("task").asText() : null;
        } catch (JsonProcessingException e) {
            return null; // the configuration parser below says what is wrong
        }
        if (task == null) {
            return null;
        }
        if (task.equals("freq") || task.equals("event-mnist")) {
            return "'" + task + "' (the paper's experiment), not of sequential MNIST; evaluate scores the checkpoints "
                    + "of train and compare (a " + task + " run's test accuracy after every epoch is in its "
                    + "summary.json)";
        }
        return "'events train' (your own CSV data), not of sequential MNIST; score it with 'events evaluate "
                + "--checkpoint FILE --data CSV'";
    }
}
