package org.plstm.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.plstm.DenseParams;
import org.plstm.GateActivation;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.SequenceBatch;

/** Random models and event streams for the inference tests; everything derives from a seed. */
final class Models {
    private Models() {
    }

    /** Stacked layers with random weights and the paper's time-gate initialisation (ratioOn as given). */
    static PhasedLstmModel random(long seed, int in, int[] hidden, boolean peepholes, boolean hard, float ratioOn,
                                  int classes) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<PhasedLstmParams> layers = new ArrayList<>();
        int prev = in;
        for (int h : hidden) {
            PhasedLstmConfig cfg = PhasedLstmConfig.builder(prev, h).peepholes(peepholes)
                    .gateActivation(hard ? GateActivation.HARD_SIGMOID : GateActivation.SIGMOID).build();
            PhasedLstmParams p = new PhasedLstmParams(cfg);
            fill(p.kernel(), rng, 1.0 / Math.sqrt(prev));
            fill(p.recurrentKernel(), rng, 1.0 / Math.sqrt(h));
            fill(p.bias(), rng, 0.5);
            if (p.peephole() != null) {
                fill(p.peephole(), rng, 0.5);
            }
            for (int j = 0; j < h; j++) {
                double tau = Math.exp(1 + 5 * rng.nextDouble());
                p.period()[j] = (float) tau;
                p.shift()[j] = (float) (tau * rng.nextDouble());
                p.ratioOn()[j] = ratioOn;
            }
            layers.add(p);
            prev = h;
        }
        DenseParams head = classes > 0 ? DenseParams.initialize(prev, classes, seed + 7) : null;
        return PhasedLstmModel.of(layers, head);
    }

    static void fill(float[] a, SplittableRandom rng, double scale) {
        for (int n = 0; n < a.length; n++) {
            a[n] = (float) (scale * (2 * rng.nextDouble() - 1));
        }
    }

    /** B irregular streams of T events: gaps U(0.05, 2.05), start U(-50, 50). */
    static SequenceBatch streams(long seed, int batch, int steps, int in) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[batch * steps * in];
        fill(x, rng, 1.5);
        double[] time = new double[batch * steps];
        for (int b = 0; b < batch; b++) {
            double t = 100 * rng.nextDouble() - 50;
            for (int s = 0; s < steps; s++) {
                time[b * steps + s] = t;
                t += 0.05 + 2 * rng.nextDouble();
            }
        }
        return SequenceBatch.of(batch, steps, in, x, time);
    }

    /** Runs sample b of a batch through a session; returns the hidden state after every event, [T][H]. */
    static float[] run(StreamSession s, SequenceBatch in, int b) {
        int steps = in.steps();
        int i = in.inputSize();
        int h = s.model().hiddenSize();
        float[] out = new float[steps * h];
        float[] x = new float[i];
        for (int t = 0; t < steps; t++) {
            System.arraycopy(in.x(), (b * steps + t) * i, x, 0, i);
            float[] hv = s.step(x, in.time()[b * steps + t]);
            System.arraycopy(hv, 0, out, t * h, h);
        }
        return out;
    }
}
