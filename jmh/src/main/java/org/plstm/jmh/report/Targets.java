package org.plstm.jmh.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import org.plstm.inference.InferencePath;
import org.plstm.jmh.report.PerformanceData.Case;
import org.plstm.jmh.report.PerformanceData.Impl;
import org.plstm.jmh.report.PerformanceData.Kind;
import org.plstm.jmh.report.PerformanceData.KernelRow;
import org.plstm.jmh.report.PerformanceData.LayerRow;
import org.plstm.jmh.report.PerformanceData.StreamBench;
import org.plstm.jmh.report.PerformanceData.StreamRow;

/**
 * The performance targets of the project (issue 9) and their evaluation on one instruction level's run
 * ({@link IsaLevel}; {@link #forLevel(String)} lists them):
 *
 * <ul>
 *   <li>at {@code native} and {@code avx2} (the "at the machine's native level and at {@code UseAVX=2}"), and
 *       at a level this class does not know:
 *       <ul>
 *         <li>inference (a) and (b), at 1 and 2 threads, {@code plstm} and {@code lstm}: SIMD samples/s ≥ ONNX
 *             Runtime's at the same shape and thread count (8 checks);
 *         <li>training (a): SIMD ({@code plstm}, 2 threads) ≥ 3 × TensorFlow Java's samples/s (2 threads);
 *         <li>training (b): SIMD ({@code plstm}, 2 threads) ≥ 50 % of the level's {@code peak2};
 *       </ul>
 *   <li>at every level (the "at every level"):
 *       <ul>
 *         <li>SIMD ≥ 20 × the reference on (b), inference and training, 1 thread;
 *         <li>streaming at H = 512: event-driven ≥ 10 × dense events/s, and 0 B per event on the event-driven path;
 *         <li>0 B/op for every {@code KernelBenchmark} benchmark and every {@code StreamingBenchmark.event};
 *       </ul>
 *   <li>at {@code nofma} only: SIMD ≥ the reference, inference and training, (a) and (b), 1 thread.
 * </ul>
 *
 * Layer targets are judged on the Phased LSTM ({@value #MODEL}) unless the check names {@code lstm}; the plain
 * LSTM's value is shown next to it where it is not a check of its own. A level compares against its own run of a
 * peer (TensorFlow Java held to {@code avx2} or {@code nofma} by oneDNN's cap) or else the {@code native} level's
 * ({@link LevelRun}), and the detail says which; without a result a peer check is NOT RUN (no figure from elsewhere
 * is quoted). Zero allocation means
 * {@code gc.alloc.rate.norm} below {@link #zeroAllocationBound(double) max(1 B, 64 KB/s × time per op)}: JMH's own
 * bookkeeping allocates about 7 KB per second of measurement whatever the benchmark (measured: 0.007 MB/s on every
 * kernel, from 3.5 µs to 11 ms per op), which shows up as up to tens of bytes per operation for ms-long operations;
 * a Vector API fallback (boxed vectors) allocates megabytes per second.
 */
public final class Targets {
    /** The model the layer targets are judged on, unless a check names another. */
    public static final String MODEL = "plstm";
    /** {@code gc.alloc.rate.norm} below this many bytes per operation always counts as no allocation. */
    public static final double ZERO_ALLOC_BYTES = 1.0;
    /**
     * The allocation rate, in bytes per second of measurement, below which a benchmark counts as allocating nothing:
     * about 9 × what JMH's own bookkeeping allocates (0.007 MB/s measured), far below a boxed-vector fallback.
     */
    public static final double HARNESS_BYTES_PER_SECOND = 64 * 1024;
    /** {@code H} of the streaming targets. */
    public static final int STREAM_HIDDEN = 512;

    private Targets() {
    }

    /** How a target is measured. */
    public enum Criterion {
        /** SIMD samples/s ÷ a peer's (same shape, kind, threads), at least the goal. */
        MIN_RATIO_OVER_PEER,
        /** % of the peak with the same threads, at least the goal. */
        MIN_PERCENT_OF_PEAK,
        /** Samples/s ÷ the reference's, at least the goal. */
        MIN_SPEEDUP_OVER_REFERENCE,
        /**
         * One stream's events/s on the event-driven path ÷ on the dense path ({@code StreamingBenchmark}), at least
         * the goal.
         */
        MIN_SKIPPING_SPEEDUP,
        /**
         * The most {@code gc.alloc.rate.norm} of the benchmark's results, each below
         * {@link #zeroAllocationBound(double)} for its time per operation.
         */
        ZERO_ALLOCATION
    }

