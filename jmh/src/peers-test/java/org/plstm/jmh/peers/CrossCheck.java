package org.plstm.jmh.peers;

import static org.assertj.core.api.Assertions.fail;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.plstm.Mode;
import org.plstm.reference.ReferenceParams;
import org.plstm.reference.ReferencePhasedLstm;

/**
 * Shared pieces of the cross-checks: seeded random cases, our reference run on them (time gate off: a plain
 * LSTM), and an element-wise closeness assertion {@code |peer - ref| <= atol + rtol·|ref|} whose message names the
 * seed, the shape, the worst element and the largest errors seen.
 */
final class CrossCheck {
    private CrossCheck() {
    }

    /** Base seed; each case derives its own from it (printed in every failure message). */
    static final long SEED = Long.getLong("peers.seed", 20240611L);

    /**
     * Shapes {@code B, T, I, H, large cell (0/1)}: odd sizes, an I=1 sequence, a single unit, a long sequence,
     * and one whose cell state grows far past ±3 (the default {@code cell_clip} of TF's BlockLSTM V1: this case
     * shows that clipping is really off).
     */
    static final List<int[]> SHAPES = List.of(
            new int[] {3, 7, 5, 11, 0},
            new int[] {2, 20, 1, 32, 0},
            new int[] {1, 1, 1, 1, 0},
            new int[] {4, 50, 8, 16, 0},
            new int[] {5, 13, 17, 3, 0},
            new int[] {2, 300, 3, 24, 0},
            new int[] {3, 30, 4, 6, 1});

    /**
     * One random problem.
     *
     * @param seed  the seed it was drawn from
     * @param largeCell whether the biases of i, f, g were raised by 3 so that |c| grows far past 3
     * @param batch {@code B}
     * @param steps {@code T}
     * @param w     weights
     * @param x     {@code [B][T][I]} in {@code U(±1)}
     * @param h0    {@code [B][H]} in {@code U(±1)}
     * @param c0    {@code [B][H]} in {@code U(±1)}
     * @param dh    loss gradient per output step {@code [B][T][H]} in {@code U(±1)}
     * @param dhT   loss gradient w.r.t. {@code h_T} {@code [B][H]}
     * @param dcT   loss gradient w.r.t. {@code c_T} {@code [B][H]}
     */
    record Case(long seed, boolean largeCell, int batch, int steps, LstmWeights w, float[] x, float[] h0, float[] c0, float[] dh,
                float[] dhT, float[] dcT) {

        static Case random(long seed, int batch, int steps, int in, int hidden, boolean peepholes,
                           boolean largeCell) {
            SplittableRandom rng = new SplittableRandom(seed);
            LstmWeights w = LstmWeights.random(in, hidden, peepholes, rng);
            if (largeCell) {
                // i, f near 1 and g near 1: c grows by about 1 per step.
                for (int j = 0; j < 3 * hidden; j++) {
                    w.bias()[j] += 3f;
                }
                if (peepholes) {
                    // Keep i, f open as c grows (a negative peephole would shut them).
                    for (int j = 0; j < 2 * hidden; j++) {
                        w.peephole()[j] = Math.abs(w.peephole()[j]) * 0.1f;
                    }
                }
            }
            int bh = batch * hidden;
            return new Case(seed, largeCell, batch, steps, w, LstmWeights.uniform(batch * steps * in, 1, rng),
                    LstmWeights.uniform(bh, 1, rng), LstmWeights.uniform(bh, 1, rng),
                    LstmWeights.uniform(batch * steps * hidden, 1, rng), LstmWeights.uniform(bh, 1, rng),
                    LstmWeights.uniform(bh, 1, rng));
        }

        @Override
        public String toString() {
            return label();
        }

        /** @return a label for messages: seed and shape */
        String label() {
            return "seed=" + seed + " B=" + batch + " T=" + steps + " I=" + w.inputSize() + " H=" + w.hiddenSize()
                    + " peepholes=" + w.peepholes() + (largeCell() ? " large-cell" : "");
        }

        /**
         * Our reference forward pass.
         *
         * @param withState use {@code h0, c0} (else zeros)
         * @return the forward result and cache
         */
        ReferencePhasedLstm.Forward reference(boolean withState) {
            return ReferencePhasedLstm.forward(w.toReference(), ReferencePhasedLstm.widen(x),
                    new double[batch * steps], null, batch, steps,
                    withState ? ReferencePhasedLstm.widen(h0) : null,
                    withState ? ReferencePhasedLstm.widen(c0) : null, Mode.INFERENCE);
        }

        /**
         * Our reference backward pass.
         *
         * @param fwd   the forward pass
         * @param grads gradient buffer to fill (zeroed first)
         * @param dhT   use {@code dhT} (else none)
         * @param dcT   use {@code dcT} (else none)
         * @return input gradients
         */
        ReferencePhasedLstm.InputGradients referenceBackward(ReferencePhasedLstm.Forward fwd, ReferenceParams grads,
                                                             boolean dhT, boolean dcT) {
            grads.zero();
            return ReferencePhasedLstm.backward(grads, fwd, ReferencePhasedLstm.widen(dh),
                    dhT ? ReferencePhasedLstm.widen(this.dhT) : null, dcT ? ReferencePhasedLstm.widen(this.dcT) : null);
        }
    }

