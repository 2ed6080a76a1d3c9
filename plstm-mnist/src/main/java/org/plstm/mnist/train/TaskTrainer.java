package org.plstm.mnist.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import me.tongfei.progressbar.ProgressBar;
import org.plstm.Engine;
import org.plstm.SequenceBatch;
import org.plstm.engine.Backend;
import org.plstm.io.AtomicFiles;
import org.plstm.io.Checkpoint;
import org.plstm.optim.Optimizer;
import org.plstm.train.ClassifierTrainer;
import org.plstm.train.EvalResult;
import org.plstm.train.Fit;
import org.plstm.train.LabeledSequence;
import org.plstm.train.SequenceClassifier;
import org.plstm.train.TrainStepResult;

/**
 * Trains one model on one of the paper's experiments ({@link TaskConfig}: frequency discrimination or event-based
 * MNIST) and writes the same run files as {@link MnistTrainer}, with the same guarantees (through {@link RunSupport},
 * {@link MetricsLog}, {@link Charts}, {@link Checkpoint}).
 *
 * <p>Per epoch {@code e}: the epoch's training sequences ({@link TaskData#train}) shuffled and batched by length
 * ({@link Fit#batches}, seeded by the seed and the epoch only), one optimiser step each (padding is invisible to the
 * model: {@link Fit#batch} sets the lengths); then the epoch's test sequences ({@link TaskData#test}) in inference
 * mode. Since the data, the shuffle and the optimiser state are all restored from the seed, the epoch and the
 * checkpoint, a resumed run continues bit for bit (for the same engine and thread count). The files, written
 * atomically and replaced every epoch, the checkpoint last (the run's commit point):
 * <ul>
 *   <li>{@code checkpoint.safetensors}: weights, optimiser state, epoch, the configuration (metadata {@code trainer})
 *       and {@code history} (the epochs as JSON);</li>
 *   <li>{@code metrics.csv} ({@link MetricsLog}: rows {@code batch}, {@code train} and {@code test} per epoch);</li>
 *   <li>{@code accuracy.png}, {@code loss.png} ({@link Charts});</li>
 *   <li>{@code summary.json}: the last epoch's results, the best test accuracy, every epoch, epoch times, the
 *       configuration, engine and machine.</li>
 * </ul>
 */
public final class TaskTrainer {
    /** The checkpoint's file name in the output directory. */
    public static final String CHECKPOINT = "checkpoint.safetensors";

    /** The files a run writes into its directory. */
    static final List<String> OUTPUT_FILES = List.of(CHECKPOINT, "metrics.csv", "summary.json", "accuracy.png",
            "loss.png");

    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /**
     * One epoch's results.
     *
     * @param epoch              1-based
     * @param trainLoss          mean training cross-entropy, nats
     * @param trainAccuracy      training accuracy (during the epoch's steps)
     * @param testLoss           test cross-entropy after the epoch, nats
     * @param testAccuracy       test accuracy after the epoch
     * @param seconds            wall time of the training steps, s
     * @param testSeconds        wall time of the test scoring, s
     * @param sequencesPerSecond training throughput
     * @param meanSteps          mean sequence length {@code T} of the epoch's training data
     */
    public record Epoch(int epoch, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy,
                        double seconds, double testSeconds, double sequencesPerSecond, double meanSteps) {
    }

    /**
     * A run's results.
     *
     * @param config     the configuration
     * @param epochs     every epoch, resumed ones included
     * @param metrics    the metrics log
     * @param engine     the engine's description
     * @param parameters the model's parameter count
     * @param checkpoint the checkpoint written
     */
    public record Result(TaskConfig config, List<Epoch> epochs, MetricsLog metrics, String engine, long parameters,
                         Path checkpoint) {
        /** @return the last epoch */
        public Epoch last() {
            return epochs.get(epochs.size() - 1);
        }
    }

    private final TaskConfig config;
    private final TaskData data;
    private final Path outDir;
    private final PrintWriter out;
    private final boolean progress;
    private StepListener listener = (e, i, r) -> { };

