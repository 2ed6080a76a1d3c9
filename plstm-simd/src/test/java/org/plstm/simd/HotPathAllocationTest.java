package org.plstm.simd;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.plstm.LayerWorkspace;
import org.plstm.Mode;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.SequenceBatch;
import org.plstm.TimeGateInit;

/**
 * The hot paths allocate nothing once compiled, at the level this JVM runs (surefire runs this class at every
 * level: an operation C2 does not intrinsify there falls back to Java and allocates a boxed vector per call, which
 * this catches). Measured with {@code com.sun.management.ThreadMXBean.getThreadAllocatedBytes} on the calling
 * thread. Interpreted and C1-compiled vector code allocates, so each path first runs in rounds of {@value #ROUNDS}
 * calls until a round allocates nothing (C2 has compiled it: here after 1,000 to 15,000 calls; a kernel the
 * event-driven path calls for few events compiles late) or
 * {@value #MAX_ROUNDS} rounds have passed; the result is the next round's allocation. No timing is asserted.
 *
 * <p>Surefire runs it with {@code -XX:-UseTypeProfile}: C2 then ignores the receiver types it profiled, as it does in
 * effect where a caller is compiled before a kernel's profile was collected. A vector method called on a vector whose
 * exact class C2 cannot see (one carried around a loop or into it from before) then becomes a virtual call that boxes
 * on every use. That happened by chance in some trainer runs at {@code UseAVX=2} (about 4 GB/s of garbage from the
 * bias gradient's loop, {@code WeightGradients.biasTile}); without type profiles it happens every time, so this test
 * sees it.
 */
class HotPathAllocationTest {
    private static final int ROUNDS = 50;
    private static final int MAX_ROUNDS = 4000;
    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /**
     * Bytes allocated by the calling thread while {@code r} runs {@value #ROUNDS} times, once warmed up: rounds run
     * until {@value #MEASURED} in a row allocate nothing (C2 has compiled every kernel {@code r} reaches, and no
     * deoptimisation re-materialises objects any more), or {@value #MAX_ROUNDS} rounds have passed; the result is the
     * least of the last {@value #MEASURED} rounds (a kernel that fell back to Java allocates in every round). When it
     * is not zero, {@link #whereAllocated} records JFR allocation samples of a few more rounds and the assertion
     * message names the allocating lines.
     */
    private static long allocated(Runnable r) {
        long[] last = new long[MEASURED];
        int zeros = 0;
        for (int round = 0; round < MAX_ROUNDS && zeros < MEASURED; round++) {
            long bytes = round(r);
            last[round % MEASURED] = bytes;
            zeros = bytes == 0 ? zeros + 1 : 0;
        }
        if (zeros >= MEASURED) {
            return 0;
        }
        long least = Long.MAX_VALUE;
        for (long bytes : last) {
            least = Math.min(least, bytes);
        }
        return least;
    }

    private static final int MEASURED = 5;

    /** Runs {@code r} for 20 rounds under JFR allocation sampling; returns the most sampled org.plstm frames. */
    static String whereAllocated(Runnable r) {
        try (jdk.jfr.Recording rec = new jdk.jfr.Recording()) {
            rec.enable("jdk.ObjectAllocationSample").withStackTrace().with("throttle", "off");
            rec.start();
            for (int i = 0; i < 20; i++) {
                round(r);
            }
            rec.stop();
            java.nio.file.Path file = java.nio.file.Files.createTempFile("plstm-alloc", ".jfr");
            rec.dump(file);
            java.util.Map<String, Integer> frames = new java.util.TreeMap<>();
            for (jdk.jfr.consumer.RecordedEvent e : jdk.jfr.consumer.RecordingFile.readAllEvents(file)) {
                if (e.getStackTrace() == null) {
                    continue;
                }
                for (jdk.jfr.consumer.RecordedFrame f : e.getStackTrace().getFrames()) {
                    String type = f.getMethod().getType().getName();
                    if (type.startsWith("org.plstm.simd.")) {
                        frames.merge(type.substring(15) + "." + f.getMethod().getName() + ":" + f.getLineNumber(), 1,
                                Integer::sum);
                        break;
                    }
                }
            }
            java.nio.file.Files.deleteIfExists(file);
            return "allocation samples by first org.plstm.simd frame: " + frames + " (level " + VectorLevel.describe()
                    + ")";
        } catch (java.io.IOException e) {
            return "no JFR recording: " + e;
        }
    }

    /** Asserts that {@code r}, warmed up, allocates nothing; on failure the message says where it does. */
    private static void assertAllocatesNothing(String what, Runnable r) {
        long bytes = allocated(r);
        if (bytes != 0) {
            assertThat(bytes).as("%s: %s", what, whereAllocated(r)).isZero();
        }
    }

