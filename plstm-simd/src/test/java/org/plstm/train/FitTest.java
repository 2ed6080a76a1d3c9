package org.plstm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plstm.PhasedLstmConfig;
import org.plstm.TimeGateInit;
import org.plstm.io.Checkpoint;
import org.plstm.optim.NonFiniteUpdateException;
import org.plstm.optim.Optimizer;

/** {@link Fit}: learning a task on sequences of different lengths, keep-best, early stopping, evaluate, predict. */
class FitTest {
    @TempDir
    Path dir;

    /** Label 1 iff the first feature's mean over the sequence is positive; 3 to 12 events at irregular times. */
    static List<LabeledSequence> task(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<LabeledSequence> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = 3 + r.nextInt(10);
            float[] x = new float[2 * len];
            double[] t = new double[len];
            double sum = 0;
            double time = 0;
            for (int s = 0; s < len; s++) {
                x[2 * s] = (float) r.nextGaussian();
                x[2 * s + 1] = (float) r.nextGaussian();
                sum += x[2 * s];
                time += 0.2 + r.nextDouble();
                t[s] = time;
            }
            out.add(new LabeledSequence(x, t, sum > 0 ? 1 : 0));
        }
        return out;
    }

    static SequenceClassifier model() {
        return SequenceClassifier.initialize(List.of(PhasedLstmConfig.builder(2, 16).build()), 2, TimeGateInit.PAPER,
                3);
    }

    @Test
    void learnsAndIsReproducibleAndKeepsTheBest() throws Exception {
        System.out.println("FitTest seeds: data 1, 2; init 3; shuffle 5");
        List<LabeledSequence> train = task(300, 1);
        List<LabeledSequence> validation = task(100, 2);
        Path best = dir.resolve("best.safetensors");
        List<Integer> seenEpochs = new ArrayList<>();
        SequenceClassifier m = model();
        Fit.History h = Fit.of(m).optimizer(Optimizer.create("adam", 1e-2)).batchSize(16).epochs(8).seed(5)
                .validation(validation).keepBest(best).listener(new Fit.Listener() {
                    @Override
                    public void onEpoch(Fit.EpochResult e) {
                        seenEpochs.add(e.epoch());
                    }
                }).fit(train);
        assertThat(seenEpochs).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(h.stoppedEarly()).isFalse();
        Fit.EpochResult last = h.epochs().get(7);
        assertThat(last.validationAccuracy()).as("validation accuracy after 8 epochs").isGreaterThan(0.8);
        assertThat(last.trainLoss()).isLessThan(h.epochs().get(0).trainLoss());
        double bestLoss = h.epochs().stream().mapToDouble(Fit.EpochResult::validationLoss).min().orElseThrow();
        Checkpoint.Loaded saved = Checkpoint.load(best);
        assertThat(saved.epoch()).isEqualTo(h.bestEpoch());
        assertThat(Double.parseDouble(saved.metadata().get("monitored_loss"))).isEqualTo(bestLoss);

        Fit.History again = Fit.of(model()).optimizer(Optimizer.create("adam", 1e-2)).batchSize(16).epochs(8)
                .seed(5).validation(validation).fit(train);
        for (int e = 0; e < 8; e++) {
            assertThat(again.epochs().get(e).trainLoss()).as("epoch %d, same seed", e + 1)
                    .isEqualTo(h.epochs().get(e).trainLoss());
        }

        Fit.Evaluation ev = Fit.evaluate(m, validation, 32);
        assertThat(ev.loss()).isEqualTo(last.validationLoss(), org.assertj.core.data.Offset.offset(1e-6));
        float[] p = Fit.predict(m, validation, 7);
        int right = 0;
        for (int i = 0; i < validation.size(); i++) {
            right += (p[2 * i + 1] > p[2 * i] ? 1 : 0) == validation.get(i).label() ? 1 : 0;
        }
        assertThat((double) right / validation.size()).isEqualTo(ev.accuracy());
    }

    /** README.md's fit example, character for character between the markers (checked below). */
    private Fit.Evaluation readmeFitExample(List<LabeledSequence> train, List<LabeledSequence> validation)
            throws Exception {
        Path best = dir.resolve("best.safetensors");
        // README-FIT-BEGIN
        SequenceClassifier model = SequenceClassifier.initialize(
                List.of(PhasedLstmConfig.builder(2, 16).build()), 2, TimeGateInit.PAPER, 3);   // I = 2, H = 16, C = 2
        System.out.print(model.summary());
        Fit.History history = Fit.of(model)
                .optimizer(Optimizer.create("adam", 1e-2)).batchSize(16).epochs(8).seed(5)
                .validation(validation).earlyStopping(3).keepBest(best)
                .fit(train);                                        // List<LabeledSequence>: x [T][I], time [T], label
        Fit.Evaluation score = Fit.evaluate(model, validation, 64);
        float[] probabilities = Fit.predict(model, validation, 64); // [N][C], in the order given
        // README-FIT-END
        assertThat(history.epochs()).isNotEmpty();
        assertThat(probabilities).hasSize(2 * validation.size());
        return score;
    }

    @Test
    void theReadmeFitExampleRunsAndIsTheReadmes() throws Exception {
        assertThat(readmeFitExample(task(200, 1), task(60, 2)).accuracy()).isGreaterThan(0.7);
        List<String> src = java.nio.file.Files.readAllLines(Path.of("src/test/java/org/plstm/train/FitTest.java"));
        List<String> example = src.subList(src.indexOf("        // README-FIT-" + "BEGIN") + 1,
                src.indexOf("        // README-FIT-" + "END")).stream().map(l -> l.substring(8)).toList();
        String readme = java.nio.file.Files.readString(Path.of("..", "README.md"));
        int at = readme.indexOf("```java\n" + example.get(0));
        assertThat(at).as("README.md has a java block starting with the fit example's first line").isPositive();
        List<String> shown = readme.substring(at + "```java\n".length(), readme.indexOf("```", at + 7)).lines()
                .toList();
        assertThat(shown).isEqualTo(example);
    }

    @Test
    void earlyStoppingEndsARunThatNoLongerImproves() {
        // From epoch 2 the step (1e-30) is far below a float ulp of the weights: they, and the loss, stay exactly
        // the same, which is no improvement; with patience 2 the run ends after epoch 3.
        Fit.History h = Fit.of(model()).optimizer(Optimizer.create("adam", 1e-2)).batchSize(32).epochs(10)
                .validation(task(50, 2)).earlyStopping(2).learningRateSchedule(e -> e == 1 ? 1e-2 : 1e-30)
                .fit(task(100, 1));
        assertThat(h.stoppedEarly()).isTrue();
        assertThat(h.epochs()).hasSize(3);
        assertThat(h.bestEpoch()).isEqualTo(1);
        assertThat(h.epochs().get(1).learningRate()).isEqualTo(1e-30);
    }

    /**
     * A learning rate that float can hold but the update cannot (RMSprop's {@code lr·g/sqrt(a)} is about
     * {@code 3.16·lr} on the first step, beyond float's range at {@code lr = Float.MAX_VALUE}): the run
     * stops as diverged at the first step, naming it, and the model keeps its values (the attack that found this
     * ended with {@code kernel[0] = Infinity} in the caller's model and a normal return).
     */
    /**
     * A run stopped after epoch 2, saved and loaded through a checkpoint file and continued with
     * {@code initialEpoch(2)}, gives epochs 3 and 4 and the final weights of the uninterrupted run bit for bit: the
     * same shuffles, learning rates and optimiser steps.
     */
    @Test
    void aRunContinuedFromItsCheckpointTrainsAsTheUninterruptedRun() throws Exception {
        System.out.println("FitTest seeds: data 1, 2; init 3; shuffle 5");
        List<LabeledSequence> train = task(120, 1);
        List<LabeledSequence> validation = task(40, 2);
        java.util.function.IntToDoubleFunction schedule = e -> 1e-2 * Math.pow(0.8, e - 1);
        SequenceClassifier whole = model();
        Fit.History all = Fit.of(whole).optimizer(Optimizer.create("adam", 1e-2)).batchSize(16).epochs(4).seed(5)
                .validation(validation).learningRateSchedule(schedule).fit(train);

        SequenceClassifier first = model();
        Optimizer opt = Optimizer.create("adam", 1e-2);
        Fit.of(first).optimizer(opt).batchSize(16).epochs(2).seed(5).validation(validation)
                .learningRateSchedule(schedule).fit(train);
        Path file = dir.resolve("after2.safetensors");
        Checkpoint.save(file, first.weights(), opt.checkpointState(), 2, null, java.util.Map.of());
        Checkpoint.Loaded loaded = Checkpoint.load(file);
        SequenceClassifier resumed = SequenceClassifier.of(loaded.weights());
        Fit.History rest = Fit.of(resumed).optimizer(Optimizer.restore(loaded.optimizer(), resumed.tensors()))
                .batchSize(16).epochs(4).initialEpoch((int) loaded.epoch()).seed(5).validation(validation)
                .learningRateSchedule(schedule).fit(train);

        assertThat(rest.epochs()).extracting(Fit.EpochResult::epoch).containsExactly(3, 4);
        for (int k = 0; k < 2; k++) {
            Fit.EpochResult a = all.epochs().get(2 + k);
            Fit.EpochResult b = rest.epochs().get(k);
            assertThat(b.learningRate()).isEqualTo(a.learningRate());
            assertThat(b.trainLoss()).isEqualTo(a.trainLoss());
            assertThat(b.trainAccuracy()).isEqualTo(a.trainAccuracy());
            assertThat(b.validationLoss()).isEqualTo(a.validationLoss());
        }
        for (int k = 0; k < whole.tensors().size(); k++) {
            assertThat(resumed.tensors().get(k).data()).containsExactly(whole.tensors().get(k).data());
        }
    }

    /**
     * With a threshold no loss can beat (cross-entropy is never negative), no epoch improves: keepBest writes
     * nothing, bestEpoch is 0 and early stopping counts from the first epoch run.
     */
    @Test
    void anInitialValueThresholdIsTheLossToBeat() {
        Path best = dir.resolve("best.safetensors");
        Fit.History h = Fit.of(model()).batchSize(16).epochs(5).initialEpoch(1).seed(5).initialValueThreshold(0)
                .keepBest(best).earlyStopping(2).fit(task(60, 1));
        assertThat(h.epochs()).extracting(Fit.EpochResult::epoch).containsExactly(2, 3);
        assertThat(h.epochs()).extracting(Fit.EpochResult::improved).containsExactly(false, false);
        assertThat(h.bestEpoch()).isZero();
        assertThat(h.stoppedEarly()).isTrue();
        assertThat(best).doesNotExist();
    }

    @Test
    void anInitialEpochOutsideTheRunIsRefused() {
        assertThatThrownBy(() -> Fit.of(model()).initialEpoch(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("initialEpoch: expected >= 0, got -1");
        SequenceClassifier m = model();
        SequenceClassifier before = m.copy();
        assertThatThrownBy(() -> Fit.of(m).epochs(3).initialEpoch(3).fit(task(20, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("initialEpoch: expected below epochs (3), got 3");
        assertThat(m.tensors().get(0).data()).containsExactly(before.tensors().get(0).data()); // nothing trained
        assertThatThrownBy(() -> Fit.of(model()).initialValueThreshold(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("initialValueThreshold: expected a number (+Infinity = none), got NaN");
    }

    @Test
    void anUpdateThatOverflowsStopsTheRunAsDivergedWithTheModelUnchanged() {
        SequenceClassifier m = model();
        SequenceClassifier before = m.copy();
        assertThatThrownBy(() -> Fit.of(m).optimizer(Optimizer.create("rmsprop", Float.MAX_VALUE)).epochs(1).fit(task(20, 1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("training diverged at epoch 1, batch 1: params[")
                .hasMessageContaining("became ")
                .hasMessageEndingWith("the step was not applied (learning rate " + (double) Float.MAX_VALUE
                        + ", weight decay 0.0); try a smaller learning rate or clipNorm")
                .hasCauseInstanceOf(NonFiniteUpdateException.class);
        for (int k = 0; k < m.tensors().size(); k++) {
            assertThat(m.tensors().get(k).data()).containsExactly(before.tensors().get(k).data());
        }
    }

    /**
     * More predictions than an array holds ({@code N·C} above 2^31 - 1) are refused up front, naming the data: it was
     * an ArithmeticException. The list here only claims its size; nothing is read.
     */
    @Test
    void predictionsBeyondAnArrayAreRefusedNamingTheData() {
        LabeledSequence one = new LabeledSequence(new float[] {0.1f, 0.2f}, new double[] {1}, 0);
        List<LabeledSequence> huge = new java.util.AbstractList<>() {
            @Override
            public LabeledSequence get(int index) {
                return one;
            }

            @Override
            public int size() {
                return 1 << 30;
            }
        };
        assertThatThrownBy(() -> Fit.predict(model(), huge, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("data (predictions [N][C]): expected at most 2147483647 elements, got 1073741824·2·1");
        assertThatThrownBy(() -> Fit.predictValues(model(), huge, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("data (predictions [N][K]): expected at most 2147483647 elements, got 1073741824·2·1");
    }

    /** Timestamps of 1e300 overflow the time gate's gradients: the run stops as diverged, with the model unchanged. */
    @Test
    void gradientsThatAreNotFiniteStopTheRunAsDivergedWithTheModelUnchanged() {
        SequenceClassifier m = model();
        SequenceClassifier before = m.copy();
        List<LabeledSequence> far = List.of(new LabeledSequence(new float[] {0.1f, 0.2f, 0.3f, 0.4f},
                new double[] {1e300, 2e300}, 0));
        assertThatThrownBy(() -> Fit.of(m).epochs(2).fit(far)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("training diverged at epoch 1, batch 1: the gradients' norm is ")
                .hasCauseInstanceOf(NonFiniteGradientException.class);
        for (int k = 0; k < m.tensors().size(); k++) {
            assertThat(m.tensors().get(k).data()).containsExactly(before.tensors().get(k).data());
        }
    }

    @Test
    void aKeepBestPathThatCannotBeWrittenIsRefusedBeforeTraining() throws Exception {
        Path file = java.nio.file.Files.writeString(dir.resolve("notes.txt"), "a file");
        SequenceClassifier m = model();
        SequenceClassifier before = m.copy();
        assertThatThrownBy(() -> Fit.of(m).keepBest(file.resolve("best.safetensors")).fit(task(20, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keepBest: expected a path in a writable directory, got " + file.resolve("best.safetensors")
                        + " (" + file + " is a file, not a directory)");
        assertThatThrownBy(() -> Fit.of(m).keepBest(dir).fit(task(20, 1)))
                .hasMessage("keepBest: expected a file to write, got the directory " + dir);
        assertThat(m.tensors().get(0).data()).containsExactly(before.tensors().get(0).data()); // nothing trained
        // a missing directory is fine: the checkpoint's save creates it
        Fit.of(m).epochs(1).keepBest(dir.resolve("new/sub/best.safetensors")).fit(task(20, 1));
        assertThat(dir.resolve("new/sub/best.safetensors")).exists();
    }

    @Test
    void predictIgnoresTheLabels() {
        float[] x = {0.5f, -0.25f};
        double[] t = {1};
        float[] labelled = Fit.predict(model(), List.of(new LabeledSequence(x, t, 1)), 4);
        // label 7 of a 2-class model: accepted and not read, the same probabilities bit for bit
        assertThat(Fit.predict(model(), List.of(new LabeledSequence(x, t, 7)), 4)).hasSize(2).containsExactly(labelled);
        assertThat(labelled[0] + labelled[1]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-6f));
    }

    @Test
    void dataThatDoesNotFitTheModelIsRefusedNamingTheSequence() {
        List<LabeledSequence> data = new ArrayList<>(task(5, 1));
        data.add(new LabeledSequence(new float[3], new double[] {1}, 0));
        assertThatThrownBy(() -> Fit.of(model()).fit(data)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("train[5]: expected 2 features per event, got 3");
        assertThatThrownBy(() -> Fit.evaluate(model(), List.of(new LabeledSequence(new float[2], new double[] {1},
                2)), 4)).hasMessage("data[0]: expected a label in [0, 2), got 2");
        assertThatThrownBy(() -> new LabeledSequence(new float[3], new double[] {1, 2}, 0))
                .hasMessage("x: expected T*I values for T = 2 events, got 3");
        // 0 = 2*0 is a multiple of T: the message said "expected T*I values ..., got 0" (an EventSequence of I = 0
        // features, EventSequence.toLabeled)
        assertThatThrownBy(() -> new LabeledSequence(new float[0], new double[] {1, 2}, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("x: expected at least one feature per event (I >= 1), got none for T = 2 events");
        assertThatThrownBy(() -> Fit.of(model()).fit(List.of())).hasMessage("train: expected at least one sequence, "
                + "got none");
    }

    /**
     * A batch size beyond the data is one batch of all of it, up to {@code Integer.MAX_VALUE} ("the whole set"):
     * the window of {@value Fit#WINDOW_BATCHES} batches once overflowed to a negative size and the sort refused it.
     */
    @Test
    void aBatchSizeBeyondTheDataIsOneBatchOfAll() {
        List<LabeledSequence> data = task(10, 1);
        List<String> whole = curve(Fit.of(model()).epochs(2).seed(5).batchSize(10).fit(data));
        for (int size : new int[] {11, Integer.MAX_VALUE / Fit.WINDOW_BATCHES + 1, Integer.MAX_VALUE}) {
            assertThat(curve(Fit.of(model()).epochs(2).seed(5).batchSize(size).fit(data))).as("batch size %d", size)
                    .isEqualTo(whole);
        }
    }

    /**
     * The public helpers and setters refuse what would crash deep inside or never return: a null validation
     * sequence (was a NullPointerException from List.copyOf), a batch size of 0 for {@link Fit#batches} (looped
     * forever, adding empty batches until the heap ran out), an empty or out-of-range index list or mixed input
     * sizes for {@link Fit#batch} (ArrayIndexOutOfBoundsException, or a misaligned batch).
     */
    @Test
    void theBatchingHelpersAndValidationRefuseBadArgumentsByName() {
        List<LabeledSequence> data = task(3, 1);
        assertThatThrownBy(() -> Fit.of(model()).validation(java.util.Arrays.asList(data.get(0), null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("validation[1]: expected a value, got null");
        assertThatThrownBy(() -> Fit.batches(data, 0, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("size: expected >= 1, got 0");
        assertThatThrownBy(() -> Fit.batches(null, 1, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("data: expected a value, got null");
        assertThatThrownBy(() -> Fit.batch(data, new int[0])).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("idx: expected at least one index, got none");
        assertThatThrownBy(() -> Fit.batch(data, new int[] {0, 3})).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("idx[1]: expected an index in [0, 3), got 3");
        List<LabeledSequence> mixed = List.of(data.get(0), new LabeledSequence(new float[3], new double[] {1}, 0));
        assertThatThrownBy(() -> Fit.batch(mixed, new int[] {0, 1})).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("data[1]: expected 2 features per event (those of data[0]), got 3");
    }

    /**
     * The three kinds of source train the same model to the same bits: a list, a one-pass iterator of the same
     * sequences (your own source), and the arrays of padded batches ({@link LabeledSequence#fromBatch}).
     */
    @Test
    void aListAnIteratorAndBatchArraysAreTheSameData() {
        List<LabeledSequence> data = task(60, 4);
        Fit.History fromList = Fit.of(model()).epochs(2).seed(5).fit(data);
        java.util.Iterator<LabeledSequence> once = data.iterator();
        Iterable<LabeledSequence> oneShot = () -> once; // a source that can be read once only
        Fit.History fromIterator = Fit.of(model()).epochs(2).seed(5).fit(oneShot);
        assertThat(curve(fromIterator)).isEqualTo(curve(fromList)); // the same losses and accuracies, bit for bit

        // The same sequences as padded arrays [B][T][I] with lengths, and their labels.
        int steps = data.stream().mapToInt(LabeledSequence::length).max().orElseThrow();
        float[] x = new float[data.size() * steps * 2];
        double[] t = new double[data.size() * steps];
        int[] lengths = new int[data.size()];
        int[] labels = new int[data.size()];
        for (int b = 0; b < data.size(); b++) {
            LabeledSequence q = data.get(b);
            System.arraycopy(q.x(), 0, x, b * steps * 2, q.x().length);
            System.arraycopy(q.time(), 0, t, b * steps, q.length());
            java.util.Arrays.fill(t, b * steps + q.length(), (b + 1) * steps, q.time()[q.length() - 1]);
            lengths[b] = q.length();
            labels[b] = q.label();
        }
        List<LabeledSequence> fromArrays = LabeledSequence.fromBatch(
                new org.plstm.SequenceBatch(data.size(), steps, 2, x, t, lengths), labels);
        assertThat(curve(Fit.of(model()).epochs(2).seed(5).fit(fromArrays))).isEqualTo(curve(fromList));

        assertThatThrownBy(() -> LabeledSequence.collect(java.util.Arrays.asList(data.get(0), null).iterator()))
                .hasMessage("source: expected sequences, got null at position 1");
        assertThatThrownBy(() -> LabeledSequence.fromBatch(new org.plstm.SequenceBatch(2, 1, 2, new float[4],
                new double[2], null), new int[] {0})).hasMessage("labels: expected B = 2 labels, got 1");
    }

    /** Each epoch's training loss and accuracy, exactly (not the wall time). */
    private static List<String> curve(Fit.History h) {
        return h.epochs().stream().map(e -> e.trainLoss() + "/" + e.trainAccuracy()).toList();
    }
}
