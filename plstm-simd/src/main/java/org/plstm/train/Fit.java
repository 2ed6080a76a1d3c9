package org.plstm.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;
import org.plstm.Check;
import org.plstm.Engine;
import org.plstm.SequenceBatch;
import org.plstm.engine.Backend;
import org.plstm.io.Checkpoint;
import org.plstm.optim.NonFiniteUpdateException;
import org.plstm.optim.Optimizer;

/**
 * Keras-style training of a {@link SequenceClassifier} on your own sequences: {@code fit}, {@code evaluate},
 * {@code predict}.
 *
 * <pre>{@code
 * Fit.History h = Fit.of(model)
 *         .optimizer(Optimizer.create("adam", 1e-3)).batchSize(32).epochs(20).seed(7)
 *         .validation(validation).earlyStopping(3).keepBest(Path.of("best.safetensors"))
 *         .fit(train);                                    // List<LabeledSequence>
 * Fit.Evaluation e = Fit.evaluate(model, test, 64);
 * float[] probabilities = Fit.predict(model, test, 64);   // [N][C]
 * }</pre>
 *
 * <p>Per epoch: the learning rate from the schedule (if any); the training sequences shuffled (seeded by
 * {@code seed} and the epoch, so a run is reproducible for a given thread count), grouped into batches of similar
 * length (sorted by length within windows of 32 batches, then the batches shuffled), each padded to its longest
 * sequence and given its lengths ({@link SequenceBatch#lengths()}), one {@link ClassifierTrainer#step} each; then the
 * validation set in inference mode. The monitored value is the validation loss (the training loss without
 * validation data): {@code keepBest} saves a checkpoint ({@link Checkpoint#save}, atomic) whenever it improves, and
 * {@code earlyStopping(n)} stops after {@code n} epochs without improvement. A loss or gradients that are not finite
 * stop training with an {@link IllegalStateException} naming the epoch and batch (the best checkpoint stays as it
 * was; a step whose gradients are not finite is not applied, {@link NonFiniteGradientException}, and neither is an
 * update that would make a parameter or the optimiser's state non-finite, {@link NonFiniteUpdateException}: the model
 * keeps the values of the last good step).
 *
 * <p>To continue a run from a checkpoint (Keras' {@code initial_epoch}): from one saved after the run's last epoch
 * ({@link Checkpoint#save} with {@link Optimizer#checkpointState}), the next epochs are the uninterrupted run's, bit
 * for bit; from {@code keepBest}'s, training restarts at its best epoch:
 *
 * <pre>{@code
 * Checkpoint.Loaded c = Checkpoint.load(Path.of("best.safetensors"));
 * SequenceClassifier model = SequenceClassifier.of(c.weights());
 * Fit.of(model).optimizer(Optimizer.restore(c.optimizer(), model.tensors()))
 *         .batchSize(32).epochs(20).seed(7).initialEpoch((int) c.epoch())
 *         .initialValueThreshold(Double.parseDouble(c.metadata().get("monitored_loss")))
 *         .validation(validation).earlyStopping(3).keepBest(Path.of("best.safetensors"))
 *         .fit(train);
 * }</pre>
 *
 * <p>Regression ({@link #task task(Task.REGRESSION)}): a model with one output ({@code K = 1}) learns each
 * sequence's {@link LabeledSequence#target()} with the mean squared error ({@link ClassifierTrainer#stepRegression});
 * losses are then MSEs, accuracies NaN, and {@link #predictValues} gives the values.
 *
 * <p>Not thread-safe: the model is updated in place.
 */
public final class Fit {
    /** Sequences per length window: batches are formed within windows of this many batches, sorted by length. */
    static final int WINDOW_BATCHES = 32;

    private final SequenceClassifier model;
    private Optimizer optimizer;
    private int batchSize = 32;
    private int epochs = 1;
    private int initialEpoch;
    private double initialValueThreshold = Double.POSITIVE_INFINITY;
    private long seed;
    private double clipNorm;
    private Engine engine;
    private List<LabeledSequence> validation = List.of();
    private int patience;
    private Path keepBest;
    private IntToDoubleFunction schedule;
    private Listener listener = new Listener() { };
    private Task task = Task.CLASSIFICATION;

