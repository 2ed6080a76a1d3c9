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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import org.plstm.Engine;
import org.plstm.engine.Backend;
import org.plstm.io.AtomicFiles;
import org.plstm.io.Checkpoint;
import org.plstm.mnist.data.Mnist;
import org.plstm.mnist.data.PixelStats;
import org.plstm.optim.CosineDecay;
import org.plstm.optim.Optimizer;
import org.plstm.train.ClassifierTrainer;
import org.plstm.train.EvalResult;
import org.plstm.train.SequenceClassifier;
import org.plstm.train.TrainStepResult;

/**
 * Trains a {@link SequenceClassifier} on sequential MNIST as the Keras seed (fferroni/PhasedLSTM-Keras,
 * {@code examples/mnist_example.py}) does, and writes the run's files.
 *
 * <p>Per epoch: the training samples in a fresh order ({@link MnistBatches#epochOrder}, derived from the seed and
 * the epoch number only), batches of {@code batch} samples (the last one smaller), one
 * {@link ClassifierTrainer#step} each; then the test set in batches, in order, in inference mode; then one line on
 * {@code out}, and in the output directory (all written atomically, replaced every epoch):
 * <ul>
 *   <li>{@code checkpoint.safetensors}: weights, optimiser state, epoch, the configuration (metadata
 *       {@code trainer}), the pixel statistics and the epoch history ({@link Checkpoint});</li>
 *   <li>{@code metrics.csv} ({@link MetricsLog}); {@code accuracy.png}, {@code loss.png} ({@link Charts});</li>
 *   <li>{@code summary.json}: final and per-epoch results, epoch times, throughput, configuration, engine,
 *       machine and JDK.</li>
 * </ul>
 *
 * <p>The checkpoint is written last each epoch, after the reports: it is the run's commit point. A run killed at any
 * moment leaves every file whole (atomic writes) and the reports at most one epoch ahead of the checkpoint; the
 * temporary file of an interrupted save is removed by the next run in the directory.
 *
 * <p>Resuming from a checkpoint restores the weights, the optimiser state and the epoch counter, after checking the
 * file against itself (optimiser vs the saved configuration, history vs epoch counter, optimiser steps vs epochs and
 * batches, pixel statistics vs the data); since an epoch's order depends only on the seed and its number, and the
 * engines are deterministic for a given thread count, the resumed run continues the same loss curve, bit for bit.
 * Metrics of the earlier epochs are carried over from the {@code metrics.csv} beside the checkpoint, if present,
 * without rows of epochs after the checkpoint's; the reports are rewritten before the first new epoch.
 *
 * <p>A batch whose loss is not finite, or parameters that left their valid range at the end of an epoch, stop the
 * run with a {@link DivergedException} before anything of that epoch is saved.
 *
 * <p>Inputs are standardised with the mean and standard deviation of the full training set's pixels (before
 * {@code train_limit}), as the seed does.
 */
public final class MnistTrainer {
    /** The checkpoint's file name in the output directory. */
    public static final String CHECKPOINT = "checkpoint.safetensors";

    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private final TrainConfig config;
    private final Mnist data;
    private final PixelStats stats;
    private final Path outDir;
    private final PrintWriter out;
    private final boolean progress;
    private StepListener listener = (e, i, r) -> { };

    /**
     * @param config   the run's configuration
     * @param mnist    the full dataset; the configuration's limits are applied here
     * @param outDir   where the run's files go (created if absent)
     * @param out      where the per-epoch lines go
     * @param progress whether to show a progress bar (on {@code System.err}) during each epoch
     * @throws IllegalArgumentException if an argument is null, the training split is empty or its pixels are
     *     constant
     */
    public MnistTrainer(TrainConfig config, Mnist mnist, Path outDir, PrintWriter out, boolean progress) {
        if (config == null || mnist == null || outDir == null || out == null) {
            throw new IllegalArgumentException("config, mnist, outDir, out: expected values, got null");
        }
        if (mnist.train().count() == 0 || mnist.test().count() == 0) {
            throw new IllegalArgumentException("mnist: expected non-empty splits, got " + mnist.train().count()
                    + " training and " + mnist.test().count() + " test samples");
        }
        this.config = config;
        this.stats = mnist.trainPixelStats();
        this.data = mnist.limit(config.trainLimit(), config.testLimit());
        this.outDir = outDir;
        this.out = out;
        this.progress = progress;
    }

