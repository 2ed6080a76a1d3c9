package org.plstm.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.plstm.Mode;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.SequenceBatch;
import org.plstm.TimeGate;
import org.plstm.TimeGateInit;

/** Behaviour of the reference layer that the gradient check cannot see. */
class LayerSemanticsTest {

    @Test
    void timeGateOffIsAPlainLstmStep() {
        // Hand-computed (Python, math module): I = H = 1, no peepholes, sigmoid gates.
        PhasedLstmConfig cfg = PhasedLstmConfig.builder(1, 1).timeGate(false).build();
        PhasedLstmParams p = new PhasedLstmParams(cfg);
        float[] w = {0.5f, -0.5f, 1.0f, 0.25f};
        float[] u = {0.1f, 0.2f, 0.3f, 0.4f};
        System.arraycopy(w, 0, p.kernel(), 0, 4);
        System.arraycopy(u, 0, p.recurrentKernel(), 0, 4);
        p.bias()[1] = 1f;
        p.period()[0] = 1f; // unused with the time gate off
        p.ratioOn()[0] = 1f;
        SequenceBatch in = SequenceBatch.of(1, 1, 1, new float[] {2f}, new double[] {123.0});
        ReferencePhasedLstm.Forward f = ReferencePhasedLstm.forward(p, in, new float[] {0.5f}, new float[] {-1f},
                Mode.TRAINING);
        // z = [1.05, 0.1, 2.15, 0.7]; c = σ(0.1)·(-1) + σ(1.05)·tanh(2.15); h = σ(0.7)·tanh(c)
        // float32 weights differ from the decimal ones by < 3e-8 relative, hence the tolerance.
        assertThat(f.cT[0]).isCloseTo(0.19596232629491783, within(1e-7));
        assertThat(f.hT[0]).isCloseTo(0.12928890053224024, within(1e-7));
        assertThat(f.k[0]).isEqualTo(1.0);
    }

    @Test
    void closedUnitCopiesStateBitwiseInInference() {
        PhasedLstmConfig cfg = PhasedLstmConfig.builder(3, 5).peepholes(true).build();
        PhasedLstmParams p = PhasedLstmParams.initialize(cfg, TimeGateInit.PAPER, 7);
        int steps = 50;
        SplittableRandom rng = new SplittableRandom(11);
        float[] x = new float[steps * 3];
        double[] time = new double[steps];
        for (int n = 0; n < x.length; n++) {
            x[n] = (float) rng.nextGaussian();
        }
        for (int t = 0; t < steps; t++) {
            time[t] = t * 1.37 + rng.nextDouble();
        }
        float[] h0 = {0.1f, -0.2f, 0.3f, -0.4f, 0.5f};
        float[] c0 = {1f, -1f, 0.5f, -0.5f, 2f};
        ReferencePhasedLstm.Forward f = ReferencePhasedLstm.forward(p, SequenceBatch.of(1, steps, 3, x, time), h0,
                c0, Mode.INFERENCE);
        int closed = 0;
        for (int t = 0; t < steps; t++) {
            for (int j = 0; j < 5; j++) {
                int n = t * 5 + j;
                double phi = TimeGate.phase(time[t], p.shift()[j], p.period()[j]);
                if (phi >= p.ratioOn()[j]) {
                    closed++;
                    double hPrev = t == 0 ? h0[j] : f.h[n - 5];
                    double cPrev = t == 0 ? c0[j] : f.c[n - 5];
                    assertThat(f.k[n]).isEqualTo(0.0);
                    assertThat(Double.doubleToRawLongBits(f.h[n])).isEqualTo(Double.doubleToRawLongBits(hPrev));
                    assertThat(Double.doubleToRawLongBits(f.c[n])).isEqualTo(Double.doubleToRawLongBits(cPrev));
                }
            }
        }
        assertThat(closed).as("closed unit-steps at r_on = 0.05").isGreaterThan(200);
    }