    /** The verdict. */
    public enum Status {
        /** Measured and met. */
        PASS,
        /** Measured and missed. */
        FAIL,
        /** Not measured in this run (benchmark, peer, peak, reference or {@code -prof gc} missing). */
        NOT_RUN
    }

    /**
     * One target.
     *
     * @param title     e.g. {@code Training (a) vs TensorFlow Java}
     * @param criterion the measure
     * @param goal      the threshold (a ratio, a percentage; for {@link Criterion#ZERO_ALLOCATION} the bytes per
     *                  operation that still count as none)
     * @param kind      inference or training (layer targets), else null
     * @param kase      the case (layer targets), else null
     * @param model     {@code plstm} or {@code lstm} (layer targets), else null
     * @param threads   SIMD engine threads it is judged at (layer targets), else 0
     * @param peer      the peer compared against ({@link Criterion#MIN_RATIO_OVER_PEER}), else null
     * @param benchmark the benchmark of an allocation target, {@code Class.method} without the package (e.g.
     *                  {@code KernelBenchmark.gateProduct}), else null
     * @param hidden    {@code H} of a streaming target; for an allocation target of {@code StreamingBenchmark}, 0
     *                  means every {@code H} and path, else only the event-driven path at that {@code H}
     * @param alsoLstm  show the plain LSTM's value next to a {@code plstm} layer target
     */
    public record Target(String title, Criterion criterion, double goal, Kind kind, Case kase, String model,
                         int threads, Impl peer, String benchmark, int hidden, boolean alsoLstm) {

        /**
         * @param kind    inference or training
         * @param kase    the case
         * @param model   {@code plstm} or {@code lstm}
         * @param threads the SIMD engine's and the peer's threads
         * @param peer    the peer
         * @param goal    the least SIMD samples/s ÷ the peer's
         * @param title   the title
         * @return a target against a peer
         */
        public static Target overPeer(String title, Kind kind, Case kase, String model, int threads, Impl peer,
                                      double goal) {
            return new Target(title, Criterion.MIN_RATIO_OVER_PEER, goal, kind, kase, model, threads, peer, null,
                    0, model.equals(MODEL) && kind == Kind.TRAINING);
        }

        /**
         * @param title   the title
         * @param kind    inference or training
         * @param kase    the case
         * @param threads threads (the peak with as many)
         * @param goal    the least % of the peak
         * @return a {@code plstm} target on the % of peak
         */
        public static Target percentOfPeak(String title, Kind kind, Case kase, int threads, double goal) {
            return new Target(title, Criterion.MIN_PERCENT_OF_PEAK, goal, kind, kase, MODEL, threads, null, null, 0,
                    true);
        }

        /**
         * @param title   the title
         * @param kind    inference or training
         * @param kase    the case
         * @param threads SIMD threads (the reference is single-threaded)
         * @param goal    the least samples/s ÷ the reference's
         * @return a {@code plstm} target on the speed-up over the reference
         */
        public static Target overReference(String title, Kind kind, Case kase, int threads, double goal) {
            return new Target(title, Criterion.MIN_SPEEDUP_OVER_REFERENCE, goal, kind, kase, MODEL, threads, null,
                    null, 0, true);
        }

        /**
         * @param title  the title
         * @param hidden {@code H}
         * @param goal   the least event-driven ÷ dense events/s
         * @return a streaming target: one stream, event-driven against dense ({@code StreamingBenchmark})
         */
        public static Target streaming(String title, int hidden, double goal) {
            return new Target(title, Criterion.MIN_SKIPPING_SPEEDUP, goal, Kind.INFERENCE, null, null, 1, null,
                    null, hidden, false);
        }

        /**
         * @param title     the title
         * @param benchmark {@code KernelBenchmark.gateProduct}, {@code KernelBenchmark.cellUpdate},
         *                  {@code KernelBenchmark.timeGate} or {@code StreamingBenchmark.event}
         * @param hidden    for {@code StreamingBenchmark.event}: 0 for every {@code H} and path, else only the
         *                  event-driven path at that {@code H}; 0 for the kernels
         * @return a target of no allocation (below {@link #zeroAllocationBound(double)} B/op)
         * @throws IllegalArgumentException if the benchmark is none of those
         */
        public static Target zeroAllocation(String title, String benchmark, int hidden) {
            if (!benchmark.equals(StreamBench.SINGLE.className() + ".event")
                    && !benchmark.startsWith("KernelBenchmark.")) {
                throw new IllegalArgumentException("benchmark: expected KernelBenchmark.<method> or "
                        + "StreamingBenchmark.event, got '" + benchmark + "'");
            }
            return new Target(title, Criterion.ZERO_ALLOCATION, ZERO_ALLOC_BYTES, null, null, null, 0, null,
                    benchmark, hidden, false);
        }

        /** @return true if the target is judged on {@code StreamingBenchmark} results */
        boolean streamingBenchmark() {
            return benchmark != null && benchmark.startsWith(StreamBench.SINGLE.className() + ".");
        }

        /** @return e.g. {@code ≥ 3× TensorFlow Java's samples/s} */
        public String goalText() {
            return switch (criterion) {
                case MIN_RATIO_OVER_PEER -> goal == 1 ? "≥ " + peer.label() + "'s samples/s"
                        : "≥ " + Format.plain(goal) + "× " + peer.label() + "'s samples/s";
                case MIN_PERCENT_OF_PEAK -> "≥ " + Format.plain(goal) + " % of peak" + threads;
                case MIN_SPEEDUP_OVER_REFERENCE -> goal == 1 ? "≥ the reference's samples/s"
                        : "≥ " + Format.plain(goal) + "× the reference";
                case MIN_SKIPPING_SPEEDUP -> "≥ " + Format.plain(goal) + "× dense events/s";
                case ZERO_ALLOCATION -> (streamingBenchmark() ? "0 B/event" : "0 B/op")
                        + " (< max(" + Format.plain(goal) + " B, 64 KB/s × time per op))";
            };
        }

        /** @return which benchmark rows the target is judged on */
        public String judgedOn() {
            return switch (criterion) {
                case MIN_SKIPPING_SPEEDUP -> "`" + StreamBench.SINGLE.className() + "`, B = 1, H = " + hidden
                        + ", event-driven ÷ dense events/s";
                case ZERO_ALLOCATION -> "`" + benchmark + "`, " + (hidden > 0 ? "event-driven, H = " + hidden
                        : streamingBenchmark() ? "every H and path" : "every shape") + ", `gc.alloc.rate.norm`";
                case MIN_RATIO_OVER_PEER -> "SIMD " + kind.label() + " " + kase.letter() + ", `" + model + "`, "
                        + threadsText(threads) + " ÷ " + peer.label() + " (plain LSTM), same shape and threads";
                case MIN_SPEEDUP_OVER_REFERENCE -> "SIMD " + kind.label() + " " + kase.letter() + ", `" + model
                        + "`, " + threadsText(threads) + " ÷ the reference (1 thread)";
                case MIN_PERCENT_OF_PEAK -> "SIMD " + kind.label() + " " + kase.letter() + ", `" + model + "`, "
                        + threadsText(threads);
            };
        }
    }

