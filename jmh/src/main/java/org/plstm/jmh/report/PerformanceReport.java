package org.plstm.jmh.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.plstm.inference.InferencePath;
import org.plstm.io.AtomicFiles;
import org.plstm.jmh.BatchInferenceBenchmark;
import org.plstm.jmh.PeakFlopsBenchmark;
import org.plstm.jmh.report.PerformanceData.Impl;
import org.plstm.jmh.report.PerformanceData.Kind;
import org.plstm.jmh.report.PerformanceData.LayerRow;
import org.plstm.jmh.report.PerformanceData.StreamBench;
import org.plstm.jmh.report.PerformanceData.StreamRow;

/**
 * Renders {@code docs/PERFORMANCE.md} and its chart from a run's saved results: JMH's JSON files and
 * {@code machine.json} in one directory (see {@code jmh/report.sh}, which runs the benchmarks and then this).
 *
 * <pre>
 * java -cp jmh/target/benchmarks.jar org.plstm.jmh.report.PerformanceReport \
 *     [--results docs/perf] [--report docs/PERFORMANCE.md] [--chart docs/performance.png] \
 *     [--notes docs/performance-notes.md]
 * </pre>
 *
 * The chart and the notes default to {@code performance.png} and {@code performance-notes.md} next to the report.
 * The notes file, if it exists, is included verbatim in the targets section (it is where a missed target is
 * explained). Both outputs are written atomically. The metrics are defined in {@link PerformanceData}.
 */
public final class PerformanceReport {
    /** Marks the start of the included notes. */
    public static final String NOTES_BEGIN = "<!-- BEGIN performance-notes.md (included verbatim; edit that file, "
            + "not this block) -->";
    /** Marks the end of the included notes. */
    public static final String NOTES_END = "<!-- END performance-notes.md -->";

    private static final Impl[] PEERS = {Impl.ONNX, Impl.TF, Impl.DL4J};

    private PerformanceReport() {
    }

    /**
     * @param args options, see the class comment
     * @throws IOException if reading or writing fails
     */
    public static void main(String[] args) throws IOException {
        Path results = Path.of("docs/perf");
        Path report = Path.of("docs/PERFORMANCE.md");
        Path chart = null;
        Path notes = null;
        for (int i = 0; i < args.length; i++) {
            if (i + 1 >= args.length) {
                usage("option " + args[i] + " needs a value");
            }
            Path v = Path.of(args[i + 1]);
            switch (args[i]) {
                case "--results" -> results = v;
                case "--report" -> report = v;
                case "--chart" -> chart = v;
                case "--notes" -> notes = v;
                default -> usage("unknown option " + args[i]);
            }
            i++;
        }
        Path dir = report.toAbsolutePath().getParent();
        chart = chart != null ? chart : dir.resolve("performance.png");
        notes = notes != null ? notes : dir.resolve("performance-notes.md");
        write(results, report, chart, notes);
        System.out.println("wrote " + report + " and " + chart);
    }

    /**
     * Reads a run and writes the report and its chart.
     *
     * @param results the directory of JMH's JSON files and {@code machine.json}
     * @param report  the Markdown file to write
     * @param chart   the PNG to write (skipped if there are no layer results)
     * @param notes   the notes to include verbatim, if the file exists
     * @throws IOException if reading or writing fails, or the directory holds no JMH results
     */
    public static void write(Path results, Path report, Path chart, Path notes) throws IOException {
        List<JmhResult> all = JmhResult.readAll(results);
        if (all.isEmpty()) {
            throw new IOException("no JMH results (*.json arrays) in " + results);
        }
        Path machineFile = results.resolve("machine.json");
        MachineInfo machine = Files.isRegularFile(machineFile) ? MachineInfo.read(machineFile) : null;
        PerformanceData data = PerformanceData.of(all, machine);
        String notesText = notes != null && Files.isRegularFile(notes)
                ? Files.readString(notes, StandardCharsets.UTF_8) : null;
        Path reportDir = report.toAbsolutePath().getParent();
        String chartLink = null;
        if (!data.layers().isEmpty()) {
            PerformanceChart.write(data, chart);
            chartLink = reportDir.relativize(chart.toAbsolutePath()).toString().replace('\\', '/');
        }
        String resultsLink = reportDir.relativize(results.toAbsolutePath()).toString().replace('\\', '/');
        AtomicFiles.writeString(report, markdown(data, notesText, chartLink, resultsLink));
    }

