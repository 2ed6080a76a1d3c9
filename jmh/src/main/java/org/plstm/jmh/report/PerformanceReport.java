package org.plstm.jmh.report;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.Callable;
import org.plstm.inference.InferencePath;
import org.plstm.io.AtomicFiles;
import org.plstm.jmh.BatchInferenceBenchmark;
import org.plstm.jmh.PeakFlopsBenchmark;
import org.plstm.jmh.report.PerformanceData.Impl;
import org.plstm.jmh.report.PerformanceData.Kind;
import org.plstm.jmh.report.PerformanceData.LayerRow;
import org.plstm.jmh.report.PerformanceData.StreamBench;
import org.plstm.jmh.report.PerformanceData.StreamRow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Renders {@code docs/PERFORMANCE.md} and its chart from saved results: one subdirectory of the results directory
 * per instruction level ({@link IsaLevel}; JMH's JSON files and {@code machine.json} in each; see {@link LevelRun}
 * and {@code jmh/report.sh}, which runs the benchmarks and then this).
 *
 * <pre>
 * java -cp jmh/target/benchmarks.jar org.plstm.jmh.report.PerformanceReport \
 *     [--results docs/perf] [--report docs/PERFORMANCE.md] [--chart docs/performance.png] \
 *     [--notes docs/performance-notes.md]
 * </pre>
 *
 * The report has a summary of the targets per level, then one section per level: its header (CPU, level, JVM
 * flags, what the SIMD kernels ran at), its targets, and its layer, streaming, kernel, peak and settings tables.
 * The chart (one PNG) shows the first level that has layer results, {@code native} when it ran. The chart and the
 * notes default to {@code performance.png} and {@code performance-notes.md} next to the report. The notes file, if
 * it exists, is included verbatim after the targets summary (it is where a missed target is explained). Both
 * outputs are written atomically. The metrics are defined in {@link PerformanceData}, the targets in
 * {@link Targets}. Exit codes: 0 written, 1 reading or writing failed, 2 a bad command line (one line on standard
 * error, naming the option); {@code --help} prints the usage.
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
     * Runs the command line and exits the JVM with its exit code.
     *
     * @param args options, see the class comment
     */
    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * Runs the command line without exiting (for tests).
     *
     * @param args options, see the class comment
     * @param out  standard output (help, the files written)
     * @param err  standard error (errors)
     * @return the exit code: 0, 1 (I/O failure) or 2 (usage)
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return Cli.run(new ReportCommand(), args, out, err);
    }

    /** The command line. */
    @Command(name = "PerformanceReport", sortOptions = false,
            description = {"Renders the performance report (Markdown) and its chart (PNG) from saved JMH results: "
                    + "one subdirectory of --results per instruction level (native, avx2, 128, nofma), each with "
                    + "JMH's JSON files and machine.json, as jmh/report.sh writes them."},
            footer = {"", "Exit codes: 0 written, 1 reading or writing failed, 2 bad command line."})
    static final class ReportCommand implements Callable<Integer> {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;

        @Option(names = "--results", paramLabel = "DIR", defaultValue = "docs/perf",
                description = "The results: one subdirectory per level. Default: ${DEFAULT-VALUE}.")
        Path results;

        @Option(names = "--report", paramLabel = "FILE", defaultValue = "docs/PERFORMANCE.md",
                description = "The Markdown report to write. Default: ${DEFAULT-VALUE}.")
        Path report;

        @Option(names = "--chart", paramLabel = "FILE",
                description = "The chart to write. Default: performance.png next to the report.")
        Path chart;

        @Option(names = "--notes", paramLabel = "FILE",
                description = "Notes included verbatim, if the file exists. Default: performance-notes.md next to "
                        + "the report.")
        Path notes;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            Path dir = report.toAbsolutePath().getParent();
            Path c = chart != null ? chart : dir.resolve("performance.png");
            Path n = notes != null ? notes : dir.resolve("performance-notes.md");
            write(results, report, c, n);
            spec.commandLine().getOut().println("wrote " + report + " and " + c);
            return Cli.OK;
        }
    }

    /**
     * Reads the levels of a results directory ({@link LevelRun#readAll(Path)}) and writes the report and its chart.
     *
     * @param results the results directory: one subdirectory per level (or, the layout before the levels, JMH's
     *                JSON files and {@code machine.json} directly, read as {@code native})
     * @param report  the Markdown file to write
     * @param chart   the PNG to write (skipped if no level has layer results)
     * @param notes   the notes to include verbatim, if the file exists
     * @throws IOException if reading or writing fails, or the directory holds no JMH results
     */
    public static void write(Path results, Path report, Path chart, Path notes) throws IOException {
        List<LevelRun> levels = LevelRun.readAll(results);
        String notesText = notes != null && Files.isRegularFile(notes)
                ? Files.readString(notes, StandardCharsets.UTF_8) : null;
        Path reportDir = report.toAbsolutePath().getParent();
        String chartLink = null;
        Optional<LevelRun> charted = chartLevel(levels);
        if (charted.isPresent()) {
            PerformanceChart.write(charted.get().data(), chart);
            chartLink = reportDir.relativize(chart.toAbsolutePath()).toString().replace('\\', '/');
        }
        String resultsLink = reportDir.relativize(results.toAbsolutePath()).toString().replace('\\', '/');
        AtomicFiles.writeString(report, markdown(levels, notesText, chartLink, resultsLink));
    }

    /**
     * @param levels the levels, in the report's order
     * @return the level the chart shows: the first with layer results
     */
    static Optional<LevelRun> chartLevel(List<LevelRun> levels) {
        return levels.stream().filter(l -> !l.data().layers().isEmpty()).findFirst();
    }

    /**
     * The report of one data set as Markdown: one level, named by its machine record ({@code native} without one).
     *
     * @param data        the run
     * @param notes       the notes file's content, or null if there is none
     * @param chartLink   the chart's path relative to the report, or null for no chart
     * @param resultsLink the results directory relative to the report
     * @return the Markdown
     */
    public static String markdown(PerformanceData data, String notes, String chartLink, String resultsLink) {
        String name = data.machine() == null ? IsaLevel.NATIVE.label() : data.machine().levelName();
        return markdown(List.of(LevelRun.of(name, data)), notes, chartLink, resultsLink);
    }

    /**
     * The report as Markdown.
     *
     * @param levels      the levels, in the report's order (at least one)
     * @param notes       the notes file's content, or null if there is none
     * @param chartLink   the chart's path relative to the report (the chart of {@link #chartLevel(List)}), or null
     *                    for no chart
     * @param resultsLink the results directory relative to the report
     * @return the Markdown
     * @throws IllegalArgumentException if there is no level
     */
    public static String markdown(List<LevelRun> levels, String notes, String chartLink, String resultsLink) {
        if (levels.isEmpty()) {
            throw new IllegalArgumentException("levels: expected at least one level, got none");
        }
        StringBuilder md = new StringBuilder();
        md.append("# Performance\n\n");
        md.append("<!-- Generated by org.plstm.jmh.report.PerformanceReport (jmh/report.sh); do not edit by hand. "
                + "-->\n\n");
        Set<String> roughModes = new LinkedHashSet<>();
        List<String> targetsOnly = new ArrayList<>();
        for (LevelRun l : levels) {
            String mode = mode(l.machine());
            if (mode.equals("targets")) {
                targetsOnly.add("`" + l.name() + "`");
            } else if (!mode.equals("full")) {
                roughModes.add(mode);
            }
        }
        if (!roughModes.isEmpty()) {
            String modes = String.join(" / ", roughModes);
            md.append("> **⚠ ").append(modes.toUpperCase(Locale.ROOT)).append(" RUN: not a measurement.** ")
                    .append("This report comes from `").append(String.join("`, `", roughModes)).append("` mode")
                    .append(levels.size() > 1 ? " (at least one level)" : "").append(": far fewer and shorter ")
                    .append("iterations than the benchmarks' own settings, and only some shapes. It shows that the ")
                    .append("tooling works; its numbers are rough, and so are its verdicts: with warm-ups this short ")
                    .append("the kernels may not yet run as C2 code, and the Vector API's interpreted and C1 code ")
                    .append("allocates every vector, so allocation targets can FAIL here that pass in a real run. ")
                    .append("The real report is a `targets` or `full` run.\n\n");
        }
        if (!targetsOnly.isEmpty()) {
            md.append("> ").append(targetsOnly.size() == 1 ? "Level " : "Levels ")
                    .append(String.join(", ", targetsOnly)).append(" ran")
                    .append(" in `targets` mode: the benchmarks' own warm-up and measurement settings, one fork ")
                    .append("instead of two, on the shapes and H the targets are judged on ((a), (b), H = 512) only; ")
                    .append(levels.stream().anyMatch(l -> mode(l.machine()).equals("full"))
                            ? "the other shapes are in the levels run in `full` mode.\n\n"
                            : "no level here ran in `full` mode, so the other shapes (c), (d) and the other H are not "
                                    + "in this report (`jmh/report.sh full` measures them).\n\n");
        }
        md.append("| | |\n|---|---|\n");
        md.append("| machine | ").append(machineLine(levels.get(0).machine())).append(" |\n");
        md.append("| levels | ");
        List<String> links = new ArrayList<>();
        for (LevelRun l : levels) {
            links.add(levelLink(l) + (l.machine() != null && l.machine().kernels() != null
                    ? " (" + cell(l.machine().kernels()) + ")" : ""));
        }
        md.append(String.join(", ", links)).append(" |\n");
        md.append("| results | [`").append(resultsLink).append("/`](").append(resultsLink).append(") (")
                .append(levels.stream().allMatch(LevelRun::flat) ? "JMH JSON and `machine.json`"
                        : "one subdirectory per level, each with JMH JSON and `machine.json`")
                .append("; re-render with `jmh/report.sh render`, adding `--results DIR --report FILE` for a ")
                .append("report other than docs/PERFORMANCE.md) |\n\n");

        Optional<LevelRun> charted = chartLevel(levels);
        targetsSummary(md, levels, notes);
        for (LevelRun l : levels) {
            level(md, l, resultsLink, charted.isPresent() && charted.get() == l ? chartLink : null);
        }
        definitions(md);
        return md.toString();
    }

    private static String levelLink(LevelRun l) {
        return "[`" + l.name() + "`](#" + anchor(l) + ")";
    }

    /** GitHub's anchor of the heading {@code ## Level `NAME`}. */
    static String anchor(LevelRun l) {
        return "level-" + l.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_ -]", "").replace(' ', '-');
    }

    private static String mode(MachineInfo m) {
        return m == null || m.mode() == null ? "unknown" : m.mode();
    }

    private static void targetsSummary(StringBuilder md, List<LevelRun> levels, String notes) {
        md.append("## Targets\n\n");
        md.append("Judged per instruction level on the SIMD engine, running the Phased LSTM (`model=plstm`) unless ")
                .append("a row names the plain LSTM (`model=lstm`). The peers (ONNX Runtime, TensorFlow Java, DL4J: ")
                .append("native libraries, which the JVM flags do not reach) run at the `native` level; TensorFlow ")
                .append("Java also runs at `avx2` and `nofma`, held to the level by oneDNN's cap ")
                .append("(`ONEDNN_MAX_CPU_ISA`), ONNX Runtime also at `avx2`, held to it by a copy of its library ")
                .append("whose MLAS never selects its AVX-512 kernels (`PLSTM_ONNXRUNTIME_ISA`, see jmh/PEERS.md), ")
                .append("and every other peer row of a level is the `native` run's; when ")
                .append("they did not run, their rows are NOT RUN. The targets against the peers and the % of peak hold at `native` and `avx2` (the ")
                .append("issue sets them at the machine's native level and at `UseAVX=2`); 20× the reference, ")
                .append("streaming and zero allocation hold at every level; at `nofma` (no FMA) also SIMD ≥ the ")
                .append("reference on every path. Speed-ups over the reference are judged like for like, on one SIMD thread (the ")
                .append("reference is single-threaded). 0 B/op means `gc.alloc.rate.norm` below max(1 B, 64 KB/s × ")
                .append("time per op), JMH's own bookkeeping (see [Definitions](#definitions)). ")
                .append("Each level's section has its targets with the measured values.\n\n");
        md.append("| level | JVM flags | SIMD kernels | run | targets |\n|---|---|---|---|---|\n");
        for (LevelRun l : levels) {
            MachineInfo m = l.machine();
            md.append("| ").append(levelLink(l)).append(" | ").append(flagsText(m)).append(" | ")
                    .append(m == null || m.kernels() == null ? "unknown" : cell(m.kernels())).append(" | `")
                    .append(mode(m)).append("`, ").append(m == null || m.started() == null ? "date unknown"
                            : m.started()).append(" | ")
                    .append(Targets.summary(Targets.evaluate(l.data(), l.name()))).append(" |\n");
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

    private static String flagsText(MachineInfo m) {
        if (m == null || m.jvmFlags() == null) {
            return "unknown";
        }
        return m.jvmFlags().isBlank() ? "none" : code(m.jvmFlags());
    }

    private static void level(StringBuilder md, LevelRun l, String resultsLink, String chartLink) {
        PerformanceData data = l.data();
        MachineInfo m = l.machine();
        String tag = " at `" + l.name() + "`";
        md.append("## Level `").append(l.name()).append("`\n\n");
        md.append("| | |\n|---|---|\n");
        md.append("| CPU | ").append(m == null ? "unknown" : cell(m.cpuModel())).append(" |\n");
        md.append("| level | `").append(l.name()).append('`')
                .append(l.isa().map(i -> ": " + i.description()).orElse(""))
                .append(l.flat() && m != null && m.level() == null ? " (results from before the levels: read as "
                        + "`native`)" : "").append(" |\n");
        md.append("| JVM flags | ").append(flagsText(m)).append(m != null && m.jvmFlags() != null
                && !m.jvmFlags().isBlank() ? " (every JMH fork: `-jvmArgsAppend`; and the machine probe)" : "")
                .append(" |\n");
        md.append("| SIMD kernels | ").append(m == null || m.kernels() == null ? "unknown" : cell(m.kernels()))
                .append(m != null && m.kernelLevel() != null ? " (`VectorLevel.describe()`; level `"
                        + m.kernelLevel() + "`)" : "").append(" |\n");
        if (m != null && !m.isaFlags().isEmpty()) {
            List<String> f = new ArrayList<>();
            m.isaFlags().forEach((k, v) -> f.add(k + (v ? " ✓" : " ✗")));
            md.append("| CPU flags | ").append(String.join(", ", f)).append(" (`/proc/cpuinfo`) |\n");
        }
        md.append("| date | ").append(m == null ? "unknown" : m.started())
                .append(m != null && m.finished() != null ? " to " + m.finished() : "").append(" |\n");
        md.append("| mode | `").append(mode(m)).append("` |\n");
        md.append("| command | ").append(m == null || m.command() == null ? "unknown" : code(m.command()))
                .append(" |\n");
        if (m != null && m.commit() != null) {
            md.append("| commit | `").append(m.commit()).append("` |\n");
        }
        String link = l.flat() ? resultsLink : resultsLink + "/" + l.name();
        md.append("| results | [`").append(link).append("/`](").append(link).append(") |\n");
        md.append("| peers | ").append(peersText(l)).append(" |\n\n");
        warnings(md, l);

        List<Targets.Outcome> outcomes = Targets.evaluate(data, l.name());
        md.append("### Targets").append(tag).append("\n\n");
        md.append("**").append(Targets.summary(outcomes)).append(".**\n\n");
        md.append("| target | judged on | goal | measured | result | details |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (Targets.Outcome o : outcomes) {
            md.append("| ").append(o.target().title()).append(" | ").append(o.target().judgedOn()).append(" | ")
                    .append(o.target().goalText()).append(" | ").append(o.measuredText()).append(" | ")
                    .append(Targets.statusText(o.status())).append(" | ").append(cell(o.detail())).append(" |\n");
        }
        md.append('\n');
        throughput(md, data, tag, chartLink);
        streaming(md, data, tag);
        kernels(md, data, tag);
        peak(md, data, tag);
        machine(md, data, tag);
        others(md, data, tag);
    }

    private static String peersText(LevelRun l) {
        PerformanceData data = l.data();
        if (!data.peersRan()) {
            return "not run (" + PEERS_HOW + ")";
        }
        Set<Impl> own = EnumSet.noneOf(Impl.class);
        data.layers().stream().map(LayerRow::impl).filter(i -> i.peer() && !data.borrowed(i)).forEach(own::add);
        List<String> parts = new ArrayList<>();
        if (!own.isEmpty()) {
            String env = l.machine() == null ? null : l.machine().peerEnv();
            parts.add(labels(own) + " ran in this level's run" + (env == null || env.isEmpty() ? ""
                    : ", held to the level with `" + env + "` (oneDNN's cap on the instruction set; TensorFlow "
                    + "Java's LSTM products are oneDNN `sgemm`" + (env.contains("PLSTM_ONNXRUNTIME_ISA")
                    ? "; ONNX Runtime loads a copy of its library whose MLAS never selects its AVX-512 kernels, "
                    + "see jmh/PEERS.md" : "") + ")") + " (their rows are in its tables)");
        }
        if (data.peersBorrowed()) {
            MachineInfo p = l.peersMachine();
            parts.add(labels(data.borrowedPeers()) + " from the `" + l.peersLevel() + "` level's run"
                    + (p != null && p.started() != null ? " of " + p.started() : "")
                    + " (native libraries: the JVM flags do not reach them; see the targets for which of them "
                    + "`--peers` holds to this level); their rows are in that level's tables, the `× "
                    + String.join("`, `× ", data.borrowedPeers().stream().map(Impl::name).toList()) // ONNX, TF, DL4J
                    + "` columns here compare against them");
        }
        return String.join("; ", parts);
    }

    /** How to run the peers, for the texts that say they did not run. */
    static final String PEERS_HOW = "`jmh/report.sh MODE --peers` runs them: all three at `native`, TensorFlow Java "
            + "also at `avx2` and `nofma`, held to the level by oneDNN's cap, and ONNX Runtime also at `avx2`, held "
            + "to it by a copy of its library that never selects its AVX-512 kernels";

    private static String labels(Set<Impl> impls) {
        return String.join(", ", impls.stream().map(Impl::label).toList());
    }


    /** Notes on a level whose flags did not take full effect, or whose peak is not a hardware FMA peak. */
    private static void warnings(StringBuilder md, LevelRun l) {
        MachineInfo m = l.machine();
        if (m == null) {
            return;
        }
        Optional<IsaLevel> isa = l.isa();
        if (isa.isPresent() && isa.get().expectedKernelLevel() != null && m.kernelLevel() != null
                && !m.kernelLevel().equals(isa.get().expectedKernelLevel())) {
            md.append("> **⚠ The kernels ran at `").append(m.kernelLevel()).append("`, not `")
                    .append(isa.get().expectedKernelLevel()).append("`:** the CPU lacks what the level's flags ask ")
                    .append("for, and HotSpot lowered them to what it has.\n\n");
        }
        if (Boolean.FALSE.equals(m.kernelFma())) {
            md.append("> **No hardware FMA at this level.** `PeakFlopsBenchmark` multiplies and adds here, as the ")
                    .append("kernels do (the vector `fma` would be the JDK's software emulation): \"% of peak\" here ")
                    .append("is against that multiply-add peak.\n\n");
        }
    }

    private static void throughput(StringBuilder md, PerformanceData data, String tag, String chartLink) {
        md.append("### Layers").append(tag).append("\n\n");
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
                .append("our samples/s over the peer's (a plain LSTM) at the same shape and thread count (above 1: ")
                .append("we are faster). `alloc` is JMH's `gc.alloc.rate.norm` (bytes allocated per batch, ")
                .append("`-prof gc`). Time: JMH's score ± the half-width of its 99.9 % confidence interval, where ")
                .append("there were enough iterations for one.\n\n");
        if (!data.peersRan()) {
            md.append("Peers (ONNX Runtime, TensorFlow Java, DL4J): **not run** (").append(PEERS_HOW)
                    .append(").\n\n");
        }
        for (Kind kind : Kind.values()) {
            List<LayerRow> rows = data.layers().stream()
                    .filter(r -> r.kind() == kind && !data.borrowed(r.impl())).toList();
            if (rows.isEmpty()) {
                continue;
            }
            md.append("#### ").append(kind == Kind.INFERENCE ? "Inference" : "Training (forward + backward)")
                    .append(tag).append("\n\n");
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

    /** A peer column: only our SIMD rows are compared; "not run" if the peer has no matching result. */
    static String peerCell(PerformanceData data, LayerRow row, Impl peer) {
        if (row.impl() != Impl.SIMD) {
            return "—";
        }
        if (!PerformanceData.supports(peer, row.kind())) {
            return "n/a";
        }
        OptionalDouble r = data.ratioOver(row, peer);
        return r.isPresent() ? Format.times(r) : "not run";
    }

    private static void streaming(StringBuilder md, PerformanceData data, String tag) {
        md.append("### Event-driven inference (streaming)").append(tag).append("\n\n");
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

    private static void kernels(StringBuilder md, PerformanceData data, String tag) {
        md.append("### Kernels").append(tag).append(" (SIMD, one thread, one step of a batch per operation)\n\n");
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

    private static void peak(StringBuilder md, PerformanceData data, String tag) {
        md.append("### Peak").append(tag).append(" (`PeakFlopsBenchmark`)\n\n");
        MachineInfo m = data.machine();
        int lanes = m == null ? 0 : m.lanes();
        md.append("12 independent vector FMA chains (multiply then add where the level has no FMA, as the kernels do), ")
                .append("no memory traffic. FLOPs per operation = `ITERATIONS·12·lanes·2`")
                .append(" = ").append(PeakFlopsBenchmark.ITERATIONS).append("·12·")
                .append(lanes > 0 ? String.valueOf(lanes) : "?").append("·2")
                .append(lanes > 0 ? String.format(Locale.ROOT, " = %,d", PeakFlopsBenchmark.ITERATIONS * 12L * lanes * 2) : "")
                .append(" (lanes from the level's machine record). With `n` JMH threads, GFLOP/s = `n·FLOPs ÷ t` ")
                .append("(JMH's average time is per thread).\n\n");
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

    private static void machine(StringBuilder md, PerformanceData data, String tag) {
        MachineInfo m = data.machine();
        md.append("### Machine and settings").append(tag).append("\n\n");
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
                    .append(" float lanes (`VectorLevel.vectorBitSize()`, with the level's flags) |\n");
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
        List<JmhResult> own = data.ownResults();
        Set<String> jdks = new LinkedHashSet<>();
        Set<String> jmh = new LinkedHashSet<>();
        for (JmhResult r : own) {
            jdks.add(r.jdkVersion() + " (" + r.vmName() + " " + r.vmVersion() + ")");
            jmh.add(r.jmhVersion());
        }
        md.append("Benchmark JVMs: ").append(String.join(", ", jdks)).append("; JMH ").append(String.join(", ", jmh))
                .append(".\n\n");
        md.append("JMH settings as run (per benchmark class; JVM arguments without repeats):\n\n");
        md.append("| benchmark | mode | forks | warm-up | measurement | JMH threads | JVM args |\n");
        md.append("|---|---|--:|---|---|--:|---|\n");
        Map<String, String> rows = new LinkedHashMap<>();
        for (JmhResult r : own) {
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
        md.append("- Instruction levels (`jmh/report.sh --isa`): each adds HotSpot flags to every JMH fork ")
                .append("(`-jvmArgsAppend`) and to the JVM that records `machine.json`, which reads back what the ")
                .append("SIMD kernels run at (`org.plstm.simd.VectorLevel`). The flags exist on x86-64 only.\n");
        for (IsaLevel l : IsaLevel.values()) {
            md.append("  - `").append(l.label()).append("` (").append(l.jvmFlags().isEmpty() ? "no flags"
                    : "`" + l.jvmFlags() + "`").append("): ").append(l.description()).append(".\n");
        }
        md.append("""
                - The peers (ONNX Runtime, TensorFlow Java, DL4J) run native code that the JVM flags do not \
                reach. All three run at the `native` level. TensorFlow Java does its LSTM products in oneDNN's \
                `sgemm`, which honours `ONEDNN_MAX_CPU_ISA`: at `avx2` and `nofma` it runs again, held to `AVX2` \
                and `SSE41`. ONNX Runtime's MLAS has no run-time cap; at `avx2` its inference runs again from a \
                copy of its library whose MLAS never selects its AVX-512 kernels (`PLSTM_ONNXRUNTIME_ISA=AVX2`, \
                jmh/PEERS.md). DL4J has no cap. Where a peer is not held, the level compares against its `native` \
                results. No peer runs at `128` (oneDNN has no 128-bit level with FMA).
                - A layer benchmark's operation is one batch of shape `B×T×I×H` (batch, steps, inputs, hidden \
                units); `t` is its time (JMH's score).
                - FLOPs = `Shape.flops(training)` = `2·B·4H·(I+H)·T` (the gate matrix products), × 3 for training \
                (forward, `dh`/`dx`, weight gradients). The time gate and the element-wise work are not counted.
                - GFLOP/s = FLOPs ÷ `t`.
                - % of peak = GFLOP/s ÷ the peak GFLOP/s of `PeakFlopsBenchmark` in the same level's run: `peak1` \
                for 1-thread rows, `peak2` for 2-thread rows. The peak's FLOPs per operation are \
                `PeakFlopsBenchmark.flopsPerOp()` at the level's vector width: `ITERATIONS·12·lanes·2`. Without \
                hardware FMA (`nofma`) the peak loop multiplies and adds, as the kernels do there.
                - samples/s = `B ÷ t`; sequence-steps/s = `B·T ÷ t`; seconds per epoch = `60000 ÷ samples/s`.
                - Speed-up over the reference (`× ref`) = samples/s ÷ the reference's samples/s on the same \
                `(T, I, H)` and model: the reference runs smaller batches of the same sequences \
                (`ReferenceLayerBenchmark`'s `@Param`).
                - Ratio against a peer (`× ONNX`, `× TF`, `× DL4J`) = our samples/s ÷ the peer's, same shape, \
                thread count and kind. The peers run a plain LSTM: our `model=lstm` rows are like for like, our \
                `plstm` rows are the Phased LSTM (time gate on) against it, as the targets judge it.
                - Kernels: `gateProduct` GFLOP/s with `2·B·4H·(I+H)` FLOPs per operation; `cellUpdate` and \
                `timeGate` in ns per unit-step = `t ÷ (B·H)`.
                - `alloc`: `gc.alloc.rate.norm` from JMH's `-prof gc`, bytes allocated per operation. **0 B/op** in \
                the targets means below max(1 B, 64 KB/s × time per op): JMH's own bookkeeping allocates about \
                7 KB per second of measurement whatever the benchmark (0.007 MB/s on every kernel, 3.5 µs to 11 ms \
                per op), which is up to tens of bytes per op for ms-long operations; a Vector API fallback (boxed \
                vectors) allocates megabytes per second. `HotPathAllocationTest` asserts exactly 0 bytes per call \
                of every hot path, at every level, with the thread's allocation counter.
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

    private static void others(StringBuilder md, PerformanceData data, String tag) {
        if (data.others().isEmpty()) {
            return;
        }
        md.append("### Other results").append(tag).append("\n\n| benchmark | params | score |\n|---|---|--:|\n");
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
        return cell(m.cpuModel()) + (m.cpuId() == null ? "" : " (" + cell(m.cpuId()) + ")") + ", " + m.logicalCpus()
                + " logical processors"
                + (m.physicalCores() > 0 ? " (" + m.physicalCores() + " cores)" : "") + ", JDK " + m.javaVersion();
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
}