    /**
     * A target's result.
     *
     * @param target   the target
     * @param status   pass, fail or not run
     * @param measured the measured value ({@link Criterion}'s unit), NaN if not run
     * @param detail   context: the values compared, the plain LSTM's value, or why it was not run
     */
    public record Outcome(Target target, Status status, double measured, String detail) {
        /** @return the measured value with its unit, or {@code —} */
        public String measuredText() {
            return Double.isNaN(measured) ? "—" : unit(target.criterion(), measured);
        }
    }

    /**
     * The targets of one instruction level: the peer and %-of-peak targets at {@code native}, {@code avx2} and
     * unknown levels (not at {@code 128} and {@code nofma}, which the issue does not hold to them; at {@code nofma}
     * the peak is a multiply-add loop), the targets of every level, and at {@code nofma} also SIMD ≥ the reference
     * on every path.
     *
     * @param level the level's name ({@link IsaLevel#label()})
     * @return its targets, in the report's order
     */
    public static List<Target> forLevel(String level) {
        List<Target> t = new ArrayList<>();
        if (!level.equals(IsaLevel.V128.label()) && !level.equals(IsaLevel.NOFMA.label())) {
            for (Case c : List.of(Case.A, Case.B)) {
                for (int threads : new int[] {1, 2}) {
                    for (String model : List.of(MODEL, "lstm")) {
                        t.add(Target.overPeer("Inference " + c.letter() + " vs ONNX Runtime, `" + model + "`, "
                                + threadsText(threads), Kind.INFERENCE, c, model, threads, Impl.ONNX, 1));
                    }
                }
            }
            t.add(Target.overPeer("Training (a) vs TensorFlow Java", Kind.TRAINING, Case.A, MODEL, 2, Impl.TF, 3));
            t.add(Target.percentOfPeak("Training (b), % of peak", Kind.TRAINING, Case.B, 2, 50));
        }
        t.add(Target.overReference("SIMD vs reference, inference (b)", Kind.INFERENCE, Case.B, 1, 20));
        t.add(Target.overReference("SIMD vs reference, training (b)", Kind.TRAINING, Case.B, 1, 20));
        t.add(Target.streaming("Streaming, skipping ≥ 10× dense at H=" + STREAM_HIDDEN, STREAM_HIDDEN, 10));
        t.add(Target.zeroAllocation("Streaming, event-driven allocation at H=" + STREAM_HIDDEN,
                StreamBench.SINGLE.className() + ".event", STREAM_HIDDEN));
        for (String k : List.of("gateProduct", "cellUpdate", "timeGate")) {
            t.add(Target.zeroAllocation("Allocation, kernel `" + k + "`", "KernelBenchmark." + k, 0));
        }
        t.add(Target.zeroAllocation("Allocation, streaming events", StreamBench.SINGLE.className() + ".event", 0));
        if (level.equals(IsaLevel.NOFMA.label())) {
            for (Kind kind : Kind.values()) {
                for (Case c : List.of(Case.A, Case.B)) {
                    t.add(Target.overReference("No FMA: SIMD ≥ reference, " + kind.label() + " " + c.letter(), kind,
                            c, 1, 1));
                }
            }
        }
        return List.copyOf(t);
    }

