package org.plstm.jmh.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.plstm.jmh.report.Fixtures.jmh;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plstm.jmh.report.PerformanceData.Case;
import org.plstm.jmh.report.PerformanceData.Impl;
import org.plstm.jmh.report.PerformanceData.Kind;
import org.plstm.jmh.report.Targets.Criterion;
import org.plstm.jmh.report.Targets.Outcome;
import org.plstm.jmh.report.Targets.Status;
import org.plstm.jmh.report.Targets.Target;

/** The targets of issue 9, one by one: PASS, FAIL and NOT RUN on hand-made results, then on the level fixtures. */
class TargetsTest {
    private static final double EPS = 1e-9;
    private static final String A = "128x784x1x32";
    private static final String B = "64x100x64x256";

    @TempDir
    Path dir;

    /** 8 float lanes: peak2 at 30.72 µs/op is 125 GFLOP/s. */
    private MachineInfo machine;

    @BeforeEach
    void readMachine() throws IOException {
        Fixtures.copy("machine-native.json", dir.resolve("machine.json"));
        machine = MachineInfo.read(dir.resolve("machine.json"));
    }

    private static JmhResult simd(String kind, String shape, int threads, String model, double ms) {
        return jmh("org.plstm.jmh.SimdLayerBenchmark." + kind,
                List.of("shape", shape, "threads", String.valueOf(threads), "model", model), ms, "ms/op", null);
    }

    private static JmhResult peer(String method, String shape, int threads, double ms) {
        return jmh("org.plstm.jmh.peers.PeerLstmBenchmark." + method,
                List.of("shape", shape, "threads", String.valueOf(threads)), ms, "ms/op", null);
    }

    private static JmhResult reference(String kind, String shape, String model, double seconds) {
        return jmh("org.plstm.jmh.ReferenceLayerBenchmark." + kind, List.of("shape", shape, "model", model), seconds,
                "s/op", null);
    }

    private static JmhResult kernel(String method, String shape, Double alloc) {
        return kernel(method, shape, 10.0, alloc);
    }

    private static JmhResult kernel(String method, String shape, double microsPerOp, Double alloc) {
        return jmh("org.plstm.jmh.KernelBenchmark." + method, List.of("shape", shape), microsPerOp, "us/op", alloc);
    }

    private static JmhResult event(int hidden, String path, double eventsPerSecond, Double alloc) {
        return jmh("org.plstm.jmh.StreamingBenchmark.event", List.of("hidden", String.valueOf(hidden), "path", path),
                eventsPerSecond, "ops/s", alloc);
    }

    private static Target target(String level, String title) {
        return Targets.forLevel(level).stream().filter(t -> t.title().equals(title)).findFirst().orElseThrow(
                () -> new AssertionError("no target '" + title + "' at " + level));
    }

    private Outcome judge(Target t, JmhResult... results) {
        return Targets.evaluate(PerformanceData.of(List.of(results), machine), t);
    }