    private Fit(SequenceClassifier model) {
        this.model = Check.notNull("model", model);
    }

    /**
     * @param model the classifier to train, updated in place
     * @return a configuration with the defaults: RMSprop at 1e-3 (the Keras seed's), batch 32, 1 epoch, seed 0, no
     *     clipping, no validation, no early stopping, no checkpoint, the process's backend engine
     * @throws IllegalArgumentException if {@code model} is null
     */
    public static Fit of(SequenceClassifier model) {
        return new Fit(model);
    }

    /** Receives progress; every method does nothing by default. */
    public interface Listener {
        /**
         * @param epoch  1-based epoch
         * @param batch  1-based batch within the epoch
         * @param result the step's loss (before the update), accuracy and gradient norm
         */
        default void onBatch(int epoch, int batch, TrainStepResult result) {
        }

        /** @param epoch the finished epoch's results */
        default void onEpoch(EpochResult epoch) {
        }
    }

    /**
     * One epoch's results.
     *
     * @param epoch              1-based
     * @param learningRate       the rate used
     * @param trainLoss          mean cross-entropy (nats) of the training batches, weighted by batch size (the mean
     *                           squared error for {@link Task#REGRESSION})
     * @param trainAccuracy      fraction of training sequences classified right (before each update); NaN for
     *                           regression
     * @param validationLoss     mean cross-entropy of the validation set, NaN without one
     * @param validationAccuracy its accuracy, NaN without one
     * @param seconds            wall time of the epoch
     * @param improved           whether the monitored loss improved (then {@code keepBest} saved)
     */
    public record EpochResult(int epoch, double learningRate, double trainLoss, double trainAccuracy,
                              double validationLoss, double validationAccuracy, double seconds, boolean improved) {
    }

    /**
     * The run's results.
     *
     * @param epochs       every epoch run, in order
     * @param bestEpoch    the epoch with the best monitored loss (1-based), or 0 if no epoch beat the
     *                     {@link #initialValueThreshold} (or every monitored loss was NaN)
     * @param stoppedEarly whether early stopping ended the run before the last epoch
     */
    public record History(List<EpochResult> epochs, int bestEpoch, boolean stoppedEarly) {
        /** Copies the list. */
        public History {
            epochs = List.copyOf(epochs);
        }
    }

    /**
     * A data set's mean loss and accuracy.
     *
     * @param loss      mean cross-entropy, nats (regression: mean squared error)
     * @param accuracy  fraction right (regression: NaN)
     * @param sequences how many were scored
     */
    public record Evaluation(double loss, double accuracy, int sequences) {
    }

    /**
     * @param o the optimiser (fresh for this model, or restored for it)
     * @return this
     * @throws IllegalArgumentException if null
     */
    public Fit optimizer(Optimizer o) {
        this.optimizer = Check.notNull("optimizer", o);
        return this;
    }

    /**
     * @param n sequences per batch, {@code >= 1}
     * @return this
     * @throws IllegalArgumentException if below 1
     */
    public Fit batchSize(int n) {
        this.batchSize = Check.atLeast("batchSize", n, 1);
        return this;
    }

    /**
     * @param n the number of the last epoch, {@code >= 1}: the run trains epochs {@code initialEpoch + 1 .. n}
     *          (Keras' {@code epochs}; without {@link #initialEpoch} that is {@code n} epochs)
     * @return this
     * @throws IllegalArgumentException if below 1
     */
    public Fit epochs(int n) {
        this.epochs = Check.atLeast("epochs", n, 1);
        return this;
    }

    /**
     * Continues a run after {@code n} completed epochs (Keras' {@code initial_epoch}), e.g. from a checkpoint of
     * {@link #keepBest}: the first epoch run is {@code n + 1}, with that epoch's shuffle and learning rate from the
     * schedule, so a model and optimiser restored after epoch {@code n} ({@link Checkpoint#load},
     * {@link SequenceClassifier#of}, {@link Optimizer#restore}) train exactly as the uninterrupted run did, for the
     * same seed, data, batch size and engine threads. Early stopping counts from the first epoch run, and the best
     * monitored loss starts at {@link #initialValueThreshold} (pass the checkpoint's {@code monitored_loss} so
     * that {@code keepBest} only replaces it with a better one).
     *
     * @param n completed epochs, {@code >= 0} (default 0) and below {@link #epochs} (checked by {@code fit})
     * @return this
     * @throws IllegalArgumentException if negative
     */
    public Fit initialEpoch(int n) {
        this.initialEpoch = Check.atLeast("initialEpoch", n, 0);
        return this;
    }

