package org.plstm.jmh.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plstm.inference.InferencePath;
import org.plstm.jmh.Shape;
import org.plstm.jmh.report.PerformanceData.Case;
import org.plstm.jmh.report.PerformanceData.Impl;
import org.plstm.jmh.report.PerformanceData.Kind;
import org.plstm.jmh.report.PerformanceData.LayerRow;
import org.plstm.jmh.report.PerformanceData.StreamBench;
import org.plstm.jmh.report.PerformanceData.StreamRow;
import org.plstm.jmh.report.Targets.Outcome;
import org.plstm.jmh.report.Targets.Status;

/**
 * The report on a hand-made JMH result set (test resources {@code ours.json}, {@code peers.json},
 * {@code machine.json}), whose scores are chosen so the metrics come out round: a 256-bit machine (8 lanes), so the
 * peak's operation is 10000·12·8·2 = 1,920,000 FLOPs, and {@code peak1} at 30.72 µs/op is 62.5 GFLOP/s.
 */
class PerformanceReportTest {
    private static final double EPS = 1e-9;

    @TempDir
    Path dir;

    private Path fixture(String... names) throws IOException {
        Path results = dir.resolve("perf");
        Files.createDirectories(results);
        for (String n : names) {
            try (InputStream in = getClass().getResourceAsStream(n)) {
                assertThat(in).as(n).isNotNull();
                Files.copy(in, results.resolve(n));
            }
        }
        return results;
    }

    private PerformanceData load(String... names) throws IOException {
        Path results = fixture(names);
        Path m = results.resolve("machine.json");
        return PerformanceData.of(JmhResult.readAll(results), Files.exists(m) ? MachineInfo.read(m) : null);
    }

    private static LayerRow row(PerformanceData d, Impl impl, Kind kind, String shape, String model, int threads) {
        Shape s = Shape.parse(shape);
        return d.find(impl, kind, Case.of(s), model, threads, s.batch()).orElseThrow();
    }

    @Test
    void parsesJmhJsonIncludingNaNErrorsUnitsAndGcSecondaryMetric() throws IOException {
        List<JmhResult> all = JmhResult.readAll(fixture("ours.json", "peers.json", "machine.json"));
        assertThat(all).hasSize(12); // machine.json is not a result array and is skipped
        JmhResult training = all.stream().filter(r -> r.method().equals("training")
                && "128x784x1x32".equals(r.param("shape"))).findFirst().orElseThrow();
        assertThat(training.simpleClassName()).isEqualTo("SimdLayerBenchmark");
        assertThat(training.secondsPerOp()).isCloseTo(0.0256, within(EPS));
        assertThat(training.relativeError()).isCloseTo(0.01, within(EPS));
        assertThat(training.allocBytesPerOp()).isEqualTo(1234.5);
        JmhResult peak1 = all.stream().filter(r -> r.method().equals("peak1")).findFirst().orElseThrow();
        assertThat(peak1.scoreError()).isNaN();
        assertThat(peak1.secondsPerOp()).isCloseTo(30.72e-6, within(1e-15));
        JmhResult ref = all.stream().filter(r -> r.mode().equals("ss")).findFirst().orElseThrow();
        assertThat(ref.secondsPerOp()).isEqualTo(0.2);
        JmhResult thrpt = all.stream().filter(r -> r.mode().equals("thrpt")).findFirst().orElseThrow();
        assertThat(thrpt.secondsPerOp()).isCloseTo(1 / 42.0, within(EPS));
    }