    /**
     * @param config   the run's configuration
     * @param data     its data stream ({@link TaskData#of})
     * @param outDir   where the run's files go
     * @param out      where the per-epoch lines go
     * @param progress whether to show a progress bar
     * @throws IllegalArgumentException if an argument is null
     */
    public TaskTrainer(TaskConfig config, TaskData data, Path outDir, PrintWriter out, boolean progress) {
        if (config == null || data == null || outDir == null || out == null) {
            throw new IllegalArgumentException("config, data, outDir, out: expected values, got null");
        }
        this.config = config;
        this.data = data;
        this.outDir = outDir;
        this.out = out;
        this.progress = progress;
    }

    /**
     * @param l called after every training step
     * @return this
     */
    public TaskTrainer listener(StepListener l) {
        this.listener = l == null ? (e, i, r) -> { } : l;
        return this;
    }

    /**
     * Trains from scratch or continues a checkpoint, up to {@code config.epochs()} epochs. A checkpoint that has
     * already reached them is returned as it is (its history and metrics, no training), which lets {@code compare}
     * continue a pair of runs of which one has finished.
     *
     * @param resume     a loaded checkpoint of this configuration to continue, or null
     * @param resumeFile its path (its directory's {@code metrics.csv} is continued), or null
     * @return the run's results
     * @throws IOException if an output file cannot be written
     * @throws MnistTrainer.ResumeException if the checkpoint does not fit the configuration
     * @throws DivergedException if training diverges (the files stay those of the last good epoch)
     */
    public Result run(Checkpoint.Loaded resume, Path resumeFile) throws IOException {
        SequenceClassifier model;
        Optimizer optimizer;
        int startEpoch = 0;
        List<Epoch> history = new ArrayList<>();
        MetricsLog metrics = new MetricsLog();
        if (resume != null) {
            TaskConfig saved;
            try {
                saved = TaskConfig.fromJson(String.valueOf(resume.trainer()));
            } catch (IllegalArgumentException e) {
                throw new MnistTrainer.ResumeException("not a checkpoint of freq or event-mnist (" + e.getMessage()
                        + ")");
            }
            if (!saved.sameRun(config)) {
                throw new MnistTrainer.ResumeException("the checkpoint's configuration " + saved.toJson()
                        + " differs from this run's " + config.toJson() + " in more than the epochs and engine");
            }
            model = SequenceClassifier.of(resume.weights());
            if (!model.configs().equals(List.of(config.layerConfig())) || model.classes() != config.classes()) {
                throw new MnistTrainer.ResumeException("the checkpoint's model (" + model + ") differs from the one "
                        + "its configuration builds");
            }
            optimizer = resume.optimizer() == null ? config.newOptimizer()
                    : Optimizer.restore(resume.optimizer(), model.tensors());
            optimizer.setWeightDecay(config.weightDecay()); // not part of the optimiser's saved state
            startEpoch = Math.toIntExact(resume.epoch());
            history.addAll(parseHistory(resume.metadata().get("history")));
            if (history.size() != startEpoch) {
                throw new MnistTrainer.ResumeException("the checkpoint's history lists " + history.size()
                        + " epochs, expected " + startEpoch + " (its epoch counter); the file is inconsistent");
            }
            long expected = startEpoch * config.stepsPerEpoch();
            if (resume.optimizer() != null && resume.optimizer().iterations() != expected) {
                throw new MnistTrainer.ResumeException("the checkpoint's optimizer has taken "
                        + resume.optimizer().iterations() + " steps, expected " + expected + " (" + startEpoch
                        + " epochs of " + config.stepsPerEpoch() + " batches)");
            }
            Path previous = resumeFile == null ? null : resumeFile.toAbsolutePath().getParent().resolve("metrics.csv");
            if (previous != null && Files.isRegularFile(previous)) {
                metrics = MetricsLog.read(previous, startEpoch);
            }
        } else {
            model = config.newModel();
            optimizer = config.newOptimizer();
        }
        final SequenceClassifier m = model;
        final Optimizer o = optimizer;
        final int start = startEpoch;
        final MetricsLog log = metrics;
        if (startEpoch >= config.epochs()) {
            out.printf(Locale.ROOT, "%s %s: the checkpoint has completed %d epochs (of %d): nothing to train%n",
                    config.name(), config.model(), startEpoch, config.epochs());
            out.flush();
            return new Result(config, List.copyOf(history), log, "none (not run)", m.parameterCount(),
                    resumeFile == null ? outDir.resolve(CHECKPOINT) : resumeFile);
        }
        return RunSupport.locked(outDir, () -> runLocked(m, o, start, history, log, resumeFile));
    }