    /**
     * The monitored loss an epoch has to beat to count as an improvement (Keras' {@code ModelCheckpoint}
     * {@code initial_value_threshold}): {@code keepBest} writes, and early stopping's count resets, only below it.
     *
     * @param loss the loss to beat (nats, or the MSE for regression); default {@code +Infinity} (every finite loss
     *             improves)
     * @return this
     * @throws IllegalArgumentException if NaN
     */
    public Fit initialValueThreshold(double loss) {
        if (Double.isNaN(loss)) {
            throw new IllegalArgumentException("initialValueThreshold: expected a number (+Infinity = none), got NaN");
        }
        this.initialValueThreshold = loss;
        return this;
    }

    /**
     * @param s seed of the per-epoch shuffling
     * @return this
     */
    public Fit seed(long s) {
        this.seed = s;
        return this;
    }

    /**
     * @param norm clip gradients by global norm to this bound, {@code 0} = off (as Keras' {@code clipnorm})
     * @return this
     * @throws IllegalArgumentException if negative, NaN or infinite
     */
    public Fit clipNorm(double norm) {
        if (!(norm >= 0) || Double.isInfinite(norm)) {
            throw new IllegalArgumentException("clipNorm: expected a finite value >= 0 (0 = off), got " + norm);
        }
        this.clipNorm = norm;
        return this;
    }

    /**
     * @param e the engine to run on (not closed by {@code fit}); default: a new engine of the process's backend
     *          ({@link Backend#get()}) with its default threads, closed at the end
     * @return this
     * @throws IllegalArgumentException if null
     */
    public Fit engine(Engine e) {
        this.engine = Check.notNull("engine", e);
        return this;
    }

    /**
     * @param data sequences scored after every epoch (inference mode); empty for none
     * @return this
     * @throws IllegalArgumentException if null or holding null
     */
    public Fit validation(List<LabeledSequence> data) {
        this.validation = List.copyOf(Check.noNulls("validation", data)); // List.copyOf alone: a bare NPE
        return this;
    }

    /**
     * @param epochsWithoutImprovement stop after this many epochs in a row without a better monitored loss,
     *                                 {@code >= 1}
     * @return this
     * @throws IllegalArgumentException if below 1
     */
    public Fit earlyStopping(int epochsWithoutImprovement) {
        this.patience = Check.atLeast("earlyStopping", epochsWithoutImprovement, 1);
        return this;
    }

    /**
     * @param checkpoint written atomically whenever the monitored loss improves: weights, optimiser state, epoch,
     *                   and metadata {@code monitored_loss}
     * @return this
     * @throws IllegalArgumentException if null
     */
    public Fit keepBest(Path checkpoint) {
        this.keepBest = Check.notNull("checkpoint", checkpoint);
        return this;
    }

    /**
     * @param learningRate the rate of each 1-based epoch (e.g. {@code e -> 1e-3 * Math.pow(0.9, e - 1)}), finite
     *                     and {@code > 0}
     * @return this
     * @throws IllegalArgumentException if null
     */
    public Fit learningRateSchedule(IntToDoubleFunction learningRate) {
        this.schedule = Check.notNull("learningRate", learningRate);
        return this;
    }

    /**
     * @param t {@link Task#CLASSIFICATION} (default) or {@link Task#REGRESSION} (then the model needs {@code K = 1}
     *          output and every sequence a finite {@link LabeledSequence#target()})
     * @return this
     * @throws IllegalArgumentException if null
     */
    public Fit task(Task t) {
        this.task = Check.notNull("task", t);
        return this;
    }

    /**
     * @param l receives every batch and epoch
     * @return this
     * @throws IllegalArgumentException if null
     */
    public Fit listener(Listener l) {
        this.listener = Check.notNull("listener", l);
        return this;
    }

