package org.plstm.mnist.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plstm.Engine;
import org.plstm.SequenceBatch;
import org.plstm.engine.Backend;
import org.plstm.inference.InferencePath;
import org.plstm.inference.PhasedLstmModel;
import org.plstm.inference.StreamSession;
import org.plstm.io.Checkpoint;
import org.plstm.mnist.data.Mnist;
import org.plstm.optim.Sgd;
import org.plstm.train.ClassifierTrainer;
import org.plstm.train.SequenceClassifier;

/**
 * The inference library on a real trainer checkpoint (2 stacked layers, row layout): {@link PhasedLstmModel#load}
 * predicts the same classes as the trainer's own evaluation, on the event-driven and the dense path, and streaming
 * the events of one image through a session ends in the same probabilities as the batch.
 */
class CheckpointInferenceTest {
    @TempDir
    Path dir;

    @Test
    void checkpointLoadsAndPredictsTheSameClassesAsEvaluate() throws Exception {
        TrainConfig c = new TrainConfig(ModelKind.PLSTM, 2, 16, 1, 32, "adam", 3e-3, 1.0, Layout.ROW, 2000, 200, 5,
                "paper", "sigmoid", false, "simd", 2);
        System.out.println("CheckpointInferenceTest seed=5");
        RunResult r = new MnistTrainer(c, RealMnist.get(), dir, new PrintWriter(new StringWriter()), false)
                .run(null, null);
        Checkpoint.Loaded loaded = Checkpoint.load(r.checkpoint());
        PhasedLstmModel model = PhasedLstmModel.load(r.checkpoint());
        assertThat(model.depth()).isEqualTo(2);
        assertThat(model.classes()).isEqualTo(10);

        // The trainer's inputs: standardised pixels (its checkpoint stores the training set's mean and std),
        // timestamps 1..28 for the rows.
        Mnist mnist = RealMnist.get();
        MnistBatches test = new MnistBatches(mnist.test().limit(200), Layout.ROW, mnist.trainPixelStats());
        MnistBatches.Batch batch = test.fill(MnistBatches.identity(200), 0, 200);
        SequenceBatch in = batch.input();

        float[] trainerProbs = new float[200 * 10];
        try (Engine e = Backend.named("simd").newEngine(2)) {
            new ClassifierTrainer(e, SequenceClassifier.of(loaded.weights()), new Sgd(1e-3), 0).predict(in, trainerProbs);
        }
        int[] expected = argmax(trainerProbs, 10);
        int[] eventDriven = argmax(model.predictProbabilities(in, InferencePath.EVENT_DRIVEN), 10);
        int[] dense = argmax(model.predictProbabilities(in, InferencePath.DENSE), 10);
        assertThat(eventDriven).isEqualTo(expected);
        assertThat(dense).isEqualTo(expected);
        int correct = 0;
        for (int b = 0; b < 200; b++) {
            correct += expected[b] == batch.labels()[b] ? 1 : 0;
        }
        assertThat(correct / 200.0).as("accuracy of the classes, as the run reported").isCloseTo(
                r.last().testAccuracy(), org.assertj.core.api.Assertions.within(1e-12));

        // One image streamed event by event (a row per event) ends where the batch ended.
        StreamSession s = model.newSession();
        float[] row = new float[28];
        for (int t = 0; t < 28; t++) {
            System.arraycopy(in.x(), (3 * 28 + t) * 28, row, 0, 28);
            s.step(row, in.time()[3 * 28 + t]);
        }
        float[] p = s.classProbabilities();
        float[] batchProbs = model.predictProbabilities(in, InferencePath.EVENT_DRIVEN);
        for (int k = 0; k < 10; k++) {
            assertThat(p[k]).isEqualTo(batchProbs[3 * 10 + k]);
        }
        assertThat(new ArrayList<>(model.hiddenSizes())).containsExactly(16, 16);
    }

    private static int[] argmax(float[] p, int classes) {
        int[] out = new int[p.length / classes];
        for (int b = 0; b < out.length; b++) {
            int best = 0;
            for (int k = 1; k < classes; k++) {
                if (p[b * classes + k] > p[b * classes + best]) {
                    best = k;
                }
            }
            out[b] = best;
        }
        return out;
    }
}