    /**
     * @param l called after every training step
     * @return this
     */
    public MnistTrainer listener(StepListener l) {
        this.listener = l == null ? (e, i, r) -> { } : l;
        return this;
    }

    /** @return the pixel statistics the inputs are standardised with */
    public PixelStats pixelStats() {
        return stats;
    }

    /**
     * Trains from scratch, or continues a checkpoint, up to {@code config.epochs()} epochs.
     *
     * @param resume a loaded checkpoint of this configuration to continue, or {@code null}
     * @param resumeFile the checkpoint's path (for the summary and to find its metrics.csv), or {@code null}
     * @return the run's results
     * @throws IOException if an output file cannot be written
     * @throws ResumeException if the checkpoint does not fit the configuration or the data, or contradicts itself
     * @throws DivergedException if training diverges (the files stay those of the last good epoch)
     */
    public RunResult run(Checkpoint.Loaded resume, Path resumeFile) throws IOException {
        SequenceClassifier model;
        Optimizer optimizer;
        int startEpoch = 0;
        List<EpochStats> history = new ArrayList<>();
        MetricsLog metrics = new MetricsLog();
        MnistBatches train = new MnistBatches(data.train(), config.layout(), stats);
        MnistBatches test = new MnistBatches(data.test(), config.layout(), stats);
        if (resume != null) {
            model = SequenceClassifier.of(resume.weights());
            if (!model.configs().equals(config.layerConfigs())) {
                throw new ResumeException("the checkpoint's layers " + model.configs()
                        + " differ from its training configuration's " + config.layerConfigs());
            }
            optimizer = resume.optimizer() == null ? config.newOptimizer()
                    : Optimizer.restore(resume.optimizer(), model.tensors());
            optimizer.setWeightDecay(config.weightDecay()); // not part of the optimiser's saved state
            startEpoch = Math.toIntExact(resume.epoch());
            history.addAll(parseHistory(resume.metadata().get("history")));
            checkResumable(resume, history, train.count());
            Path previous = resumeFile == null ? null : resumeFile.toAbsolutePath().getParent().resolve("metrics.csv");
            if (previous != null && Files.isRegularFile(previous)) {
                // rows of an epoch after the checkpoint's (a run killed before its checkpoint) are dropped: that
                // epoch is trained again
                metrics = MetricsLog.read(previous, startEpoch);
                List<Integer> missing = metrics.missingEpochs(startEpoch);
                if (!missing.isEmpty()) {
                    out.printf(Locale.ROOT, "warning: %s lacks the rows of epoch(s) %s (written by an earlier plstm "
                            + "or edited); the charts will miss them%n", previous, missing);
                }
            }
        } else {
            model = config.newModel();
            optimizer = config.newOptimizer();
        }
        if (startEpoch >= config.epochs()) {
            throw new IllegalArgumentException("epochs: expected more than the checkpoint's " + startEpoch
                    + " completed epochs, got " + config.epochs());
        }
        final SequenceClassifier m = model;
        final Optimizer o = optimizer;
        final int start = startEpoch;
        final MetricsLog log = metrics;
        return RunSupport.locked(outDir, () -> runLocked(m, o, start, history, log, train, test, resume, resumeFile));
    }

    /** The name of the lock file a run holds in its directory while it writes there. */
    static final String LOCK = RunSupport.LOCK;

