package org.plstm.mnist.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plstm.Engine;
import org.plstm.engine.Backend;
import org.plstm.io.Checkpoint;
import org.plstm.mnist.data.Mnist;
import org.plstm.optim.Sgd;
import org.plstm.train.ClassifierTrainer;
import org.plstm.train.SequenceClassifier;

/** Checkpoints of real training runs: identical predictions after a reload, and an exact resume. */
class CheckpointResumeTest {
    @TempDir
    Path dir;

    private static TrainConfig config(int epochs) {
        return new TrainConfig(ModelKind.PLSTM, 2, 8, epochs, 32, "adam", 2e-3, 1.0, Layout.ROW, 300, 64, 11,
                "keras", "hard_sigmoid", true, "simd", 2);
    }

    private static RunResult train(TrainConfig c, Path out, Checkpoint.Loaded resume, Path from, List<Double> losses)
            throws Exception {
        return new MnistTrainer(c, RealMnist.get(), out, new PrintWriter(new StringWriter()), false)
                .listener((e, it, r) -> losses.add(r.loss())).run(resume, from);
    }

    @Test
    void resumingAfterOneEpochContinuesExactlyTheSameLossCurve() throws Exception {
        System.out.println("CheckpointResumeTest seed=11");
        List<Double> straight = new ArrayList<>();
        RunResult two = train(config(2), dir.resolve("straight"), null, null, straight);

        List<Double> first = new ArrayList<>();
        RunResult one = train(config(1), dir.resolve("part1"), null, null, first);
        Path ck = one.checkpoint();
        List<Double> second = new ArrayList<>();
        RunResult resumed = train(config(2), dir.resolve("part2"), Checkpoint.load(ck), ck, second);

        List<Double> joined = new ArrayList<>(first);
        joined.addAll(second);
        // 300 samples in batches of 32: 10 steps per epoch. Same weights, optimiser state, batches and thread count,
        // and the SIMD engine is bitwise reproducible in every JIT tier: the curves are identical, bit for bit.
        assertThat(straight).hasSize(20);
        assertThat(joined).hasSize(20);
        for (int i = 0; i < 20; i++) {
            assertThat(joined.get(i)).as("loss of step %d", i + 1).isEqualTo(straight.get(i));
        }
        assertThat(resumed.last().trainLoss()).isEqualTo(two.last().trainLoss());
        assertThat(resumed.last().trainAccuracy()).isEqualTo(two.last().trainAccuracy());
        assertThat(resumed.last().testLoss()).isEqualTo(two.last().testLoss());
        assertThat(resumed.last().testAccuracy()).isEqualTo(two.last().testAccuracy());
        // the resumed run's metrics carry the first epoch over from part1/metrics.csv
        assertThat(java.util.Arrays.stream(resumed.metrics().losses(MetricsLog.Kind.BATCH)).boxed().toList())
                .isEqualTo(joined);
        assertThat(resumed.epochs()).hasSize(2);
        Checkpoint.Loaded end = Checkpoint.load(resumed.checkpoint());
        assertThat(end.epoch()).isEqualTo(2);
        assertThat(end.optimizer().iterations()).isEqualTo(20);
    }

