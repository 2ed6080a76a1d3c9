package org.plstm.mnist.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.plstm.io.AtomicFiles;
import org.plstm.train.ClassifierTrainer;

/**
 * What every training run of the CLI shares, whatever its data (MNIST, event CSV files): the run directory's lock,
 * the clean-up of an interrupted save, the removal of a run directory that a failed run left empty, the progress bar,
 * and the divergence check.
 */
public final class RunSupport {
    /** The name of the lock file a run holds in its directory while it writes there. */
    public static final String LOCK = ".plstm.lock";

    private RunSupport() {
    }

    /**
     * A run's body, given the directory's lock.
     *
     * @param <T> the result
     */
    @FunctionalInterface
    public interface LockedBody<T> {
        /**
         * @return the result
         * @throws IOException if the run fails to write
         */
        T run() throws IOException;
    }

    /**
     * Runs {@code body} while holding the directory's lock file {@value #LOCK}: one run per directory at a time (two
     * runs started together with the same {@code --out} both passed the check that it holds no run, and the last
     * writer won). A finished run removes the lock file.
     *
     * @param outDir the run directory (created if absent)
     * @param body   the run
     * @param <T>    its result
     * @return what {@code body} returned
     * @throws IllegalStateException if another run holds the lock
     * @throws IOException if the lock file cannot be made or {@code body} fails to write
     */
    public static <T> T locked(Path outDir, LockedBody<T> body) throws IOException {
        Files.createDirectories(outDir);
        try (FileChannel lockFile = FileChannel.open(outDir.resolve(LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = lockFile.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new IllegalStateException("another run is writing to " + outDir + " (it holds " + LOCK
                        + "); wait for it to finish or choose another --out");
            }
            try {
                return body.run();
            } finally {
                lock.release();
                Files.deleteIfExists(outDir.resolve(LOCK)); // a finished run leaves only its files
            }
        }
    }

    /**
     * Guards a run's output directory: unless the run is marked {@linkplain EmptyDirectoryCleanup#keep() kept}, closing
     * the guard removes the directory if the run made it and it is still empty (the run failed before writing
     * anything: bad data, a checkpoint that cannot be resumed), so that no empty run directory is left. A directory
     * that existed before the run is never removed. Use it with try-with-resources:
     * <pre>{@code
     * boolean existed = out != null && Files.isDirectory(out); // before the directory is made
     * Path dir = ...;                                           // made (or found) for the run
     * try (RunSupport.EmptyDirectoryCleanup cleanup = RunSupport.removeIfLeftEmpty(dir, existed)) {
     *     ... the run ...
     *     cleanup.keep();
     * }
     * }</pre>
     *
     * @param dir     the run's directory
     * @param existed whether it existed before the run (then it is left alone)
     * @return the guard
     */
    public static EmptyDirectoryCleanup removeIfLeftEmpty(Path dir, boolean existed) {
        return new EmptyDirectoryCleanup(dir, existed);
    }

    /** Removes a run's directory on {@link #close()} if the run made it, did not finish and wrote nothing into it. */
    public static final class EmptyDirectoryCleanup implements AutoCloseable {
        private final Path dir;
        private final boolean existed;
        private boolean kept;

        private EmptyDirectoryCleanup(Path dir, boolean existed) {
            this.dir = dir;
            this.existed = existed;
        }

        /** Marks the run as finished: the directory stays, whatever it holds. */
        public void keep() {
            kept = true;
        }

        /** Removes the directory if the run made it, was not {@linkplain #keep() kept} and left it empty. */
        @Override
        public void close() {
            if (kept || existed) {
                return;
            }
            try (var files = Files.list(dir)) {
                if (files.findAny().isEmpty()) {
                    Files.deleteIfExists(dir);
                }
            } catch (IOException e) {
                // best effort: the run's own error is what the user needs to see
            }
        }
    }

    /**
     * Removes the temporary files of a run killed in the middle of a save (the saved files themselves are whole) and
     * says so on {@code out}.
     *
     * @param outDir the run directory
     * @param files  the names of the files the run writes
     * @param out    where to report
     * @throws IOException if listing or deleting fails
     */
    public static void removeLeftovers(Path outDir, Collection<String> files, PrintWriter out) throws IOException {
        int leftovers = AtomicFiles.removeLeftovers(outDir, files).size();
        if (leftovers > 0) {
            out.printf(Locale.ROOT, "removed %d temporary file(s) left in %s by an interrupted save%n", leftovers,
                    outDir);
        }
    }

    /**
     * @param task  the bar's label, e.g. {@code epoch 3/10}
     * @param max   the units of the epoch
     * @param unit  the unit's name with a leading space, e.g. {@code " img"}
     * @return an ASCII progress bar on standard error, updated twice a second
     */
    public static ProgressBar progressBar(String task, long max, String unit) {
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setUnit(unit, 1)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).build();
    }

    /**
     * @param trainer the trainer after a step or an epoch
     * @return what left its valid range (the parameters: NaN/Inf, a period {@code <= 0}; or the optimiser's state:
     *     NaN/Inf), or {@code null} if nothing did
     */
    public static String divergence(ClassifierTrainer trainer) {
        try {
            trainer.model().weights().validate("model");
        } catch (IllegalArgumentException e) {
            return "the parameters left their valid range (" + e.getMessage() + ")";
        }
        for (float[] slot : trainer.optimizer().state()) {
            for (float v : slot) {
                if (!Float.isFinite(v)) {
                    return "the optimizer state is no longer finite (" + v + ")";
                }
            }
        }
        return null;
    }

