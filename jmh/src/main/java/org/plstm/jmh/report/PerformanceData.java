package org.plstm.jmh.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.plstm.inference.InferencePath;
import org.plstm.jmh.BatchInferenceBenchmark;
import org.plstm.jmh.PeakFlopsBenchmark;
import org.plstm.jmh.Shape;

/**
 * The metrics of the report, computed from JMH's results and the machine record. Definitions (also written into
 * the report):
 *
 * <ul>
 *   <li>one operation of a layer benchmark is one batch of shape {@code B×T×I×H}; {@code t} is its time;
 *   <li>FLOPs = {@link Shape#flops(boolean)}: {@code 2·B·4H·(I+H)·T}, ×3 for training; GFLOP/s = FLOPs ÷ t;
 *   <li>samples/s = {@code B ÷ t}; sequence-steps/s = {@code B·T ÷ t}; epoch seconds = {@code 60000 ÷ samples/s};
 *   <li>% of peak = GFLOP/s ÷ the peak GFLOP/s of {@link PeakFlopsBenchmark} in the same run with the same number
 *       of threads ({@code peak1}, {@code peak2}); the peak's FLOPs per operation are
 *       {@code ITERATIONS·12·lanes·2}, with the lanes of the run's machine record; with {@code n} JMH threads its
 *       GFLOP/s are {@code n·FLOPs ÷ t} (JMH's average time is per thread);
 *   <li>speed-up over the reference = samples/s ÷ the reference's samples/s on the same {@code (T, I, H)} and
 *       model (the reference runs smaller batches; a scalar loop's time per sample does not depend on B);
 *   <li>ratio against a peer = our samples/s ÷ the peer's, same shape, kind and thread count (the peers run a
 *       plain LSTM: like for like with our {@code model=lstm}; our {@code plstm} is the Phased LSTM against it);
 *   <li>the peers' native code ignores the JVM's flags: they run at {@code native}, and TensorFlow Java also at
 *       the levels oneDNN can hold it to ({@link IsaLevel#peerCpuIsa()}); another level compares against the
 *       {@code native} results of each peer it did not run itself ({@link #borrowed(Impl)}) and gives no % of peak
 *       for them (their code never ran at the level);
 *   <li>kernels: {@code gateProduct} GFLOP/s with {@code 2·B·4H·(I+H)} FLOPs per operation; {@code cellUpdate}
 *       and {@code timeGate} in ns per unit-step, {@code t ÷ (B·H)};
 *   <li>streaming ({@link StreamRow}): events/s = events per operation ÷ t (one event per operation of
 *       {@code StreamingBenchmark}, {@code B·T} = {@value BatchInferenceBenchmark#EVENTS_PER_BATCH} per batch of
 *       {@link BatchInferenceBenchmark}); the skipping speed-up = the event-driven path's events/s ÷ the dense
 *       path's, same benchmark and {@code H}; allocation per event = {@code gc.alloc.rate.norm} ÷ events per
 *       operation.
 * </ul>
 */
public final class PerformanceData {
    /** Samples in one epoch of the report (MNIST's training set). */
    public static final int EPOCH_SAMPLES = 60_000;

    /** Who computed a layer. */
    public enum Impl {
        /** Our Vector API engine. */
        SIMD("SIMD", false),
        /** Our scalar double-precision reference. */
        REFERENCE("reference", false),
        /** ONNX Runtime's {@code LSTM} (inference only). */
        ONNX("ONNX Runtime", true),
        /** TensorFlow Java's {@code BlockLSTMV2}. */
        TF("TensorFlow Java", true),
        /** Deeplearning4j's {@code LSTM}. */
        DL4J("DL4J", true);

        private final String label;
        private final boolean peer;

        Impl(String label, boolean peer) {
            this.label = label;
            this.peer = peer;
        }

        /** @return the name shown in the report */
        public String label() {
            return label;
        }

        /** @return true for the other libraries (plain LSTM only) */
        public boolean peer() {
            return peer;
        }
    }

    /** What a layer benchmark times. */
    public enum Kind {
        /** Forward pass. */
        INFERENCE,
        /** Forward and full backward pass. */
        TRAINING;