    /**
     * Trains on any source of sequences: {@link #fit(List)} after reading a non-list source once into memory
     * ({@link LabeledSequence#collect}), since every epoch shuffles and revisits the data.
     *
     * @param train the training sequences (at least one): a collection, or your own {@code Iterable} (e.g.
     *              {@code () -> cursor})
     * @return the history
     * @throws IllegalArgumentException if {@code train} is null, empty or yields a null, a sequence does not fit
     *     the model, {@code initialEpoch} is not below {@code epochs}, or {@code keepBest} cannot be written (see
     *     {@link #fit(List)})
     * @throws IllegalStateException if the loss, the gradients or an update become NaN or infinite (training
     *     diverged; such a step is not applied), or the schedule gives an invalid rate
     * @throws UncheckedIOException if the best checkpoint cannot be written
     */
    public History fit(Iterable<LabeledSequence> train) {
        Check.notNull("train", train);
        return fit(train instanceof List<LabeledSequence> list ? list
                : LabeledSequence.collect(train.iterator()));
    }

    /**
     * Trains (see the class comment).
     *
     * @param train the training sequences (at least one), each of the model's input size, labels below its classes
     * @return the history
     * @throws IllegalArgumentException if {@code train} is null or empty, a sequence does not fit the model,
     *     {@link #initialEpoch} is not below {@link #epochs}, or {@code keepBest} is a directory or lies under a file
     *     or a directory that is not writable (checked before training)
     * @throws IllegalStateException if the loss, the gradients or an update become NaN or infinite (training
     *     diverged; such a step is not applied), or the schedule gives an invalid rate
     * @throws UncheckedIOException if the best checkpoint cannot be written
     */
    public History fit(List<LabeledSequence> train) {
        Check.notNull("train", train);
        if (train.isEmpty()) {
            throw new IllegalArgumentException("train: expected at least one sequence, got none");
        }
        if (initialEpoch >= epochs) {
            throw new IllegalArgumentException("initialEpoch: expected below epochs (" + epochs + "), got "
                    + initialEpoch);
        }
        check("train", train, model, task);
        check("validation", validation, model, task);
        if (keepBest != null) {
            checkWritable(keepBest);
        }
        Optimizer opt = optimizer != null ? optimizer : Optimizer.create("rmsprop", 1e-3);
        Engine e = engine != null ? engine : Backend.get().newEngine();
        try {
            ClassifierTrainer trainer = new ClassifierTrainer(e, model, opt, clipNorm);
            List<EpochResult> results = new ArrayList<>();
            double best = initialValueThreshold;
            int bestEpoch = 0;
            int since = 0;
            boolean stopped = false;
            for (int epoch = initialEpoch + 1; epoch <= epochs; epoch++) {
                if (schedule != null) {
                    double rate = schedule.applyAsDouble(epoch);
                    try {
                        opt.setLearningRate(rate);
                    } catch (IllegalArgumentException ex) {
                        throw new IllegalStateException("learningRateSchedule: epoch " + epoch + ": " + ex.getMessage(),
                                ex);
                    }
                }
                long start = System.nanoTime();
                double lossSum = 0;
                long correct = 0;
                List<int[]> batches = batches(train, batchSize, new SplittableRandom(seed * 1_000_003L + epoch));
                for (int b = 0; b < batches.size(); b++) {
                    int[] idx = batches.get(b);
                    TrainStepResult r;
                    try {
                        r = task == Task.REGRESSION
                                ? trainer.stepRegression(batch(train, idx), targets(train, idx))
                                : trainer.step(batch(train, idx), labels(train, idx));
                    } catch (NonFiniteGradientException ex) {
                        throw new IllegalStateException("training diverged at epoch " + epoch + ", batch " + (b + 1)
                                + ": the gradients' norm is " + ex.norm() + " (the step was not applied); try a "
                                + "smaller learning rate (now " + opt.learningRate() + ") or clipNorm, or look for "
                                + "timestamps far larger than the periods", ex);
                    } catch (NonFiniteUpdateException ex) {
                        throw new IllegalStateException("training diverged at epoch " + epoch + ", batch " + (b + 1)
                                + ": " + ex.getMessage() + "; try a smaller learning rate or clipNorm", ex);
                    }
                    if (!Double.isFinite(r.loss())) {
                        throw new IllegalStateException("training diverged at epoch " + epoch + ", batch " + (b + 1)
                                + ": the loss is " + r.loss() + "; try a smaller learning rate (now "
                                + opt.learningRate() + ") or clipNorm");
                    }
                    lossSum += r.loss() * idx.length;
                    correct += r.correct();
                    listener.onBatch(epoch, b + 1, r);
                }
                Evaluation v = validation.isEmpty() ? null : evaluate(trainer, validation, batchSize, task);
                double trainLoss = lossSum / train.size();
                double monitored = v == null ? trainLoss : v.loss();
                boolean improved = monitored < best;
                if (improved) {
                    best = monitored;
                    bestEpoch = epoch;
                    since = 0;
                    if (keepBest != null) {
                        save(opt, epoch, monitored);
                    }
                } else {
                    since++;
                }
                EpochResult er = new EpochResult(epoch, opt.learningRate(), trainLoss,
                        task == Task.REGRESSION ? Double.NaN : (double) correct / train.size(),
                        v == null ? Double.NaN : v.loss(),
                        v == null ? Double.NaN : v.accuracy(), (System.nanoTime() - start) * 1e-9, improved);
                results.add(er);
                listener.onEpoch(er);
                if (patience > 0 && since >= patience && epoch < epochs) {
                    stopped = true;
                    break;
                }
            }
            return new History(results, bestEpoch, stopped);
        } finally {
            if (engine == null) {
                e.close();
            }
        }
    }

