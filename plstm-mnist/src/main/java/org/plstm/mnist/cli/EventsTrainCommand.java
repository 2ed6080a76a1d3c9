package org.plstm.mnist.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.plstm.data.EventData;
import org.plstm.io.Checkpoint;
import org.plstm.mnist.train.EventConfig;
import org.plstm.mnist.train.EventTrainer;
import org.plstm.mnist.train.MnistTrainer;
import org.plstm.mnist.train.RunSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code events train}: one training run on an event CSV file (or the continuation of its checkpoint). */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {"Train PLSTM (or the LSTM baseline) -> Dense -> softmax (classification) or a value "
                + "(regression, MSE) on the sequences of an event CSV file.",
            "The sequences are split by sequence (seeded) into training, validation and test sets; features are "
                    + "standardised with the training split's statistics (time is used as is). Writes metrics.csv, "
                    + "summary.json, accuracy.png (rmse.png), loss.png and checkpoint.safetensors (after every epoch) "
                    + "into --out."})
public final class EventsTrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "FILE", required = true,
            description = "The event CSV file: a header row, then one row per event.")
    Path data;

    @Option(names = "--id", paramLabel = "COLUMN", defaultValue = "seq",
            description = "The sequence-id column. Default: ${DEFAULT-VALUE}.")
    String id;

    @Option(names = "--time", paramLabel = "COLUMN", defaultValue = "t",
            description = "The timestamp column: finite numbers in any unit, the unit of the time gate's periods "
                    + "(--init). Events of a sequence are sorted by it (stable). Default: ${DEFAULT-VALUE}.")
    String time;

    @Option(names = "--features", paramLabel = "COLUMN", split = ",",
            description = "The feature columns, comma-separated. Default: every column other than id, time and label.")
    List<String> features;

    @Option(names = "--label", paramLabel = "COLUMN", defaultValue = "label",
            description = "The label column: class names (classification) or numbers (regression). "
                    + "Default: ${DEFAULT-VALUE}.")
    String label;

    @Option(names = "--label-per", paramLabel = "sequence|last-event", defaultValue = "sequence",
            description = "sequence: every event of a sequence carries its label (a mismatch is an error); "
                    + "last-event: per-event labels, the sequence's last event's counts. Default: ${DEFAULT-VALUE}.")
    String labelPer;

    @Option(names = "--task", paramLabel = "classification|regression", defaultValue = "classification",
            description = "classification (any number of classes, cross-entropy) or regression (one value per "
                    + "sequence, mean squared error). Default: ${DEFAULT-VALUE}.")
    String task;

    @Option(names = "--validation", paramLabel = "FRACTION", defaultValue = "0.1",
            description = "Fraction of the sequences for validation (scored after every epoch). "
                    + "Default: ${DEFAULT-VALUE}.")
    double validation;

    @Option(names = "--test", paramLabel = "FRACTION", defaultValue = "0.1",
            description = "Fraction of the sequences for test (scored after the last epoch); the rest trains. "
                    + "Default: ${DEFAULT-VALUE}.")
    double test;

    @Option(names = "--max-memory", paramLabel = "SIZE", defaultValue = "25%",
            description = "The most memory the data may take: bytes, K/M/G (512M) or a percentage of the heap (-Xmx). "
                    + "A larger file is refused with a clear message. Default: ${DEFAULT-VALUE}.")
    String maxMemory;

    @Option(names = "--model", paramLabel = "plstm|lstm", defaultValue = "plstm",
            description = "plstm: Phased LSTM; lstm: the plain LSTM baseline. Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--hidden", paramLabel = "N", defaultValue = "32",
            description = "Hidden units per recurrent layer. Default: ${DEFAULT-VALUE}.")
    int hidden;

    @Option(names = "--layers", paramLabel = "N", defaultValue = "1", description = ModelOptions.LAYERS_DESCRIPTION)
    int layers;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "10",
            description = "Total epochs (with --resume: the total to reach). Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "32",
            description = "Sequences per batch (grouped by length). Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--optimizer", paramLabel = "rmsprop|adam|sgd", defaultValue = "adam",
            description = "Optimiser (Keras defaults besides the learning rate). Default: ${DEFAULT-VALUE}.")
    String optimizer;

    @Option(names = "--lr", paramLabel = "RATE", defaultValue = "0.001",
            description = "Learning rate. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--clip", paramLabel = "NORM", defaultValue = "0",
            description = "Clip gradients by global norm; 0 = off. Default: ${DEFAULT-VALUE}.")
    double clip;

    @Mixin
    ScheduleOptions schedule;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the split, the initialisation and the shuffling. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--init", paramLabel = "paper|keras", defaultValue = "paper",
            description = "Time-gate initialisation, in the time column's unit: paper (period exp(U(1,6)), i.e. 2.7 "
                    + "to 400, shift U(0,period)) or keras (period U(10,100), shift U(0,1000)). "
                    + "Default: ${DEFAULT-VALUE}.")
    String init;

    @Option(names = "--gate-activation", paramLabel = "sigmoid|hard_sigmoid", defaultValue = "sigmoid",
            description = "Activation of the i, f, o gates. Default: ${DEFAULT-VALUE}.")
    String gateActivation;

    @Option(names = "--peepholes", negatable = true, defaultValue = "false", fallbackValue = "true",
            description = "Use peephole connections. Default: ${DEFAULT-VALUE}.")
    boolean peepholes;

    @Mixin
    EngineOptions engine;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Output directory. Default: runs/<yyyyMMdd-HHmmss>. A directory that already holds a run "
                    + "is refused unless --overwrite or --resume is given.")
    Path out;

    @Option(names = "--overwrite", description = "Let --out name a directory that already holds a run.")
    boolean overwrite;

    @Option(names = "--resume", paramLabel = "CHECKPOINT",
            description = "Continue from a checkpoint.safetensors of events train: its configuration, weights, "
                    + "optimiser state and epoch; --epochs is the total to reach (default: the run's own; a cosine "
                    + "schedule cannot change it). Options that define the data, split and model may be omitted but "
                    + "must not contradict it; --data, --epochs, --engine, --threads, --out and --progress may "
                    + "change.")
    Path resume;

    /** Creates the command (picocli instantiates it). */
    public EventsTrainCommand() {
    }

    private EventConfig fromOptions(String engineName, int threads) {
        ModelOptions.positive(spec, "--hidden", hidden);
        ModelOptions.layers(spec, layers);
        ModelOptions.positive(spec, "--epochs", epochs);
        ModelOptions.positive(spec, "--batch", batch);
        if (!(validation >= 0 && validation < 1)) {
            throw ModelOptions.bad(spec, "--validation: expected a fraction in [0, 1), got " + validation);
        }
        if (!(test >= 0 && test < 1) || !(validation + test < 1)) {
            throw ModelOptions.bad(spec, "--test: expected a fraction in [0, 1) with --validation + --test < 1, got "
                    + test + " (with --validation " + validation + ")");
        }
        if (features != null && (features.isEmpty() || features.stream().anyMatch(String::isBlank))) {
            throw ModelOptions.bad(spec, "--features: expected column names separated by commas, got '"
                    + String.join(",", features) + "'");
        }
        Map<String, String> named = new LinkedHashMap<>();
        named.put("--task", task);
        named.put("--model", model);
        named.put("--label-per", labelPer);
        named.put("--optimizer", optimizer);
        named.put("--init", init);
        named.put("--gate-activation", gateActivation);
        try {
            String sched = schedule.validated(spec);
            return new EventConfig(task, model, id, time, features, label, labelPer, validation, test, layers, hidden,
                    epochs, batch, optimizer, lr, clip, sched, schedule.weightDecay(), seed, init, gateActivation,
                    peepholes, engineName, threads);
        } catch (IllegalArgumentException e) {
            // name the option whose value was refused
            String field = e.getMessage().substring(0, Math.max(0, e.getMessage().indexOf(':')));
            String option = switch (field) {
                case "label_mode" -> "--label-per";
                case "id_column" -> "--id";
                case "time_column" -> "--time";
                case "label_column" -> "--label";
                case "learning_rate" -> "--lr";
                case "gate_activation", "gateActivation" -> "--gate-activation";
                default -> "--" + field.replace('_', '-');
            };
            String msg = e.getMessage().substring(e.getMessage().indexOf(':') + 1).trim();
            String value = named.getOrDefault(option, null);
            throw ModelOptions.bad(spec, option + ": " + (value != null ? msg.replaceAll(", got .*$", ", got '" + value
                    + "'") : msg));
        }
    }

    @Override
    public Integer call() throws Exception {
        String engineName = engine.engine(spec);
        int threads = engine.threads(spec);
        long maxBytes = EventsCommand.memory(spec, "--max-memory", maxMemory);
        EventConfig config = fromOptions(engineName, threads);
        Checkpoint.Loaded loaded = null;
        if (resume != null) {
            loaded = TrainCommand.loadCheckpoint(spec, "--resume", resume);
            EventConfig saved;
            try {
                saved = EventConfig.fromJson(Objects.requireNonNullElse(loaded.trainer(), "null"));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--resume: " + resume + " is not a checkpoint of "
                        + "events train (" + e.getMessage() + ")");
            }
            requireConsistent(saved);
            config = saved.withRun(ModelOptions.resumeEpochs(spec, epochs, saved.epochs(), saved.schedule(),
                    loaded.epoch()), engineName, threads);
        }
        EventData events = EventsCommand.read(spec, config.reader(maxBytes, EventsCommand.TRAIN_OPTIONS), data);
        config = config.withFeatures(events.featureNames());
        boolean existed = out != null && Files.isDirectory(out);
        Path dir = TrainCommand.outDir(spec, out, overwrite, resume, true);
        spec.commandLine().getOut().println("output: " + dir);
        EventTrainer trainer;
        EventTrainer.Result r;
        try (RunSupport.EmptyDirectoryCleanup cleanup = RunSupport.removeIfLeftEmpty(dir, existed)) {
            try {
                trainer = new EventTrainer(config, events, dir, spec.commandLine().getOut(), engine.progressBar());
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--data: " + data + ": " + e.getMessage());
            }
            try {
                r = trainer.run(loaded, resume);
            } catch (MnistTrainer.ResumeException e) {
                throw new ParameterException(spec.commandLine(), "--resume: " + resume + ": " + e.getMessage());
            }
            cleanup.keep();
        }
        String metric = config.regression() ? "RMSE" : "accuracy";
        if (r.test() != null) {
            spec.commandLine().getOut().printf(Locale.ROOT, "done: test %s %.4f (baseline %.4f), test loss %.4f; files "
                    + "in %s%n", metric, r.test().metric(), EventTrainer.baseline(trainer.prepared()), r.test().loss(),
                    dir);
        } else if (trainer.prepared().validation().size() > 0) {
            spec.commandLine().getOut().printf(Locale.ROOT, "done: validation %s %.4f; files in %s%n", metric,
                    r.last().validationMetric(), dir);
        } else {
            spec.commandLine().getOut().printf(Locale.ROOT, "done: no validation or test set (--validation and --test "
                    + "are 0); files in %s%n", dir);
        }
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** With --resume: options given explicitly must agree with the checkpoint's configuration. */
    private void requireConsistent(EventConfig saved) {
        Map<String, Object[]> pairs = new LinkedHashMap<>();
        pairs.put("--task", new Object[] {task.trim().toLowerCase(Locale.ROOT), saved.task()});
        pairs.put("--model", new Object[] {model.trim().toLowerCase(Locale.ROOT), saved.model()});
        pairs.put("--id", new Object[] {id, saved.idColumn()});
        pairs.put("--time", new Object[] {time, saved.timeColumn()});
        pairs.put("--features", new Object[] {features, saved.features()});
        pairs.put("--label", new Object[] {label, saved.labelColumn()});
        pairs.put("--label-per", new Object[] {labelPer.trim().toLowerCase(Locale.ROOT), saved.labelMode()});
        pairs.put("--validation", new Object[] {validation, saved.validation()});
        pairs.put("--test", new Object[] {test, saved.test()});
        pairs.put("--hidden", new Object[] {hidden, saved.hidden()});
        pairs.put("--layers", new Object[] {layers, saved.layers()});
        pairs.put("--batch", new Object[] {batch, saved.batch()});
        pairs.put("--optimizer", new Object[] {optimizer.trim().toLowerCase(Locale.ROOT), saved.optimizer()});
        pairs.put("--lr", new Object[] {lr, saved.learningRate()});
        pairs.put("--clip", new Object[] {clip, saved.clip()});
        pairs.put("--schedule", new Object[] {schedule.schedule.trim().toLowerCase(Locale.ROOT), saved.schedule()});
        pairs.put("--weight-decay", new Object[] {schedule.weightDecay(), saved.weightDecay()});
        pairs.put("--seed", new Object[] {seed, saved.seed()});
        pairs.put("--init", new Object[] {init.trim().toLowerCase(Locale.ROOT), saved.init()});
        pairs.put("--peepholes", new Object[] {peepholes, saved.peepholes()});
        for (Map.Entry<String, Object[]> e : pairs.entrySet()) {
            boolean given = spec.commandLine().getParseResult().hasMatchedOption(e.getKey());
            Object cli = e.getValue()[0];
            Object ckpt = e.getValue()[1];
            if (given && cli != null && !Objects.equals(cli.toString(), ckpt.toString())) {
                throw ModelOptions.bad(spec, e.getKey() + ": the checkpoint was trained with " + ckpt + ", got " + cli
                        + " (omit the option to resume)");
            }
        }
    }
}