    /**
     * @param data  one level's run
     * @param level the level's name
     * @return every target's outcome, in {@link #forLevel(String)}'s order
     */
    public static List<Outcome> evaluate(PerformanceData data, String level) {
        List<Outcome> out = new ArrayList<>();
        for (Target t : forLevel(level)) {
            out.add(evaluate(data, t));
        }
        return out;
    }

    /**
     * @param data   one level's run
     * @param target a target
     * @return its outcome
     */
    public static Outcome evaluate(PerformanceData data, Target target) {
        return switch (target.criterion()) {
            case MIN_SKIPPING_SPEEDUP -> evaluateStreaming(data, target);
            case ZERO_ALLOCATION -> evaluateAllocation(data, target);
            case MIN_RATIO_OVER_PEER -> evaluatePeer(data, target);
            case MIN_PERCENT_OF_PEAK, MIN_SPEEDUP_OVER_REFERENCE -> evaluateLayer(data, target);
        };
    }

    /**
     * Where a peer's figure comes from, as a suffix: the {@code native} level's run (borrowed), this level's run held
     * to it (the setting of {@code peerEnv} that holds this peer: {@code ONEDNN_MAX_CPU_ISA} for TensorFlow Java,
     * {@code PLSTM_ONNXRUNTIME_ISA} for ONNX Runtime), this level's run not held, or nothing where the peers ran as
     * published (no {@code peerEnv}).
     */
    private static String peerRunText(PerformanceData data, Impl peer) {
        if (data.borrowed(peer)) {
            Optional<IsaLevel> level = data.machine() == null ? Optional.empty()
                    : IsaLevel.of(data.machine().levelName());
            boolean couldHold = switch (peer) {
                case TF -> level.map(IsaLevel::peerCpuIsa).filter(isa -> !isa.isEmpty()).isPresent();
                case ONNX -> level.map(IsaLevel::onnxIsa).isPresent();
                default -> false;
            };
            return couldHold ? " (its `native` run: `--peers` at this level would hold it to the level)"
                    : " (its `native` run: the level's flags do not reach it)";
        }
        String env = data.machine() == null ? null : data.machine().peerEnv();
        if (env == null || env.isEmpty()) {
            return ""; // ran as published: the native level, or a record from before the caps
        }
        String variable = switch (peer) {
            case TF -> "ONEDNN_MAX_CPU_ISA=";
            case ONNX -> "PLSTM_ONNXRUNTIME_ISA=";
            default -> null;
        };
        for (String setting : env.trim().split("\\s+")) {
            if (variable != null && setting.startsWith(variable)) {
                return " (held to this level: `" + setting + "`)";
            }
        }
        return " (this level's run, not held to it: the level's flags do not reach it)";
    }

