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
 * Inputs are seeded: {@code x ~ N(0, 1)}, timestamps irregular and increasing (gaps {@code U(0.5, 1.5)}), the time
 * gate initialised as the paper advises ({@code period = exp(U(1, 6))}, {@code ratioOn = 0.05}).
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
        for (int s = 0; s < b; s++) {
            double now = 100.0 * rng.nextDouble();
            for (int u = 0; u < t; u++) {
                time[s * t + u] = now;
                now += 0.5 + rng.nextDouble();
            }
        }
        this.input = SequenceBatch.of(b, t, shape.inputs(), x, time);
        this.ws = engine.newWorkspace(config, b, t);
        this.dhT = new float[b * shape.hidden()];
        for (int n = 0; n < dhT.length; n++) {
            dhT[n] = (float) (0.1 * rng.nextGaussian());
        }
    }

    /** Inference forward (leak 0). @return the hidden sequence, so the JIT cannot drop the work */
    public float[] inference() {
        engine.forward(ws, params, input, null, null, Mode.INFERENCE);
        return ws.h();
    }

    /** Training forward + full BPTT from {@code dL/dh_T}. @return the gradients */
    public PhasedLstmParams training() {
        grads.zero();
        engine.forward(ws, params, input, null, null, Mode.TRAINING);
        engine.backward(ws, grads, null, dhT, null);
        return grads;
    }
}