    private void save(Optimizer opt, int epoch, double monitored) {
        try {
            Checkpoint.save(keepBest, model.weights(), opt.checkpointState(), epoch, null,
                    Map.of("monitored_loss", Double.toString(monitored)));
        } catch (IOException ex) {
            throw new UncheckedIOException("keepBest: cannot write " + keepBest + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Scores a data set in inference mode on the process's backend.
     *
     * @param model the classifier
     * @param data  the sequences (at least one)
     * @param batch sequences per batch, {@code >= 1}
     * @return mean loss and accuracy
     * @throws IllegalArgumentException if an argument is null, {@code data} is empty or a sequence does not fit
     */
    public static Evaluation evaluate(SequenceClassifier model, List<LabeledSequence> data, int batch) {
        return evaluate(model, data, batch, Task.CLASSIFICATION);
    }

    /**
     * Scores a data set in inference mode on the process's backend, for a task.
     *
     * @param model the model
     * @param data  the sequences (at least one)
     * @param batch sequences per batch, {@code >= 1}
     * @param task  classification (cross-entropy and accuracy) or regression (mean squared error, accuracy NaN)
     * @return mean loss and accuracy
     * @throws IllegalArgumentException if an argument is null, {@code data} is empty or a sequence does not fit the
     *     model and task
     */
    public static Evaluation evaluate(SequenceClassifier model, List<LabeledSequence> data, int batch, Task task) {
        Check.notNull("model", model);
        Check.notNull("task", task);
        check("data", data, model, task);
        Check.atLeast("batch", batch, 1);
        try (Engine e = Backend.get().newEngine()) {
            return evaluate(new ClassifierTrainer(e, model, Optimizer.create("sgd", 1e-3), 0), data, batch, task);
        }
    }

    private static Evaluation evaluate(ClassifierTrainer t, List<LabeledSequence> data, int batch, Task task) {
        double loss = 0;
        long correct = 0;
        for (int[] idx : batches(data, batch, null)) {
            EvalResult r = task == Task.REGRESSION ? t.evaluateRegression(batch(data, idx), targets(data, idx))
                    : t.evaluate(batch(data, idx), labels(data, idx));
            loss += r.loss() * idx.length;
            correct += r.correct();
        }
        return new Evaluation(loss / data.size(), task == Task.REGRESSION ? Double.NaN
                : (double) correct / data.size(), data.size());
    }

    /**
     * Class probabilities of every sequence, in the order given.
     *
     * @param model the classifier
     * @param data  the sequences (labels ignored)
     * @param batch sequences per batch, {@code >= 1}
     * @return {@code [N][C]} row-major
     * @throws IllegalArgumentException if an argument is null, {@code data} is empty or a sequence does not fit
     */
    public static float[] predict(SequenceClassifier model, List<LabeledSequence> data, int batch) {
        Check.notNull("model", model);
        Check.notNull("data", data);
        int c = model.classes();
        float[] out = new float[Check.elements("data (predictions [N][C])", data.size(), c, 1)];
        check("data", data, model, Task.CLASSIFICATION, false); // the labels are not read
        Check.atLeast("batch", batch, 1);
        try (Engine e = Backend.get().newEngine()) {
            ClassifierTrainer t = new ClassifierTrainer(e, model, Optimizer.create("sgd", 1e-3), 0);
            for (int[] idx : batches(data, batch, null)) {
                float[] p = new float[idx.length * c];
                t.predict(batch(data, idx), p);
                for (int i = 0; i < idx.length; i++) {
                    System.arraycopy(p, i * c, out, idx[i] * c, c);
                }
            }
        }
        return out;
    }

    /**
     * The regression outputs of every sequence, in the order given: the dense layer's values, no activation.
     *
     * @param model the model
     * @param data  the sequences (labels and targets ignored)
     * @param batch sequences per batch, {@code >= 1}
     * @return {@code [N][K]} row-major, {@code K = model.classes()}
     * @throws IllegalArgumentException if an argument is null, {@code data} is empty or a sequence does not fit
     */
    public static float[] predictValues(SequenceClassifier model, List<LabeledSequence> data, int batch) {
        Check.notNull("model", model);
        Check.notNull("data", data);
        int k = model.classes();
        float[] out = new float[Check.elements("data (predictions [N][K])", data.size(), k, 1)];
        check("data", data, model, Task.REGRESSION, false);
        Check.atLeast("batch", batch, 1);
        try (Engine e = Backend.get().newEngine()) {
            ClassifierTrainer t = new ClassifierTrainer(e, model, Optimizer.create("sgd", 1e-3), 0);
            for (int[] idx : batches(data, batch, null)) {
                float[] v = new float[idx.length * k];
                t.predictValues(batch(data, idx), v);
                for (int i = 0; i < idx.length; i++) {
                    System.arraycopy(v, i * k, out, idx[i] * k, k);
                }
            }
        }
        return out;
    }

    /**
     * Before any training: {@code keepBest} names a file (not a directory) whose nearest existing ancestor is a
     * writable directory ({@link Checkpoint#save} creates the missing ones), so a typo fails now, not after the first
     * epoch.
     */
    private static void checkWritable(Path file) {
        Path absolute = file.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            throw new IllegalArgumentException("keepBest: expected a file to write, got the directory " + file);
        }
        Path dir = absolute.getParent();
        while (!Files.exists(dir)) { // ends at the root at the latest
            dir = dir.getParent();
        }
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new IllegalArgumentException("keepBest: expected a path in a writable directory, got " + file + " ("
                    + dir + (Files.isDirectory(dir) ? " is not writable" : " is a file, not a directory") + ")");
        }
    }

    private static void check(String name, List<LabeledSequence> data, SequenceClassifier model) {
        check(name, data, model, Task.CLASSIFICATION);
    }

    private static void check(String name, List<LabeledSequence> data, SequenceClassifier model, Task task) {
        check(name, data, model, task, true);
    }

    private static void check(String name, List<LabeledSequence> data, SequenceClassifier model, Task task,
                              boolean targets) {
        if (task == Task.REGRESSION && model.classes() != 1) {
            throw new IllegalArgumentException("model: expected K = 1 output for regression, got " + model.classes());
        }
        Check.noNulls(name, data);
        if (name.equals("data") && data.isEmpty()) {
            throw new IllegalArgumentException("data: expected at least one sequence, got none");
        }
        for (int i = 0; i < data.size(); i++) {
            LabeledSequence s = data.get(i);
            if (s.inputSize() != model.inputSize()) {
                throw new IllegalArgumentException(name + "[" + i + "]: expected " + model.inputSize()
                        + " features per event, got " + s.inputSize());
            }
            if (task == Task.REGRESSION) {
                if (targets && Float.isNaN(s.target())) {
                    throw new IllegalArgumentException(name + "[" + i + "]: expected a finite regression target, got "
                            + "none (NaN); make it with LabeledSequence.regression");
                }
            } else if (targets && s.label() >= model.classes()) {
                throw new IllegalArgumentException(name + "[" + i + "]: expected a label in [0, " + model.classes()
                        + "), got " + s.label());
            }
        }
    }

    /**
     * Batches of indices: in order (no {@code random}), or shuffled, sorted by length within windows of
     * {@value #WINDOW_BATCHES} batches, and the batches shuffled.
     *
     * @param data   the sequences
     * @param size   sequences per batch, {@code >= 1}
     * @param random the epoch's random source, or {@code null} for the data's order (evaluation)
     * @return the batches as index arrays into {@code data}
     * @throws IllegalArgumentException if {@code data} is null or {@code size < 1}
     */
    public static List<int[]> batches(List<LabeledSequence> data, int size, SplittableRandom random) {
        Check.notNull("data", data);
        Check.atLeast("size", size, 1);
        int n = data.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (random != null) {
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                Integer tmp = order[i];
                order[i] = order[j];
                order[j] = tmp;
            }
            int window = (int) Math.min(n, (long) size * WINDOW_BATCHES); // a batch size near 2^31 overflowed
            for (int from = 0; from < n; from += window) {
                Arrays.sort(order, from, Math.min(n, from + window),
                        (a, b) -> Integer.compare(data.get(a).length(), data.get(b).length()));
            }
        }
        List<int[]> out = new ArrayList<>();
        for (int from = 0; from < n; from += size) {
            int[] idx = new int[Math.min(size, n - from)];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = order[from + i];
            }
            out.add(idx);
        }
        if (random != null) {
            for (int i = out.size() - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int[] tmp = out.get(i);
                out.set(i, out.get(j));
                out.set(j, tmp);
            }
        }
        return out;
    }

    /**
     * The sequences {@code idx} as one batch, padded to the longest: zeros after a sequence's end, its last time
     * repeated, and {@link SequenceBatch#lengths()} set, so padding changes neither the state nor the gradients.
     *
     * @param data the sequences (all of one input size)
     * @param idx  the batch's indices into {@code data}, at least one
     * @return {@code x [B][T_max][I]}, {@code time [B][T_max]}, lengths {@code [B]}
     * @throws IllegalArgumentException if an argument is null, {@code idx} is empty or holds an index outside
     *     {@code data}, or the sequences have different input sizes
     */
    public static SequenceBatch batch(List<LabeledSequence> data, int[] idx) {
        Check.notNull("data", data);
        Check.notNull("idx", idx);
        if (idx.length == 0) {
            throw new IllegalArgumentException("idx: expected at least one index, got none");
        }
        int steps = 0;
        int in = -1;
        for (int b = 0; b < idx.length; b++) {
            int i = idx[b];
            if (i < 0 || i >= data.size()) {
                throw new IllegalArgumentException("idx[" + b + "]: expected an index in [0, " + data.size() + "), got "
                        + i);
            }
            LabeledSequence s = data.get(i);
            if (s == null) { // the message is built only here: this runs for every sequence of every batch
                throw new IllegalArgumentException("data[" + i + "]: expected a value, got null");
            }
            if (in < 0) {
                in = s.inputSize();
            } else if (s.inputSize() != in) {
                throw new IllegalArgumentException("data[" + i + "]: expected " + in + " features per event (those of "
                        + "data[" + idx[0] + "]), got " + s.inputSize());
            }
            steps = Math.max(steps, s.length());
        }
        float[] x = new float[idx.length * steps * in];
        double[] time = new double[idx.length * steps];
        int[] lengths = new int[idx.length];
        for (int b = 0; b < idx.length; b++) {
            LabeledSequence s = data.get(idx[b]);
            System.arraycopy(s.x(), 0, x, b * steps * in, s.x().length);
            System.arraycopy(s.time(), 0, time, b * steps, s.length());
            Arrays.fill(time, b * steps + s.length(), (b + 1) * steps, s.time()[s.length() - 1]);
            lengths[b] = s.length();
        }
        return new SequenceBatch(idx.length, steps, in, x, time, lengths);
    }

    private static float[] targets(List<LabeledSequence> data, int[] idx) {
        float[] y = new float[idx.length];
        for (int i = 0; i < idx.length; i++) {
            y[i] = data.get(idx[i]).target();
        }
        return y;
    }

    private static int[] labels(List<LabeledSequence> data, int[] idx) {
        int[] l = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            l[i] = data.get(idx[i]).label();
        }
        return l;
    }
}