    @Test
    void paddedStepsCarryStateAndOutput() {
        PhasedLstmConfig cfg = PhasedLstmConfig.builder(2, 3).build();
        PhasedLstmParams p = PhasedLstmParams.initialize(cfg, TimeGateInit.KERAS, 3);
        for (int j = 0; j < 3; j++) {
            p.ratioOn()[j] = 1f; // always open, so every valid step changes the state
        }
        float[] x = new float[2 * 4 * 2];
        for (int n = 0; n < x.length; n++) {
            x[n] = n * 0.1f;
        }
        double[] time = {1, 2, 3, 4, 1, 2, 3, 4};
        SequenceBatch in = new SequenceBatch(2, 4, 2, x, time, new int[] {2, 0});
        ReferencePhasedLstm.Forward f = ReferencePhasedLstm.forward(p, in, null, null, Mode.TRAINING);
        for (int j = 0; j < 3; j++) {
            // sample 0: steps 2, 3 repeat step 1
            assertThat(f.h[2 * 3 + j]).isEqualTo(f.h[3 + j]);
            assertThat(f.h[3 * 3 + j]).isEqualTo(f.h[3 + j]);
            assertThat(f.hT[j]).isEqualTo(f.h[3 + j]);
            assertThat(f.cT[j]).isEqualTo(f.c[3 + j]);
            // sample 1: length 0, everything stays at the zero initial state
            assertThat(f.hT[3 + j]).isEqualTo(0.0);
            assertThat(f.cT[3 + j]).isEqualTo(0.0);
        }
        assertThat(f.h[3]).isNotEqualTo(f.h[0]);
    }

    /**
     * A forward pass owns its cache: the caller's input arrays and parameters may be refilled (the next batch, an
     * optimiser step) before backward, which differentiates the pass that ran. Backward read the caller's x, time, h0,
     * c0, lengths and parameters live, so a refilled array gave the gradients of a pass that never ran.
     */
    @Test
    void backwardDifferentiatesThePassThatRanWhateverTheCallerChangedSince() {
        PhasedLstmConfig cfg = PhasedLstmConfig.builder(2, 3).peepholes(true).build();
        ReferenceParams p = ReferenceParams.of(PhasedLstmParams.initialize(cfg, TimeGateInit.PAPER, 4));
        java.util.Arrays.fill(p.ratioOn, 0.6);
        SplittableRandom rng = new SplittableRandom(8);
        int batch = 2;
        int steps = 5;
        double[] x = rng.doubles(batch * steps * 2, -1, 1).toArray();
        double[] time = rng.doubles(batch * steps, 0, 30).toArray();
        double[] h0 = rng.doubles(batch * 3, -1, 1).toArray();
        double[] c0 = rng.doubles(batch * 3, -1, 1).toArray();
        double[] dhT = rng.doubles(batch * 3, -1, 1).toArray();
        int[] lengths = {5, 3};

        ReferenceParams expectedGrads = new ReferenceParams(cfg);
        ReferencePhasedLstm.InputGradients expected = ReferencePhasedLstm.backward(expectedGrads,
                ReferencePhasedLstm.forward(p.copy(), x.clone(), time.clone(), lengths.clone(), batch, steps,
                        h0.clone(), c0.clone(), Mode.TRAINING), null, dhT, null);

        ReferencePhasedLstm.Forward f = ReferencePhasedLstm.forward(p, x, time, lengths, batch, steps, h0, c0,
                Mode.TRAINING);
        java.util.Arrays.fill(lengths, 1);
        java.util.Arrays.fill(x, 0.5);
        java.util.Arrays.fill(time, 7.0);
        java.util.Arrays.fill(h0, 0.25);
        java.util.Arrays.fill(c0, -0.25);
        java.util.Arrays.fill(p.kernel, 0.125); // the caller trains on: its parameters change before backward
        java.util.Arrays.fill(p.period, 3.0);
        ReferenceParams grads = new ReferenceParams(cfg);
        ReferencePhasedLstm.InputGradients got = ReferencePhasedLstm.backward(grads, f, null, dhT, null);

        assertThat(got.dx()).containsExactly(expected.dx());
        assertThat(got.dh0()).containsExactly(expected.dh0());
        assertThat(got.dc0()).containsExactly(expected.dc0());
        assertThat(grads.kernel).containsExactly(expectedGrads.kernel);
        assertThat(grads.recurrentKernel).containsExactly(expectedGrads.recurrentKernel);
        assertThat(grads.period).containsExactly(expectedGrads.period);
        assertThat(grads.shift).containsExactly(expectedGrads.shift);
        assertThat(f.x).isNotSameAs(x);
        assertThat(f.time).isNotSameAs(time);
        assertThat(f.lengths).isNotSameAs(lengths);
        assertThat(f.params).isNotSameAs(p);
    }
}