        /** @return {@code inference} or {@code training} */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * A shape up to its batch size: the key that matches the reference's smaller batches with the SIMD shapes.
     *
     * @param steps  {@code T}
     * @param inputs {@code I}
     * @param hidden {@code H}
     */
    public record Case(int steps, int inputs, int hidden) implements Comparable<Case> {
        private static final List<Case> KNOWN = List.of(new Case(784, 1, 32), new Case(100, 64, 256),
                new Case(1000, 16, 128), new Case(100, 128, 1024), new Case(50, 33, 207));
        private static final List<String> DESCRIPTIONS = List.of("sequential MNIST, pixel by pixel",
                "mid-size layer", "one long stream", "wide layer", "odd sizes (every vector tail)");

        /** The known cases, in the report's order. */
        public static final Case A = KNOWN.get(0);
        /** Case (b). */
        public static final Case B = KNOWN.get(1);

        /**
         * @param shape a shape
         * @return its case
         */
        public static Case of(Shape shape) {
            return new Case(shape.steps(), shape.inputs(), shape.hidden());
        }

        /** @return {@code (a)} to {@code (e)} for the shapes, else an empty string */
        public String letter() {
            int k = KNOWN.indexOf(this);
            return k < 0 ? "" : "(" + (char) ('a' + k) + ")";
        }

        /** @return what the case stands for, or an empty string */
        public String description() {
            int k = KNOWN.indexOf(this);
            return k < 0 ? "" : DESCRIPTIONS.get(k);
        }

        /**
         * @param batch a batch size
         * @return e.g. {@code (a) 128x784x1x32}
         */
        public String label(int batch) {
            String s = batch + "x" + steps + "x" + inputs + "x" + hidden;
            return letter().isEmpty() ? s : letter() + " " + s;
        }

        @Override
        public int compareTo(Case o) {
            int a = KNOWN.indexOf(this);
            int b = KNOWN.indexOf(o);
            a = a < 0 ? Integer.MAX_VALUE : a;
            b = b < 0 ? Integer.MAX_VALUE : b;
            return a != b ? Integer.compare(a, b)
                    : Comparator.comparingInt(Case::steps).thenComparingInt(Case::inputs)
                            .thenComparingInt(Case::hidden).compare(this, o);
        }
    }

    /**
     * One whole-layer result.
     *
     * @param impl            who computed it
     * @param kind            inference or training
     * @param shape           the batch's shape
     * @param model           {@code plstm} (time gate on) or {@code lstm}
     * @param threads         threads of the engine (SIMD, peers) or 1 (reference)
     * @param secondsPerBatch time per batch
     * @param relativeError   JMH's error ÷ score, NaN if unknown
     * @param allocBytesPerOp {@code gc.alloc.rate.norm}, or null without {@code -prof gc}
     */
    public record LayerRow(Impl impl, Kind kind, Shape shape, String model, int threads, double secondsPerBatch,
                           double relativeError, Double allocBytesPerOp) {
        /** @return {@code B ÷ t} */
        public double samplesPerSecond() {
            return shape.batch() / secondsPerBatch;
        }

        /** @return {@code B·T ÷ t} */
        public double stepsPerSecond() {
            return (double) shape.batch() * shape.steps() / secondsPerBatch;
        }

        /** @return seconds for {@value PerformanceData#EPOCH_SAMPLES} samples */
        public double epochSeconds() {
            return EPOCH_SAMPLES / samplesPerSecond();
        }

        /** @return FLOPs per batch, {@link Shape#flops(boolean)} */
        public double flops() {
            return shape.flops(kind == Kind.TRAINING);
        }

        /** @return FLOPs ÷ t, in GFLOP/s */
        public double gflops() {
            return flops() / secondsPerBatch / 1e9;
        }

        /** @return the row's case */
        public Case kase() {
            return Case.of(shape);
        }
    }

    /**
     * One kernel result ({@code org.plstm.jmh.KernelBenchmark}, single-threaded, one step of a batch per op).
     *
     * @param kernel          {@code gateProduct}, {@code cellUpdate} or {@code timeGate}
     * @param shape           the shape ({@code T} is ignored)
     * @param secondsPerOp    time per operation
     * @param relativeError   JMH's error ÷ score
     * @param allocBytesPerOp {@code gc.alloc.rate.norm}, or null
     */
    public record KernelRow(String kernel, Shape shape, double secondsPerOp, double relativeError,
                            Double allocBytesPerOp) {
        /** @return FLOPs per op of the gate product, {@code 2·B·4H·(I+H)}; 0 for the other kernels */
        public double flops() {
            return kernel.equals("gateProduct")
                    ? 2.0 * shape.batch() * 4.0 * shape.hidden() * (shape.inputs() + shape.hidden()) : 0;
        }

        /** @return GFLOP/s of the gate product, NaN for the other kernels */
        public double gflops() {
            return flops() > 0 ? flops() / secondsPerOp / 1e9 : Double.NaN;
        }

        /** @return {@code t ÷ (B·H)} in ns */
        public double nsPerUnitStep() {
            return secondsPerOp * 1e9 / ((double) shape.batch() * shape.hidden());
        }
    }