    /**
     * Every shape with and without peepholes, each with its own seed.
     *
     * @param salt mixed into the seeds so different peers draw different problems
     * @return JUnit arguments: one {@link Case} each
     */
    static Stream<Arguments> cases(long salt) {
        Stream.Builder<Arguments> s = Stream.builder();
        int n = 0;
        for (int[] shape : SHAPES) {
            for (boolean peep : new boolean[] {false, true}) {
                long seed = SEED + 1000 * salt + n++;
                s.add(Arguments.of(Case.random(seed, shape[0], shape[1], shape[2], shape[3], peep, shape[4] == 1)));
            }
        }
        return s.build();
    }

    /** Largest |error| and largest error/(atol + rtol|ref|) of the checks so far, for the report. */
    static void report(String what, Case c, float[] peer, double[] ref, double atol, double rtol) {
        double maxAbs = 0;
        double maxRatio = 0;
        for (int n = 0; n < ref.length; n++) {
            double e = Math.abs(peer[n] - ref[n]);
            maxAbs = Math.max(maxAbs, e);
            maxRatio = Math.max(maxRatio, e / (atol + rtol * Math.abs(ref[n])));
        }
        System.out.printf("[cross-check] %-28s %-66s max|err|=%.3e  max err/tol=%.4f%n", what, c.label(), maxAbs,
                maxRatio);
    }

    /**
     * Asserts {@code |peer[n] - ref[n]| <= atol + rtol·|ref[n]|} for every element.
     *
     * @param what which tensor
     * @param c    the case (seed and shape go into the message)
     * @param peer the peer's values
     * @param ref  ours
     * @param atol absolute tolerance
     * @param rtol relative tolerance
     */
    static void assertClose(String what, Case c, float[] peer, double[] ref, double atol, double rtol) {
        if (peer == null || peer.length != ref.length) {
            fail("%s (%s): expected %d values, got %s", what, c.label(), ref.length,
                    peer == null ? "null" : peer.length);
        }
        report(what, c, peer, ref, atol, rtol);
        int worst = -1;
        double worstRatio = 0;
        int bad = 0;
        for (int n = 0; n < ref.length; n++) {
            double e = Math.abs(peer[n] - ref[n]);
            double ratio = e / (atol + rtol * Math.abs(ref[n]));
            if (!(ratio <= 1)) {
                bad++;
            }
            if (!(ratio <= worstRatio)) {
                worstRatio = ratio;
                worst = n;
            }
        }
        if (bad > 0) {
            fail("%s (%s): %d of %d elements differ beyond atol=%.1e rtol=%.1e; worst at flat index %d: peer=%.9g "
                            + "ref=%.9g |diff|=%.3e (%.1f× the tolerance)", what, c.label(), bad, ref.length, atol,
                    rtol, worst, peer[worst], ref[worst], Math.abs(peer[worst] - ref[worst]), worstRatio);
        }
    }

    /** @return the largest absolute value in {@code a} (at least 1), the scale of a summed gradient */
    static double scale(double[] a) {
        double m = 1;
        for (double v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
