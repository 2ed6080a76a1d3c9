package org.plstm.mnist.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.SplittableRandom;
import me.tongfei.progressbar.ProgressBar;
import org.plstm.Engine;
import org.plstm.SequenceBatch;
import org.plstm.data.DataSplit;
import org.plstm.data.EventData;
import org.plstm.data.EventSequence;
import org.plstm.data.Labels;
import org.plstm.data.Standardizer;
import org.plstm.engine.Backend;
import org.plstm.io.AtomicFiles;
import org.plstm.io.Checkpoint;
import org.plstm.optim.Optimizer;
import org.plstm.train.ClassifierTrainer;
import org.plstm.train.EvalResult;
import org.plstm.train.Fit;
import org.plstm.train.LabeledSequence;
import org.plstm.train.SequenceClassifier;
import org.plstm.train.Task;
import org.plstm.train.TrainStepResult;

/**
 * Trains a {@link SequenceClassifier} on the sequences of an event CSV file ({@link EventConfig}), classification or
 * regression, and writes the same run files as {@link MnistTrainer}, with the same guarantees (shared through
 * {@link RunSupport}, {@link MetricsLog}, {@link Charts}, {@link Checkpoint}).
 *
 * <p>Data: the sequences are split by sequence, seeded ({@link DataSplit}); the standardisation is fitted on the
 * training split only ({@link Standardizer}: features, and for regression the target); for classification the
 * classes are the labels of the whole file in natural order ({@link Labels}). Per epoch: the training sequences
 * shuffled and batched by length ({@link Fit#batches}, seeded by the seed and the epoch only, so a resumed run
 * continues the same curve), one step each; the validation split in inference mode; after the last epoch the test
 * split. The files, written atomically and replaced every epoch, the checkpoint last (the run's commit point):
 * <ul>
 *   <li>{@code checkpoint.safetensors}: weights, optimiser state, epoch, the configuration (metadata
 *       {@code trainer}), {@code standardizer} (JSON), {@code labels} (JSON array, classification) and
 *       {@code history};</li>
 *   <li>{@code metrics.csv} ({@link MetricsLog}: rows {@code batch}, {@code train}, {@code validation} per epoch,
 *       {@code test} after the last; column {@code accuracy}, or {@code rmse} in the target's unit for regression,
 *       whose {@code loss} is the MSE of the standardised target);</li>
 *   <li>{@code accuracy.png} or {@code rmse.png}, and {@code loss.png} ({@link Charts});</li>
 *   <li>{@code summary.json}: the final and per-epoch results, the test score beside a baseline (the majority class's
 *       accuracy, or the RMSE of predicting the training mean), the data, the configuration, engine and machine.
 *       Scores of a split the run does not have are absent, never NaN: without a validation set
 *       ({@code validation} 0) {@code validation_loss}, {@code validation_<metric>} and each epoch's
 *       {@code validationLoss} and {@code validationMetric}; without a test set the test scores and the baseline.
 *       The checkpoint's {@code history} keeps NaN there (it is read back on resume).</li>
 * </ul>
 */
public final class EventTrainer {
    /** The checkpoint's file name in the output directory. */
    public static final String CHECKPOINT = "checkpoint.safetensors";

    /** The files a run writes into its directory. */
    static final List<String> OUTPUT_FILES = List.of(CHECKPOINT, "metrics.csv", "summary.json", "accuracy.png",
            "rmse.png", "loss.png");

    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /**
     * One split, ready for the trainer.
     *
     * @param ids       the sequence ids, {@code [N]}
     * @param sequences standardised sequences with class indices (0 for regression), {@code [N]}
     * @param targets   standardised regression targets {@code [N]}, or null for classification
     */
    public record Part(List<String> ids, List<LabeledSequence> sequences, float[] targets) {
        /** @return {@code N} */
        public int size() {
            return sequences.size();
        }
    }

