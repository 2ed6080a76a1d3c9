package org.plstm.train;

import java.util.SplittableRandom;
import org.plstm.SequenceBatch;

/**
 * A small synthetic classification task: each sequence has {@code T} steps of {@code I = classes} features drawn
 * from N(0, 1) plus a bias of +0.6 on the channel of its class, at increasing irregular timestamps; the label is
 * that channel. Chance accuracy is {@code 1/classes}; summing each channel over time separates the classes well.
 */
final class SyntheticTask {
    final int batch;
    final int steps;
    final int classes;
    final float[] x;
    final double[] time;
    final int[] labels;
    final SequenceBatch input;

    SyntheticTask(int batch, int steps, int classes, long seed) {
        this.batch = batch;
        this.steps = steps;
        this.classes = classes;
        SplittableRandom rng = new SplittableRandom(seed);
        x = new float[batch * steps * classes];
        time = new double[batch * steps];
        labels = new int[batch];
        for (int b = 0; b < batch; b++) {
            labels[b] = rng.nextInt(classes);
            double t = rng.nextDouble() * 5;
            for (int s = 0; s < steps; s++) {
                t += 0.5 + 2 * rng.nextDouble();
                time[b * steps + s] = t;
                for (int i = 0; i < classes; i++) {
                    double g = gaussian(rng) + (i == labels[b] ? 0.6 : 0.0);
                    x[(b * steps + s) * classes + i] = (float) g;
                }
            }
        }
        input = new SequenceBatch(batch, steps, classes, x, time, null);
    }

    static double gaussian(SplittableRandom rng) {
        double u1 = 1.0 - rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