    /**
     * One peak result.
     *
     * @param method       {@code peak1} or {@code peak2}
     * @param threads      JMH threads
     * @param secondsPerOp time per operation, per thread
     * @param flopsPerOp   {@code ITERATIONS·12·lanes·2}, NaN if the lanes are unknown
     */
    public record PeakRow(String method, int threads, double secondsPerOp, double flopsPerOp) {
        /** @return {@code threads · FLOPs ÷ t} in GFLOP/s */
        public double gflops() {
            return threads * flopsPerOp / secondsPerOp / 1e9;
        }
    }

    /** The event-driven inference benchmarks: one stream, or batches of streams. */
    public enum StreamBench {
        /** {@code StreamingBenchmark}: one stream (B = 1), one event per operation, throughput. */
        SINGLE("StreamingBenchmark", 1),
        /** {@code BatchInferenceBenchmark}: a batch of B = 32 streams of T = 100 events per operation. */
        BATCH("BatchInferenceBenchmark", BatchInferenceBenchmark.EVENTS_PER_BATCH);

        private final String className;
        private final int eventsPerOp;

        StreamBench(String className, int eventsPerOp) {
            this.className = className;
            this.eventsPerOp = eventsPerOp;
        }

        /** @return the benchmark class without its package */
        public String className() {
            return className;
        }

        /** @return events in one operation */
        public int eventsPerOp() {
            return eventsPerOp;
        }

        static StreamBench of(String simpleClassName) {
            for (StreamBench b : values()) {
                if (b.className.equals(simpleClassName)) {
                    return b;
                }
            }
            return null;
        }
    }

    /**
     * One event-driven inference result ({@link StreamBench}), on one path and hidden size.
     *
     * @param bench           one stream or batches
     * @param hidden          {@code H}
     * @param path            event-driven (closed units skipped) or dense (every unit at every event)
     * @param threads         JMH threads (1 in the suite)
     * @param secondsPerOp    time per operation, per thread
     * @param relativeError   JMH's error ÷ score, NaN if unknown
     * @param allocBytesPerOp {@code gc.alloc.rate.norm}, or null without {@code -prof gc}
     */
    public record StreamRow(StreamBench bench, int hidden, InferencePath path, int threads, double secondsPerOp,
                            double relativeError, Double allocBytesPerOp) {
        /** @return {@code threads · events per operation ÷ t} */
        public double eventsPerSecond() {
            return threads * (double) bench.eventsPerOp() / secondsPerOp;
        }

        /** @return {@code gc.alloc.rate.norm ÷ events per operation}, or null without {@code -prof gc} */
        public Double allocBytesPerEvent() {
            return allocBytesPerOp == null ? null : allocBytesPerOp / bench.eventsPerOp();
        }
    }

    private final List<LayerRow> layers;
    private final TreeMap<Integer, PeakRow> peaks;
    private final List<KernelRow> kernels;
    private final List<StreamRow> streams;
    private final List<JmhResult> others;
    private final List<JmhResult> results;
    private final MachineInfo machine;
    private final Set<Impl> borrowedPeers;

    private PerformanceData(List<LayerRow> layers, TreeMap<Integer, PeakRow> peaks, List<KernelRow> kernels,
                            List<StreamRow> streams, List<JmhResult> others, List<JmhResult> results,
                            MachineInfo machine, Set<Impl> borrowedPeers) {
        this.layers = layers;
        this.peaks = peaks;
        this.kernels = kernels;
        this.streams = streams;
        this.others = others;
        this.results = results;
        this.machine = machine;
        this.borrowedPeers = borrowedPeers;
    }

    /**
     * Sorts JMH's results into layer, kernel, peak and streaming rows; results of other benchmarks are kept as they are.
     *
     * @param results JMH's results, from any number of files
     * @param machine the machine record, or null if there is none (no % of peak then)
     * @return the data
     */
    public static PerformanceData of(List<JmhResult> results, MachineInfo machine) {
        return of(results, List.of(), machine);
    }