    private static long round(Runnable r) {
        long before = MX.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < ROUNDS; i++) {
            r.run();
        }
        return MX.getCurrentThreadAllocatedBytes() - before;
    }

    /** The optimisers' steps, with their all-or-nothing copy and finiteness checks (and weight decay) on. */
    @Test
    void optimiserStepsAllocateNothing() {
        java.util.List<org.plstm.Tensor> params = java.util.List.of(
                new org.plstm.Tensor("kernel", new int[] {3}, new float[] {1f, 2f, 3f}),
                new org.plstm.Tensor("bias", new int[] {1}, new float[] {0.5f}));
        java.util.List<org.plstm.Tensor> grads = java.util.List.of(
                new org.plstm.Tensor("kernel", new int[] {3}, new float[] {1e-3f, -2e-3f, 0f}),
                new org.plstm.Tensor("bias", new int[] {1}, new float[] {1e-3f}));
        for (org.plstm.optim.Optimizer o : java.util.List.of(new org.plstm.optim.Adam(1e-3),
                new org.plstm.optim.RmsProp(1e-3), new org.plstm.optim.Sgd(1e-3))) {
            o.setWeightDecay(1e-2);
            assertAllocatesNothing(o.name() + ".step", () -> o.step(params, grads));
        }
    }

    @Test
    void kernelsAllocateNothing() {
        // Odd sizes: tails of every tile (B = 7: 4 + 2 + 1), padded units, strips of 4 and of 1 vector.
        KernelProbe p = KernelProbe.create(7, VectorLevel.L + 3, 5 * VectorLevel.L + 1, 3);
        System.out.println("level: " + KernelProbe.level());
        assertAllocatesNothing("gate product", p::gateProduct);
        assertAllocatesNothing("cell update", p::cellUpdate);
        assertAllocatesNothing("time gate", p::timeGate);
        // the regression head's loss: a vector main loop and a scalar tail (N = 2 vectors + 3)
        int n = 2 * VectorLevel.L + 3;
        float[] pred = new float[n];
        float[] target = new float[n];
        float[] dPred = new float[n];
        for (int i = 0; i < n; i++) {
            pred[i] = 0.1f * i;
            target[i] = 1f - 0.05f * i;
        }
        assertAllocatesNothing("squared error", () -> SquaredErrorKernel.meanSquaredError(dPred, pred, target, n));
    }

    @Test
    void layerPassesAllocateNothingPerStep() {
        for (boolean peepholes : new boolean[] {false, true}) {
            PhasedLstmConfig cfg = PhasedLstmConfig.builder(VectorLevel.L + 1, 2 * VectorLevel.L + 3)
                    .peepholes(peepholes).build();
            PhasedLstmParams params = PhasedLstmParams.initialize(cfg, TimeGateInit.PAPER, 5);
            PhasedLstmParams grads = new PhasedLstmParams(cfg);
            int batch = 5;
            int steps = 12;
            SplittableRandom rng = new SplittableRandom(6);
            float[] x = new float[batch * steps * cfg.inputSize()];
            for (int n = 0; n < x.length; n++) {
                x[n] = (float) rng.nextGaussian();
            }
            double[] time = new double[batch * steps];
            for (int n = 0; n < time.length; n++) {
                time[n] = n * 0.7 + rng.nextDouble();
            }
            SequenceBatch input = SequenceBatch.of(batch, steps, cfg.inputSize(), x, time);
            float[] dhT = new float[batch * cfg.hiddenSize()];
            java.util.Arrays.fill(dhT, 0.1f);
            try (SimdEngine engine = new SimdEngine(1)) {
                LayerWorkspace lw = engine.newWorkspace(cfg, batch, steps);
                SimdWorkspace ws = (SimdWorkspace) lw;
                engine.forward(lw, params, input, null, null, Mode.TRAINING);
                engine.backward(lw, grads, null, dhT, null);
                // The per-step passes, called as the worker pool calls them, with one call's arguments.
                LayerPass fwd = LayerPass.forward(ws, input, 0.001, true, null, null, true, false);
                LayerPass bwd = LayerPass.backward(ws, input, 0.001, true, null, dhT, null);
                LayerPass infer = LayerPass.forward(ws, input, 0.0, true, null, null, false, false);
                assertAllocatesNothing("inference forward", () -> LayerForward.run(infer, 0));
                assertAllocatesNothing("training forward", () -> LayerForward.run(fwd, 0));
                assertAllocatesNothing("backward", () -> LayerBackward.run(bwd, 0));
                // A whole engine call allocates only its small argument record, whatever the sequence length.
                long perCall = round(() -> {
                    engine.forward(lw, params, input, null, null, Mode.TRAINING);
                    engine.backward(lw, grads, null, dhT, null);
                }) / ROUNDS;
                assertThat(perCall).as("bytes per forward + backward call").isLessThanOrEqualTo(256);
            }
        }
    }

    @Test
    void streamingStepsAllocateNothing() {
        PhasedLstmConfig cfg = PhasedLstmConfig.builder(16, 4 * VectorLevel.L + 5).build();
        StreamLayer layer = new StreamLayer(PhasedLstmParams.initialize(cfg, TimeGateInit.PAPER, 9));
        StreamLayer.State s = new StreamLayer.State(layer);
        float[] x = new float[16];
        java.util.Arrays.fill(x, 0.25f);
        double[] t = {0};
        assertAllocatesNothing("event-driven step", () -> {
            t[0] += 0.37;
            layer.stepSkipping(s, x, 0, t[0]);
        });
        assertAllocatesNothing("dense step", () -> {
            t[0] += 0.37;
            layer.stepDense(s, x, 0, t[0]);
        });
        int streams = 37;
        org.plstm.engine.LayerStream.BatchState b = layer.newBatchState(streams);
        float[] xs = new float[streams * 16];
        java.util.Arrays.fill(xs, 0.25f);
        double[] ts = new double[streams];
        assertAllocatesNothing("batched event-driven step of " + streams + " streams", () -> {
            for (int i = 0; i < streams; i++) {
                ts[i] += 0.37 + 0.01 * i;
            }
            layer.stepBatch(b, streams, xs, 0, 16, ts);
        });
    }
}