    @Test
    void aCosineScheduleWithWeightDecayAndTranslationResumedAfterAKillContinuesTheSameCurveAndRates() throws Exception {
        System.out.println("CheckpointResumeTest (cosine) seed=11");
        TrainConfig cosine = new TrainConfig(ModelKind.PLSTM, 2, 8, 2, 32, "adam", 2e-3, 1.0, "cosine", 1e-3, 2, Layout.ROW,
                300, 64, 11, "keras", "hard_sigmoid", true, "simd", 2);
        List<Double> straight = new ArrayList<>();
        new MnistTrainer(cosine, RealMnist.get(), dir.resolve("straight"), new PrintWriter(new StringWriter()), false)
                .listener((e, it, r) -> straight.add(r.loss())).run(null, null);

        // the same 2-epoch run killed during epoch 2: its checkpoint is epoch 1's
        List<Double> first = new ArrayList<>();
        Path part = dir.resolve("killed");
        try {
            new MnistTrainer(cosine, RealMnist.get(), part, new PrintWriter(new StringWriter()), false)
                    .listener((e, it, r) -> {
                        if (e == 2) {
                            throw new IllegalStateException("killed");
                        }
                        first.add(r.loss());
                    }).run(null, null);
        } catch (IllegalStateException expected) {
            assertThat(expected).hasMessage("killed");
        }
        Path ck = part.resolve(MnistTrainer.CHECKPOINT);
        Checkpoint.Loaded loaded = Checkpoint.load(ck);
        assertThat(loaded.epoch()).isEqualTo(1);
        // 10 steps per epoch, 20 in all: the rate of step 10 (index 9) is 2e-3 * (1 + cos(pi * 9 / 20)) / 2
        assertThat(loaded.optimizer().learningRate()).isEqualTo(2e-3 * (0.5 * (1 + Math.cos(Math.PI * 9 / 20.0))));
        List<Double> second = new ArrayList<>();
        new MnistTrainer(cosine, RealMnist.get(), dir.resolve("resumed"), new PrintWriter(new StringWriter()), false)
                .listener((e, it, r) -> second.add(r.loss())).run(loaded, ck);
        List<Double> joined = new ArrayList<>(first);
        joined.addAll(second);
        assertThat(joined).hasSize(20).isEqualTo(straight);

        // the schedule decays: a constant-rate run of the same seed has another curve after its first step
        TrainConfig constantRate = new TrainConfig(ModelKind.PLSTM, 2, 8, 2, 32, "adam", 2e-3, 1.0, "constant", 1e-3,
                2, Layout.ROW, 300, 64, 11, "keras", "hard_sigmoid", true, "simd", 2);
        List<Double> constant = new ArrayList<>();
        new MnistTrainer(constantRate, RealMnist.get(), dir.resolve("constant"), new PrintWriter(new StringWriter()),
                false).listener((e, it, r) -> constant.add(r.loss())).run(null, null);
        assertThat(constant.get(0)).isEqualTo(straight.get(0));
        assertThat(constant.subList(2, 20)).isNotEqualTo(straight.subList(2, 20));
        // and the images were moved: the same run without translation starts from another loss
        List<Double> unmoved = new ArrayList<>();
        new MnistTrainer(cosine.withTranslate(0), RealMnist.get(), dir.resolve("unmoved"),
                new PrintWriter(new StringWriter()), false).listener((e, it, r) -> unmoved.add(r.loss())).run(null, null);
        assertThat(unmoved.get(0)).isNotEqualTo(straight.get(0));
    }

    @Test
    void aReloadedCheckpointPredictsExactlyTheSame() throws Exception {
        RunResult r = train(config(1), dir.resolve("run"), null, null, new ArrayList<>());
        Checkpoint.Loaded a = Checkpoint.load(r.checkpoint());
        // save the loaded model again and reload it: still identical
        Path again = dir.resolve("again.safetensors");
        Checkpoint.save(again, a.weights(), null, a.epoch(), a.trainer(), java.util.Map.of());
        Checkpoint.Loaded b = Checkpoint.load(again);

        Mnist mnist = RealMnist.get();
        MnistBatches test = new MnistBatches(mnist.test().limit(100), Layout.ROW, mnist.trainPixelStats());
        MnistBatches.Batch batch = test.fill(MnistBatches.identity(100), 0, 100);
        float[] pa = predict(SequenceClassifier.of(a.weights()), batch);
        float[] pb = predict(SequenceClassifier.of(b.weights()), batch);
        float[] pc = predict(r.config().newModel(), batch); // an untrained model of the same configuration
        assertThat(pb).isEqualTo(pa);
        assertThat(pc).isNotEqualTo(pa);
        // and they match the test accuracy the run reported on its first 64 samples
        try (Engine e = Backend.named("simd").newEngine(2)) {
            Evaluation ev = MnistTrainer.evaluate(new ClassifierTrainer(e, SequenceClassifier.of(b.weights()), new Sgd(1e-3), 0),
                    new MnistBatches(mnist.test().limit(64), Layout.ROW, mnist.trainPixelStats()), 32);
            assertThat(ev.accuracy()).isEqualTo(r.last().testAccuracy());
            // A fresh engine with the same thread count computes the same bits.
            assertThat(ev.loss()).isEqualTo(r.last().testLoss());
        }
    }

    /** Predicts with the reference engine: scalar Java, so bitwise reproducible whatever the JIT has compiled. */
    private static float[] predict(SequenceClassifier m, MnistBatches.Batch batch) {
        try (Engine e = Backend.named("reference").newEngine(1)) {
            float[] probs = new float[batch.size() * 10];
            new ClassifierTrainer(e, m, new Sgd(1e-3), 0).predict(batch.input(), probs);
            return probs;
        }
    }
}