    /**
     * One instruction level's data, with the peers of another level's run for those it did not run itself: the
     * peers' native code ignores the JVM's flags, so ONNX Runtime and DL4J run at {@code native} only, and
     * TensorFlow Java also at the levels oneDNN can hold it to ({@link IsaLevel#peerCpuIsa()}).
     *
     * @param results       the level's own JMH results
     * @param borrowedPeers {@code PeerLstmBenchmark} results of another level's run (others are ignored), empty if
     *                      none; a peer's borrowed results are used only if the level has none of that peer's own
     * @param machine       the level's machine record, or null
     * @return the data
     */
    public static PerformanceData of(List<JmhResult> results, List<JmhResult> borrowedPeers, MachineInfo machine) {
        Set<Impl> own = EnumSet.noneOf(Impl.class);
        results.stream().map(PerformanceData::peerImpl).filter(Objects::nonNull).forEach(own::add);
        List<JmhResult> all = new ArrayList<>(results);
        Set<Impl> borrowed = EnumSet.noneOf(Impl.class);
        for (JmhResult r : borrowedPeers) {
            Impl impl = peerImpl(r);
            if (impl != null && !own.contains(impl)) {
                all.add(r);
                borrowed.add(impl);
            }
        }
        return build(all, machine, Collections.unmodifiableSet(borrowed));
    }

    /**
     * @param r a JMH result
     * @return true if it is a peer's ({@code PeerLstmBenchmark})
     */
    public static boolean isPeer(JmhResult r) {
        return r.simpleClassName().equals("PeerLstmBenchmark");
    }

    /**
     * @param r a JMH result
     * @return the peer it measured ({@code PeerLstmBenchmark.inferenceOnnx} is {@link Impl#ONNX}, ...), or null if
     *     it is not a peer's or an unknown method
     */
    public static Impl peerImpl(JmhResult r) {
        if (!isPeer(r)) {
            return null;
        }
        return switch (r.method()) {
            case "inferenceOnnx" -> Impl.ONNX;
            case "inferenceTf", "trainingTf" -> Impl.TF;
            case "inferenceDl4j", "trainingDl4j" -> Impl.DL4J;
            default -> null;
        };
    }

    private static PerformanceData build(List<JmhResult> results, MachineInfo machine, Set<Impl> borrowedPeers) {
        List<LayerRow> layers = new ArrayList<>();
        TreeMap<Integer, PeakRow> peaks = new TreeMap<>();
        List<KernelRow> kernels = new ArrayList<>();
        List<StreamRow> streams = new ArrayList<>();
        List<JmhResult> others = new ArrayList<>();
        int lanes = machine == null ? 0 : machine.lanes();
        double peakFlops = lanes > 0 ? PeakFlopsBenchmark.ITERATIONS * 12.0 * lanes * 2.0 : Double.NaN;
        for (JmhResult r : results) {
            String cls = r.simpleClassName();
            String m = r.method();
            LayerRow row = switch (cls) {
                case "SimdLayerBenchmark" -> layer(Impl.SIMD, r, m);
                case "ReferenceLayerBenchmark" -> layer(Impl.REFERENCE, r, m);
                case "PeerLstmBenchmark" -> {
                    Impl peer = peerImpl(r);
                    yield peer == null ? null : layer(peer, r, m.startsWith("inference") ? "inference" : "training");
                }
                default -> null;
            };
            StreamRow stream = streamRow(r);
            if (row != null) {
                layers.add(row);
            } else if (stream != null) {
                streams.add(stream);
            } else if (cls.equals("PeakFlopsBenchmark")) {
                peaks.put(r.threads(), new PeakRow(m, r.threads(), r.secondsPerOp(), peakFlops));
            } else if (cls.equals("KernelBenchmark") && r.param("shape") != null) {
                kernels.add(new KernelRow(m, Shape.parse(r.param("shape")), r.secondsPerOp(), r.relativeError(),
                        r.allocBytesPerOp()));
            } else {
                others.add(r);
            }
        }
        layers.sort(Comparator.comparing(LayerRow::kase).thenComparing(LayerRow::impl)
                .thenComparing(x -> x.model().equals("plstm") ? 0 : 1).thenComparingInt(LayerRow::threads)
                .thenComparingInt(x -> x.shape().batch()));
        kernels.sort(Comparator.comparing((KernelRow k) -> Case.of(k.shape())).thenComparing(k -> switch (k.kernel()) {
            case "gateProduct" -> 0;
            case "cellUpdate" -> 1;
            case "timeGate" -> 2;
            default -> 3;
        }));
        streams.sort(Comparator.comparing(StreamRow::bench).thenComparingInt(StreamRow::hidden)
                .thenComparing(StreamRow::path));
        return new PerformanceData(List.copyOf(layers), peaks, List.copyOf(kernels), List.copyOf(streams),
                List.copyOf(others), List.copyOf(results), machine, borrowedPeers);
    }