    @Test
    void rejectsAFileThatIsNotJmhOutput() throws IOException {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "[{\"foo\": 1}]");
        assertThatThrownBy(() -> JmhResult.read(f)).isInstanceOf(IOException.class).hasMessageContaining("not a JMH");
    }

    @Test
    void computesThroughputEpochGflopsAndPercentOfPeak() throws IOException {
        PerformanceData d = load("ours.json", "peers.json", "machine.json");
        assertThat(d.peakGflops(1).getAsDouble()).isCloseTo(62.5, within(EPS));
        assertThat(d.peakGflops(2).getAsDouble()).isCloseTo(125.0, within(EPS)); // 2 threads × 62.5

        LayerRow t = row(d, Impl.SIMD, Kind.TRAINING, "128x784x1x32", "plstm", 2);
        assertThat(t.samplesPerSecond()).isCloseTo(5000, within(EPS));
        assertThat(t.stepsPerSecond()).isCloseTo(5000 * 784, within(1e-6));
        assertThat(t.epochSeconds()).isCloseTo(12.0, within(EPS));
        double flops = 3.0 * 2 * 128 * 4 * 32 * (1 + 32) * 784;
        assertThat(t.flops()).isEqualTo(flops);
        assertThat(t.gflops()).isCloseTo(flops / 0.0256 / 1e9, within(EPS));
        assertThat(d.percentOfPeak(t).getAsDouble()).isCloseTo(100 * flops / 0.0256 / 1e9 / 125, within(EPS));

        LayerRow tb = row(d, Impl.SIMD, Kind.TRAINING, "64x100x64x256", "plstm", 2);
        assertThat(tb.gflops()).isCloseTo(37.5, within(EPS));
        assertThat(d.percentOfPeak(tb).getAsDouble()).isCloseTo(30.0, within(EPS));

        LayerRow ib = row(d, Impl.SIMD, Kind.INFERENCE, "64x100x64x256", "plstm", 1);
        assertThat(ib.gflops()).isCloseTo(52.4288, within(EPS)); // 2·64·1024·320·100 / 80 ms
        assertThat(d.percentOfPeak(ib).getAsDouble()).isCloseTo(100 * 52.4288 / 62.5, within(EPS)); // peak1
        assertThat(d.speedupOverReference(ib).getAsDouble()).isCloseTo(40.0, within(EPS)); // 800 vs 4 / 0.2 s
    }

    @Test
    void comparesOurRowsWithThePeersPlainLstm() throws IOException {
        PerformanceData d = load("ours.json", "peers.json", "machine.json");
        LayerRow lstm = row(d, Impl.SIMD, Kind.INFERENCE, "128x784x1x32", "lstm", 2);
        LayerRow plstm = row(d, Impl.SIMD, Kind.INFERENCE, "128x784x1x32", "plstm", 2);
        LayerRow onnx = row(d, Impl.ONNX, Kind.INFERENCE, "128x784x1x32", "lstm", 2);
        assertThat(d.ratioOver(lstm, Impl.ONNX).getAsDouble()).isCloseTo(1.6, within(EPS)); // 16 ms vs 10 ms
        assertThat(d.ratioOver(plstm, Impl.ONNX).getAsDouble()).isCloseTo(16 / 12.0, within(EPS)); // the PLSTM too
        assertThat(onnx.allocBytesPerOp()).isEqualTo(15724.0);
        assertThat(PerformanceReport.peerCell(d, lstm, Impl.ONNX)).isEqualTo("1.60×");
        assertThat(PerformanceReport.peerCell(d, lstm, Impl.TF)).isEqualTo("not run");
        assertThat(PerformanceReport.peerCell(d, plstm, Impl.ONNX)).isEqualTo("1.33×");
        assertThat(PerformanceReport.peerCell(d, onnx, Impl.ONNX)).isEqualTo("—");
        LayerRow training = row(d, Impl.SIMD, Kind.TRAINING, "128x784x1x32", "plstm", 2);
        assertThat(PerformanceReport.peerCell(d, training, Impl.ONNX)).isEqualTo("n/a"); // inference only
        assertThat(d.peersRan()).isTrue();
    }

    @Test
    void kernelsGiveGflopsAndNanosecondsPerUnitStep() throws IOException {
        PerformanceData d = load("ours.json", "machine.json");
        PerformanceData.KernelRow gemm = d.kernels().stream().filter(k -> k.kernel().equals("gateProduct"))
                .findFirst().orElseThrow();
        assertThat(gemm.gflops()).isCloseTo(2.0 * 64 * 4 * 256 * 320 / 1e-3 / 1e9, within(EPS));
        assertThat(d.percentOfPeak(gemm).getAsDouble()).isCloseTo(100 * 41.94304 / 62.5, within(EPS));
        PerformanceData.KernelRow cell = d.kernels().stream().filter(k -> k.kernel().equals("cellUpdate"))
                .findFirst().orElseThrow();
        assertThat(cell.nsPerUnitStep()).isCloseTo(1.0, within(EPS)); // 16384 ns / (64·256)
        assertThat(cell.gflops()).isNaN();
        assertThat(d.others()).singleElement().satisfies(r -> assertThat(r.method()).isEqualTo("something"));
    }

    private static StreamRow stream(PerformanceData d, StreamBench b, int hidden, InferencePath path) {
        return d.stream(b, hidden, path).orElseThrow();
    }

    /** {@code streaming.json}: one stream at H = 128 (4×) and 512 (12.5×); batches at 512 (5×) and 128 (no dense). */
    @Test
    void streamingGivesEventsPerSecondSkippingSpeedUpAndAllocationPerEvent() throws IOException {
        PerformanceData d = load("streaming.json");
        assertThat(d.streams()).hasSize(7);
        assertThat(d.layers()).isEmpty();
        assertThat(d.others()).isEmpty();
        assertThat(d.streamHiddenSizes()).containsExactly(128, 512);

        // one stream: one event per operation, the throughput score is events/s
        StreamRow e = stream(d, StreamBench.SINGLE, 512, InferencePath.EVENT_DRIVEN);
        StreamRow dense = stream(d, StreamBench.SINGLE, 512, InferencePath.DENSE);
        assertThat(e.eventsPerSecond()).isCloseTo(250_000, within(1e-6));
        assertThat(dense.eventsPerSecond()).isCloseTo(20_000, within(1e-6));
        assertThat(d.skippingSpeedup(StreamBench.SINGLE, 512).getAsDouble()).isCloseTo(12.5, within(EPS));
        assertThat(d.skippingSpeedup(StreamBench.SINGLE, 128).getAsDouble()).isCloseTo(4.0, within(EPS));
        assertThat(e.allocBytesPerEvent()).isEqualTo(0.016);
        assertThat(dense.allocBytesPerEvent()).isEqualTo(0.08);

        // batches: 32 × 100 = 3200 events per operation, events/s = 3200 / time
        StreamRow be = stream(d, StreamBench.BATCH, 512, InferencePath.EVENT_DRIVEN);
        StreamRow bd = stream(d, StreamBench.BATCH, 512, InferencePath.DENSE);
        assertThat(StreamBench.BATCH.eventsPerOp()).isEqualTo(3200);
        assertThat(be.secondsPerOp()).isCloseTo(3.2e-3, within(1e-15));
        assertThat(be.eventsPerSecond()).isCloseTo(1_000_000, within(1e-6)); // 3200 / 3.2 ms
        assertThat(bd.eventsPerSecond()).isCloseTo(200_000, within(1e-6)); // 3200 / 16 ms
        assertThat(d.skippingSpeedup(StreamBench.BATCH, 512).getAsDouble()).isCloseTo(5.0, within(EPS));
        assertThat(be.allocBytesPerEvent()).isCloseTo(2.0, within(EPS)); // 6400 B per batch
        assertThat(d.skippingSpeedup(StreamBench.BATCH, 128)).isEmpty(); // dense not run
        assertThat(d.stream(StreamBench.BATCH, 1024, InferencePath.EVENT_DRIVEN)).isEmpty();
    }

    @Test
    void judgesTheStreamingTarget() throws IOException {
        List<JmhResult> results = JmhResult.readAll(fixture("streaming.json"));
        Targets.Target target = Targets.forLevel("native").stream()
                .filter(t -> t.criterion() == Targets.Criterion.MIN_SKIPPING_SPEEDUP).findFirst().orElseThrow();
        assertThat(target.title()).isEqualTo("Streaming, skipping ≥ 10× dense at H=512");
        assertThat(target.goalText()).isEqualTo("≥ 10× dense events/s");

        Outcome pass = Targets.evaluate(PerformanceData.of(results, null), target);
        assertThat(pass.status()).isEqualTo(Status.PASS);
        assertThat(pass.measured()).isCloseTo(12.5, within(EPS));
        assertThat(pass.measuredText()).isEqualTo("12.5×");
        assertThat(pass.detail()).contains("event-driven 250,000, dense 20,000").contains("B=32 batches: 5.00×")
                .contains("20×");

        // the dense path at 512 twice as fast: 250,000 / 40,000 = 6.25× < 10×
        List<JmhResult> slower = results.stream().map(r -> r.simpleClassName().equals("StreamingBenchmark")
                && "512".equals(r.param("hidden")) && "DENSE".equals(r.param("path"))
                ? new JmhResult(r.benchmark(), r.mode(), r.threads(), r.forks(), r.jmhVersion(), r.jdkVersion(),
                        r.vmName(), r.vmVersion(), r.jvmArgs(), r.warmupIterations(), r.warmupTime(),
                        r.measurementIterations(), r.measurementTime(), r.params(), 40_000.0, r.scoreError(),
                        r.scoreUnit(), r.secondary())
                : r).toList();
        Outcome fail = Targets.evaluate(PerformanceData.of(slower, null), target);
        assertThat(fail.status()).isEqualTo(Status.FAIL);
        assertThat(fail.measured()).isCloseTo(6.25, within(EPS));

        // only the event-driven path at 512: not run
        List<JmhResult> half = results.stream().filter(r -> !(r.simpleClassName().equals("StreamingBenchmark")
                && "512".equals(r.param("hidden")) && "DENSE".equals(r.param("path")))).toList();
        assertThat(Targets.evaluate(PerformanceData.of(half, null), target).status()).isEqualTo(Status.NOT_RUN);
    }

    @Test
    void rendersTheStreamingSectionAndTarget() throws IOException {
        String md = PerformanceReport.markdown(load("ours.json", "streaming.json", "machine.json"), null, null,
                "perf");
        assertThat(md).contains("### Event-driven inference (streaming) at `native`")
                .contains("| 512 | 250,000 ± 2.00 % | 20,000 | 12.5× | 0.0160 / 0.0800 | 1.00 M ± 1.00 % (3.20) "
                        + "| 200,000 ± 1.00 % (16.0) | 5.00× | 2.00 / 0.100 |")
                .contains("| 128 | 400,000 ± 2.00 % | 100,000 ± 2.00 % | 4.00× | 0 / 0 | 2.00 M (1.60) | not run "
                        + "| — | 1.00 / — |")
                .contains("| Streaming, skipping ≥ 10× dense at H=512 | `StreamingBenchmark`, B = 1, H = 512, "
                        + "event-driven ÷ dense events/s | ≥ 10× dense events/s | 12.5× | ✅ PASS |")
                .contains("| Streaming, event-driven allocation at H=512 | `StreamingBenchmark.event`, event-driven, "
                        + "H = 512, `gc.alloc.rate.norm` | 0 B/event (< max(1 B, 64 KB/s × time per op)) | 0.0160 B/op | ✅ PASS |")
                .contains("4 pass, 1 fail, 13 not run")
                .contains("the **dense** path updates every unit at every event")
                .contains("the paper's theoretical saving is 20×")
                .doesNotContain("StreamingBenchmark.event |") // not among "Other results"
                .doesNotContain("NaN");
    }

    @Test
    void withoutPeersOrMachineRecordTheReportDegradesGracefully() throws IOException {
        PerformanceData d = load("ours.json");
        assertThat(d.peersRan()).isFalse();
        assertThat(d.peakGflops(1)).isEmpty(); // no lanes, no peak FLOPs
        List<Outcome> o = Targets.evaluate(d, "native");
        Outcome peak = o.stream().filter(x -> x.target().title().equals("Training (b), % of peak")).findFirst()
                .orElseThrow();
        assertThat(peak.status()).isEqualTo(Status.NOT_RUN);
        assertThat(peak.detail()).contains("peak2");
        Outcome ref = o.stream().filter(x -> x.target().title().equals("SIMD vs reference, inference (b)"))
                .findFirst().orElseThrow();
        assertThat(ref.status()).isEqualTo(Status.PASS); // the speed-up over the reference needs no peak
        assertThat(o.stream().filter(x -> x.target().peer() != null))
                .allSatisfy(x -> assertThat(x.status()).isEqualTo(Status.NOT_RUN));
        String md = PerformanceReport.markdown(d, null, null, "perf");
        assertThat(md).contains("Peers (ONNX Runtime, TensorFlow Java, DL4J): **not run**")
                .contains("| not run | not run | not run |")
                .contains("| peers | not run (`jmh/report.sh MODE --peers` runs them: all three at `native`, "
                        + "TensorFlow Java also at `avx2` and `nofma`, held to the level by oneDNN's cap, and ONNX "
                        + "Runtime also at `avx2`, held to it by a copy of its library that never selects its AVX-512 "
                        + "kernels) |")
                .contains("No `machine.json`")
                .contains("| JVM flags | unknown |")
                .contains("_No notes.")
                .doesNotContain("about 37 s"); // no peer figure from elsewhere
    }

    /** Results from before the levels (JMH files directly in the results directory) render as {@code native}. */
    @Test
    void writesMarkdownAndPngAtomicallyWithTheNotesVerbatim() throws IOException {
        Path results = fixture("ours.json", "peers.json", "machine.json");
        Path report = dir.resolve("docs/PERFORMANCE.md");
        Path chart = dir.resolve("docs/performance.png");
        Path notes = dir.resolve("docs/performance-notes.md");
        Files.createDirectories(notes.getParent());
        String noteText = "Training (b) misses 40 % because **reasons** | with a pipe.\n\n- and a list\n";
        Files.writeString(notes, noteText);
        PerformanceReport.write(results, report, chart, notes);

        String md = Files.readString(report, StandardCharsets.UTF_8);
        assertThat(md).contains("# Performance")
                .contains("QUICK RUN: not a measurement")
                .contains("| command | `jmh/report.sh quick --peers` |")
                .contains("## Level `native`")
                .contains("(results from before the levels: read as `native`)")
                .contains("| results | [`../perf/`](../perf) (JMH JSON and `machine.json`; re-render")
                .contains("| [`native`](#level-native) | unknown | unknown | `quick`, 2026-01-02T03:04:05Z | "
                        + "3 pass, 1 fail, 14 not run |")
                .contains(PerformanceReport.NOTES_BEGIN + "\n\n" + noteText.strip() + "\n\n" + PerformanceReport.NOTES_END)
                .contains("![samples/s and % of peak per shape and implementation](performance.png)")
                .contains("| CPU | Test CPU 9000 (AuthenticAMD family 25 model 17 stepping 1) |")
                .contains("| machine | Test CPU 9000 (AuthenticAMD family 25 model 17 stepping 1), ")
                .contains("256 bits, 8 float lanes")
                .contains("### Event-driven inference (streaming) at `native`\n\nNot run")
                .contains("| (a) | 128x784x1x32 | SIMD | plstm | 2 | 25.6 ± 1.00 % | 5,000 | 3.92 M | 12.0 | ")
                .contains("| (b) | 4x100x64x256 | reference | plstm | 1 | 200 | 20.0 | 2,000 | 3,000 | ")
                .contains("| 1,235 |") // alloc B/batch of the training row (1234.5)
                .contains("10000·12·8·2 = 1,920,000")
                .contains("| peak2 | 2 | 30.7 | 125 | 62.5 |")
                .contains("OtherBenchmark.something");
        assertThat(md).doesNotContain("NaN");

        BufferedImage png = ImageIO.read(chart.toFile());
        assertThat(png).isNotNull();
        assertThat(png.getWidth()).isEqualTo(2 * PerformanceChart.PANEL_WIDTH);
        assertThat(png.getHeight()).isEqualTo(2 * PerformanceChart.PANEL_HEIGHT);
        try (Stream<Path> files = Files.list(report.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("PERFORMANCE.md", "performance.png", "performance-notes.md");
        }
    }

    @Test
    void levelsRunInTargetsModeAreMeasurementsOfTheTargetsShapesNotQuickRuns() throws IOException {
        Path results = Fixtures.threeLevels(dir.resolve("docs/perf"));
        setMode(results, "native", "quick", "full");
        setMode(results, "avx2", "quick", "targets");
        setMode(results, "nofma", "quick", "targets");
        Path report = dir.resolve("docs/PERFORMANCE.md");
        PerformanceReport.write(results, report, dir.resolve("docs/performance.png"), null);
        String md = Files.readString(report, StandardCharsets.UTF_8);
        assertThat(md).doesNotContain("not a measurement")
                .contains("> Levels `avx2`, `nofma` ran in `targets` mode: the benchmarks' own warm-up and "
                        + "measurement settings, one fork instead of two, on the shapes and H the targets are judged "
                        + "on ((a), (b), H = 512) only")
                .contains("| [`avx2`](#level-avx2) | `-XX:UseAVX=2` | AVX2, 256-bit, FMA, tile 2x4 | `targets`, ");
    }

    @Test
    void levelsRunInTargetsModeSayWhereTheOtherShapesAre() throws IOException {
        Path results = Fixtures.threeLevels(dir.resolve("docs/perf"));
        for (String level : List.of("native", "avx2", "nofma")) {
            setMode(results, level, "quick", "targets");
        }
        Path report = dir.resolve("docs/PERFORMANCE.md");
        PerformanceReport.write(results, report, dir.resolve("docs/performance.png"), null);
        String md = Files.readString(report, StandardCharsets.UTF_8);
        // no level ran in full mode: the report must not point to one
        assertThat(md).contains("> Levels `native`, `avx2`, `nofma` ran in `targets` mode")
                .contains("no level here ran in `full` mode")
                .doesNotContain("the other shapes are in the levels run in `full` mode");
        // with one full level, it points there
        setMode(results, "native", "targets", "full");
        PerformanceReport.write(results, report, dir.resolve("docs/performance.png"), null);
        assertThat(Files.readString(report, StandardCharsets.UTF_8))
                .contains("the other shapes are in the levels run in `full` mode");
    }

    /** Rewrites a fixture level's run mode in its machine record, checking it had the mode expected. */
    private static void setMode(Path results, String level, String from, String to) throws IOException {
        Path m = results.resolve(level).resolve("machine.json");
        String json = Files.readString(m, StandardCharsets.UTF_8);
        assertThat(json).contains("\"mode\": \"" + from + "\"");
        Files.writeString(m, json.replace("\"mode\": \"" + from + "\"", "\"mode\": \"" + to + "\""));
    }

    @Test
    void aMalformedResultFileIsNamed() throws IOException {
        Path results = Fixtures.threeLevels(dir.resolve("perf"));
        Path bad = results.resolve("native").resolve("x.json");
        Files.writeString(bad, "{not json");
        assertThatThrownBy(() -> PerformanceReport.write(results, dir.resolve("r.md"), dir.resolve("c.png"), null))
                .isInstanceOf(IOException.class).hasMessageStartingWith(bad + ": not valid JSON: ");
    }

    @Test
    void refusesAnEmptyResultsDirectory() throws IOException {
        Path results = fixture("machine.json");
        assertThatThrownBy(() -> PerformanceReport.write(results, dir.resolve("r.md"), dir.resolve("c.png"), null))
                .isInstanceOf(IOException.class).hasMessageContaining("no JMH results");
    }

    @Test
    void rendersOneSectionPerLevelWithItsHeaderTargetsAndTables() throws IOException {
        Path results = Fixtures.threeLevels(dir.resolve("docs/perf"));
        // a level subdirectory wins over files from before the levels, which are then ignored
        Fixtures.copy("ours.json", results.resolve("simd.json"));
        Path report = dir.resolve("docs/PERFORMANCE.md");
        Path chart = dir.resolve("docs/performance.png");
        PerformanceReport.write(results, report, chart, dir.resolve("docs/performance-notes.md"));
        String md = Files.readString(report, StandardCharsets.UTF_8);

        // the summary: one row per level, in the levels' order, linked to its section
        assertThat(md).contains("| levels | [`native`](#level-native) (AVX2, 256-bit, FMA, tile 2x4), "
                        + "[`avx2`](#level-avx2) (AVX2, 256-bit, FMA, tile 2x4), [`nofma`](#level-nofma) (SSE "
                        + "(UseAVX=0), 128-bit, no FMA, tile 2x4, scalar elementwise, scalar time gate) |")
                .contains("| results | [`perf/`](perf) (one subdirectory per level")
                .contains("| [`native`](#level-native) | none | AVX2, 256-bit, FMA, tile 2x4 | `quick`, "
                        + "2026-01-02T03:00:00Z | 16 pass, 2 fail, 0 not run |")
                .contains("| [`avx2`](#level-avx2) | `-XX:UseAVX=2` | AVX2, 256-bit, FMA, tile 2x4 | `quick`, "
                        + "2026-01-02T03:10:00Z | 13 pass, 2 fail, 3 not run |")
                .contains("| [`nofma`](#level-nofma) | `-XX:UseAVX=0` | SSE (UseAVX=0), 128-bit, no FMA, tile 2x4, "
                        + "scalar elementwise, scalar time gate | `quick`, 2026-01-02T03:20:00Z | 11 pass, 1 fail, "
                        + "0 not run |")
                .contains("QUICK RUN: not a measurement");
        assertThat(md.indexOf("## Level `native`")).isPositive()
                .isLessThan(md.indexOf("## Level `avx2`"));
        assertThat(md.indexOf("## Level `avx2`")).isLessThan(md.indexOf("## Level `nofma`"));
        assertThat(md.indexOf("## Level `nofma`")).isLessThan(md.indexOf("## Definitions"));

        String nat = section(md, "## Level `native`");
        String avx2 = section(md, "## Level `avx2`");
        String nofma = section(md, "## Level `nofma`");
        // each header names the CPU, the level, the JVM flags and the kernels' VectorLevel.describe()
        assertThat(nat).contains("| CPU | Test CPU 9000 |")
                .contains("| level | `native`: the JVM's defaults")
                .contains("| JVM flags | none |")
                .contains("| SIMD kernels | AVX2, 256-bit, FMA, tile 2x4 (`VectorLevel.describe()`; level `avx2`) |")
                .contains("| CPU flags | avx512f ✗, avx512dq ✗, avx2 ✓, fma ✓, avx ✓ (`/proc/cpuinfo`) |")
                .contains("| results | [`perf/native/`](perf/native) |")
                .contains("| peers | ONNX Runtime, TensorFlow Java ran in this level's run (their rows are in its "
                        + "tables) |")
                .contains("### Targets at `native`")
                .contains("| Inference (a) vs ONNX Runtime, `plstm`, 2 threads | SIMD inference (a), `plstm`, 2 threads "
                        + "÷ ONNX Runtime (plain LSTM), same shape and threads | ≥ ONNX Runtime's samples/s | 0.800× | "
                        + "❌ FAIL | SIMD 6,400 samples/s, ONNX Runtime 8,000 samples/s |")
                .contains("| Training (a) vs TensorFlow Java | SIMD training (a), `plstm`, 2 threads ÷ TensorFlow Java "
                        + "(plain LSTM), same shape and threads | ≥ 3× TensorFlow Java's samples/s | 5.00× | ✅ PASS | "
                        + "SIMD 5,000 samples/s, TensorFlow Java 1,000 samples/s; plain LSTM: 6.40× |")
                .contains("| Training (b), % of peak | SIMD training (b), `plstm`, 2 threads | ≥ 50 % of peak2 | 60.0 % "
                        + "| ✅ PASS |")
                .contains("| Allocation, kernel `timeGate` | `KernelBenchmark.timeGate`, every shape, "
                        + "`gc.alloc.rate.norm` | 0 B/op (< max(1 B, 64 KB/s × time per op)) | 24.0 B/op | ❌ FAIL |")
                .contains("### Layers at `native`")
                .contains("![samples/s and % of peak per shape and implementation](performance.png)")
                .contains("| (a) | 128x784x1x32 | ONNX Runtime | lstm | 2 | 16.0 | 8,000 |")
                .contains("### Event-driven inference (streaming) at `native`")
                .contains("### Kernels at `native`")
                .contains("| peak2 | 2 | 30.7 | 125 | 62.5 |")
                .contains("- `simd`: `'^org\\.plstm\\.jmh\\.SimdLayerBenchmark\\.' -f 1 -prof gc`")
                .doesNotContain("No hardware FMA");
        // avx2: compared with the native level's peers, whose rows stay in the native section
        assertThat(avx2).contains("| JVM flags | `-XX:UseAVX=2` (every JMH fork: `-jvmArgsAppend`; and the machine "
                        + "probe) |")
                .contains("| peers | ONNX Runtime, TensorFlow Java from the `native` level's run of 2026-01-02T03:00:00Z "
                        + "(native libraries: the JVM flags do not reach them; see the targets for which of them "
                        + "`--peers` holds to this level); their rows are in that level's tables, the `× ONNX`, `× TF` columns here compare "
                        + "against them |")
                .contains("| Inference (b) vs ONNX Runtime, `lstm`, 2 threads |")
                .contains("| 1.56× | ✅ PASS | SIMD 4,000 samples/s, ONNX Runtime 2,560 samples/s (its `native` run: "
                        + "`--peers` at this level would hold it to the level) |")
                .contains("TensorFlow Java 1,000 samples/s (its `native` run: `--peers` at this level would hold it "
                        + "to the level)")
                .contains("| Streaming, skipping ≥ 10× dense at H=512 |")
                .contains("| NOT RUN | no StreamingBenchmark result for hidden=512")
                .contains("| (a) | 128x784x1x32 | SIMD | lstm | 2 | 10.0 | 12,800 | 10.0 M | 4.69 | ")
                .contains("### Event-driven inference (streaming) at `avx2`\n\nNot run")
                .doesNotContain("| ONNX Runtime | lstm |")
                .doesNotContain("PeerLstmBenchmark")
                .doesNotContain("![");
        assertThat(nofma).contains("| SIMD kernels | SSE (UseAVX=0), 128-bit, no FMA")
                .contains("No hardware FMA at this level.** `PeakFlopsBenchmark` multiplies and adds here")
                .contains("| No FMA: SIMD ≥ reference, training (a) | SIMD training (a), `plstm`, 1 thread ÷ the "
                        + "reference (1 thread) | ≥ the reference's samples/s | 400× | ✅ PASS |")
                .contains("10000·12·4·2 = 960,000");
        assertThat(nat + avx2).doesNotContain("No FMA:");
        assertThat(md).contains("- `128` (`-XX:UseAVX=1 -XX:MaxVectorSize=16`): 128-bit vectors")
                .contains("a Vector API fallback (boxed vectors) allocates megabytes per second")
                .doesNotContain("NaN")
                .doesNotContain("OtherBenchmark"); // the flat file next to the levels is ignored

        BufferedImage png = ImageIO.read(chart.toFile());
        assertThat(png).isNotNull(); // the native level's chart
    }

    /** The text of a {@code ## } section, up to the next one. */
    private static String section(String md, String heading) {
        int start = md.indexOf(heading + "\n");
        assertThat(start).as(heading).isNotNegative();
        int end = md.indexOf("\n## ", start + heading.length());
        return md.substring(start, end < 0 ? md.length() : end);
    }

    @Test
    void warnsWhenTheKernelsDidNotRunAtTheLevelAsked() throws IOException {
        Path results = dir.resolve("perf");
        Fixtures.level(results, "avx2", false, false);
        Path machine = results.resolve("avx2/machine.json");
        Files.writeString(machine, Files.readString(machine).replace("\"kernelLevel\" : \"avx2\"",
                "\"kernelLevel\" : \"avx\"").replace("\"kernelLevel\": \"avx2\"", "\"kernelLevel\": \"avx\""));
        List<LevelRun> levels = LevelRun.readAll(results);
        assertThat(levels).singleElement().satisfies(l -> {
            assertThat(l.name()).isEqualTo("avx2");
            assertThat(l.peersLevel()).isNull();
            assertThat(l.machine().kernelLevel()).isEqualTo("avx");
        });
        String md = PerformanceReport.markdown(levels, null, null, "perf");
        assertThat(md).contains("**⚠ The kernels ran at `avx`, not `avx2`:**")
                .contains("| peers | not run")
                .contains("| NOT RUN | ONNX Runtime did not run inference (a) at 1 thread: the peers did not run");
    }

    @Test
    void readsLevelsInTheirOrderAndBorrowsTheNativePeers() throws IOException {
        Path results = dir.resolve("perf");
        Fixtures.level(results, "nofma", false, false);
        Fixtures.level(results, "avx2", false, false);
        Fixtures.level(results, "native", false, true);
        Files.createDirectories(results.resolve("empty")); // no JMH files: not a level
        Fixtures.copy("machine-avx2.json", results.resolve("zz-other/machine.json"));
        Fixtures.copy("level-peak.json", results.resolve("zz-other/peak.json"));
        List<LevelRun> levels = LevelRun.readAll(results);
        assertThat(levels).extracting(LevelRun::name).containsExactly("native", "avx2", "nofma", "zz-other");
        assertThat(levels).extracting(LevelRun::peersLevel).containsOnly("native");
        assertThat(levels).extracting(LevelRun::flat).containsOnly(false);
        assertThat(levels.get(0).data().peersBorrowed()).isFalse();
        PerformanceData avx2 = levels.get(1).data();
        assertThat(avx2.peersBorrowed()).isTrue();
        assertThat(avx2.peersRan()).isTrue();
        assertThat(avx2.ownResults()).noneMatch(PerformanceData::isPeer);
        assertThat(avx2.results()).anyMatch(PerformanceData::isPeer);
        LayerRow tf = avx2.find(Impl.TF, Kind.TRAINING, Case.B, "lstm", 2, 0).orElseThrow();
        assertThat(avx2.percentOfPeak(tf)).isEmpty(); // the peers did not run at this level's flags
        assertThat(levels.get(0).data().percentOfPeak(levels.get(0).data()
                .find(Impl.TF, Kind.TRAINING, Case.B, "lstm", 2, 0).orElseThrow()).getAsDouble())
                .isCloseTo(6.0, within(EPS));
        assertThat(levels.get(1).peersMachine().level()).isEqualTo("native");
        assertThat(levels.get(3).isa()).isEmpty();
        assertThat(IsaLevel.parse("128")).isEqualTo(IsaLevel.V128);
        assertThatThrownBy(() -> IsaLevel.parse("avx512")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("level: expected one of native, avx2, 128, nofma, got 'avx512'");
    }

    /**
     * A level that ran TensorFlow Java held to itself (oneDNN's cap) compares against that run, and against the
     * native level's for the peers it did not run; a level that ran no peer borrows all of them from native, never
     * another level's held run.
     */
    @Test
    void aLevelComparesAgainstItsHeldTensorFlowAndTheNativeRestOfThePeers() throws IOException {
        Path results = Fixtures.threeLevels(dir.resolve("perf"));
        // TensorFlow Java's training at AVX2: 25 % slower than at native
        holdPeersAtAvx2(results, b -> b.endsWith(".trainingTf"), 1.25, "ONEDNN_MAX_CPU_ISA=AVX2");

        List<LevelRun> levels = LevelRun.readAll(results);
        assertThat(levels).extracting(LevelRun::name).containsExactly("native", "avx2", "nofma");
        PerformanceData avx2 = levels.get(1).data();
        assertThat(levels.get(1).machine().peerEnv()).isEqualTo("ONEDNN_MAX_CPU_ISA=AVX2");
        assertThat(levels.get(1).peersLevel()).isEqualTo("native");
        assertThat(avx2.borrowedPeers()).containsExactly(Impl.ONNX);
        assertThat(avx2.borrowed(Impl.TF)).isFalse();
        LayerRow tf = avx2.find(Impl.TF, Kind.TRAINING, Case.A, "lstm", 2, 0).orElseThrow();
        assertThat(tf.secondsPerBatch()).isCloseTo(0.160, within(EPS)); // its own run, not native's 128 ms
        assertThat(avx2.percentOfPeak(tf)).isPresent(); // it ran at this level
        assertThat(avx2.ownResults()).anyMatch(r -> r.method().equals("trainingTf"))
                .noneMatch(r -> r.method().equals("inferenceOnnx"));
        // nofma ran no peer: every one from native, TensorFlow Java's 128 ms, not avx2's held 160
        PerformanceData nofma = levels.get(2).data();
        assertThat(nofma.borrowedPeers()).containsExactly(Impl.ONNX, Impl.TF);
        assertThat(nofma.find(Impl.TF, Kind.TRAINING, Case.A, "lstm", 2, 0).orElseThrow().secondsPerBatch())
                .isCloseTo(0.128, within(EPS));
        assertThat(levels.get(0).data().peersBorrowed()).isFalse();
        assertThat(levels.get(0).peersLevel()).isEqualTo("native");

        String md = section(PerformanceReport.markdown(levels, null, null, "perf"), "## Level `avx2`");
        assertThat(md).contains("| peers | TensorFlow Java ran in this level's run, held to the level with "
                        + "`ONEDNN_MAX_CPU_ISA=AVX2` (oneDNN's cap on the instruction set; TensorFlow Java's LSTM "
                        + "products are oneDNN `sgemm`) (their rows are in its tables); ONNX Runtime from the "
                        + "`native` level's run of 2026-01-02T03:00:00Z")
                .contains("the `× ONNX` columns here compare against them |")
                .contains("| 6.25× | ✅ PASS | SIMD 5,000 samples/s, TensorFlow Java 800 samples/s (held to this "
                        + "level: `ONEDNN_MAX_CPU_ISA=AVX2`); plain LSTM: 8.00× |")
                .contains("| (a) | 128x784x1x32 | TensorFlow Java | lstm | 2 | 160 |") // its rows in its tables
                .doesNotContain("| (a) | 128x784x1x32 | ONNX Runtime |"); // native's rows stay there
    }

    /**
     * A level that ran ONNX Runtime held to itself too ({@code PLSTM_ONNXRUNTIME_ISA}) compares against that run and
     * borrows no peer; its texts say how ONNX Runtime was held.
     */
    @Test
    void aLevelComparesAgainstItsHeldOnnxRuntime() throws IOException {
        Path results = Fixtures.threeLevels(dir.resolve("perf"));
        // every peer benchmark 50 % slower than at native
        holdPeersAtAvx2(results, b -> true, 1.5, "ONEDNN_MAX_CPU_ISA=AVX2 PLSTM_ONNXRUNTIME_ISA=AVX2");

        List<LevelRun> levels = LevelRun.readAll(results);
        PerformanceData avx2 = levels.get(1).data();
        assertThat(avx2.borrowedPeers()).isEmpty();
        LayerRow onnx = avx2.find(Impl.ONNX, Kind.INFERENCE, Case.A, "lstm", 2, 0).orElseThrow();
        assertThat(onnx.secondsPerBatch()).isCloseTo(0.024, within(EPS)); // its own run: native's 16 ms × 1.5
        String full = PerformanceReport.markdown(levels, null, null, "perf");
        String md = section(full, "## Level `avx2`");
        assertThat(md).contains("| peers | ONNX Runtime, TensorFlow Java ran in this level's run, held to the level "
                        + "with `ONEDNN_MAX_CPU_ISA=AVX2 PLSTM_ONNXRUNTIME_ISA=AVX2` (oneDNN's cap on the "
                        + "instruction set; TensorFlow Java's LSTM products are oneDNN `sgemm`; ONNX Runtime loads a "
                        + "copy of its library whose MLAS never selects its AVX-512 kernels, see jmh/PEERS.md) (their "
                        + "rows are in its tables) |")
                .contains("ONNX Runtime 5,333 samples/s (held to this level: `PLSTM_ONNXRUNTIME_ISA=AVX2`)")
                .contains("TensorFlow Java 667 samples/s (held to this level: `ONEDNN_MAX_CPU_ISA=AVX2`)")
                .contains("| (a) | 128x784x1x32 | ONNX Runtime | lstm | 2 | 24.0 |");
        assertThat(full).contains("ONNX Runtime's MLAS has no run-time cap; at `avx2` its inference runs again from a "
                + "copy of its library whose MLAS never selects its AVX-512 kernels (`PLSTM_ONNXRUNTIME_ISA=AVX2`, "
                + "jmh/PEERS.md). DL4J has no cap.");
    }

    /**
     * Gives the {@code avx2} level of {@code results} a peers run of its own: the fixture's native peer results whose
     * benchmark name passes {@code which}, each {@code slower} times slower, and {@code peerEnv} in its machine record.
     */
    private static void holdPeersAtAvx2(Path results, Predicate<String> which, double slower, String peerEnv)
            throws IOException {
        ObjectMapper json = new ObjectMapper();
        ArrayNode held = json.createArrayNode();
        try (InputStream in = Fixtures.class.getResourceAsStream("level-peers.json")) {
            for (JsonNode r : json.readTree(in)) {
                if (which.test(r.get("benchmark").asText())) {
                    ObjectNode c = r.deepCopy();
                    double score = r.at("/primaryMetric/score").asDouble();
                    ((ObjectNode) c.get("primaryMetric")).put("score", score * slower);
                    held.add(c);
                }
            }
        }
        json.writeValue(results.resolve("avx2/peers.json").toFile(), held);
        Path machine = results.resolve("avx2/machine.json");
        String record = Files.readString(machine);
        assertThat(record).contains("\"kernelFma\": true,");
        Files.writeString(machine, record.replace("\"kernelFma\": true,",
                "\"kernelFma\": true, \"peerEnv\": \"" + peerEnv + "\","));
    }

    /** jmh/report.sh spells the levels' flags itself; they must be {@link IsaLevel}'s. */
    @Test
    void reportScriptHasTheLevelsFlags() throws IOException {
        Path script = Path.of("report.sh");
        if (!Files.exists(script)) {
            script = Path.of("jmh/report.sh"); // run from the repository's root
        }
        String sh = Files.readString(script, StandardCharsets.UTF_8);
        for (IsaLevel l : IsaLevel.values()) {
            assertThat(sh).as(l.label()).contains("    " + l.label() + ") echo '" + l.jvmFlags() + "' ;;");
            // and oneDNN's cap on TensorFlow Java (peer_isa), or none where no peer runs
            assertThat(sh).as(l.label() + " peer").contains(l.peerCpuIsa() == null ? "    " + l.label()
                    + ") return 1 ;; # no peer" : "    " + l.label() + ") echo '" + l.peerCpuIsa() + "' ;;");
        }
        // and the levels ONNX Runtime is held to (onnx_isa): only those, the others fall through to 'return 1'
        int start = sh.indexOf("onnx_isa() {");
        String onnx = sh.substring(start, sh.indexOf("\n}\n", start));
        for (IsaLevel l : IsaLevel.values()) {
            String line = "    " + l.label() + ") echo '" + l.onnxIsa() + "' ;;";
            if (l.onnxIsa() == null) {
                assertThat(onnx).as(l.label() + " ONNX Runtime").doesNotContain("    " + l.label() + ")");
            } else {
                assertThat(onnx).as(l.label() + " ONNX Runtime").contains(line);
            }
        }
        assertThat(onnx).contains("    *) return 1 ;;");
    }

    @Test
    void machineRecordRoundTrips() throws IOException {
        MachineInfo m = MachineInfo.read(fixture("machine.json").resolve("machine.json"));
        assertThat(m.lanes()).isEqualTo(8);
        // a record from before the levels
        assertThat(m.level()).isNull();
        assertThat(m.levelName()).isEqualTo("native");
        assertThat(m.kernels()).isNull();
        assertThat(m.kernelFma()).isNull();
        assertThat(m.isaFlags()).isEmpty();
        MachineInfo nofma = MachineInfo.read(fixture("machine-nofma.json").resolve("machine-nofma.json"));
        assertThat(nofma.levelName()).isEqualTo("nofma");
        assertThat(nofma.jvmFlags()).isEqualTo("-XX:UseAVX=0");
        assertThat(nofma.kernelLevel()).isEqualTo("sse");
        assertThat(nofma.kernelFma()).isFalse();
        assertThat(nofma.lanes()).isEqualTo(4);
        assertThat(nofma.isaFlags()).containsExactly(java.util.Map.entry("avx512f", false),
                java.util.Map.entry("avx512dq", false), java.util.Map.entry("avx2", true),
                java.util.Map.entry("fma", true), java.util.Map.entry("avx", true));
        Path nofmaCopy = dir.resolve("nofma-copy.json");
        nofma.finish("2026-01-02T05:00:00Z", "0.1 0.1 0.1").write(nofmaCopy);
        assertThat(MachineInfo.read(nofmaCopy)).isEqualTo(nofma.finish("2026-01-02T05:00:00Z", "0.1 0.1 0.1"));
        assertThat(m.runs()).singleElement().satisfies(r -> assertThat(r.group()).isEqualTo("simd"));
        Path copy = dir.resolve("copy.json");
        m.finish("2026-01-02T04:00:00Z", "0.5 0.5 0.5").write(copy);
        MachineInfo back = MachineInfo.read(copy);
        assertThat(back.finished()).isEqualTo("2026-01-02T04:00:00Z");
        assertThat(back.loadEnd()).isEqualTo("0.5 0.5 0.5");
        assertThat(back.cpuFlags()).containsExactly("avx", "avx2", "fma");
    }

    @Test
    void probeCountsPhysicalCores() {
        List<String> cpuinfo = List.of("processor\t: 0", "physical id\t: 0", "core id\t: 0", "cpu cores\t: 2",
                "processor\t: 1", "physical id\t: 0", "core id\t: 1", "processor\t: 2", "physical id\t: 0",
                "core id\t: 0");
        assertThat(MachineProbe.physicalCores(cpuinfo)).isEqualTo(2);
        assertThat(MachineProbe.physicalCores(List.of("cpu cores\t: 4"))).isEqualTo(4);
        assertThat(MachineProbe.physicalCores(List.of())).isZero();
        assertThat(MachineProbe.field(cpuinfo, "cpu cores")).isEqualTo("2");
        assertThat(MachineProbe.cpuId(List.of("vendor_id\t: AuthenticAMD", "cpu family\t: 25", "model\t\t: 17",
                "model name\t: AMD EPYC", "stepping\t: 1"))).isEqualTo("AuthenticAMD family 25 model 17 stepping 1");
        assertThat(MachineProbe.cpuId(List.of())).isNull();
        assertThat(MachineProbe.isaFlags("fpu sse2 avx avx2 fma avx512f bmi2")).containsExactly(
                java.util.Map.entry("avx512f", true), java.util.Map.entry("avx512dq", false),
                java.util.Map.entry("avx2", true), java.util.Map.entry("fma", true), java.util.Map.entry("avx", true));
        assertThat(MachineProbe.isaFlags(null)).isEmpty();
    }

    @Test
    void formatsNumbers() {
        assertThat(Format.number(15)).isEqualTo("15.0");
        assertThat(Format.plain(15)).isEqualTo("15");
        assertThat(Format.number(14.97)).isEqualTo("15.0");
        assertThat(Format.number(60000)).isEqualTo("60,000");
        assertThat(Format.number(1234.5)).isEqualTo("1,235"); // half up
        assertThat(Format.number(12_345_678)).isEqualTo("12.3 M");
        assertThat(Format.number(2.5e9)).isEqualTo("2.50 G");
        assertThat(Format.number(0.012345)).isEqualTo("0.0123");
        assertThat(Format.number(Double.NaN)).isEqualTo("—");
        assertThat(Format.millis(0.0256, 0.01)).isEqualTo("25.6 ± 1.00 %");
        assertThat(Format.millis(0.2, Double.NaN)).isEqualTo("200");
        assertThat(Format.number(0.5)).isEqualTo("0.500");
    }
}