    /**
     * The optimiser part of a run's first line, e.g. {@code adam lr 0.002 (cosine schedule), clip 1.0, weight decay
     * 0.1}.
     *
     * @param optimizer    its name
     * @param learningRate the (initial) learning rate
     * @param schedule     {@code constant} or {@code cosine}
     * @param clip         the clipping bound, 0 = off
     * @param weightDecay  the weight decay, 0 = off
     * @return the text
     */
    static String optimizerSummary(String optimizer, double learningRate, String schedule, double clip,
                                   double weightDecay) {
        return optimizer + " lr " + learningRate + (schedule.equals("constant") ? "" : " (" + schedule + " schedule)")
                + (clip > 0 ? ", clip " + clip : "") + (weightDecay > 0 ? ", weight decay " + weightDecay : "");
    }

    /**
     * Validates a run's image translation ({@code --translate}, data augmentation).
     *
     * @param field  the configuration field's or option's name, for the message
     * @param pixels the largest move along each axis
     * @return the value
     * @throws IllegalArgumentException unless {@code 0 <= pixels <= }{@link TrainConfig#MAX_TRANSLATE}
     */
    public static int translate(String field, int pixels) {
        if (pixels < 0 || pixels > TrainConfig.MAX_TRANSLATE) {
            throw new IllegalArgumentException(field + ": expected 0 (off) to " + TrainConfig.MAX_TRANSLATE
                    + " pixels, got " + pixels);
        }
        return pixels;
    }

    /**
     * Validates a run's weight decay ({@code org.plstm.optim.Optimizer#setWeightDecay}).
     *
     * @param field        the configuration field's name, for the message
     * @param learningRate the (initial) learning rate, already validated
     * @param weightDecay  the value
     * @return the value, with -0 read as 0
     * @throws IllegalArgumentException if it is negative, NaN or infinite, or {@code learningRate · weightDecay >= 1}
     *     (each step multiplies the weights by {@code 1 - learningRate · weightDecay})
     */
    static double weightDecay(String field, double learningRate, double weightDecay) {
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException(field + ": expected 0 (off) or a finite value > 0, got " + weightDecay);
        }
        if (!(learningRate * weightDecay < 1)) {
            throw new IllegalArgumentException(field + ": expected learning rate x weight decay below 1 (each step "
                    + "multiplies the weights by 1 - their product), got " + learningRate + " x " + weightDecay);
        }
        return weightDecay == 0 ? 0 : weightDecay;
    }

    /**
     * @param name    the configuration field, for the message
     * @param value   the value, case and surrounding blanks ignored
     * @param allowed the accepted values, lower case
     * @return the value, trimmed and in lower case
     * @throws IllegalArgumentException if it is none of them
     */
    static String oneOf(String name, String value, String... allowed) {
        String v = value == null ? null : value.trim().toLowerCase(Locale.ROOT);
        if (!List.of(allowed).contains(v)) {
            throw new IllegalArgumentException(name + ": expected " + String.join(", ", allowed) + ", got " + value);
        }
        return v;
    }

    /**
     * @param name  the configuration field, for the message
     * @param value the value
     * @throws IllegalArgumentException if it is below 1
     */
    static void atLeastOne(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": expected >= 1, got " + value);
        }
    }

    /**
     * Reads a run configuration written as JSON by Jackson (its constructor validates it).
     *
     * @param json  the text
     * @param type  the configuration's record type
     * @param what  what a configuration of this type is, for the message
     * @param <T>   the type
     * @return the configuration
     * @throws IllegalArgumentException if the JSON is malformed, not an object, or a value is invalid
     */
    static <T> T readConfig(String json, Class<T> type, String what) {
        String from = trainerCommand(json);
        String expected = type == TrainConfig.class ? "train" : type == EventConfig.class ? "events train" : null;
        if (from != null && (expected != null ? !from.equals(expected)
                : !from.equals(TaskConfig.FREQ) && !from.equals(TaskConfig.EVENT_MNIST))) {
            throw new IllegalArgumentException("training configuration: expected " + what + ", got one of '"
                    + from + "' (resume it with that command)");
        }
        try {
            T c = CONFIG_JSON.readValue(json, type);
            if (c == null) {
                throw new IllegalArgumentException("training configuration: expected a JSON object, got " + json);
            }
            return c;
        } catch (JsonProcessingException e) {
            if (e.getCause() instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalArgumentException("training configuration: expected " + what + ", got: "
                    + e.getOriginalMessage(), e);
        }
    }

    /**
     * The command whose checkpoints carry a training configuration shaped like {@code json}, recognised by a field
     * only that command's configuration has: {@code layout} ({@code train}), {@code timeColumn}
     * ({@code events train}), {@code sampling} (the paper tasks, named by their {@code task}).
     *
     * @param json a checkpoint's training configuration
     * @return {@code train}, {@code events train}, {@code freq} or {@code event-mnist}, or null if none is recognised
     */
    static String trainerCommand(String json) {
        com.fasterxml.jackson.databind.JsonNode n;
        try {
            n = CONFIG_JSON.readTree(json);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return null;
        }
        if (n == null || !n.isObject()) {
            return null;
        }
        if (n.has("layout")) {
            return "train";
        }
        if (n.has("timeColumn")) {
            return "events train";
        }
        if (n.has("sampling") && n.path("task").isTextual()) {
            String task = n.path("task").asText();
            return task.equals(TaskConfig.FREQ) || task.equals(TaskConfig.EVENT_MNIST) ? task : null;
        }
        return null;
    }

    private static final ObjectMapper CONFIG_JSON = JsonMapper.builder().build();
}