    private RunResult runLocked(SequenceClassifier model, Optimizer optimizer, int startEpoch, List<EpochStats> history,
                                MetricsLog metrics, MnistBatches train, MnistBatches test, Checkpoint.Loaded resume,
                                Path resumeFile) throws IOException {
        // temporary files of a run killed in the middle of a save (the saved files themselves are whole)
        RunSupport.removeLeftovers(outDir, OUTPUT_FILES, out);
        Path checkpoint = outDir.resolve(CHECKPOINT);
        try (Engine engine = Backend.named(config.engine()).newEngine(config.threads())) {
            ClassifierTrainer trainer = new ClassifierTrainer(engine, model, optimizer, config.clip());
            out.printf(Locale.ROOT, "%s: %s, %d parameters; %s layout (T=%d, I=%d); %d training, %d test samples; "
                            + "%s; engine %s%n", config.model(), model, model.parameterCount(),
                    config.layout(), config.layout().steps(), config.layout().inputSize(), train.count(),
                    test.count(), RunSupport.optimizerSummary(config.optimizer(), config.learningRate(),
                            config.schedule(), config.clip(), config.weightDecay())
                            + (config.translate() > 0 ? "; training images moved by up to " + config.translate()
                            + " px" : ""), engine.description());
            out.flush();
            if (!history.isEmpty()) {
                // the reports of the resumed epochs, as the checkpoint has them (a run killed between its reports
                // and its checkpoint left reports of one more epoch)
                writeReports(new RunResult(config, List.copyOf(history), metrics, engine.description(), outDir,
                        checkpoint, model.parameterCount()), resumeFile);
            }
            for (int epoch = startEpoch + 1; epoch <= config.epochs(); epoch++) {
                String lastGood = epoch - 1 > startEpoch ? checkpoint + " (epoch " + (epoch - 1) + ")"
                        : startEpoch > 0 ? resumeFile + " (epoch " + startEpoch + ", resumed from)"
                        : "none: no epoch was completed";
                EpochStats s = runEpoch(epoch, trainer, train, test, metrics, lastGood);
                history.add(s);
                out.printf(Locale.ROOT, "epoch %d/%d: train loss %.4f acc %.4f | test loss %.4f acc %.4f | %.1f s "
                                + "(%.0f samples/s)%n", epoch, config.epochs(), s.trainLoss(), s.trainAccuracy(),
                        s.testLoss(), s.testAccuracy(), s.seconds(), s.samplesPerSecond());
                out.flush();
                Map<String, String> extra = new LinkedHashMap<>();
                extra.put("pixel_mean", Double.toString(stats.mean()));
                extra.put("pixel_std", Double.toString(stats.std()));
                extra.put("history", toJson(history, false));
                RunResult partial = new RunResult(config, List.copyOf(history), metrics, engine.description(),
                        outDir, checkpoint, model.parameterCount());
                // The checkpoint is written last: it is the run's commit point. A kill before it leaves the reports
                // one epoch ahead of it, and --resume trains that epoch again and rewrites them.
                writeReports(partial, resumeFile);
                Checkpoint.save(checkpoint, model.weights(), optimizer.checkpointState(), epoch, config.toJson(), extra);
            }
            return new RunResult(config, List.copyOf(history), metrics, engine.description(), outDir, checkpoint,
                    model.parameterCount());
        }
    }

