package org.plstm.jmh;

import java.util.SplittableRandom;
import org.plstm.Engine;
import org.plstm.LayerWorkspace;
import org.plstm.Mode;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.SequenceBatch;
import org.plstm.TimeGateInit;

/**
 * One Phased LSTM layer, its inputs and buffers, for benchmarks: the body shared by the SIMD and reference twins.
 * Inputs are seeded: {@code x ~ N(0, 1)}, the time gate initialised as the paper advises
 * ({@code period = exp(U(1, 6))}, {@code ratioOn = 0.05}). Timestamps: the sequential-MNIST shape
 * ({@code T = 784, I = 1}) uses the trainer's, {@code 1..T} for every sample; every other shape irregular,
 * increasing timestamps per sample (gaps {@code U(0.5, 1.5)}).
 *
 * <p>{@code model=plstm} times the layer as the MNIST classifier uses it: its input is data (no {@code dL/dx}) and
 * the head reads only {@code h_T} (no hidden sequence), see {@code LayerWorkspace.setInputGradientsNeeded} and
 * {@code setHiddenSequenceNeeded}. {@code model=lstm}, the configuration compared with the peers, computes both,
 * as the peers' LSTM operators do.
 */
public final class LayerRun {
    final Engine engine;
    final Shape shape;
    final PhasedLstmConfig config;
    final PhasedLstmParams params;
    final PhasedLstmParams grads;
    final SequenceBatch input;
    final LayerWorkspace ws;
    final float[] dhT;

    /**
     * @param engine the engine under test
     * @param shape  the shape
     * @param model  {@code plstm} (time gate on) or {@code lstm} (off, as the peers)
     * @param seed   data and weight seed
     */
    public LayerRun(Engine engine, Shape shape, String model, long seed) {
        this.engine = engine;
        this.shape = shape;
        this.config = PhasedLstmConfig.builder(shape.inputs(), shape.hidden()).timeGate(model.equals("plstm")).build();
        this.params = PhasedLstmParams.initialize(config, TimeGateInit.PAPER, seed);
        this.grads = new PhasedLstmParams(config);
        SplittableRandom rng = new SplittableRandom(seed + 1);
        int b = shape.batch();
        int t = shape.steps();
        float[] x = new float[b * t * shape.inputs()];
        for (int n = 0; n < x.length; n++) {
            x[n] = (float) rng.nextGaussian();
        }
        double[] time = new double[b * t];
        boolean mnist = t == 784 && shape.inputs() == 1;
        for (int s = 0; s < b; s++) {
            double now = mnist ? 1.0 : 100.0 * rng.nextDouble();
            for (int u = 0; u < t; u++) {
                time[s * t + u] = now;
                now += mnist ? 1.0 : 0.5 + rng.nextDouble();
            }
        }
        this.input = SequenceBatch.of(b, t, shape.inputs(), x, time);
        this.ws = engine.newWorkspace(config, b, t);
        if (model.equals("plstm")) {
            ws.setInputGradientsNeeded(false);
            ws.setHiddenSequenceNeeded(false);
        }
        this.dhT = new float[b * shape.hidden()];
        for (int n = 0; n < dhT.length; n++) {
            dhT[n] = (float) (0.1 * rng.nextGaussian());
        }
    }

    /**
     * Inference forward (leak 0).
     *
     * @return the final hidden state, so the JIT cannot drop the work
     */
    public float[] inference() {
        engine.forward(ws, params, input, null, null, Mode.INFERENCE);
        return ws.hT();
    }

    /**
     * Training forward + full BPTT from {@code dL/dh_T}.
     *
     * @return the gradients
     */
    public PhasedLstmParams training() {
        grads.zero();
        engine.forward(ws, params, input, null, null, Mode.TRAINING);
        engine.backward(ws, grads, null, dhT, null);
        return grads;
    }
}