    /** @return the result as a streaming row, or null if it is not one (unknown class, method or parameters) */
    private static StreamRow streamRow(JmhResult r) {
        StreamBench bench = StreamBench.of(r.simpleClassName());
        if (bench == null || r.param("hidden") == null || r.param("path") == null) {
            return null;
        }
        InferencePath path;
        int hidden;
        try {
            path = InferencePath.valueOf(r.param("path"));
            hidden = Integer.parseInt(r.param("hidden"));
        } catch (IllegalArgumentException e) {
            return null;
        }
        return new StreamRow(bench, hidden, path, r.threads(), r.secondsPerOp(), r.relativeError(),
                r.allocBytesPerOp());
    }

    private static LayerRow layer(Impl impl, JmhResult r, String method) {
        Kind kind = switch (method) {
            case "inference" -> Kind.INFERENCE;
            case "training" -> Kind.TRAINING;
            default -> null;
        };
        if (kind == null || r.param("shape") == null) {
            return null;
        }
        String model = r.param("model") == null ? "lstm" : r.param("model");
        int threads = r.param("threads") == null ? r.threads() : Integer.parseInt(r.param("threads"));
        return new LayerRow(impl, kind, Shape.parse(r.param("shape")), model, threads, r.secondsPerOp(),
                r.relativeError(), r.allocBytesPerOp());
    }

    /** @return the layer rows, by case, implementation, model, threads */
    public List<LayerRow> layers() {
        return layers;
    }

    /** @return the peak rows by thread count */
    public java.util.NavigableMap<Integer, PeakRow> peaks() {
        return java.util.Collections.unmodifiableNavigableMap(peaks);
    }

    /** @return the kernel rows */
    public List<KernelRow> kernels() {
        return kernels;
    }

    /** @return the streaming rows, by benchmark, hidden size, path (event-driven first) */
    public List<StreamRow> streams() {
        return streams;
    }

    /** @return the hidden sizes of the streaming rows, ascending */
    public List<Integer> streamHiddenSizes() {
        return List.copyOf(new TreeSet<>(streams.stream().map(StreamRow::hidden).toList()));
    }

    /**
     * @param bench  one stream or batches
     * @param hidden {@code H}
     * @param path   the path
     * @return the row, if that combination ran
     */
    public Optional<StreamRow> stream(StreamBench bench, int hidden, InferencePath path) {
        return streams.stream().filter(r -> r.bench() == bench && r.hidden() == hidden && r.path() == path)
                .findFirst();
    }

    /**
     * @param bench  one stream or batches
     * @param hidden {@code H}
     * @return the event-driven path's events/s ÷ the dense path's, if both ran
     */
    public OptionalDouble skippingSpeedup(StreamBench bench, int hidden) {
        Optional<StreamRow> e = stream(bench, hidden, InferencePath.EVENT_DRIVEN);
        Optional<StreamRow> d = stream(bench, hidden, InferencePath.DENSE);
        return e.isPresent() && d.isPresent()
                ? OptionalDouble.of(e.get().eventsPerSecond() / d.get().eventsPerSecond()) : OptionalDouble.empty();
    }

    /** @return results of benchmarks the report does not know */
    public List<JmhResult> others() {
        return others;
    }

    /** @return all results, the borrowed peers' included */
    public List<JmhResult> results() {
        return results;
    }

    /** @return the results of this level's own run: without borrowed peers */
    public List<JmhResult> ownResults() {
        return results.stream().filter(r -> !borrowedPeers.contains(peerImpl(r))).toList();
    }

    /** @return true if some peer rows come from another level's run (see {@link #of(List, List, MachineInfo)}) */
    public boolean peersBorrowed() {
        return !borrowedPeers.isEmpty();
    }

    /**
     * @param impl an implementation
     * @return true if its rows come from another level's run (a peer this level did not run itself)
     */
    public boolean borrowed(Impl impl) {
        return borrowedPeers.contains(impl);
    }

    /** @return the peers whose rows come from another level's run, in {@link Impl}'s order */
    public Set<Impl> borrowedPeers() {
        return borrowedPeers;
    }