    private Result runLocked(SequenceClassifier model, Optimizer optimizer, int startEpoch, List<Epoch> history,
                             MetricsLog metrics, Path resumeFile) throws IOException {
        RunSupport.removeLeftovers(outDir, OUTPUT_FILES, out);
        Path checkpoint = outDir.resolve(CHECKPOINT);
        try (Engine engine = Backend.named(config.engine()).newEngine(config.threads())) {
            ClassifierTrainer trainer = new ClassifierTrainer(engine, model, optimizer, config.clip());
            out.printf(Locale.ROOT, "%s %s: %s, %d parameters; %d training and %d test sequences per epoch; %s;"
                            + " engine %s%n", config.name(), config.model(), model, model.parameterCount(),
                    config.trainSamples(), config.testSamples(), RunSupport.optimizerSummary(config.optimizer(),
                            config.learningRate(), config.schedule(), config.clip(), config.weightDecay())
                            + (config.translate() > 0 ? "; training images moved by up to " + config.translate()
                            + " px" : ""), engine.description());
            out.flush();
            for (int epoch = startEpoch + 1; epoch <= config.epochs(); epoch++) {
                String lastGood = epoch - 1 > startEpoch ? checkpoint + " (epoch " + (epoch - 1) + ")"
                        : startEpoch > 0 ? resumeFile + " (epoch " + startEpoch + ", resumed from)"
                        : "none: no epoch was completed";
                Epoch e = runEpoch(epoch, trainer, metrics, lastGood);
                history.add(e);
                out.printf(Locale.ROOT, "epoch %d/%d: train loss %.4f acc %.4f | test loss %.4f acc %.4f | %.1f s "
                                + "(%.0f sequences/s, mean length %.1f)%n", epoch, config.epochs(), e.trainLoss(),
                        e.trainAccuracy(), e.testLoss(), e.testAccuracy(), e.seconds(), e.sequencesPerSecond(),
                        e.meanSteps());
                out.flush();
                Result r = new Result(config, List.copyOf(history), metrics, engine.description(),
                        model.parameterCount(), checkpoint);
                writeReports(outDir, r, resumeFile);
                Checkpoint.save(checkpoint, model.weights(), optimizer.checkpointState(), epoch, config.toJson(),
                        Map.of("history", toJson(history)));
            }
            return new Result(config, List.copyOf(history), metrics, engine.description(), model.parameterCount(),
                    checkpoint);
        }
    }