    /**
     * The data of a run, prepared.
     *
     * @param stats      the standardisation fitted on the training split
     * @param labels     the classes (classification), or null
     * @param train      the training split
     * @param validation the validation split (may be empty)
     * @param test       the test split (may be empty)
     * @param events     event rows in the file
     */
    public record Prepared(Standardizer stats, Labels labels, Part train, Part validation, Part test, long events) {
    }

    /**
     * One epoch's results.
     *
     * @param epoch              1-based
     * @param trainLoss          mean training loss (cross-entropy in nats, or MSE of the standardised target)
     * @param trainMetric        training accuracy, or RMSE in the target's unit
     * @param validationLoss     validation loss after the epoch, NaN without validation data
     * @param validationMetric   validation accuracy or RMSE, NaN without validation data
     * @param seconds            wall time of the training steps
     * @param sequencesPerSecond training throughput
     */
    public record Epoch(int epoch, double trainLoss, double trainMetric, double validationLoss,
                        double validationMetric, double seconds, double sequencesPerSecond) {
    }

    /**
     * A data set's score.
     *
     * @param loss    mean loss (as {@link Epoch#trainLoss})
     * @param metric  accuracy, or RMSE in the target's unit
     * @param count   sequences scored
     * @param seconds wall time
     */
    public record Score(double loss, double metric, int count, double seconds) {
    }

    /**
     * The run's results.
     *
     * @param epochs     every epoch of the run, resumed ones included
     * @param test       the test split's score after the last epoch, or null without test data
     * @param checkpoint the checkpoint written
     */
    public record Result(List<Epoch> epochs, Score test, Path checkpoint) {
        /** @return the last epoch */
        public Epoch last() {
            return epochs.get(epochs.size() - 1);
        }
    }

    private final EventConfig config;
    private final EventData data;
    private final Prepared prepared;
    private final Path outDir;
    private final PrintWriter out;
    private final boolean progress;
    private StepListener listener = (e, i, r) -> { };

    /**
     * @param config   the run's configuration (its features resolved: {@link EventConfig#withFeatures})
     * @param data     the file's sequences, read with {@link EventConfig#reader}
     * @param outDir   where the run's files go
     * @param out      where the per-epoch lines go
     * @param progress whether to show a progress bar
     * @throws IllegalArgumentException if an argument is null, or the data cannot be split or labelled as configured
     */
    public EventTrainer(EventConfig config, EventData data, Path outDir, PrintWriter out, boolean progress) {
        if (config == null || data == null || outDir == null || out == null) {
            throw new IllegalArgumentException("config, data, outDir, out: expected values, got null");
        }
        this.config = config;
        this.data = data;
        this.prepared = prepare(config, data);
        this.outDir = outDir;
        this.out = out;
        this.progress = progress;
    }

    /**
     * @param l called after every training step
     * @return this
     */
    public EventTrainer listener(StepListener l) {
        this.listener = l == null ? (e, i, r) -> { } : l;
        return this;
    }

    /** @return the prepared data */
    public Prepared prepared() {
        return prepared;
    }

    /**
     * Splits, standardises and labels the data of a run.
     *
     * @param config the configuration
     * @param data   the file's sequences
     * @return the prepared data
     * @throws IllegalArgumentException if the split leaves no training sequence, or a label does not fit the task
     */
    public static Prepared prepare(EventConfig config, EventData data) {
        DataSplit split = DataSplit.of(data.sequences(), config.validation(), config.test(), config.seed());
        Standardizer stats = Standardizer.fit(data.featureNames(), split.train(), config.regression());
        Labels labels = null;
        if (!config.regression()) {
            List<String> all = new ArrayList<>();
            for (EventSequence s : data.sequences()) {
                all.add(s.label());
            }
            labels = Labels.of(all);
        }
        return new Prepared(stats, labels, part(split.train(), stats, labels), part(split.validation(), stats, labels),
                part(split.test(), stats, labels), data.events());
    }

