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
import org.plstm.jmh.report.PerformanceData.LayerRow;
import org.plstm.jmh.report.PerformanceData.StreamBench;
import org.plstm.jmh.report.PerformanceData.StreamRow;

/**
 * The performance targets of the project (issue 5) and their evaluation on a run. Each layer target is judged on the
 * SIMD engine running the Phased LSTM ({@value #MODEL}); the plain LSTM's value ({@code model=lstm}, what the peers
 * run) is shown next to it. The peer figures quoted by the issue are shown when the peers did not run. The streaming
 * target judges the event-driven inference path against the dense path on one stream ({@code StreamingBenchmark}).
 */
public final class Targets {
    /** The model the targets are judged on. */
    public static final String MODEL = "plstm";

    private Targets() {
    }

    /** How a target is measured. */
    public enum Criterion {
        /** Seconds per 60,000-sample epoch, at most the goal. */
        MAX_EPOCH_SECONDS,
        /** % of the peak with the same threads, at least the goal. */
        MIN_PERCENT_OF_PEAK,
        /** Samples/s ÷ the reference's, at least the goal. */
        MIN_SPEEDUP_OVER_REFERENCE,
        /**
         * One stream's events/s on the event-driven path ÷ on the dense path ({@code StreamingBenchmark}), at least
         * the goal.
         */
        MIN_SKIPPING_SPEEDUP
    }

    /** The verdict. */
    public enum Status {
        /** Measured and met. */
        PASS,
        /** Measured and missed. */
        FAIL,
        /** Not measured in this run (benchmark, peak or reference missing). */
        NOT_RUN
    }

    /**
     * One target.
     *
     * @param title     e.g. {@code Training (a)}
     * @param kind      inference or training
     * @param kase      the case
     * @param threads   SIMD engine threads it is judged at
     * @param criterion the measure
     * @param goal      the threshold
     * @param peer      the peer to show for comparison, or null
     * @param peerClaim the figure for that peer, e.g. {@code about 37 s}
     * @param hidden    {@code H} of a streaming target ({@link Criterion#MIN_SKIPPING_SPEEDUP}), else 0
     */
    public record Target(String title, Kind kind, Case kase, int threads, Criterion criterion, double goal,
                         Impl peer, String peerClaim, int hidden) {
        /** A layer target (judged on a SIMD layer row). */
        public Target(String title, Kind kind, Case kase, int threads, Criterion criterion, double goal, Impl peer,
                      String peerClaim) {
            this(title, kind, kase, threads, criterion, goal, peer, peerClaim, 0);
        }

        /**
         * @param title  the title
         * @param hidden {@code H}
         * @param goal   the least event-driven ÷ dense events/s
         * @return a streaming target: one stream, event-driven against dense ({@code StreamingBenchmark})
         */
        public static Target streaming(String title, int hidden, double goal) {
            return new Target(title, Kind.INFERENCE, null, 1, Criterion.MIN_SKIPPING_SPEEDUP, goal, null, null,
                    hidden);
        }

        /** @return e.g. {@code ≤ 15 s per epoch} */
        public String goalText() {
            return switch (criterion) {
                case MAX_EPOCH_SECONDS -> "≤ " + Format.plain(goal) + " s per epoch";
                case MIN_PERCENT_OF_PEAK -> "≥ " + Format.plain(goal) + " % of peak" + threads;
                case MIN_SPEEDUP_OVER_REFERENCE -> "≥ " + Format.plain(goal) + "× the reference";
                case MIN_SKIPPING_SPEEDUP -> "≥ " + Format.plain(goal) + "× dense events/s";
            };
        }

        /** @return which benchmark row the target is judged on */
        public String judgedOn() {
            if (criterion == Criterion.MIN_SKIPPING_SPEEDUP) {
                return "`" + StreamBench.SINGLE.className() + "`, B = 1, H = " + hidden
                        + ", event-driven ÷ dense events/s";
            }
            return "SIMD " + kind.label() + " " + kase.letter() + ", `" + MODEL + "`, " + threads
                    + (threads == 1 ? " thread" : " threads");
        }
    }

    /**
     * A target's result.
     *
     * @param target   the target
     * @param status   pass, fail or not run
     * @param measured the measured value ({@link Criterion}'s unit), NaN if not run
     * @param detail   context: the plain LSTM's value, other thread counts, or why it was not run
     * @param peerText the peer's value in this run, or the figure
     */
    public record Outcome(Target target, Status status, double measured, String detail, String peerText) {
        /** @return the measured value with its unit, or {@code —} */
        public String measuredText() {
            return Double.isNaN(measured) ? "—" : unit(target.criterion(), measured);
        }
    }

    /** @return the targets */
    public static List<Target> all() {
        return List.of(
                new Target("Training (a)", Kind.TRAINING, Case.A, 2, Criterion.MAX_EPOCH_SECONDS, 15, Impl.TF,
                        "about 37 s per epoch"),
                new Target("Training (b)", Kind.TRAINING, Case.B, 2, Criterion.MIN_PERCENT_OF_PEAK, 40, Impl.TF,
                        "about 241 s per epoch"),
                new Target("Inference (a)", Kind.INFERENCE, Case.A, 2, Criterion.MAX_EPOCH_SECONDS, 6, Impl.ONNX,
                        "about 8 s per 60,000 samples"),
                new Target("Inference (b)", Kind.INFERENCE, Case.B, 2, Criterion.MIN_PERCENT_OF_PEAK, 70, Impl.ONNX,
                        "about 79 % of peak"),
                new Target("SIMD vs reference, inference (b)", Kind.INFERENCE, Case.B, 1,
                        Criterion.MIN_SPEEDUP_OVER_REFERENCE, 20, null, null),
                new Target("SIMD vs reference, training (b)", Kind.TRAINING, Case.B, 1,
                        Criterion.MIN_SPEEDUP_OVER_REFERENCE, 20, null, null),
                Target.streaming("Streaming, skipping ≥ 10× dense at H=512", 512, 10));
    }