    /** SIMD samples/s ÷ the peer's, same case, kind and threads; NOT RUN without either. */
    private static Outcome evaluatePeer(PerformanceData data, Target target) {
        Optional<LayerRow> row = data.find(Impl.SIMD, target.kind(), target.kase(), target.model(),
                target.threads(), 0);
        if (row.isEmpty()) {
            return notRun(target, "no SIMD result for " + layerText(target, target.model()));
        }
        Optional<LayerRow> peer = data.peerRow(row.get(), target.peer());
        if (peer.isEmpty()) {
            String why = target.peer().label() + " did not run " + target.kind().label() + " " + target.kase().letter()
                    + " at " + threadsText(target.threads());
            return notRun(target, data.peersRan() ? why : why + ": the peers did not run ("
                    + PerformanceReport.PEERS_HOW + ")");
        }
        double v = row.get().samplesPerSecond() / peer.get().samplesPerSecond();
        List<String> detail = new ArrayList<>();
        detail.add("SIMD " + Format.number(row.get().samplesPerSecond()) + " samples/s, " + target.peer().label()
                + " " + Format.number(peer.get().samplesPerSecond()) + " samples/s" + peerRunText(data,
                target.peer()));
        if (target.alsoLstm()) {
            data.find(Impl.SIMD, target.kind(), target.kase(), "lstm", target.threads(), 0)
                    .flatMap(l -> box(data.ratioOver(l, target.peer())))
                    .ifPresent(l -> detail.add("plain LSTM: " + unit(target.criterion(), l)));
        }
        return new Outcome(target, v >= target.goal() ? Status.PASS : Status.FAIL, v, String.join("; ", detail));
    }

    /** % of peak or speed-up over the reference, on the SIMD {@code plstm} row. */
    private static Outcome evaluateLayer(PerformanceData data, Target target) {
        Optional<LayerRow> row = data.find(Impl.SIMD, target.kind(), target.kase(), target.model(),
                target.threads(), 0);
        if (row.isEmpty()) {
            return notRun(target, "no SIMD result for " + layerText(target, target.model()));
        }
        OptionalDouble value = measure(data, target, row.get());
        if (value.isEmpty()) {
            return notRun(target, switch (target.criterion()) {
                case MIN_PERCENT_OF_PEAK -> "peak" + target.threads() + " (PeakFlopsBenchmark) not run, or the "
                        + "machine record has no vector width";
                case MIN_SPEEDUP_OVER_REFERENCE -> "the reference did not run " + target.kase().letter() + " "
                        + target.kind().label() + " `" + target.model() + "`";
                default -> "not measurable";
            });
        }
        double v = value.getAsDouble();
        List<String> detail = new ArrayList<>();
        if (target.alsoLstm()) {
            data.find(Impl.SIMD, target.kind(), target.kase(), "lstm", target.threads(), 0)
                    .flatMap(l -> box(measure(data, target, l)))
                    .ifPresent(l -> detail.add("plain LSTM: " + unit(target.criterion(), l)));
        }
        if (target.criterion() == Criterion.MIN_SPEEDUP_OVER_REFERENCE && target.threads() == 1) {
            data.find(Impl.SIMD, target.kind(), target.kase(), target.model(), 2, 0)
                    .flatMap(r -> box(data.speedupOverReference(r)))
                    .ifPresent(r -> detail.add("2 SIMD threads: " + unit(target.criterion(), r)));
        }
        if (target.criterion() == Criterion.MIN_PERCENT_OF_PEAK) {
            data.find(Impl.TF, target.kind(), target.kase(), "lstm", target.threads(), 0)
                    .flatMap(p -> box(data.percentOfPeak(p)))
                    .ifPresent(p -> detail.add(Impl.TF.label() + ": " + unit(target.criterion(), p)));
        }
        return new Outcome(target, v >= target.goal() ? Status.PASS : Status.FAIL, v, String.join("; ", detail));
    }

