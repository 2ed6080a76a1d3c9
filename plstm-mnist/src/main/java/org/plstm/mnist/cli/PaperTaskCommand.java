package org.plstm.mnist.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.plstm.io.Checkpoint;
import org.plstm.mnist.data.Mnist;
import org.plstm.mnist.data.MnistFetcher;
import org.plstm.mnist.train.MnistTrainer;
import org.plstm.mnist.train.RunSupport;
import org.plstm.mnist.train.TaskConfig;
import org.plstm.mnist.train.TaskData;
import org.plstm.mnist.train.TaskTrainer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options and the run of the paper's experiments ({@code freq}, {@code event-mnist}) and of their
 * {@code compare} subcommands: one model, or PLSTM and LSTM side by side ({@link TaskTrainer}). Subclasses name the
 * task and add its data options.
 */
public abstract class PaperTaskCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "plstm|lstm",
            description = "plstm: Phased LSTM (time through its time gate); lstm: the plain LSTM baseline (time gate "
                    + "off, time given as an extra input channel). Not with compare, which trains both. "
                    + "Default: plstm.")
    String model;

    @Option(names = "--hidden", paramLabel = "N", defaultValue = "110",
            description = "Hidden units (the paper: 110). Default: ${DEFAULT-VALUE}.")
    int hidden;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "70",
            description = "Total epochs (with --resume: the total to reach; the paper: 70). Default: ${DEFAULT-VALUE}.")
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

    @Option(names = "--clip", paramLabel = "NORM", defaultValue = "1.0",
            description = "Clip gradients by global norm; 0 = off. Default: ${DEFAULT-VALUE}.")
    double clip;

    @Mixin
    ScheduleOptions schedule;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the data, the initialisation and the shuffling. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--init", paramLabel = "paper|keras", defaultValue = "paper",
            description = "Time-gate initialisation: paper (period exp(U(1,6)), i.e. 2.7 to 403 time units, shift "
                    + "U(0,period)) or keras (period U(10,100), shift U(0,1000)). Default: ${DEFAULT-VALUE}.")
    String init;

    @Mixin
    EngineOptions engine;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Output directory. Default: runs/<yyyyMMdd-HHmmss>. A directory that already holds a run "
                    + "is refused unless --overwrite or --resume is given.")
    Path out;

    @Option(names = "--overwrite", description = "Let --out name a directory that already holds a run.")
    boolean overwrite;

    @Option(names = "--resume", paramLabel = "PATH",
            description = "Continue a run; --epochs is the total to reach (default: the run's own total; a cosine "
                    + "schedule cannot change it), and the data, the shuffle and the optimiser continue bit for bit. Without compare: its checkpoint.safetensors. With compare: the compare's "
                    + "directory (its plstm/ and lstm/ checkpoints are continued; a finished one is kept). "
                    + "The other options must be those of the run or omitted (--epochs, --engine, --threads, "
                    + "--progress may change).")
    Path resume;

    /** Creates the command (picocli instantiates it). */
    protected PaperTaskCommand() {
    }

    /** @return the task, {@link TaskConfig#FREQ} or {@link TaskConfig#EVENT_MNIST} */
    abstract String task();

    /** @return whether this is the {@code compare} subcommand */
    abstract boolean compare();

    /** @return the {@code --sampling} value ({@code freq}), or null */
    String sampling() {
        return null;
    }

    /** @return the {@code --threshold} value ({@code event-mnist}), or 0 */
    int threshold() {
        return 0;
    }

    /** @return the {@code --translate} value ({@code event-mnist}), or 0 */
    int translate() {
        return 0;
    }

    /** @return the {@code --train-samples} value */
    abstract int trainSamples();

    /** @return the {@code --test-samples} value */
    abstract int testSamples();

    /**
     * @return MNIST for {@code event-mnist} (fetched if needed), null for {@code freq}
     * @throws IOException if the data cannot be obtained
     */
    Mnist mnist() throws IOException {
        return null;
    }

    /**
     * @param path an MNIST cache directory, or null for the default
     * @return the data, fetched on first use
     * @throws IOException if it cannot be obtained
     */
    static Mnist loadMnist(Path path) throws IOException {
        return Mnist.load(path == null ? MnistFetcher.atDefaultLocation() : MnistFetcher.at(path));
    }

    private TaskConfig fromOptions(String m, String engineName, int threads) {
        ModelOptions.positive(spec, "--hidden", hidden);
        ModelOptions.positive(spec, "--epochs", epochs);
        ModelOptions.positive(spec, "--batch", batch);
        ModelOptions.positive(spec, "--train-samples", trainSamples());
        ModelOptions.positive(spec, "--test-samples", testSamples());
        if (!org.plstm.optim.Optimizer.validLearningRate(lr)) {
            throw ModelOptions.bad(spec, "--lr: expected a number in " + org.plstm.optim.Optimizer.LEARNING_RATES
                    + ", got " + lr);
        }
        if (!(clip >= 0) || Double.isInfinite(clip)) {
            throw ModelOptions.bad(spec, "--clip: expected 0 (off) or a finite value > 0, got " + clip);
        }
        String sched = schedule.validated(spec);
        if (task().equals(TaskConfig.EVENT_MNIST)) {
            if (threshold() < 1 || threshold() > 255) {
                throw ModelOptions.bad(spec, "--threshold: expected a pixel value in [1, 255], got " + threshold());
            }
            try {
                RunSupport.translate("--translate", translate());
            } catch (IllegalArgumentException e) {
                throw ModelOptions.bad(spec, e.getMessage());
            }
            if (trainSamples() > 60_000) {
                throw ModelOptions.bad(spec, "--train-samples: expected at most 60000 (the MNIST training images), "
                        + "got " + trainSamples());
            }
            if (testSamples() > 10_000) {
                throw ModelOptions.bad(spec, "--test-samples: expected at most 10000 (the MNIST test images), got "
                        + testSamples());
            }
        } else {
            try {
                org.plstm.mnist.data.FrequencyTask.Sampling.parse(sampling());
            } catch (IllegalArgumentException e) {
                throw ModelOptions.bad(spec, "--sampling: expected standard, high-res or async, got '" + sampling()
                        + "'");
            }
        }
        String[][] choices = {{"--model", m, "plstm", "lstm"}, {"--optimizer", optimizer, "rmsprop", "adam", "sgd"},
            {"--init", init, "paper", "keras"}};
        for (String[] c : choices) {
            String v = c[1].trim().toLowerCase(Locale.ROOT);
            if (!List.of(c).subList(2, c.length).contains(v)) {
                throw ModelOptions.bad(spec, c[0] + ": expected " + String.join(", ", List.of(c).subList(2, c.length))
                        + ", got '" + c[1] + "'");
            }
        }
        try {
            return new TaskConfig(task(), sampling(), m, hidden, epochs, batch, trainSamples(), testSamples(),
                    threshold(), optimizer, lr, clip, sched, schedule.weightDecay(), translate(), seed, init, engineName,
                    threads);
        } catch (IllegalArgumentException e) {
            throw ModelOptions.bad(spec, e.getMessage().startsWith("weightDecay:")
                    ? "--weight-decay" + e.getMessage().substring("weightDecay".length()) : e.getMessage());
        }
    }

    @Override
    public Integer call() throws Exception {
        String engineName = engine.engine(spec);
        int threads = engine.threads(spec);
        PrintWriter w = spec.commandLine().getOut();
        if (compare()) {
            if (model != null) {
                throw ModelOptions.bad(spec, "--model: compare trains both plstm and lstm; got '" + model
                        + "' (omit the option, or run without compare)");
            }
            TaskConfig base = fromOptions("plstm", engineName, threads);
            Path dir;
            if (resume != null) {
                if (!Files.isDirectory(resume)) {
                    throw ModelOptions.bad(spec, "--resume: with compare, expected the compare's directory (holding "
                            + "plstm/ and lstm/), got " + resume);
                }
                if (out != null && !(Files.exists(out) && Files.isSameFile(out, resume))) {
                    throw ModelOptions.bad(spec, "--out: with --resume, expected the resumed directory " + resume
                            + " or nothing, got " + out);
                }
                dir = resume.toRealPath();
                Path first = null;
                for (String m : List.of("plstm", "lstm")) {
                    Path ck = dir.resolve(m).resolve(TaskTrainer.CHECKPOINT);
                    if (first == null && Files.isRegularFile(ck)) {
                        first = ck;
                    }
                }
                if (first == null) {
                    throw ModelOptions.bad(spec, "--resume: " + resume + " holds no plstm/ or lstm/ "
                            + TaskTrainer.CHECKPOINT + " to continue");
                }
                // a model without a checkpoint yet starts with the saved configuration, not the defaults
                TaskConfig saved = savedConfig(TrainCommand.loadCheckpoint(spec, "--resume", first), first);
                requireConsistent(saved, base);
                base = saved.withModel("plstm").withRun(resumeEpochs(saved, -1), engineName, threads);
            } else {
                dir = TrainCommand.outDir(spec, out, overwrite, null, true);
            }
            w.println("output: " + dir);
            Mnist mnist = mnist();
            List<TaskTrainer.Result> results = new ArrayList<>();
            for (String m : List.of("plstm", "lstm")) {
                TaskConfig c = base.withModel(m);
                Path sub = dir.resolve(m);
                Path ck = sub.resolve(TaskTrainer.CHECKPOINT);
                Checkpoint.Loaded loaded = null;
                if (resume != null && Files.isRegularFile(ck)) {
                    loaded = TrainCommand.loadCheckpoint(spec, "--resume", ck);
                    TaskConfig savedOne = savedConfig(loaded, ck);
                    c = savedOne.withRun(resumeEpochs(savedOne, -1), engineName, threads);
                }
                results.add(runOne(c, mnist, sub, loaded, loaded == null ? null : ck));
            }
            TaskTrainer.writeComparison(dir, results);
            for (TaskTrainer.Result r : results) {
                w.printf(Locale.ROOT, "%-5s test accuracy %.4f (best %.4f), %.1f s per epoch%n",
                        r.config().model().toUpperCase(Locale.ROOT), r.last().testAccuracy(),
                        r.epochs().stream().mapToDouble(TaskTrainer.Epoch::testAccuracy).max().orElse(Double.NaN),
                        r.epochs().stream().mapToDouble(TaskTrainer.Epoch::seconds).average().orElse(Double.NaN));
            }
            w.println("charts: " + dir.resolve("accuracy.png") + ", " + dir.resolve("loss.png"));
            w.flush();
            return 0;
        }
        TaskConfig config = fromOptions(model == null ? "plstm" : model, engineName, threads);
        Checkpoint.Loaded loaded = null;
        if (resume != null) {
            loaded = TrainCommand.loadCheckpoint(spec, "--resume", resume);
            TaskConfig saved = savedConfig(loaded, resume);
            requireConsistent(saved, config);
            config = saved.withRun(resumeEpochs(saved, loaded.epoch()), engineName, threads);
        }
        Path dir = TrainCommand.outDir(spec, out, overwrite, resume, true);
        w.println("output: " + dir);
        TaskTrainer.Result r = runOne(config, mnist(), dir, loaded, resume);
        w.printf(Locale.ROOT, "done: test accuracy %.4f, test loss %.4f, %.1f s per epoch; files in %s%n",
                r.last().testAccuracy(), r.last().testLoss(),
                r.epochs().stream().mapToDouble(TaskTrainer.Epoch::seconds).average().orElse(Double.NaN), dir);
        w.flush();
        return 0;
    }

    private TaskTrainer.Result runOne(TaskConfig c, Mnist mnist, Path dir, Checkpoint.Loaded loaded, Path file)
            throws IOException {
        TaskTrainer t = new TaskTrainer(c, TaskData.of(c, mnist), dir, spec.commandLine().getOut(),
                engine.progressBar());
        try {
            return t.run(loaded, file);
        } catch (MnistTrainer.ResumeException e) {
            throw new ParameterException(spec.commandLine(), "--resume: " + file + ": " + e.getMessage());
        }
    }

    private TaskConfig savedConfig(Checkpoint.Loaded loaded, Path file) {
        try {
            TaskConfig saved = TaskConfig.fromJson(String.valueOf(loaded.trainer()));
            if (!saved.task().equals(task())) {
                throw new IllegalArgumentException("it is a checkpoint of " + saved.task());
            }
            return saved;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--resume: " + file + " is not a checkpoint of "
                    + task() + " (" + e.getMessage() + ")");
        }
    }

    /**
     * With --resume: the total epochs to reach, {@code --epochs} if given, else the checkpoint's run's; a cosine
     * schedule spans its run's epochs, which therefore cannot change.
     */
    private int resumeEpochs(TaskConfig saved, long completed) {
        return ModelOptions.resumeEpochs(spec, epochs, saved.epochs(), saved.schedule(), completed);
    }

    /** With --resume: options given explicitly must agree with the checkpoint's configuration. */
    private void requireConsistent(TaskConfig saved, TaskConfig given) {
        Object[][] pairs = {{"--model", given.model(), saved.model()}, {"--sampling", given.sampling(),
            saved.sampling()}, {"--threshold", given.threshold(), saved.threshold()}, {"--hidden", given.hidden(),
                saved.hidden()}, {"--batch", given.batch(), saved.batch()}, {"--train-samples", given.trainSamples(),
                    saved.trainSamples()}, {"--test-samples", given.testSamples(), saved.testSamples()},
            {"--optimizer", given.optimizer(), saved.optimizer()}, {"--lr", given.learningRate(),
                saved.learningRate()}, {"--clip", given.clip(), saved.clip()}, {"--seed", given.seed(), saved.seed()},
            {"--init", given.init(), saved.init()}, {"--schedule", given.schedule(), saved.schedule()},
            {"--weight-decay", given.weightDecay(), saved.weightDecay()}, {"--translate", given.translate(),
                saved.translate()}};
        for (Object[] p : pairs) {
            String option = (String) p[0];
            if (spec.findOption(option) != null && spec.commandLine().getParseResult().hasMatchedOption(option)
                    && !String.valueOf(p[1]).equals(String.valueOf(p[2]))) {
                throw ModelOptions.bad(spec, option + ": the checkpoint was trained with " + p[2] + ", got " + p[1]
                        + " (omit the option to resume)");
            }
        }
    }
}