    /**
     * Standardises sequences with saved statistics and maps their labels.
     *
     * @param seqs   the sequences
     * @param stats  the standardisation
     * @param labels the classes, or null for regression (then each label must be a number)
     * @return the part
     * @throws IllegalArgumentException if a label is unknown or not a number
     */
    public static Part part(List<EventSequence> seqs, Standardizer stats, Labels labels) {
        return part(seqs, stats, labels, true);
    }

    /**
     * As {@link #part(List, Standardizer, Labels)}, optionally ignoring the labels (for prediction).
     *
     * @param seqs       the sequences
     * @param stats      the standardisation
     * @param labels     the classes, or null for regression
     * @param withLabels whether to read the labels (false: class indices 0 and no targets, for {@code predict})
     * @return the part
     * @throws IllegalArgumentException if a label is read and is unknown or not a number
     */
    public static Part part(List<EventSequence> seqs, Standardizer stats, Labels labels, boolean withLabels) {
        List<String> ids = new ArrayList<>(seqs.size());
        List<LabeledSequence> list = new ArrayList<>(seqs.size());
        float[] targets = stats.regression() && withLabels ? new float[seqs.size()] : null;
        for (int i = 0; i < seqs.size(); i++) {
            EventSequence s = stats.apply(seqs.get(i));
            ids.add(s.id());
            int label = 0;
            if (withLabels) {
                if (stats.regression()) {
                    targets[i] = (float) stats.scaleTarget(Standardizer.target(s));
                } else {
                    label = labels.index(s.id(), s.label());
                }
            }
            list.add(new LabeledSequence(s.x(), s.time(), label));
        }
        return new Part(ids, list, targets);
    }