    /**
     * The streaming target: one stream's events/s, event-driven ÷ dense, at the target's {@code H}. The detail gives
     * both paths' events/s and the ratio on the B = 32 batches; the paper's theoretical saving at
     * {@code ratioOn = 0.05} is 20×.
     */
    private static Outcome evaluateStreaming(PerformanceData data, Target target) {
        int h = target.hidden();
        OptionalDouble ratio = data.skippingSpeedup(StreamBench.SINGLE, h);
        if (ratio.isEmpty()) {
            return notRun(target, "no " + StreamBench.SINGLE.className() + " result for hidden=" + h
                    + " on both paths (event-driven and dense)");
        }
        double v = ratio.getAsDouble();
        List<String> detail = new ArrayList<>();
        Optional<StreamRow> e = data.stream(StreamBench.SINGLE, h, InferencePath.EVENT_DRIVEN);
        Optional<StreamRow> d = data.stream(StreamBench.SINGLE, h, InferencePath.DENSE);
        detail.add("events/s: event-driven " + Format.number(e.orElseThrow().eventsPerSecond()) + ", dense "
                + Format.number(d.orElseThrow().eventsPerSecond()));
        data.skippingSpeedup(StreamBench.BATCH, h).ifPresent(r -> detail.add("B=32 batches: "
                + unit(Criterion.MIN_SKIPPING_SPEEDUP, r)));
        detail.add("paper's theoretical saving: 20×");
        return new Outcome(target, v >= target.goal() ? Status.PASS : Status.FAIL, v, String.join("; ", detail));
    }

    /** The most bytes per operation over the benchmark's results that have {@code gc.alloc.rate.norm}. */
    private static Outcome evaluateAllocation(PerformanceData data, Target target) {
        record Measured(String label, Double bytes, double secondsPerOp) {
            boolean zero() {
                return bytes < zeroAllocationBound(secondsPerOp);
            }
        }
        List<Measured> rows = new ArrayList<>();
        if (target.streamingBenchmark()) {
            for (StreamRow r : data.streams()) {
                if (r.bench() == StreamBench.SINGLE && (target.hidden() == 0
                        || r.hidden() == target.hidden() && r.path() == InferencePath.EVENT_DRIVEN)) {
                    rows.add(new Measured("H=" + r.hidden() + " " + pathText(r.path()), r.allocBytesPerOp(),
                            r.secondsPerOp()));
                }
            }
        } else {
            String kernel = target.benchmark().substring(target.benchmark().indexOf('.') + 1);
            for (KernelRow k : data.kernels()) {
                if (k.kernel().equals(kernel)) {
                    String letter = Case.of(k.shape()).letter();
                    rows.add(new Measured((letter.isEmpty() ? "" : letter + " ") + k.shape(), k.allocBytesPerOp(),
                            k.secondsPerOp()));
                }
            }
        }
        if (rows.isEmpty()) {
            return notRun(target, "no " + target.benchmark() + " result"
                    + (target.hidden() > 0 ? " for hidden=" + target.hidden() + " on the event-driven path" : ""));
        }
        List<Measured> measured = rows.stream().filter(r -> r.bytes() != null && !r.bytes().isNaN()).toList();
        if (measured.isEmpty()) {
            return notRun(target, "no `gc.alloc.rate.norm` (run with `-prof gc`)");
        }
        double max = measured.stream().mapToDouble(Measured::bytes).max().orElseThrow();
        List<String> detail = new ArrayList<>();
        if (measured.size() > 1 || !measured.get(0).zero()) {
            List<String> each = new ArrayList<>();
            for (Measured m : measured) {
                each.add(m.label() + ": " + Format.number(m.bytes()) + (m.zero() ? "" : " (over "
                        + Format.number(zeroAllocationBound(m.secondsPerOp())) + ")"));
            }
            detail.add("B/op: " + String.join(", ", each));
        }
        if (measured.size() < rows.size()) {
            detail.add((rows.size() - measured.size()) + " without `gc.alloc.rate.norm`");
        }
        if (target.hidden() > 0) {
            data.stream(StreamBench.SINGLE, target.hidden(), InferencePath.DENSE).map(StreamRow::allocBytesPerOp)
                    .ifPresent(b -> detail.add("dense: " + Format.number(b) + " B/event"));
        }
        detail.add("below max(1 B, 64 KB/s × time per op) counts as 0 (JMH's own bookkeeping, about 7 KB/s)");
        boolean zero = measured.stream().allMatch(Measured::zero);
        return new Outcome(target, zero ? Status.PASS : Status.FAIL, max, String.join("; ", detail));
    }