    @Test
    void everyLevelHasTheIssuesTargetsAndNofmaAlsoTheReferenceFloor() {
        List<Target> nat = Targets.forLevel("native");
        assertThat(nat).hasSize(18);
        assertThat(Targets.forLevel("avx2")).isEqualTo(nat);
        assertThat(Targets.forLevel("zz-other")).isEqualTo(nat);
        // the peers and the % of peak are targets at native and UseAVX=2 only (the issue's words)
        List<Target> every = nat.stream().filter(t -> t.criterion() != Criterion.MIN_RATIO_OVER_PEER
                && t.criterion() != Criterion.MIN_PERCENT_OF_PEAK).toList();
        assertThat(every).hasSize(8);
        assertThat(Targets.forLevel("128")).isEqualTo(every);
        List<Target> peers = nat.stream().filter(t -> t.criterion() == Criterion.MIN_RATIO_OVER_PEER
                && t.peer() == Impl.ONNX).toList();
        assertThat(peers).hasSize(8); // (a), (b) × 1, 2 threads × plstm, lstm
        assertThat(peers).extracting(t -> t.kase().letter() + t.threads() + t.model()).doesNotHaveDuplicates();
        assertThat(peers).allSatisfy(t -> {
            assertThat(t.kind()).isEqualTo(Kind.INFERENCE);
            assertThat(t.goal()).isEqualTo(1.0);
            assertThat(t.goalText()).isEqualTo("≥ ONNX Runtime's samples/s");
        });
        assertThat(target("native", "Inference (b) vs ONNX Runtime, `lstm`, 2 threads").judgedOn())
                .isEqualTo("SIMD inference (b), `lstm`, 2 threads ÷ ONNX Runtime (plain LSTM), same shape and "
                        + "threads");
        assertThat(target("native", "Training (a) vs TensorFlow Java").goalText())
                .isEqualTo("≥ 3× TensorFlow Java's samples/s");
        assertThat(target("native", "Training (b), % of peak").goalText()).isEqualTo("≥ 50 % of peak2");
        assertThat(target("native", "SIMD vs reference, training (b)").goalText()).isEqualTo("≥ 20× the reference");
        assertThat(target("native", "Allocation, kernel `timeGate`").goalText()).isEqualTo("0 B/op (< max(1 B, 64 KB/s × time per op))");
        assertThat(target("native", "Streaming, event-driven allocation at H=512").goalText())
                .isEqualTo("0 B/event (< max(1 B, 64 KB/s × time per op))");

        List<Target> nofma = Targets.forLevel("nofma");
        assertThat(nofma).hasSize(12).containsAll(every);
        List<Target> floor = nofma.stream().filter(t -> !every.contains(t)).toList();
        assertThat(floor).extracting(Target::title).containsExactly("No FMA: SIMD ≥ reference, inference (a)",
                "No FMA: SIMD ≥ reference, inference (b)", "No FMA: SIMD ≥ reference, training (a)",
                "No FMA: SIMD ≥ reference, training (b)");
        assertThat(floor).allSatisfy(t -> {
            assertThat(t.criterion()).isEqualTo(Criterion.MIN_SPEEDUP_OVER_REFERENCE);
            assertThat(t.threads()).isEqualTo(1);
            assertThat(t.goal()).isEqualTo(1.0);
            assertThat(t.goalText()).isEqualTo("≥ the reference's samples/s");
        });
        assertThatThrownBy(() -> Target.zeroAllocation("x", "SimdLayerBenchmark.training", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("benchmark: expected")
                .hasMessageContaining("SimdLayerBenchmark.training");
    }

    @Test
    void inferenceAgainstOnnxRuntimePassesAtParityFailsBelowAndIsNotRunWithoutThePeer() {
        Target t = target("native", "Inference (a) vs ONNX Runtime, `plstm`, 1 thread");
        JmhResult ours = simd("inference", A, 1, "plstm", 16.0); // 8,000 samples/s

        Outcome parity = judge(t, ours, peer("inferenceOnnx", A, 1, 16.0));
        assertThat(parity.status()).isEqualTo(Status.PASS);
        assertThat(parity.measured()).isCloseTo(1.0, within(EPS));
        assertThat(parity.detail()).isEqualTo("SIMD 8,000 samples/s, ONNX Runtime 8,000 samples/s");

        Outcome slower = judge(t, ours, peer("inferenceOnnx", A, 1, 12.8)); // ONNX 10,000 samples/s
        assertThat(slower.status()).isEqualTo(Status.FAIL);
        assertThat(slower.measuredText()).isEqualTo("0.800×");

        // the peers ran, but not at this thread count: not run, and no figure from elsewhere
        Outcome otherThreads = judge(t, ours, peer("inferenceOnnx", A, 2, 8.0));
        assertThat(otherThreads.status()).isEqualTo(Status.NOT_RUN);
        assertThat(otherThreads.measured()).isNaN();
        assertThat(otherThreads.measuredText()).isEqualTo("—");
        assertThat(otherThreads.detail()).isEqualTo("ONNX Runtime did not run inference (a) at 1 thread");

        Outcome noPeers = judge(t, ours);
        assertThat(noPeers.status()).isEqualTo(Status.NOT_RUN);
        assertThat(noPeers.detail()).contains("the peers did not run").contains("--peers");

        Outcome noSimd = judge(t, peer("inferenceOnnx", A, 1, 16.0), simd("inference", A, 1, "lstm", 10.0));
        assertThat(noSimd.status()).isEqualTo(Status.NOT_RUN);
        assertThat(noSimd.detail()).isEqualTo("no SIMD result for inference (a) `plstm` at 1 thread");

        // the lstm check judges the lstm row against the same peer row
        Outcome lstm = judge(target("native", "Inference (a) vs ONNX Runtime, `lstm`, 1 thread"), ours,
                simd("inference", A, 1, "lstm", 8.0), peer("inferenceOnnx", A, 1, 16.0));
        assertThat(lstm.status()).isEqualTo(Status.PASS);
        assertThat(lstm.measured()).isCloseTo(2.0, within(EPS));
    }

    @Test
    void trainingANeedsThreeTimesTensorFlowAndShowsThePlainLstm() {
        Target t = target("native", "Training (a) vs TensorFlow Java");
        JmhResult ours = simd("training", A, 2, "plstm", 25.6); // 5,000 samples/s
        JmhResult lstm = simd("training", A, 2, "lstm", 20.0); // 6,400 samples/s

        Outcome pass = judge(t, ours, lstm, peer("trainingTf", A, 2, 77.0)); // TF 1,662 samples/s
        assertThat(pass.status()).isEqualTo(Status.PASS);
        assertThat(pass.measured()).isCloseTo(5000 / (128 / 0.077), within(EPS));
        assertThat(pass.detail()).contains("TensorFlow Java 1,662 samples/s").contains("plain LSTM: 3.85×");

        Outcome fail = judge(t, ours, lstm, peer("trainingTf", A, 2, 76.0)); // 2.97×
        assertThat(fail.status()).isEqualTo(Status.FAIL);
        assertThat(fail.measuredText()).isEqualTo("2.97×");

        assertThat(judge(t, ours, peer("inferenceOnnx", A, 2, 10.0)).status()).isEqualTo(Status.NOT_RUN);
        assertThat(judge(t, ours, peer("trainingTf", A, 1, 10.0)).detail())
                .isEqualTo("TensorFlow Java did not run training (a) at 2 threads");
    }

    @Test
    void trainingBNeedsHalfTheLevelsTwoThreadPeak() {
        Target t = target("native", "Training (b), % of peak");
        JmhResult peak2 = jmh("org.plstm.jmh.PeakFlopsBenchmark.peak2", List.of(), 2, 30.72, "us/op", null);
        // FLOPs per batch: 3·2·64·4·256·320·100 = 12,582,912,000; 50 % of 125 GFLOP/s is 201.3 ms
        Outcome pass = judge(t, simd("training", B, 2, "plstm", 200.0), simd("training", B, 2, "lstm", 167.77216),
                peak2, peer("trainingTf", B, 2, 1677.7216));
        assertThat(pass.status()).isEqualTo(Status.PASS);
        assertThat(pass.measured()).isCloseTo(100 * 12_582_912_000.0 / 0.2 / 1e9 / 125, within(EPS));
        assertThat(pass.detail()).isEqualTo("plain LSTM: 60.0 %; TensorFlow Java: 6.00 %");

        Outcome fail = judge(t, simd("training", B, 2, "plstm", 202.0), peak2);
        assertThat(fail.status()).isEqualTo(Status.FAIL);
        assertThat(fail.measuredText()).isEqualTo("49.8 %");

        // peak1 only, or no machine record (no lanes): not run
        Outcome noPeak2 = judge(t, simd("training", B, 2, "plstm", 200.0),
                jmh("org.plstm.jmh.PeakFlopsBenchmark.peak1", List.of(), 30.72, "us/op", null));
        assertThat(noPeak2.status()).isEqualTo(Status.NOT_RUN);
        assertThat(noPeak2.detail()).contains("peak2");
        Outcome noLanes = Targets.evaluate(PerformanceData.of(List.of(simd("training", B, 2, "plstm", 200.0), peak2),
                null), t);
        assertThat(noLanes.status()).isEqualTo(Status.NOT_RUN);
    }

    @Test
    void simdNeedsTwentyTimesTheReferenceOnBAtOneThread() {
        Target t = target("native", "SIMD vs reference, inference (b)");
        JmhResult ref = reference("inference", "4x100x64x256", "plstm", 0.2); // 20 samples/s
        Outcome pass = judge(t, ref, simd("inference", B, 1, "plstm", 150.0), simd("inference", B, 2, "plstm", 80.0));
        assertThat(pass.status()).isEqualTo(Status.PASS);
        assertThat(pass.measured()).isCloseTo(64 / 0.15 / 20, within(EPS));
        assertThat(pass.detail()).isEqualTo("2 SIMD threads: 40.0×");
        assertThat(judge(t, ref, simd("inference", B, 1, "plstm", 170.0)).status()).isEqualTo(Status.FAIL);
        Outcome noRef = judge(t, simd("inference", B, 1, "plstm", 150.0));
        assertThat(noRef.status()).isEqualTo(Status.NOT_RUN);
        assertThat(noRef.detail()).isEqualTo("the reference did not run (b) inference `plstm`");
        // the 2-thread row is not the judged one
        assertThat(judge(t, ref, simd("inference", B, 2, "plstm", 80.0)).status()).isEqualTo(Status.NOT_RUN);
    }

    @Test
    void atNofmaEverySimdPathMustBeAtLeastAsFastAsTheReference() {
        List<JmhResult> results = new ArrayList<>(List.of(
                reference("inference", "8x784x1x32", "plstm", 0.4), // 20 samples/s
                reference("training", "8x784x1x32", "plstm", 1.6), // 5
                reference("inference", "4x100x64x256", "plstm", 0.2), // 20
                reference("training", "4x100x64x256", "plstm", 0.8), // 5
                simd("inference", A, 1, "plstm", 6400.0), // 20 samples/s: parity
                simd("training", A, 1, "plstm", 32_000.0), // 4 samples/s: slower
                simd("inference", B, 1, "plstm", 32.0))); // 2,000 samples/s; training (b) did not run
        List<Outcome> all = Targets.evaluate(PerformanceData.of(results, machine), "nofma");
        List<Outcome> floor = all.stream().filter(o -> o.target().title().startsWith("No FMA")).toList();
        assertThat(floor).extracting(Outcome::status).containsExactly(Status.PASS, Status.PASS, Status.FAIL,
                Status.NOT_RUN);
        assertThat(floor.get(0).measured()).isCloseTo(1.0, within(EPS));
        assertThat(floor.get(2).measuredText()).isEqualTo("0.800×");
        assertThat(floor.get(3).detail()).isEqualTo("no SIMD result for training (b) `plstm` at 1 thread");
        // the same results at another level have no such targets
        assertThat(Targets.evaluate(PerformanceData.of(results, machine), "avx2"))
                .noneMatch(o -> o.target().title().startsWith("No FMA"));
    }

    @Test
    void zeroAllocationCountsWhatJmhItselfAllocatesAsNone() {
        Target t = target("native", "Allocation, kernel `gateProduct`");
        Outcome pass = judge(t, kernel("gateProduct", A, 0.99), kernel("gateProduct", B, 0.3),
                kernel("cellUpdate", B, 500.0));
        assertThat(pass.status()).isEqualTo(Status.PASS);
        assertThat(pass.measured()).isEqualTo(0.99);
        assertThat(pass.measuredText()).isEqualTo("0.990 B/op");
        assertThat(pass.detail()).contains("B/op: (a) 128x784x1x32: 0.990, (b) 64x100x64x256: 0.300")
                .contains("below max(1 B, 64 KB/s × time per op) counts as 0");

        Outcome fail = judge(t, kernel("gateProduct", A, 0.2), kernel("gateProduct", B, 1.0));
        assertThat(fail.status()).isEqualTo(Status.FAIL); // 1 B/op is an allocation
        assertThat(fail.measured()).isEqualTo(1.0);

        // JMH's bookkeeping (about 7 KB/s) over an 11 ms operation is 75 B/op: below 64 KB/s × 11 ms = 721 B/op
        Outcome slow = judge(t, kernel("gateProduct", A, 0.2), kernel("gateProduct", B, 11_000.0, 75.5));
        assertThat(slow.status()).isEqualTo(Status.PASS);
        assertThat(slow.measured()).isEqualTo(75.5);
        assertThat(Targets.zeroAllocationBound(0.011)).isCloseTo(720.9, org.assertj.core.data.Offset.offset(0.1));
        Outcome boxed = judge(t, kernel("gateProduct", B, 11_000.0, 800.0));
        assertThat(boxed.status()).isEqualTo(Status.FAIL);
        assertThat(boxed.detail()).contains("800 (over 721)");

        Outcome partly = judge(t, kernel("gateProduct", A, 0.5), kernel("gateProduct", B, null));
        assertThat(partly.status()).isEqualTo(Status.PASS);
        assertThat(partly.detail()).contains("1 without `gc.alloc.rate.norm`");

        Outcome noGc = judge(t, kernel("gateProduct", A, null));
        assertThat(noGc.status()).isEqualTo(Status.NOT_RUN);
        assertThat(noGc.detail()).contains("-prof gc");

        Outcome none = judge(t, kernel("cellUpdate", A, 0.0));
        assertThat(none.status()).isEqualTo(Status.NOT_RUN);
        assertThat(none.detail()).isEqualTo("no KernelBenchmark.gateProduct result");
    }

    @Test
    void streamingAllocationTargetsJudgeTheEventDrivenPathAtH512AndEveryEventBenchmark() {
        Target at512 = target("native", "Streaming, event-driven allocation at H=512");
        Target every = target("native", "Allocation, streaming events");
        JmhResult e512 = event(512, "EVENT_DRIVEN", 250_000, 0.4);
        JmhResult d512 = event(512, "DENSE", 20_000, 16.0);
        JmhResult e128 = event(128, "EVENT_DRIVEN", 400_000, 0.0);

        Outcome pass = judge(at512, e512, d512, e128);
        assertThat(pass.status()).isEqualTo(Status.PASS); // the dense path is not this target's
        assertThat(pass.measuredText()).isEqualTo("0.400 B/op");
        assertThat(pass.detail()).contains("dense: 16.0 B/event");
        Outcome all = judge(every, e512, d512, e128);
        assertThat(all.status()).isEqualTo(Status.FAIL);
        assertThat(all.measured()).isEqualTo(16.0);
        assertThat(all.detail()).contains("H=512 dense: 16.0");

        assertThat(judge(at512, event(512, "EVENT_DRIVEN", 250_000, 8.0)).status()).isEqualTo(Status.FAIL);
        Outcome missing = judge(at512, d512, e128);
        assertThat(missing.status()).isEqualTo(Status.NOT_RUN);
        assertThat(missing.detail()).isEqualTo("no StreamingBenchmark.event result for hidden=512 on the "
                + "event-driven path");
        // BatchInferenceBenchmark is not an event benchmark
        JmhResult batch = jmh("org.plstm.jmh.BatchInferenceBenchmark.batch",
                List.of("hidden", "512", "path", "EVENT_DRIVEN"), 3.2, "ms/op", 6400.0);
        assertThat(judge(every, e128, batch).status()).isEqualTo(Status.PASS);
    }

    /** The level fixtures, as their Javadoc ({@link Fixtures}) lays them out. */
    @Test
    void judgesTheLevelFixtures() throws IOException {
        List<LevelRun> levels = LevelRun.readAll(Fixtures.threeLevels(dir.resolve("perf")));
        assertThat(levels).extracting(LevelRun::name).containsExactly("native", "avx2", "nofma");

        List<Outcome> nat = Targets.evaluate(levels.get(0).data(), "native");
        Status p = Status.PASS;
        Status f = Status.FAIL;
        Status n = Status.NOT_RUN;
        assertThat(nat).extracting(Outcome::status).containsExactly(
                p, p, f, p, p, p, p, p, // ONNX Runtime: (a) plstm at 2 threads is slower
                p, p, p, p, // TF ×5, 60 % of peak2, reference 100× and 32×
                p, p, // streaming: 12.5×, 0.016 B/event
                p, p, f, p); // allocation: timeGate (b) allocates 24 B/op
        assertThat(nat).extracting(Outcome::measuredText).containsExactly("1.25×", "1.56×", "0.800×", "1.60×", "1.25×",
                "1.56×", "1.25×", "1.56×", "5.00×", "60.0 %", "100×", "32.0×", "12.5×", "0.0160 B/op", "0.300 B/op",
                "0.500 B/op", "24.0 B/op", "0.0800 B/op");
        assertThat(nat.get(8).detail()).contains("plain LSTM: 6.40×");
        assertThat(nat.get(9).detail()).isEqualTo("plain LSTM: 75.0 %; TensorFlow Java: 6.00 %");
        assertThat(Targets.summary(nat)).isEqualTo("16 pass, 2 fail, 0 not run");

        // avx2: the peers borrowed from native (same verdicts), no streaming run, no % of peak for the peers
        PerformanceData avx2 = levels.get(1).data();
        assertThat(avx2.peersBorrowed()).isTrue();
        List<Outcome> a = Targets.evaluate(avx2, "avx2");
        assertThat(a.subList(0, 9)).extracting(Outcome::status).isEqualTo(nat.subList(0, 9).stream()
                .map(Outcome::status).toList());
        assertThat(a.get(9).detail()).isEqualTo("plain LSTM: 75.0 %");
        assertThat(a).filteredOn(o -> o.status() == Status.NOT_RUN).extracting(o -> o.target().title())
                .containsExactly("Streaming, skipping ≥ 10× dense at H=512",
                        "Streaming, event-driven allocation at H=512", "Allocation, streaming events");
        assertThat(Targets.summary(a)).isEqualTo("13 pass, 2 fail, 3 not run");

        List<Outcome> nofma = Targets.evaluate(levels.get(2).data(), "nofma");
        assertThat(nofma).hasSize(12);
        assertThat(nofma.subList(8, 12)).extracting(Outcome::measuredText)
                .containsExactly("400×", "100×", "400×", "32.0×");
        assertThat(nofma).noneMatch(o -> o.target().criterion() == Criterion.MIN_RATIO_OVER_PEER
                || o.target().criterion() == Criterion.MIN_PERCENT_OF_PEAK);
        assertThat(Targets.summary(nofma)).isEqualTo("11 pass, 1 fail, 0 not run"); // timeGate (b) allocates
    }

    @Test
    void unitsAndStatusTexts() {
        assertThat(Targets.unit(Criterion.ZERO_ALLOCATION, 0.25)).isEqualTo("0.250 B/op");
        assertThat(Targets.unit(Criterion.MIN_RATIO_OVER_PEER, 3)).isEqualTo("3.00×");
        assertThat(Targets.statusText(Status.PASS)).isEqualTo("✅ PASS");
        assertThat(Targets.statusText(Status.FAIL)).isEqualTo("❌ FAIL");
        assertThat(Targets.statusText(Status.NOT_RUN)).isEqualTo("NOT RUN");
        assertThat(Case.B.letter()).isEqualTo("(b)");
    }
}