    /**
     * Trains from scratch or continues a checkpoint, up to {@code config.epochs()} epochs.
     *
     * @param resume     a loaded checkpoint of this configuration to continue, or null
     * @param resumeFile its path, or null
     * @return the run's results
     * @throws IOException if an output file cannot be written
     * @throws MnistTrainer.ResumeException if the checkpoint does not fit the configuration or the data
     * @throws DivergedException if training diverges (the files stay those of the last good epoch)
     */
    public Result run(Checkpoint.Loaded resume, Path resumeFile) throws IOException {
        SequenceClassifier model;
        Optimizer optimizer;
        int startEpoch = 0;
        List<Epoch> history = new ArrayList<>();
        MetricsLog metrics = new MetricsLog(config.metric());
        int outputs = config.regression() ? 1 : prepared.labels().size();
        if (resume != null) {
            model = SequenceClassifier.of(resume.weights());
            if (!model.configs().equals(config.layerConfigs(data.inputSize())) || model.classes() != outputs) {
                throw new MnistTrainer.ResumeException("the checkpoint's model (" + model + ") differs from the one "
                        + "its configuration builds for this data (" + data.inputSize() + " features, " + outputs
                        + " outputs)");
            }
            checkSaved(resume, "standardizer", prepared.stats().toJson(), "the standardisation statistics of the "
                    + "training split");
            if (prepared.labels() != null) {
                checkSaved(resume, "labels", labelsJson(prepared.labels()), "the classes of the data");
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
            long perEpoch = (prepared.train().size() + config.batch() - 1) / config.batch();
            if (resume.optimizer() != null && resume.optimizer().iterations() != startEpoch * perEpoch) {
                throw new MnistTrainer.ResumeException("the checkpoint's optimizer has taken "
                        + resume.optimizer().iterations() + " steps, expected " + startEpoch * perEpoch + " ("
                        + startEpoch + " epochs of " + perEpoch + " batches); the data differ");
            }
            Path previous = resumeFile == null ? null : resumeFile.toAbsolutePath().getParent().resolve("metrics.csv");
            if (previous != null && Files.isRegularFile(previous)) {
                metrics = MetricsLog.read(previous, startEpoch);
                if (!metrics.metric().equals(config.metric())) {
                    metrics = new MetricsLog(config.metric());
                }
            }
        } else {
            model = config.newModel(data.inputSize(), outputs);
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
        return RunSupport.locked(outDir, () -> runLocked(m, o, start, history, log, resumeFile));
    }

    private static void checkSaved(Checkpoint.Loaded resume, String key, String now, String what) {
        String saved = resume.metadata().get(key);
        if (saved != null && !saved.equals(now)) {
            throw new MnistTrainer.ResumeException("the checkpoint's " + key + " (" + saved + ") differs from "
                    + what + " (" + now + "): it was trained on other data or another split");
        }
    }

    private Result runLocked(SequenceClassifier model, Optimizer optimizer, int startEpoch, List<Epoch> history,
                             MetricsLog metrics, Path resumeFile) throws IOException {
        RunSupport.removeLeftovers(outDir, OUTPUT_FILES, out);
        Path checkpoint = outDir.resolve(CHECKPOINT);
        try (Engine engine = Backend.named(config.engine()).newEngine(config.threads())) {
            ClassifierTrainer trainer = new ClassifierTrainer(engine, model, optimizer, config.clip());
            out.printf(Locale.ROOT, "%s %s: %s, %d parameters; %d features %s; %d sequences (%d events): %d training, "
                            + "%d validation, %d test; %s; engine %s%n", config.model(), config.task(),
                    model.describe(config.regression() ? Task.REGRESSION : Task.CLASSIFICATION),
                    model.parameterCount(), data.inputSize(), data.featureNames(), data.sequences().size(),
                    data.events(), prepared.train().size(), prepared.validation().size(), prepared.test().size(),
                    RunSupport.optimizerSummary(config.optimizer(), config.learningRate(), config.schedule(),
                            config.clip(), config.weightDecay()), engine.description());
            if (prepared.labels() != null) {
                out.printf(Locale.ROOT, "classes: %s%n", prepared.labels());
            }
            out.flush();
            Score test = null;
            if (!history.isEmpty()) {
                // the summary keeps the test score of the run resumed from (when it ended at the checkpoint's epoch),
                // so that it stays the last good epoch's if this run diverges
                writeReports(history, metrics, recordedTest(metrics, startEpoch), engine.description(), model,
                        checkpoint, resumeFile);
            }
            for (int epoch = startEpoch + 1; epoch <= config.epochs(); epoch++) {
                String lastGood = epoch - 1 > startEpoch ? checkpoint + " (epoch " + (epoch - 1) + ")"
                        : startEpoch > 0 ? resumeFile + " (epoch " + startEpoch + ", resumed from)"
                        : "none: no epoch was completed";
                Epoch e = runEpoch(epoch, trainer, metrics, lastGood);
                history.add(e);
                String name = config.regression() ? "rmse" : "acc";
                String validation = prepared.validation().size() == 0 ? "no validation set"
                        : String.format(Locale.ROOT, "validation loss %.4f %s %.4f", e.validationLoss(), name,
                                e.validationMetric());
                out.printf(Locale.ROOT, "epoch %d/%d: train loss %.4f %s %.4f | %s | %.1f s (%.0f sequences/s)%n",
                        epoch, config.epochs(), e.trainLoss(), name, e.trainMetric(), validation, e.seconds(),
                        e.sequencesPerSecond());
                if (epoch == config.epochs() && prepared.test().size() > 0) {
                    test = score(trainer, prepared.test(), config.batch(), prepared.stats());
                    long it = trainer.optimizer().iterations();
                    metrics.add(MetricsLog.Kind.TEST, epoch, it, test.count(), test.loss(), test.metric(),
                            test.count() / test.seconds(), test.seconds());
                    out.printf(Locale.ROOT, "test: loss %.4f %s %.4f (%d sequences; baseline %s %.4f)%n", test.loss(),
                            name, test.metric(), test.count(), name, baseline(prepared));
                }
                out.flush();
                writeReports(history, metrics, test, engine.description(), model, checkpoint, resumeFile);
                Map<String, String> extra = new LinkedHashMap<>();
                extra.put("standardizer", prepared.stats().toJson());
                if (prepared.labels() != null) {
                    extra.put("labels", labelsJson(prepared.labels()));
                }
                extra.put("history", toJson(history));
                Checkpoint.save(checkpoint, model.weights(), optimizer.checkpointState(), epoch, config.toJson(), extra);
            }
            return new Result(List.copyOf(history), test, checkpoint);
        }
    }

    private Epoch runEpoch(int epoch, ClassifierTrainer trainer, MetricsLog metrics, String lastGood) {
        Part train = prepared.train();
        int n = train.size();
        List<int[]> batches = Fit.batches(train.sequences(), config.batch(),
                new SplittableRandom(config.seed() * 1_000_003L + epoch));
        ProgressBar bar = progress ? RunSupport.progressBar("epoch " + epoch + "/" + config.epochs(), n, " seq")
                : null;
        EpochSteps stepper = new EpochSteps(trainer, config.learningRateSchedule(n), epoch, config.learningRate(),
                lastGood);
        double lossSum = 0;
        double metricSum = 0;
        long start = System.nanoTime();
        int done = 0;
        try {
            for (int b = 0; b < batches.size(); b++) {
                int[] idx = batches.get(b);
                SequenceBatch input = Fit.batch(train.sequences(), idx);
                TrainStepResult r = stepper.take(b + 1, () -> config.regression()
                        ? trainer.stepRegression(input, gather(train.targets(), idx))
                        : trainer.step(input, labels(train.sequences(), idx)));
                double metric = metric(r.loss(), r.correct(), idx.length, prepared.stats());
                double secs = stepper.lastSeconds();
                long it = trainer.optimizer().iterations();
                metrics.add(MetricsLog.Kind.BATCH, epoch, it, idx.length, r.loss(), metric, idx.length / secs, secs);
                lossSum += r.loss() * idx.length;
                metricSum += config.regression() ? r.loss() * idx.length : r.correct();
                done += idx.length;
                listener.onStep(epoch, it, r);
                if (bar != null) {
                    bar.stepBy(idx.length);
                    bar.setExtraMessage(config.regression()
                            ? String.format(Locale.ROOT, "loss %.4f rmse %.4f", lossSum / done,
                                    Math.sqrt(metricSum / done) * prepared.stats().targetStd())
                            : String.format(Locale.ROOT, "loss %.4f acc %.3f", lossSum / done, metricSum / done));
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
        double trainLoss = lossSum / n;
        double trainMetric = config.regression() ? Math.sqrt(metricSum / n) * prepared.stats().targetStd()
                : metricSum / n;
        metrics.add(MetricsLog.Kind.TRAIN, epoch, it, n, trainLoss, trainMetric, n / seconds, seconds);
        double vLoss = Double.NaN;
        double vMetric = Double.NaN;
        if (prepared.validation().size() > 0) {
            Score v = score(trainer, prepared.validation(), config.batch(), prepared.stats());
            metrics.add(MetricsLog.Kind.VALIDATION, epoch, it, v.count(), v.loss(), v.metric(),
                    v.count() / v.seconds(), v.seconds());
            vLoss = v.loss();
            vMetric = v.metric();
        }
        return new Epoch(epoch, trainLoss, trainMetric, vLoss, vMetric, seconds, n / seconds);
    }

    private static double metric(double loss, int correct, int count, Standardizer stats) {
        return stats.regression() ? Math.sqrt(loss) * stats.targetStd() : (double) correct / count;
    }

    private static int[] labels(List<LabeledSequence> seqs, int[] idx) {
        int[] l = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            l[i] = seqs.get(idx[i]).label();
        }
        return l;
    }

    private static float[] gather(float[] values, int[] idx) {
        float[] v = new float[idx.length];
        for (int i = 0; i < idx.length; i++) {
            v[i] = values[idx[i]];
        }
        return v;
    }

    /**
     * Scores a part in inference mode, in order, in batches.
     *
     * @param trainer the trainer holding the model and engine
     * @param part    the sequences, with labels or targets
     * @param batch   sequences per batch
     * @param stats   the standardisation (its target statistics turn the MSE into an RMSE in the target's unit)
     * @return mean loss, accuracy or RMSE, count, wall time
     */
    public static Score score(ClassifierTrainer trainer, Part part, int batch, Standardizer stats) {
        long start = System.nanoTime();
        double loss = 0;
        long correct = 0;
        for (int[] idx : Fit.batches(part.sequences(), batch, null)) {
            SequenceBatch input = Fit.batch(part.sequences(), idx);
            EvalResult r = stats.regression() ? trainer.evaluateRegression(input, gather(part.targets(), idx))
                    : trainer.evaluate(input, labels(part.sequences(), idx));
            loss += r.loss() * idx.length;
            correct += r.correct();
        }
        int n = part.size();
        double metric = stats.regression() ? Math.sqrt(loss / n) * stats.targetStd() : (double) correct / n;
        return new Score(loss / n, metric, n, (System.nanoTime() - start) * 1e-9);
    }

    /**
     * The model's outputs for every sequence of a part, in order: class probabilities {@code [N][C]}, or predicted
     * values {@code [N]} in the target's unit.
     *
     * @param trainer the trainer holding the model and engine
     * @param part    the sequences (labels ignored)
     * @param batch   sequences per batch
     * @param stats   the standardisation (regression outputs are mapped back to the target's unit)
     * @return {@code [N][K]} row-major, {@code K = C} or 1
     */
    public static float[] predict(ClassifierTrainer trainer, Part part, int batch, Standardizer stats) {
        int k = trainer.model().classes();
        float[] out = new float[part.size() * k];
        for (int[] idx : Fit.batches(part.sequences(), batch, null)) {
            SequenceBatch input = Fit.batch(part.sequences(), idx);
            float[] o = new float[idx.length * k];
            if (stats.regression()) {
                trainer.predictValues(input, o);
            } else {
                trainer.predict(input, o);
            }
            for (int i = 0; i < idx.length; i++) {
                for (int c = 0; c < k; c++) {
                    float v = o[i * k + c];
                    out[idx[i] * k + c] = stats.regression() ? (float) stats.unscaleTarget(v) : v;
                }
            }
        }
        return out;
    }

    /**
     * The test split's baseline: the accuracy of always predicting the training split's most frequent class, or the
     * RMSE of always predicting the training mean (in the target's unit).
     *
     * @param p the prepared data
     * @return the baseline, NaN without test data
     */
    public static double baseline(Prepared p) {
        int n = p.test().size();
        if (n == 0) {
            return Double.NaN;
        }
        if (p.stats().regression()) {
            double sq = 0;
            for (float z : p.test().targets()) {
                sq += (double) z * z; // the training mean is 0 in standardised units
            }
            return Math.sqrt(sq / n) * p.stats().targetStd();
        }
        int[] counts = new int[p.labels().size()];
        for (LabeledSequence s : p.train().sequences()) {
            counts[s.label()]++;
        }
        int best = 0;
        for (int c = 1; c < counts.length; c++) {
            if (counts[c] > counts[best]) {
                best = c;
            }
        }
        int right = 0;
        for (LabeledSequence s : p.test().sequences()) {
            right += s.label() == best ? 1 : 0;
        }
        return (double) right / n;
    }

    /** The test score {@code metrics} recorded after {@code epoch}, or {@code null} if none. */
    private static Score recordedTest(MetricsLog metrics, int epoch) {
        for (int r = metrics.size() - 1; r >= 0; r--) {
            if (metrics.kind(r) == MetricsLog.Kind.TEST && metrics.epoch(r) == epoch) {
                return new Score(metrics.loss(r), metrics.accuracy(r), metrics.samples(r), metrics.seconds(r));
            }
        }
        return null;
    }

    private void writeReports(List<Epoch> history, MetricsLog metrics, Score test, String engine,
                              SequenceClassifier model, Path checkpoint, Path resumedFrom) throws IOException {
        metrics.write(outDir.resolve("metrics.csv"));
        String title = "Events (" + data.file().getFileName() + ", " + config.task() + "), " + config.layers() + "x"
                + config.hidden() + " units";
        Charts.write(outDir, title, List.of(new Charts.Run(config.model().toUpperCase(Locale.ROOT), metrics)),
                config.metric(), config.regression() ? "loss (MSE of the standardised target)" : "loss (nats)");
        ObjectNode s = JSON.createObjectNode();
        String metric = config.metric();
        Epoch last = history.get(history.size() - 1);
        s.put("task", config.task());
        s.put("model", config.model());
        s.put("epochs_completed", last.epoch());
        s.put("metric", metric);
        s.put("train_loss", last.trainLoss());
        s.put("train_" + metric, last.trainMetric());
        boolean validated = prepared.validation().size() > 0;
        if (validated) { // without a validation set the scores are absent, not NaN
            s.put("validation_loss", last.validationLoss());
            s.put("validation_" + metric, last.validationMetric());
        }
        if (test != null) {
            s.put("test_loss", test.loss());
            s.put("test_" + metric, test.metric());
            s.put("test_sequences", test.count());
        }
        if (prepared.test().size() > 0) {
            s.put("test_baseline_" + metric, baseline(prepared));
            s.put("test_baseline", config.regression() ? "RMSE of predicting the training mean"
                    : "accuracy of predicting the training split's most frequent class");
        }
        ArrayNode secs = s.putArray("epoch_seconds");
        double total = 0;
        for (Epoch e : history) {
            secs.add(e.seconds());
            total += e.seconds();
        }
        s.put("total_training_seconds", total);
        ArrayNode epochs = JSON.valueToTree(history);
        if (!validated) {
            for (JsonNode e : epochs) {
                ((ObjectNode) e).remove(List.of("validationLoss", "validationMetric"));
            }
        }
        s.set("epochs", epochs);
        s.set("config", JSON.readTree(config.toJson()));
        s.put("parameters", model.parameterCount());
        s.put("engine", engine);
        ObjectNode d = s.putObject("data");
        d.put("file", data.file().toAbsolutePath().toString());
        d.put("sequences", data.sequences().size());
        d.put("events", data.events());
        d.put("train_sequences", prepared.train().size());
        d.put("validation_sequences", prepared.validation().size());
        d.put("test_sequences", prepared.test().size());
        if (prepared.labels() != null) {
            ArrayNode classes = d.putArray("classes");
            prepared.labels().names().forEach(classes::add);
        }
        d.set("standardizer", JSON.readTree(prepared.stats().toJson()));
        s.set("machine", MnistTrainer.machine());
        s.put("checkpoint", checkpoint.toAbsolutePath().toString());
        s.put("resumed_from", resumedFrom == null ? null : resumedFrom.toAbsolutePath().toString());
        AtomicFiles.writeString(outDir.resolve("summary.json"), JSON.writeValueAsString(s) + "\n");
    }

    /**
     * @param labels the classes
     * @return them as a JSON array (checkpoint metadata {@code labels})
     */
    public static String labelsJson(Labels labels) {
        try {
            return JsonMapper.builder().build().writeValueAsString(labels.names());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param json a JSON array of class names
     * @return the classes
     * @throws IllegalArgumentException if malformed
     */
    public static Labels parseLabels(String json) {
        try {
            return new Labels(JSON.readValue(json, new TypeReference<List<String>>() { }));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("labels: expected a JSON array of class names, got: "
                    + e.getOriginalMessage(), e);
        }
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