    /**
     * The most bytes per operation that still count as no allocation for a benchmark taking {@code secondsPerOp}:
     * {@code max(}{@value #ZERO_ALLOC_BYTES}{@code , }{@value #HARNESS_BYTES_PER_SECOND}{@code  · secondsPerOp)}.
     *
     * @param secondsPerOp the benchmark's time per operation, in seconds
     * @return the bound in bytes per operation
     */
    public static double zeroAllocationBound(double secondsPerOp) {
        return Math.max(ZERO_ALLOC_BYTES, HARNESS_BYTES_PER_SECOND * secondsPerOp);
    }

    private static Outcome notRun(Target target, String why) {
        return new Outcome(target, Status.NOT_RUN, Double.NaN, why);
    }

    private static OptionalDouble measure(PerformanceData data, Target target, LayerRow row) {
        return switch (target.criterion()) {
            case MIN_PERCENT_OF_PEAK -> data.percentOfPeak(row);
            case MIN_SPEEDUP_OVER_REFERENCE -> data.speedupOverReference(row);
            case MIN_RATIO_OVER_PEER -> data.ratioOver(row, target.peer());
            case MIN_SKIPPING_SPEEDUP, ZERO_ALLOCATION -> OptionalDouble.empty(); // not layer measures
        };
    }

    private static String layerText(Target target, String model) {
        return target.kind().label() + " " + target.kase().letter() + " `" + model + "` at "
                + threadsText(target.threads());
    }

    private static String threadsText(int threads) {
        return threads + (threads == 1 ? " thread" : " threads");
    }

    private static String pathText(InferencePath path) {
        return path == InferencePath.EVENT_DRIVEN ? "event-driven" : "dense";
    }

    private static Optional<Double> box(OptionalDouble d) {
        return d.isPresent() ? Optional.of(d.getAsDouble()) : Optional.empty();
    }

    static String unit(Criterion c, double v) {
        return switch (c) {
            case MIN_PERCENT_OF_PEAK -> Format.number(v) + " %";
            case MIN_RATIO_OVER_PEER, MIN_SPEEDUP_OVER_REFERENCE, MIN_SKIPPING_SPEEDUP -> Format.number(v) + "×";
            case ZERO_ALLOCATION -> Format.number(v) + " B/op";
        };
    }

    /** @return {@code ✅ PASS}, {@code ❌ FAIL} or {@code NOT RUN}, for the table */
    static String statusText(Status s) {
        return switch (s) {
            case PASS -> "✅ PASS";
            case FAIL -> "❌ FAIL";
            case NOT_RUN -> "NOT RUN";
        };
    }

    /** @return the verdicts as one line, e.g. {@code 3 pass, 1 fail, 2 not run} */
    static String summary(List<Outcome> outcomes) {
        long pass = outcomes.stream().filter(o -> o.status() == Status.PASS).count();
        long fail = outcomes.stream().filter(o -> o.status() == Status.FAIL).count();
        long notRun = outcomes.size() - pass - fail;
        return String.format(Locale.ROOT, "%d pass, %d fail, %d not run", pass, fail, notRun);
    }
}