    /**
     * The report as Markdown.
     *
     * @param data        the run
     * @param notes       the notes file's content, or null if there is none
     * @param chartLink   the chart's path relative to the report, or null for no chart
     * @param resultsLink the results directory relative to the report
     * @return the Markdown
     */
    public static String markdown(PerformanceData data, String notes, String chartLink, String resultsLink) {
        StringBuilder md = new StringBuilder();
        MachineInfo m = data.machine();
        String mode = m == null || m.mode() == null ? "unknown" : m.mode();
        md.append("# Performance\n\n");
        md.append("<!-- Generated by org.plstm.jmh.report.PerformanceReport (jmh/report.sh); do not edit by hand. "
                + "-->\n\n");
        if (!mode.equals("full")) {
            md.append("> **⚠ ").append(mode.toUpperCase(Locale.ROOT)).append(" RUN: not a measurement.** ")
                    .append("This report comes from `").append(mode).append("` mode: far fewer and shorter ")
                    .append("iterations than the benchmarks' own settings, and only some shapes. It shows that the ")
                    .append("tooling works; its numbers are rough. The real report is a `full` run.\n\n");
        }
        md.append("| | |\n|---|---|\n");
        md.append("| date | ").append(m == null ? "unknown" : m.started())
                .append(m != null && m.finished() != null ? " to " + m.finished() : "").append(" |\n");
        md.append("| command | ").append(m == null || m.command() == null ? "unknown" : code(m.command()))
                .append(" |\n");
        md.append("| mode | `").append(mode).append("` |\n");
        if (m != null && m.commit() != null) {
            md.append("| commit | `").append(m.commit()).append("` |\n");
        }
        md.append("| machine | ").append(machineLine(m)).append(" |\n");
        md.append("| results | [`").append(resultsLink).append("/`](").append(resultsLink)
                .append(") (JMH JSON and `machine.json`; re-render with `jmh/report.sh render`) |\n\n");

        targets(md, data, notes);
        throughput(md, data, chartLink);
        streaming(md, data);
        kernels(md, data);
        peak(md, data);
        machine(md, data);
        definitions(md);
        others(md, data);
        return md.toString();
    }

    private static void targets(StringBuilder md, PerformanceData data, String notes) {
        List<Targets.Outcome> outcomes = Targets.evaluate(data);
        md.append("## Targets\n\n");
        md.append("**").append(Targets.summary(outcomes)).append(".** Each target is judged on the SIMD engine ")
                .append("running the Phased LSTM (`model=plstm`); the plain LSTM (`model=lstm`, what the peers ")
                .append("run) is shown next to it. Epochs are 60,000 samples. The speed-up over the reference is ")
                .append("judged like for like, on one SIMD thread (the reference is single-threaded). The streaming ")
                .append("target compares the event-driven inference path with the dense one on one stream (see ")
                .append("[Event-driven inference](#event-driven-inference-streaming)).\n\n");
        md.append("| target | judged on | goal | measured | result | also | peer |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (Targets.Outcome o : outcomes) {
            md.append("| ").append(o.target().title()).append(" | ").append(o.target().judgedOn()).append(" | ")
                    .append(o.target().goalText()).append(" | ").append(o.measuredText()).append(" | ")
                    .append(Targets.statusText(o.status())).append(" | ").append(cell(o.detail())).append(" | ")
                    .append(cell(o.peerText())).append(" |\n");
        }
        md.append("\n### Notes on the targets\n\n");
        if (notes != null) {
            md.append(NOTES_BEGIN).append("\n\n").append(notes.strip()).append("\n\n").append(NOTES_END)
                    .append("\n\n");
        } else {
            md.append("_No notes. If a target is missed, explain why in `docs/performance-notes.md`: the renderer ")
                    .append("includes that file here verbatim._\n\n");
        }
    }