    /** @return the machine record, or null */
    public MachineInfo machine() {
        return machine;
    }

    /** @return the cases present in the layer rows, in the report's order */
    public List<Case> cases() {
        return layers.stream().map(LayerRow::kase).distinct().sorted().toList();
    }

    /**
     * @param threads a thread count
     * @return the peak GFLOP/s measured with that many threads, if it was
     */
    public OptionalDouble peakGflops(int threads) {
        PeakRow p = peaks.get(threads);
        return p == null || !Double.isFinite(p.gflops()) ? OptionalDouble.empty() : OptionalDouble.of(p.gflops());
    }

    /**
     * @param row a layer row
     * @return its GFLOP/s as a percentage of the peak with the same number of threads, if that peak was measured
     *     (never for borrowed peer rows: they ran at another level)
     */
    public OptionalDouble percentOfPeak(LayerRow row) {
        if (borrowedPeers.contains(row.impl())) {
            return OptionalDouble.empty();
        }
        OptionalDouble p = peakGflops(row.threads());
        return p.isPresent() ? OptionalDouble.of(100.0 * row.gflops() / p.getAsDouble()) : OptionalDouble.empty();
    }

    /**
     * @param kernel a kernel row (single-threaded)
     * @return its GFLOP/s as a percentage of {@code peak1}, for the gate product
     */
    public OptionalDouble percentOfPeak(KernelRow kernel) {
        OptionalDouble p = peakGflops(1);
        return p.isPresent() && kernel.flops() > 0
                ? OptionalDouble.of(100.0 * kernel.gflops() / p.getAsDouble()) : OptionalDouble.empty();
    }

    /**
     * The first row that matches, preferring the given batch size.
     *
     * @param impl    implementation
     * @param kind    inference or training
     * @param kase    the case
     * @param model   {@code plstm} or {@code lstm}
     * @param threads threads, or 0 for any
     * @param batch   the preferred batch size, or 0
     * @return the row, if there is one
     */
    public Optional<LayerRow> find(Impl impl, Kind kind, Case kase, String model, int threads, int batch) {
        List<LayerRow> match = layers.stream().filter(r -> r.impl() == impl && r.kind() == kind
                && r.kase().equals(kase) && r.model().equals(model) && (threads == 0 || r.threads() == threads))
                .toList();
        return match.stream().filter(r -> r.shape().batch() == batch).findFirst().or(() -> match.stream().findFirst());
    }

    /**
     * @param row a non-reference row
     * @return samples/s ÷ the reference's on the same case, model and kind, if the reference ran it
     */
    public OptionalDouble speedupOverReference(LayerRow row) {
        if (row.impl() == Impl.REFERENCE) {
            return OptionalDouble.empty();
        }
        return find(Impl.REFERENCE, row.kind(), row.kase(), row.model(), 0, row.shape().batch())
                .map(ref -> OptionalDouble.of(row.samplesPerSecond() / ref.samplesPerSecond()))
                .orElse(OptionalDouble.empty());
    }

    /**
     * @param row  a SIMD row, either model (the peers run a plain LSTM: like for like with {@code model=lstm})
     * @param peer a peer
     * @return our samples/s ÷ the peer's, same case, kind and threads (same batch preferred), if the peer ran it
     */
    public OptionalDouble ratioOver(LayerRow row, Impl peer) {
        if (row.impl() != Impl.SIMD) {
            return OptionalDouble.empty();
        }
        return peerRow(row, peer).map(p -> OptionalDouble.of(row.samplesPerSecond() / p.samplesPerSecond()))
                .orElse(OptionalDouble.empty());
    }

    /**
     * @param row  a row of ours
     * @param peer a peer
     * @return the peer's plain-LSTM row with the same case, kind and threads (same batch preferred), if any
     */
    public Optional<LayerRow> peerRow(LayerRow row, Impl peer) {
        return find(peer, row.kind(), row.kase(), "lstm", row.threads(), row.shape().batch());
    }

    /** @return true if any peer result is present */
    public boolean peersRan() {
        return layers.stream().anyMatch(r -> r.impl().peer());
    }

    /**
     * @param peer a peer
     * @param kind inference or training
     * @return true if the peer can run that kind at all (ONNX Runtime: inference only)
     */
    public static boolean supports(Impl peer, Kind kind) {
        return !(peer == Impl.ONNX && kind == Kind.TRAINING);
    }
}
