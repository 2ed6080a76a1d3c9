package org.plstm.mnist.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.plstm.Engine;
import org.plstm.data.DataSplit;
import org.plstm.data.EventData;
import org.plstm.data.EventSequence;
import org.plstm.engine.Backend;
import org.plstm.mnist.train.EventTrainer;
import org.plstm.optim.Sgd;
import org.plstm.train.ClassifierTrainer;
import org.plstm.train.SequenceClassifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code events evaluate}: scores a checkpoint of {@code events train} on an event CSV file. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {"Score a checkpoint of events train on an event CSV file (inference mode): loss and accuracy "
                + "(classification) or RMSE (regression). The columns, standardisation and classes come from the "
                + "checkpoint."})
public final class EventsEvaluateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", paramLabel = "FILE", required = true,
            description = "A checkpoint.safetensors written by events train.")
    Path checkpoint;

    @Option(names = "--data", paramLabel = "FILE", required = true,
            description = "An event CSV file with the checkpoint's columns, labels included.")
    Path data;

    @Option(names = "--split", paramLabel = "all|train|validation|test", defaultValue = "all",
            description = "all: every sequence of the file; train, validation, test: that part of the training run's "
                    + "seeded split (the same file as training). Default: ${DEFAULT-VALUE}.")
    String split;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "64",
            description = "Sequences per batch. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--max-memory", paramLabel = "SIZE", defaultValue = "25%",
            description = "The most memory the data may take (as events train). Default: ${DEFAULT-VALUE}.")
    String maxMemory;

    @Mixin
    EngineOptions engine;

    /** Creates the command (picocli instantiates it). */
    public EventsEvaluateCommand() {
    }

    @Override
    public Integer call() throws Exception {
        ModelOptions.positive(spec, "--batch", batch);
        String which = split.trim().toLowerCase(Locale.ROOT);
        if (!List.of("all", "train", "validation", "test").contains(which)) {
            throw ModelOptions.bad(spec, "--split: expected all, train, validation or test, got '" + split + "'");
        }
        String engineName = engine.engine(spec);
        int threads = engine.threads(spec);
        long maxBytes = EventsCommand.memory(spec, "--max-memory", maxMemory);
        EventsCheckpoint ck = EventsCheckpoint.load(spec, "--checkpoint", checkpoint);
        EventData events = EventsCommand.read(spec,
                ck.config().reader(maxBytes, EventsCommand.CHECKPOINT_OPTIONS), data);
        List<EventSequence> seqs = events.sequences();
        if (!which.equals("all")) {
            DataSplit s = DataSplit.of(seqs, ck.config().validation(), ck.config().test(), ck.config().seed());
            seqs = which.equals("train") ? s.train() : which.equals("validation") ? s.validation() : s.test();
            if (seqs.isEmpty()) {
                throw ModelOptions.bad(spec, "--split: the " + which + " part of " + data + " is empty");
            }
        }
        EventTrainer.Part part;
        try {
            part = EventTrainer.part(seqs, ck.stats(), ck.labels());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--data: " + data + ": " + e.getMessage());
        }
        try (Engine e = Backend.named(engineName).newEngine(threads)) {
            ClassifierTrainer t = new ClassifierTrainer(e, SequenceClassifier.of(ck.loaded().weights()),
                    new Sgd(1e-3), 0); // never stepped: evaluation runs forward passes only
            EventTrainer.Score s = EventTrainer.score(t, part, batch, ck.stats());
            spec.commandLine().getOut().printf(Locale.ROOT, "%s: epoch %d, %s; %s of %s (%d sequences): loss %.4f, "
                            + "%s %.4f (%.1f s, engine %s)%n", checkpoint, ck.loaded().epoch(), ck.config().task(),
                    which, data, s.count(), s.loss(), ck.config().regression() ? "RMSE" : "accuracy", s.metric(),
                    s.seconds(), e.description());
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
