package org.plstm.mnist.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import org.plstm.io.Checkpoint;
import org.plstm.io.CheckpointFormatException;
import org.plstm.mnist.data.Mnist;
import org.plstm.mnist.train.MnistTrainer;
import org.plstm.mnist.train.ModelKind;
import org.plstm.mnist.train.RunResult;
import org.plstm.mnist.train.RunSupport;
import org.plstm.mnist.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code train}: one training run (or the continuation of a checkpoint). */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {"Train PLSTM (or the LSTM baseline) -> Dense(10) -> softmax on sequential MNIST.",
            "Writes metrics.csv, summary.json, accuracy.png, loss.png and checkpoint.safetensors (after every epoch) "
                    + "into --out."})
public final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "plstm|lstm", defaultValue = "plstm",
            description = "plstm: Phased LSTM; lstm: the plain LSTM baseline (time gate off), everything else equal. "
                    + "Default: ${DEFAULT-VALUE}.")
    String model;

    @Mixin
    ModelOptions options;

    @Mixin
    RuntimeOptions runtime;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Output directory. Default: runs/<yyyyMMdd-HHmmss> (a new one per run, made atomically; "
                    + "-2, -3, ... appended if two runs start in the same second). A directory that already holds "
                    + "a run is refused unless --overwrite or --resume is given.")
    Path out;

    @Option(names = "--overwrite",
            description = "Let --out name a directory that already holds a run: its checkpoint, metrics, charts "
                    + "and summary are replaced. Default: refuse.")
    boolean overwrite;

    @Option(names = "--resume", paramLabel = "CHECKPOINT",
            description = "Continue from a checkpoint.safetensors: its configuration, weights, optimiser state and "
                    + "epoch; --epochs is the total to reach (default: the checkpoint's run's total; a cosine schedule "
                    + "cannot change it). Model and data options may be omitted (they come from the checkpoint) but must not contradict it; --test-limit, --engine, --threads, --data, --out "
                    + "and --progress may change.")
    Path resume;

    /** Creates the command (picocli instantiates it). */
    public TrainCommand() {
    }

    /** Names in a directory that mark it as holding a run of {@code train} or {@code compare}. */
    static final List<String> RUN_FILES = List.of("checkpoint.safetensors", "metrics.csv", "summary.json", "plstm",
            "lstm");

    /**
     * The output directory of a run, created, as its real path (symbolic links and {@code ..} resolved as the file
     * system resolves them, so the printed location is where the files go).
     *
     * @param spec      the command, for errors
     * @param out       the --out value, or null for a new {@code runs/<yyyyMMdd-HHmmss>}
     * @param overwrite --overwrite was given
     * @param resume    the --resume checkpoint, or null: --out may be the directory that holds it, and no other
     *                  run's
     * @param canResume whether the command has --resume (for the advice in the refusal)
     * @return the directory
     * @throws ParameterException if {@code out} is a file or cannot be created, or already holds a run (other than
     *                            the resumed checkpoint's) and --overwrite was not given
     * @throws IOException if the directory cannot be created
     */
    static Path outDir(CommandSpec spec, Path out, boolean overwrite, Path resume, boolean canResume)
            throws IOException {
        if (out == null) {
            return newRunDir(Path.of("runs"), LocalDateTime.now().format(DateTimeFormatter.ofPattern(
                    "yyyyMMdd-HHmmss")));
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new ParameterException(spec.commandLine(), "--out: expected a directory, got the file " + out);
        }
        if (Files.isDirectory(out) && !overwrite && !(resume != null && sameDirectory(out, resume))) {
            List<String> held = RUN_FILES.stream().filter(f -> Files.exists(out.resolve(f))).toList();
            if (!held.isEmpty()) {
                Path ck = out.resolve("checkpoint.safetensors");
                throw new ParameterException(spec.commandLine(), "--out: " + out + " already holds "
                        + (resume != null ? "another run" : "a run") + " (" + String.join(", ", held)
                        + "); pass --overwrite to replace its files"
                        + (canResume && Files.isRegularFile(ck) ? ", --resume " + ck + " to continue it" : "")
                        + ", or another --out");
            }
        }
        try {
            Files.createDirectories(out);
        } catch (java.nio.file.FileSystemException e) {
            throw new ParameterException(spec.commandLine(), "--out: cannot create the directory " + out + ": "
                    + (e.getReason() != null ? e.getReason() : e.getMessage()));
        }
        return out.toRealPath();
    }

    /** Whether {@code dir} is the directory that holds {@code file} (after resolving links). */
    private static boolean sameDirectory(Path dir, Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            return parent != null && Files.isDirectory(dir) && Files.isSameFile(dir, parent);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Creates a new directory {@code parent/stamp}, or {@code parent/stamp-2}, {@code -3}, ... if it exists: each
     * creation is atomic, so two runs started in the same second get different directories.
     *
     * @param parent the directory of runs (created if missing)
     * @param stamp  the run's name
     * @return the new directory's real path
     * @throws IOException if none can be created
     */
    static Path newRunDir(Path parent, String stamp) throws IOException {
        Files.createDirectories(parent);
        for (int n = 1; n <= 1000; n++) {
            Path p = parent.resolve(n == 1 ? stamp : stamp + "-" + n);
            try {
                return Files.createDirectory(p).toRealPath();
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // taken by another run: try the next name
            }
        }
        throw new IOException("cannot create a new run directory " + parent.resolve(stamp) + "-N: 1000 exist");
    }

    static ModelKind modelKind(CommandSpec spec, String model) {
        try {
            return ModelKind.parse(model);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--model: expected plstm or lstm, got '" + model + "'");
        }
    }

    /**
     * Loads a checkpoint named by an option; a missing or malformed file is a usage error (exit 2).
     *
     * @param spec   the command
     * @param option the option name for messages
     * @param file   the file
     * @return the checkpoint
     * @throws IOException if reading fails otherwise
     */
    static Checkpoint.Loaded loadCheckpoint(CommandSpec spec, String option, Path file) {
        if (Files.isDirectory(file)) {
            throw new ParameterException(spec.commandLine(), option + ": expected a checkpoint file, got the "
                    + "directory " + file);
        }
        try {
            return Checkpoint.load(file);
        } catch (NoSuchFileException e) {
            throw new ParameterException(spec.commandLine(), option + ": no such file: " + file);
        } catch (CheckpointFormatException e) {
            throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage());
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), option + ": cannot read " + file + ": " + e);
        }
    }

    @Override
    public Integer call() throws Exception {
        String engine = runtime.engine(spec);
        int threads = runtime.threads(spec);
        ModelKind kind = modelKind(spec, model);
        TrainConfig config = options.toConfig(spec, kind, engine, threads);
        Checkpoint.Loaded loaded = null;
        if (resume != null) {
            loaded = loadCheckpoint(spec, "--resume", resume);
            if (loaded.trainer() == null) {
                throw new ParameterException(spec.commandLine(), "--resume: " + resume
                        + " has no training configuration (metadata 'trainer'); it cannot be resumed");
            }
            TrainConfig saved;
            try {
                saved = TrainConfig.fromJson(loaded.trainer());
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--resume: " + resume + ": " + e.getMessage());
            }
            boolean modelGiven = spec.commandLine().getParseResult().hasMatchedOption("--model");
            options.requireConsistent(spec, saved, modelGiven ? kind : null);
            int total = ModelOptions.resumeEpochs(spec, config.epochs(), saved.epochs(), saved.schedule(),
                    loaded.epoch());
            config = saved.withEpochs(total).withEngine(engine, threads);
            if (spec.commandLine().getParseResult().hasMatchedOption("--test-limit")) {
                config = config.withTestLimit(options.testLimit); // only evaluation: may differ from the checkpoint's
            }
        }
        boolean existed = out != null && Files.isDirectory(out);
        Path dir = outDir(spec, out, overwrite, resume, true); // refused before the data is loaded
        RunResult r;
        try (RunSupport.EmptyDirectoryCleanup cleanup = RunSupport.removeIfLeftEmpty(dir, existed)) {
            Mnist mnist = runtime.load();
            spec.commandLine().getOut().println("output: " + dir);
            MnistTrainer trainer = new MnistTrainer(config, mnist, dir, spec.commandLine().getOut(),
                    runtime.progressBar());
            try {
                r = trainer.run(loaded, resume);
            } catch (MnistTrainer.ResumeException e) {
                throw new ParameterException(spec.commandLine(), "--resume: " + resume + ": " + e.getMessage());
            }
            cleanup.keep();
        }
        spec.commandLine().getOut().printf(java.util.Locale.ROOT, "done: test accuracy %.4f, test loss %.4f; files in %s%n",
                r.last().testAccuracy(), r.last().testLoss(), dir.toAbsolutePath());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