    /**
     * @param data a run
     * @return every target's outcome, in {@link #all()}'s order
     */
    public static List<Outcome> evaluate(PerformanceData data) {
        List<Outcome> out = new ArrayList<>();
        for (Target t : all()) {
            out.add(evaluate(data, t));
        }
        return out;
    }

    /**
     * @param data   a run
     * @param target a target
     * @return its outcome
     */
    public static Outcome evaluate(PerformanceData data, Target target) {
        if (target.criterion() == Criterion.MIN_SKIPPING_SPEEDUP) {
            return evaluateStreaming(data, target);
        }
        Optional<LayerRow> row = data.find(Impl.SIMD, target.kind(), target.kase(), MODEL, target.threads(), 0);
        String peerText = peerText(data, target);
        if (row.isEmpty()) {
            return new Outcome(target, Status.NOT_RUN, Double.NaN, "no result for " + target.judgedOn(), peerText);
        }
        OptionalDouble value = measure(data, target, row.get());
        if (value.isEmpty()) {
            String why = switch (target.criterion()) {
                case MIN_PERCENT_OF_PEAK -> "peak" + target.threads() + " (PeakFlopsBenchmark) not run, or the "
                        + "machine record has no vector width";
                case MIN_SPEEDUP_OVER_REFERENCE -> "the reference did not run " + target.kase().letter() + " "
                        + target.kind().label() + " `" + MODEL + "`";
                default -> "not measurable";
            };
            return new Outcome(target, Status.NOT_RUN, Double.NaN, why, peerText);
        }
        double v = value.getAsDouble();
        boolean pass = target.criterion() == Criterion.MAX_EPOCH_SECONDS ? v <= target.goal() : v >= target.goal();
        List<String> detail = new ArrayList<>();
        data.find(Impl.SIMD, target.kind(), target.kase(), "lstm", target.threads(), 0)
                .flatMap(l -> box(measure(data, target, l)))
                .ifPresent(l -> detail.add("plain LSTM: " + unit(target.criterion(), l)));
        if (target.criterion() == Criterion.MIN_SPEEDUP_OVER_REFERENCE) {
            data.find(Impl.SIMD, target.kind(), target.kase(), MODEL, 2, 0)
                    .flatMap(r -> box(data.speedupOverReference(r)))
                    .ifPresent(r -> detail.add("2 SIMD threads: " + unit(target.criterion(), r)));
        }
        return new Outcome(target, pass ? Status.PASS : Status.FAIL, v, String.join("; ", detail), peerText);
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
            return new Outcome(target, Status.NOT_RUN, Double.NaN, "no " + StreamBench.SINGLE.className()
                    + " result for hidden=" + h + " on both paths (event-driven and dense)", "");
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
        return new Outcome(target, v >= target.goal() ? Status.PASS : Status.FAIL, v, String.join("; ", detail), "");
    }

    private static OptionalDouble measure(PerformanceData data, Target target, LayerRow row) {
        return switch (target.criterion()) {
            case MAX_EPOCH_SECONDS -> OptionalDouble.of(row.epochSeconds());
            case MIN_PERCENT_OF_PEAK -> data.percentOfPeak(row);
            case MIN_SPEEDUP_OVER_REFERENCE -> data.speedupOverReference(row);
            case MIN_SKIPPING_SPEEDUP -> OptionalDouble.empty(); // not a layer measure: see evaluateStreaming
        };
    }

    private static String peerText(PerformanceData data, Target target) {
        if (target.peer() == null) {
            return "";
        }
        Optional<LayerRow> p = data.find(target.peer(), target.kind(), target.kase(), "lstm", target.threads(), 0);
        if (p.isPresent()) {
            String v = target.criterion() == Criterion.MIN_PERCENT_OF_PEAK
                    ? data.percentOfPeak(p.get()).stream().mapToObj(x -> unit(target.criterion(), x)).findFirst()
                            .orElse("—")
                    : unit(Criterion.MAX_EPOCH_SECONDS, p.get().epochSeconds()) + " per epoch";
            return target.peer().label() + ", this run: " + v;
        }
        return target.peer().label() + ": " + target.peerClaim() + " (the issue's figure; not run here)";
    }

    private static Optional<Double> box(OptionalDouble d) {
        return d.isPresent() ? Optional.of(d.getAsDouble()) : Optional.empty();
    }

    static String unit(Criterion c, double v) {
        return switch (c) {
            case MAX_EPOCH_SECONDS -> Format.number(v) + " s";
            case MIN_PERCENT_OF_PEAK -> Format.number(v) + " %";
            case MIN_SPEEDUP_OVER_REFERENCE, MIN_SKIPPING_SPEEDUP -> Format.number(v) + "×";
        };
    }

    /** @return {@code PASS}, {@code FAIL} or {@code not run}, for the table */
    static String statusText(Status s) {
        return switch (s) {
            case PASS -> "✅ PASS";
            case FAIL -> "❌ FAIL";
            case NOT_RUN -> "not run";
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