    private Epoch runEpoch(int epoch, ClassifierTrainer trainer, MetricsLog metrics, String lastGood) {
        List<LabeledSequence> train = data.train(epoch);
        int n = train.size();
        long steps = 0;
        for (LabeledSequence s : train) {
            steps += s.length();
        }
        List<int[]> batches = Fit.batches(train, config.batch(), new SplittableRandom(config.seed() * 1_000_003L
                + epoch));
        ProgressBar bar = progress ? RunSupport.progressBar(config.name() + " " + config.model() + " epoch " + epoch
                + "/" + config.epochs(), n, " seq") : null;
        EpochSteps stepper = new EpochSteps(trainer, config.learningRateSchedule(), epoch, config.learningRate(),
                lastGood);
        double lossSum = 0;
        long correct = 0;
        int done = 0;
        long start = System.nanoTime();
        try {
            for (int b = 0; b < batches.size(); b++) {
                int[] idx = batches.get(b);
                SequenceBatch input = batch(train, idx, config.padMultiple());
                TrainStepResult r = stepper.take(b + 1, () -> trainer.step(input, labels(train, idx)));
                double secs = stepper.lastSeconds();
                long it = trainer.optimizer().iterations();
                metrics.add(MetricsLog.Kind.BATCH, epoch, it, idx.length, r.loss(), (double) r.correct() / idx.length,
                        idx.length / secs, secs);
                lossSum += r.loss() * idx.length;
                correct += r.correct();
                done += idx.length;
                listener.onStep(epoch, it, r);
                if (bar != null) {
                    bar.stepBy(idx.length);
                    bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f acc %.3f", lossSum / done,
                            (double) correct / done));
                }
            }
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
        double seconds = (System.nanoTime() - start) * 1e-9;
        stepper.finish(batches.size());
        long it = trainer.optimizer().iterations();
        metrics.add(MetricsLog.Kind.TRAIN, epoch, it, n, lossSum / n, (double) correct / n, n / seconds, seconds);
        List<LabeledSequence> test = data.test(epoch);
        long t0 = System.nanoTime();
        double[] score = score(trainer, test, config.batch(), config.padMultiple());
        double testSeconds = (System.nanoTime() - t0) * 1e-9;
        metrics.add(MetricsLog.Kind.TEST, epoch, it, test.size(), score[0], score[1], test.size() / testSeconds,
                testSeconds);
        return new Epoch(epoch, lossSum / n, (double) correct / n, score[0], score[1], seconds, testSeconds,
                n / seconds, (double) steps / n);
    }

    /**
     * The sequences {@code idx} as one batch, as {@link Fit#batch} (zeros after a sequence's end, its last time
     * repeated, {@link SequenceBatch#lengths()} set, so the padding changes neither the state nor the gradients), but
     * padded to the next multiple of {@code multiple} steps: batches then come in few shapes, whose buffers the
     * trainer keeps ({@link ClassifierTrainer} caches a few shapes; sequences of up to 1,250 steps padded each to its
     * batch's longest gave a new shape of hundreds of MB almost every step).
     *
     * @param data     the sequences (all of one input size)
     * @param idx      the batch's indices into {@code data}, at least one
     * @param multiple pad {@code T} up to a multiple of this, {@code >= 1} (1: to the longest sequence)
     * @return {@code x [B][T][I]}, {@code time [B][T]}, lengths {@code [B]}
     */
    public static SequenceBatch batch(List<LabeledSequence> data, int[] idx, int multiple) {
        int longest = 0;
        for (int i : idx) {
            longest = Math.max(longest, data.get(i).length());
        }
        int steps = (longest + multiple - 1) / multiple * multiple;
        if (steps == longest) {
            return Fit.batch(data, idx);
        }
        int in = data.get(idx[0]).inputSize();
        float[] x = new float[idx.length * steps * in];
        double[] time = new double[idx.length * steps];
        int[] lengths = new int[idx.length];
        for (int b = 0; b < idx.length; b++) {
            LabeledSequence s = data.get(idx[b]);
            System.arraycopy(s.x(), 0, x, b * steps * in, s.x().length);
            System.arraycopy(s.time(), 0, time, b * steps, s.length());
            java.util.Arrays.fill(time, b * steps + s.length(), (b + 1) * steps, s.time()[s.length() - 1]);
            lengths[b] = s.length();
        }
        return new SequenceBatch(idx.length, steps, in, x, time, lengths);
    }

    /**
     * Scores sequences in inference mode, in order.
     *
     * @param trainer  the trainer holding the model and engine
     * @param data     the sequences
     * @param batch    sequences per batch
     * @param multiple pad each batch to a multiple of this many steps ({@link #batch(List, int[], int)})
     * @return {@code {mean cross-entropy (nats), accuracy}}
     */
    public static double[] score(ClassifierTrainer trainer, List<LabeledSequence> data, int batch, int multiple) {
        double loss = 0;
        long correct = 0;
        for (int[] idx : Fit.batches(data, batch, null)) {
            EvalResult r = trainer.evaluate(batch(data, idx, multiple), labels(data, idx));
            loss += r.loss() * idx.length;
            correct += r.correct();
        }
        return new double[] {loss / data.size(), (double) correct / data.size()};
    }

    private static int[] labels(List<LabeledSequence> seqs, int[] idx) {
        int[] l = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            l[i] = seqs.get(idx[i]).label();
        }
        return l;
    }

    /**
     * @param c a configuration
     * @return a chart title, e.g. {@code "Frequency discrimination (async sampling), 110 units"}
     */
    public static String title(TaskConfig c) {
        return (c.task().equals(TaskConfig.FREQ) ? "Frequency discrimination (" + c.sampling() + " sampling)"
                : "Event-based MNIST (threshold " + c.threshold() + ")") + ", " + c.hidden() + " units";
    }

    /**
     * The content of a run's {@code summary.json}.
     *
     * @param r the run
     * @return a JSON object
     */
    public static ObjectNode summary(Result r) {
        ObjectNode s = JSON.createObjectNode();
        Epoch last = r.last();
        s.put("task", r.config().name());
        s.put("model", r.config().model());
        s.put("epochs_completed", last.epoch());
        s.put("train_loss", last.trainLoss());
        s.put("train_accuracy", last.trainAccuracy());
        s.put("test_loss", last.testLoss());
        s.put("test_accuracy", last.testAccuracy());
        Epoch best = last;
        for (Epoch e : r.epochs()) {
            best = e.testAccuracy() > best.testAccuracy() ? e : best;
        }
        s.put("best_test_accuracy", best.testAccuracy());
        s.put("best_test_epoch", best.epoch());
        ArrayNode secs = s.putArray("epoch_seconds");
        double total = 0;
        for (Epoch e : r.epochs()) {
            secs.add(e.seconds());
            total += e.seconds() + e.testSeconds();
        }
        s.put("total_seconds", total);
        s.set("epochs", JSON.valueToTree(r.epochs()));
        try {
            s.set("config", JSON.readTree(r.config().toJson()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        s.put("parameters", r.parameters());
        s.put("engine", r.engine());
        s.set("machine", MnistTrainer.machine());
        s.put("checkpoint", r.checkpoint().toAbsolutePath().toString());
        return s;
    }

    private static void writeReports(Path dir, Result r, Path resumedFrom) throws IOException {
        r.metrics().write(dir.resolve("metrics.csv"));
        Charts.write(dir, title(r.config()), List.of(new Charts.Run(r.config().model().toUpperCase(Locale.ROOT),
                r.metrics())));
        ObjectNode s = summary(r);
        s.put("resumed_from", resumedFrom == null ? null : resumedFrom.toAbsolutePath().toString());
        AtomicFiles.writeString(dir.resolve("summary.json"), JSON.writeValueAsString(s) + "\n");
    }

    /**
     * Writes a comparison's {@code accuracy.png}, {@code loss.png} (every run's curves on one chart) and
     * {@code summary.json} (each run's summary under its model's name) into a directory, atomically.
     *
     * @param dir  the directory
     * @param runs the runs, e.g. PLSTM and LSTM of one configuration
     * @throws IOException if writing fails
     */
    public static void writeComparison(Path dir, List<Result> runs) throws IOException {
        List<Charts.Run> chartRuns = new ArrayList<>();
        ObjectNode s = JSON.createObjectNode();
        for (Result r : runs) {
            chartRuns.add(new Charts.Run(r.config().model().toUpperCase(Locale.ROOT), r.metrics()));
            s.set(r.config().model(), summary(r));
        }
        Charts.write(dir, title(runs.get(0).config()) + ", PLSTM vs LSTM", chartRuns);
        AtomicFiles.writeString(dir.resolve("summary.json"), JSON.writeValueAsString(s) + "\n");
    }

    private static String toJson(Object o) {
        try {
            return JSON.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Epoch> parseHistory(String json) {
        if (json == null || json.isBlank()) {
            return List.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<List<Epoch>>() { });
        } catch (JsonProcessingException e) {
            throw new MnistTrainer.ResumeException("the checkpoint's history metadata is malformed: "
                    + e.getOriginalMessage());
        }
    }
}