    private static void throughput(StringBuilder md, PerformanceData data, String chartLink) {
        md.append("## Layers\n\n");
        if (data.layers().isEmpty()) {
            md.append("No layer benchmarks in this run.\n\n");
            return;
        }
        if (chartLink != null) {
            md.append("![samples/s and % of peak per shape and implementation](").append(chartLink)
                    .append(")\n\n");
        }
        md.append("One operation is one batch. `× ref` is the speed-up in samples/s over the reference on the same ")
                .append("`T×I×H` and model (the reference runs smaller batches); `× ONNX`, `× TF`, `× DL4J` are ")
                .append("our plain-LSTM samples/s over the peer's at the same shape and thread count (above 1: we are ")
                .append("faster). `alloc` is JMH's `gc.alloc.rate.norm` (bytes allocated per batch, `-prof gc`). ")
                .append("Time: JMH's score ± the half-width of its 99.9 % confidence interval, where there were ")
                .append("enough iterations for one.\n\n");
        if (!data.peersRan()) {
            md.append("Peers (ONNX Runtime, TensorFlow Java, DL4J): **not run** (`jmh/report.sh MODE --peers` ")
                    .append("runs them).\n\n");
        }
        for (Kind kind : Kind.values()) {
            List<LayerRow> rows = data.layers().stream().filter(r -> r.kind() == kind).toList();
            if (rows.isEmpty()) {
                continue;
            }
            md.append("### ").append(kind == Kind.INFERENCE ? "Inference" : "Training (forward + backward)")
                    .append("\n\n");
            md.append("| case | shape | implementation | model | threads | ms/batch | samples/s | steps/s | ")
                    .append("s/epoch | GFLOP/s | % peak | × ref | × ONNX | × TF | × DL4J | alloc B/batch |\n");
            md.append("|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
            for (LayerRow r : rows) {
                md.append("| ").append(r.kase().letter()).append(" | ").append(r.shape()).append(" | ")
                        .append(r.impl().label()).append(" | ").append(r.model()).append(" | ")
                        .append(r.threads()).append(" | ").append(Format.millis(r.secondsPerBatch(),
                                r.relativeError())).append(" | ")
                        .append(Format.number(r.samplesPerSecond())).append(" | ")
                        .append(Format.number(r.stepsPerSecond())).append(" | ")
                        .append(Format.number(r.epochSeconds())).append(" | ")
                        .append(Format.number(r.gflops())).append(" | ")
                        .append(Format.number(data.percentOfPeak(r))).append(" | ")
                        .append(r.impl() == Impl.REFERENCE ? "1×" : Format.times(data.speedupOverReference(r)));
                for (Impl peer : PEERS) {
                    md.append(" | ").append(peerCell(data, r, peer));
                }
                md.append(" | ").append(r.allocBytesPerOp() == null ? "—" : Format.number(r.allocBytesPerOp()))
                        .append(" |\n");
            }
            md.append('\n');
        }
    }

    /** A peer column: only our plain-LSTM rows are compared; "not run" if the peer has no matching result. */
    static String peerCell(PerformanceData data, LayerRow row, Impl peer) {
        if (row.impl() != Impl.SIMD || !row.model().equals("lstm")) {
            return "—";
        }
        if (!PerformanceData.supports(peer, row.kind())) {
            return "n/a";
        }
        OptionalDouble r = data.ratioOver(row, peer);
        return r.isPresent() ? Format.times(r) : "not run";
    }

    private static void streaming(StringBuilder md, PerformanceData data) {
        md.append("## Event-driven inference (streaming)\n\n");
        if (data.streams().isEmpty()) {
            md.append("Not run (`StreamingBenchmark`, `BatchInferenceBenchmark`: the `streaming` group of ")
                    .append("`jmh/report.sh`).\n\n");
            return;
        }
        md.append("One Phased LSTM layer (initialized, not trained) on streams of events (I = 16, time gate as the ")
                .append("paper advises: ")
                .append("`ratioOn = 0.05`, periods `exp(U(1, 6))`, irregular event times). **Dense**: every unit at ")
                .append("every event. **Event-driven**: only the units whose time gate is open (`k > 0`), about 5 % ")
                .append("of them; closed units keep their state. `× skip` = event-driven events/s ÷ dense events/s ")
                .append("(the paper's theoretical saving at `ratioOn = 0.05` is 20×). One stream: ")
                .append("`StreamingBenchmark`, B = 1, one event per operation, 1 thread. Batches: ")
                .append("`BatchInferenceBenchmark`, one operation = B = ").append(BatchInferenceBenchmark.STREAMS)
                .append(" streams × T = ").append(BatchInferenceBenchmark.EVENTS).append(" events, events/s = ")
                .append(BatchInferenceBenchmark.EVENTS_PER_BATCH).append(" ÷ time (engine threads: ")
                .append("`-Dplstm.threads=2`). `alloc B/event` = `gc.alloc.rate.norm` ÷ events per operation ")
                .append("(`-prof gc`).\n\n");
        md.append("| H | 1 stream: event-driven events/s | dense events/s | × skip | alloc B/event ")
                .append("(event-driven / dense) | B=").append(BatchInferenceBenchmark.STREAMS)
                .append(" batches: event-driven events/s (ms/batch) | dense events/s (ms/batch) | × skip | ")
                .append("alloc B/event (event-driven / dense) |\n");
        md.append("|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        for (int h : data.streamHiddenSizes()) {
            md.append("| ").append(h);
            for (StreamBench b : StreamBench.values()) {
                Optional<StreamRow> e = data.stream(b, h, InferencePath.EVENT_DRIVEN);
                Optional<StreamRow> d = data.stream(b, h, InferencePath.DENSE);
                md.append(" | ").append(eventsCell(e)).append(" | ").append(eventsCell(d)).append(" | ")
                        .append(Format.times(data.skippingSpeedup(b, h))).append(" | ").append(allocCell(e))
                        .append(" / ").append(allocCell(d));
            }
            md.append(" |\n");
        }
        md.append('\n');
    }

    /** Events/s ± JMH's error; for batches also the time per batch; {@code not run} if missing. */
    static String eventsCell(Optional<StreamRow> row) {
        if (row.isEmpty()) {
            return "not run";
        }
        StreamRow r = row.get();
        String s = Format.number(r.eventsPerSecond());
        if (Double.isFinite(r.relativeError())) {
            s += " ± " + Format.number(100 * Math.abs(r.relativeError())) + " %";
        }
        if (r.bench() == StreamBench.BATCH) {
            s += " (" + Format.number(r.secondsPerOp() * 1e3) + ")";
        }
        return s;
    }

    private static String allocCell(Optional<StreamRow> row) {
        return row.map(StreamRow::allocBytesPerEvent).map(Format::number).orElse("—");
    }

    private static void kernels(StringBuilder md, PerformanceData data) {
        md.append("## Kernels (SIMD, one thread, one step of a batch per operation)\n\n");
        if (data.kernels().isEmpty()) {
            md.append("Not run.\n\n");
            return;
        }
        md.append("`gateProduct`: the gate matrix product `[B][I+H] × [I+H][4H]`, `2·B·4H·(I+H)` FLOPs per ")
                .append("operation, % of `peak1`. `cellUpdate` (gates, cell, time gate, state) and `timeGate` ")
                .append("(phase and openness): ns per unit-step, time ÷ `B·H`.\n\n");
        md.append("| shape | kernel | µs/op | GFLOP/s | % peak1 | ns/unit-step | alloc B/op |\n");
        md.append("|---|---|--:|--:|--:|--:|--:|\n");
        for (PerformanceData.KernelRow k : data.kernels()) {
            boolean gemm = k.flops() > 0;
            md.append("| ").append(PerformanceData.Case.of(k.shape()).letter()).append(' ').append(k.shape())
                    .append(" | ").append(k.kernel()).append(" | ")
                    .append(Format.number(k.secondsPerOp() * 1e6))
                    .append(Double.isFinite(k.relativeError())
                            ? " ± " + Format.number(100 * Math.abs(k.relativeError())) + " %" : "")
                    .append(" | ").append(gemm ? Format.number(k.gflops()) : "—").append(" | ")
                    .append(Format.number(data.percentOfPeak(k))).append(" | ")
                    .append(gemm ? "—" : Format.number(k.nsPerUnitStep())).append(" | ")
                    .append(k.allocBytesPerOp() == null ? "—" : Format.number(k.allocBytesPerOp())).append(" |\n");
        }
        md.append('\n');
    }

    private static void peak(StringBuilder md, PerformanceData data) {
        md.append("## Peak (`PeakFlopsBenchmark`)\n\n");
        MachineInfo m = data.machine();
        int lanes = m == null ? 0 : m.lanes();
        md.append("12 independent vector FMA chains, no memory traffic. FLOPs per operation = `ITERATIONS·12·lanes·2`")
                .append(" = ").append(PeakFlopsBenchmark.ITERATIONS).append("·12·")
                .append(lanes > 0 ? String.valueOf(lanes) : "?").append("·2")
                .append(lanes > 0 ? String.format(Locale.ROOT, " = %,d", PeakFlopsBenchmark.ITERATIONS * 12L * lanes * 2) : "")
                .append(" (lanes from the machine record). With `n` JMH threads, GFLOP/s = `n·FLOPs ÷ t` (JMH's ")
                .append("average time is per thread).\n\n");
        if (data.peaks().isEmpty()) {
            md.append("Not run: no % of peak in this report.\n\n");
            return;
        }
        md.append("| benchmark | threads | µs/op | GFLOP/s | GFLOP/s per thread |\n|---|--:|--:|--:|--:|\n");
        for (PerformanceData.PeakRow p : data.peaks().values()) {
            md.append("| ").append(p.method()).append(" | ").append(p.threads()).append(" | ")
                    .append(Format.number(p.secondsPerOp() * 1e6)).append(" | ").append(Format.number(p.gflops()))
                    .append(" | ").append(Format.number(p.gflops() / p.threads())).append(" |\n");
        }
        md.append('\n');
    }

    private static void machine(StringBuilder md, PerformanceData data) {
        MachineInfo m = data.machine();
        md.append("## Machine and settings\n\n");
        if (m == null) {
            md.append("No `machine.json` in the results: machine unknown.\n\n");
        } else {
            md.append("| | |\n|---|---|\n");
            md.append("| CPU | ").append(cell(m.cpuModel()))
                    .append(m.cpuId() == null ? "" : " (" + cell(m.cpuId()) + ")").append(" |\n");
            md.append("| cores | ").append(m.logicalCpus()).append(" logical processors")
                    .append(m.physicalCores() > 0 ? ", " + m.physicalCores() + " physical cores" : "")
                    .append(m.cpuMhz() != null ? ", " + m.cpuMhz() + " MHz (as `/proc/cpuinfo` reports it)" : "")
                    .append(" |\n");
            md.append("| SIMD flags | ").append(m.cpuFlags().isEmpty() ? "—" : String.join(", ", m.cpuFlags()))
                    .append(" |\n");
            md.append("| vector width | ").append(m.vectorBits()).append(" bits, ").append(m.lanes())
                    .append(" float lanes (`SimdEngine.vectorBitSize()`) |\n");
            if (m.memTotalKb() > 0) {
                md.append("| memory | ").append(Format.number(Math.round(m.memTotalKb() / 1024.0 / 1024.0 * 10)
                        / 10.0)).append(" GiB |\n");
            }
            md.append("| OS | ").append(cell(m.os())).append(" |\n");
            md.append("| JDK | ").append(cell(m.javaVersion())).append(", ").append(cell(m.javaVm())).append(", ")
                    .append(cell(m.javaVendor())).append(" |\n");
            md.append("| load average (1, 5, 15 min) | start ").append(m.loadStart() == null ? "?" : m.loadStart())
                    .append(", end ").append(m.loadEnd() == null ? "?" : m.loadEnd())
                    .append(" (the machine is shared: a load above 0 means others were running) |\n\n");
        }
        Set<String> jdks = new LinkedHashSet<>();
        Set<String> jmh = new LinkedHashSet<>();
        for (JmhResult r : data.results()) {
            jdks.add(r.jdkVersion() + " (" + r.vmName() + " " + r.vmVersion() + ")");
            jmh.add(r.jmhVersion());
        }
        md.append("Benchmark JVMs: ").append(String.join(", ", jdks)).append("; JMH ").append(String.join(", ", jmh))
                .append(".\n\n");
        md.append("JMH settings as run (per benchmark class; JVM arguments without repeats):\n\n");
        md.append("| benchmark | mode | forks | warm-up | measurement | JMH threads | JVM args |\n");
        md.append("|---|---|--:|---|---|--:|---|\n");
        Map<String, String> rows = new LinkedHashMap<>();
        for (JmhResult r : data.results()) {
            String warm = r.mode().equals("ss") ? shots(r.warmupIterations())
                    : r.warmupIterations() + " × " + r.warmupTime();
            String meas = r.mode().equals("ss") ? shots(r.measurementIterations())
                    : r.measurementIterations() + " × " + r.measurementTime();
            String key = r.simpleClassName() + "|" + r.mode() + "|" + r.forks() + "|" + warm + "|" + meas + "|"
                    + r.threads();
            rows.putIfAbsent(key, "| " + r.simpleClassName() + " | " + r.mode() + " | " + r.forks() + " | " + warm
                    + " | " + meas + " | " + r.threads() + " | " + code(String.join(" ", new LinkedHashSet<>(r.jvmArgs())))
                    + " |\n");
        }
        rows.values().forEach(md::append);
        md.append('\n');
        if (m != null && !m.runs().isEmpty()) {
            md.append("JMH invocations (arguments after `java -jar benchmarks.jar`):\n\n");
            for (MachineInfo.Run run : m.runs()) {
                md.append("- `").append(run.group()).append("`: ").append(code(run.args())).append('\n');
            }
            md.append('\n');
        }
    }

    private static void definitions(StringBuilder md) {
        md.append("## Definitions\n\n");
        md.append("""
                - A layer benchmark's operation is one batch of shape `B×T×I×H` (batch, steps, inputs, hidden \
                units); `t` is its time (JMH's score).
                - FLOPs = `Shape.flops(training)` = `2·B·4H·(I+H)·T` (the gate matrix products), × 3 for training \
                (forward, `dh`/`dx`, weight gradients). The time gate and the element-wise work are not counted.
                - GFLOP/s = FLOPs ÷ `t`.
                - % of peak = GFLOP/s ÷ the peak GFLOP/s of `PeakFlopsBenchmark` in the same run: `peak1` for \
                1-thread rows, `peak2` for 2-thread rows. The peak's FLOPs per operation are \
                `PeakFlopsBenchmark.flopsPerOp()` at the run's vector width: `ITERATIONS·12·lanes·2`.
                - samples/s = `B ÷ t`; sequence-steps/s = `B·T ÷ t`; seconds per epoch = `60000 ÷ samples/s`.
                - Speed-up over the reference (`× ref`) = samples/s ÷ the reference's samples/s on the same \
                `(T, I, H)` and model: the reference runs smaller batches of the same sequences \
                (`ReferenceLayerBenchmark`'s `@Param`).
                - Ratio against a peer (`× ONNX`, `× TF`, `× DL4J`) = our samples/s ÷ the peer's, same shape, \
                thread count and kind. The peers run a plain LSTM, so only our `model=lstm` rows are compared; our \
                `plstm` rows are the Phased LSTM (time gate on).
                - Kernels: `gateProduct` GFLOP/s with `2·B·4H·(I+H)` FLOPs per operation; `cellUpdate` and \
                `timeGate` in ns per unit-step = `t ÷ (B·H)`.
                - `alloc`: `gc.alloc.rate.norm` from JMH's `-prof gc`, bytes allocated per operation.
                - Event-driven inference (streaming): the **dense** path updates every unit at every event (for \
                one stream, the engine's blocked gate product for one sample: memory-bound at B = 1, because the \
                weights are read again at every event); the **event-driven** path computes only the units whose \
                time gate is open (`k > 0`): with `ratioOn = 0.05` about 5 % of the units, so the paper's \
                theoretical saving is 20×. events/s = events per operation ÷ `t`: `StreamingBenchmark` has one \
                event per operation (its score is events/s), `BatchInferenceBenchmark` has \
                B·T = 32 × 100 = 3200 (events/s = `3200 ÷ t`). Skipping speed-up (`× skip`) = event-driven \
                events/s ÷ dense events/s, same benchmark and `H`. alloc B/event = `gc.alloc.rate.norm` ÷ events \
                per operation.
                - Threads: the engine's worker threads for SIMD (`@Param threads`) and the peers' intra-op \
                threads; the reference is single-threaded.

                """);
    }

    private static void others(StringBuilder md, PerformanceData data) {
        if (data.others().isEmpty()) {
            return;
        }
        md.append("## Other results\n\n| benchmark | params | score |\n|---|---|--:|\n");
        for (JmhResult r : data.others()) {
            List<String> p = new ArrayList<>();
            r.params().forEach((k, v) -> p.add(k + "=" + v));
            md.append("| ").append(r.simpleClassName()).append('.').append(r.method()).append(" | ")
                    .append(String.join(", ", p)).append(" | ").append(Format.number(r.score())).append(' ')
                    .append(r.scoreUnit()).append(" |\n");
        }
        md.append('\n');
    }

    private static String shots(int n) {
        return n + (n == 1 ? " single shot" : " single shots");
    }

    private static String machineLine(MachineInfo m) {
        if (m == null) {
            return "unknown";
        }
        return cell(m.cpuModel()) + ", " + m.logicalCpus() + " logical processors"
                + (m.physicalCores() > 0 ? " (" + m.physicalCores() + " cores)" : "") + ", JDK " + m.javaVersion()
                + ", " + m.vectorBits() + "-bit vectors";
    }

    /** Inline code for a table cell: backticks and pipes escaped. */
    private static String code(String s) {
        if (s == null || s.isEmpty()) {
            return "—";
        }
        return "`" + s.replace("`", "'").replace("|", "\\|") + "`";
    }

    private static String cell(String s) {
        if (s == null || s.isEmpty()) {
            return "—";
        }
        return s.replace("|", "\\|").replace("\n", " ");
    }

    private static void usage(String problem) {
        System.err.println("PerformanceReport: " + problem + "\nusage: PerformanceReport [--results DIR] "
                + "[--report FILE] [--chart FILE] [--notes FILE]");
        System.exit(2);
    }
}