    /** A checkpoint to resume contradicts itself, the configuration or the data; the message says how. */
    public static final class ResumeException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        /** @param message what disagrees with what */
        public ResumeException(String message) {
            super(message);
        }
    }

    /** The files a run writes into its directory. */
    static final List<String> OUTPUT_FILES = List.of(CHECKPOINT, "metrics.csv", "summary.json", "accuracy.png",
            "loss.png");

    /**
     * A checkpoint to resume must agree with itself and with the data: the optimiser's name and learning rate with
     * the saved configuration, the history with the epoch counter, the optimiser's step count with the epochs and
     * batches, the saved pixel statistics with the training data's.
     */
    private void checkResumable(Checkpoint.Loaded resume, List<EpochStats> history, int trainCount) {
        long epochs = resume.epoch();
        String where = "the checkpoint's ";
        if (history.size() != epochs) {
            throw new ResumeException(where + "history lists " + history.size() + " epochs, expected "
                    + epochs + " (its epoch counter); the file is inconsistent");
        }
        for (int e = 0; e < history.size(); e++) {
            if (history.get(e).epoch() != e + 1) {
                throw new ResumeException(where + "history entry " + (e + 1) + " is of epoch "
                        + history.get(e).epoch() + "; the file is inconsistent");
            }
        }
        var state = resume.optimizer();
        if (state != null) {
            if (!state.name().equalsIgnoreCase(config.optimizer())) {
                throw new ResumeException(where + "optimizer state is " + state.name() + " but its training "
                        + "configuration names " + config.optimizer() + "; the file is inconsistent");
            }
            long perEpoch = (trainCount + config.batch() - 1) / config.batch();
            CosineDecay schedule = config.learningRateSchedule(trainCount);
            // the rate of the last step taken (a schedule sets it before each step)
            double expected = schedule == null || state.iterations() == 0 ? config.learningRate()
                    : schedule.rate(state.iterations() - 1);
            if (state.learningRate() != expected) {
                throw new ResumeException(where + "optimizer learning rate is " + state.learningRate()
                        + " but its training configuration gives " + expected + (schedule == null ? ""
                        : " (" + config.schedule() + " schedule from " + config.learningRate() + ", step "
                        + state.iterations() + ")") + "; the file is inconsistent");
            }
            if (state.iterations() != epochs * perEpoch) {
                throw new ResumeException(where + "optimizer has taken " + state.iterations() + " steps, "
                        + "expected " + epochs * perEpoch + " (" + epochs + " epochs of " + perEpoch + " batches of "
                        + "the " + trainCount + " training samples); the file is inconsistent or the data differ");
            }
        }
        for (String[] stat : new String[][] {{"pixel_mean", Double.toString(stats.mean())},
                {"pixel_std", Double.toString(stats.std())}}) {
            String saved = resume.metadata().get(stat[0]);
            if (saved != null && !saved.equals(stat[1])) {
                throw new ResumeException(where + stat[0] + " is " + saved + " but the training data's is "
                        + stat[1] + "; it was trained on other data, or the file is inconsistent");
            }
        }
    }

    private EpochStats runEpoch(int epoch, ClassifierTrainer trainer, MnistBatches train, MnistBatches test,
                                MetricsLog metrics, String lastGood) {
        int n = train.count();
        int[] order = MnistBatches.epochOrder(n, config.seed(), epoch);
        EpochSteps stepper = new EpochSteps(trainer, config.learningRateSchedule(n), epoch, config.learningRate(),
                lastGood);
        ProgressBar bar = progress ? RunSupport.progressBar("epoch " + epoch + "/" + config.epochs(), n, " img")
                : null;
        double lossSum = 0;
        long correct = 0;
        long start = System.nanoTime();
        long lastMessage = start;
        try {
            for (int from = 0; from < n; from += config.batch()) {
                int size = Math.min(config.batch(), n - from);
                MnistBatches.Batch b = train.fill(order, from, size, config.translate(), config.seed(), epoch);
                TrainStepResult r = stepper.take(from / config.batch() + 1, () -> trainer.step(b.input(), b.labels()));
                long t1 = System.nanoTime();
                double secs = stepper.lastSeconds();
                long it = trainer.optimizer().iterations();
                metrics.add(MetricsLog.Kind.BATCH, epoch, it, size, r.loss(), r.accuracy(), size / secs, secs);
                lossSum += r.loss() * size;
                correct += r.correct();
                listener.onStep(epoch, it, r);
                if (bar != null) {
                    bar.stepBy(size);
                    if (t1 - lastMessage > 400_000_000L || from + size >= n) {
                        int done = from + size;
                        bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f acc %.3f %.0f/s",
                                lossSum / done, (double) correct / done, done / ((t1 - start) * 1e-9)));
                        lastMessage = t1;
                    }
                }
            }
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
        double seconds = (System.nanoTime() - start) * 1e-9;
        stepper.finish((n + config.batch() - 1) / config.batch());
        long it = trainer.optimizer().iterations();
        double trainLoss = lossSum / n;
        double trainAcc = (double) correct / n;
        metrics.add(MetricsLog.Kind.TRAIN, epoch, it, n, trainLoss, trainAcc, n / seconds, seconds);
        Evaluation e = evaluate(trainer, test, config.batch());
        metrics.add(MetricsLog.Kind.TEST, epoch, it, e.samples(), e.loss(), e.accuracy(), e.samples() / e.seconds(),
                e.seconds());
        return new EpochStats(epoch, trainLoss, trainAcc, e.loss(), e.accuracy(), seconds, n / seconds, e.seconds());
    }

    /**
     * Scores a model on a whole split, in order, in batches, in inference mode.
     *
     * @param trainer the trainer holding the model and engine
     * @param split   the samples
     * @param batch   samples per batch
     * @return mean loss, accuracy, count, wall time
     */
    public static Evaluation evaluate(ClassifierTrainer trainer, MnistBatches split, int batch) {
        int n = split.count();
        int[] order = MnistBatches.identity(n);
        double lossSum = 0;
        long correct = 0;
        long start = System.nanoTime();
        for (int from = 0; from < n; from += batch) {
            int size = Math.min(batch, n - from);
            MnistBatches.Batch b = split.fill(order, from, size);
            EvalResult r = trainer.evaluate(b.input(), b.labels());
            lossSum += r.loss() * size;
            correct += r.correct();
        }
        return new Evaluation(lossSum / n, (double) correct / n, n, (System.nanoTime() - start) * 1e-9);
    }

    private void writeReports(RunResult r, Path resumedFrom) throws IOException {
        r.metrics().write(outDir.resolve("metrics.csv"));
        Charts.write(outDir, title(config), List.of(new Charts.Run(config.model().toString().toUpperCase(Locale.ROOT),
                r.metrics())));
        ObjectNode summary = summary(r, stats);
        summary.put("resumed_from", resumedFrom == null ? null : resumedFrom.toAbsolutePath().toString());
        AtomicFiles.writeString(outDir.resolve("summary.json"), JSON.writeValueAsString(summary) + "\n");
    }

    /**
     * @param c a configuration
     * @return a chart title such as {@code "Sequential MNIST (pixel), 1x32 units"}
     */
    public static String title(TrainConfig c) {
        return "Sequential MNIST (" + c.layout() + "), " + c.layers() + "x" + c.hidden() + " units";
    }

    /**
     * The content of {@code summary.json}.
     *
     * @param r     the run
     * @param stats the pixel statistics used
     * @return a JSON object
     */
    public static ObjectNode summary(RunResult r, PixelStats stats) {
        ObjectNode s = JSON.createObjectNode();
        EpochStats last = r.last();
        s.put("model", r.config().model().toString());
        s.put("epochs_completed", last.epoch());
        s.put("train_accuracy", last.trainAccuracy());
        s.put("train_loss", last.trainLoss());
        s.put("test_accuracy", last.testAccuracy());
        s.put("test_loss", last.testLoss());
        ArrayNode secs = s.putArray("epoch_seconds");
        double totalSeconds = 0;
        long totalSamples = 0;
        for (EpochStats e : r.epochs()) {
            secs.add(e.seconds());
            totalSeconds += e.seconds();
            totalSamples += Math.round(e.samplesPerSecond() * e.seconds());
        }
        s.put("samples_per_second", totalSamples / totalSeconds);
        s.set("epochs", JSON.valueToTree(r.epochs()));
        s.set("config", JSON.valueToTree(r.config()));
        s.put("parameters", r.parameters());
        s.put("engine", r.engine());
        ObjectNode d = s.putObject("data");
        d.put("pixel_mean", stats.mean());
        d.put("pixel_std", stats.std());
        d.put("steps", r.config().layout().steps());
        d.put("input_size", r.config().layout().inputSize());
        s.set("machine", machine());
        s.put("checkpoint", r.checkpoint().toAbsolutePath().toString());
        return s;
    }

    /** @return the machine and JDK: OS, architecture, processors, max heap, Java version, VM, vendor */
    public static ObjectNode machine() {
        ObjectNode m = JSON.createObjectNode();
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("arch", System.getProperty("os.arch"));
        m.put("processors", Runtime.getRuntime().availableProcessors());
        m.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        m.put("java_version", System.getProperty("java.version"));
        m.put("java_vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        m.put("java_vendor", System.getProperty("java.vendor"));
        m.put("vector_api", Backend.vectorModuleReadable());
        return m;
    }

    private static String toJson(Object o, boolean indent) {
        try {
            return indent ? JSON.writeValueAsString(o) : JSON.writer().without(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<EpochStats> parseHistory(String json) {
        if (json == null || json.isBlank()) {
            return List.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<List<EpochStats>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("resume: the checkpoint's history metadata is malformed: "
                    + e.getOriginalMessage(), e);
        }
    }

    /**
     * Writes the JSON pretty-printed (used by the CLI for combined summaries).
     *
     * @param file the target, written atomically
     * @param node the JSON
     * @throws IOException if writing fails
     */
    public static void writeJson(Path file, ObjectNode node) throws IOException {
        AtomicFiles.writeString(file, JSON.writeValueAsString(node) + "\n");
    }

    /** @return a new empty JSON object */
    public static ObjectNode newObject() {
        return JSON.createObjectNode();
    }
}
