package org.plstm.flink.bench;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.SequenceBatch;
import org.plstm.TimeGateInit;
import org.plstm.engine.Backend;
import org.plstm.flink.Event;
import org.plstm.flink.KeyedPhasedLstm;
import org.plstm.flink.ModelSource;
import org.plstm.flink.Prediction;
import org.plstm.flink.example.CommandLines;
import org.plstm.inference.InferencePath;
import org.plstm.inference.PhasedLstmModel;
import org.plstm.inference.SessionBatch;
import org.plstm.inference.SessionState;
import org.plstm.inference.StreamSession;
import org.plstm.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Events per second, and per CPU-second, of keyed streaming inference: plain {@link StreamSession}s against the same
 * work through Flink ({@link KeyedPhasedLstm} on a local mini cluster in this JVM), at several H, many keys.
 *
 * <p>The model is StreamingBenchmark's (jmh module): one layer, I = 16, time gates as the paper advises (periods
 * {@code exp(U(1, 6))}, ratioOn 0.05), no head; the output is the hidden state. Event {@code i} is a pure function of
 * {@code i} ({@link Events}): a key among {@code --keys} (the same for {@code --burst} events in a row), a time
 * {@code i · 0.01} (so every key's times grow), features from a pool of 1,024 Gaussian vectors; every variant calls
 * the same function, so the event's creation is in every figure. Variants, each timed after a warm-up run of the same code in this JVM:
 * <ul>
 *   <li>{@code sessions}: one live {@code StreamSession} per key, {@code step} per event (the floor; memory: every
 *       session's scratch buffers);</li>
 *   <li>{@code restore/save arrays}: one session, per event the key's h and c copied in, stepped, copied out
 *       ({@link StreamSession#restoreState(float[][], float[][], double, long)} and
 *       {@link StreamSession#saveState(float[][], float[][])}): what the Flink operator does per key, without
 *       Flink;</li>
 *   <li>{@code restore/save SessionState}: the same through immutable {@link SessionState}s (two copies and an
 *       allocation per event, and garbage that lives until the key's next event);</li>
 *   <li>{@code session batch N, arrays}: the events in waves of up to N distinct keys, each wave's states moved
 *       from arrays into the slots of one {@link SessionBatch}, stepped together and moved back: what the
 *       operator does with a micro-batch, without Flink;</li>
 *   <li>{@code batched}: {@link PhasedLstmModel#predictLastHidden(SequenceBatch, InferencePath)} on the event-driven
 *       path, B = 32 sequences of T = 100 events (fresh state per sequence), on one thread (the common fork-join pool
 *       is given parallelism 0);</li>
 *   <li>{@code flink chained, no model}: the same source and sink with a map in place of the model: Flink's own
 *       cost per event (source, record copies between chained operators, sink);</li>
 *   <li>{@code flink chained, batch N}: source, operator and sink in one task and thread (the source is declared keyed
 *       with {@code DataStreamUtils.reinterpretAsKeyedStream}): the operator's own cost, micro-batches of N, a
 *       bundle's keys stepped one after another through one session; {@code session batch}: stepped together
 *       through a {@code SessionBatch} ({@link KeyedPhasedLstm.Builder#sessionBatch});</li>
 *   <li>{@code flink keyBy, batch N}: the same behind a real {@code keyBy} (records serialised and shuffled to another
 *       task: two threads, so events per CPU-second is the per-core figure).</li>
 * </ul>
 * Flink figures are measured from the first prediction to the end of the input (the job's start-up excluded); CPU is
 * the process's CPU time over the same window (all threads: tasks, JIT, GC). Each variant runs {@code --runs} times
 * after its warm-up; the table has the best run (the most events per CPU-second) and the range: on a shared machine
 * another tenant on the same core slows every run, never speeds one up, so the best run is the least disturbed.
 *
 * <p>Bad option values are refused before any work, with one line naming the option, and exit code
 * {@value CommandLines#USAGE} ({@link CommandLines}).
 */
@Command(name = "ThroughputBenchmark", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Events/s of keyed streaming inference: plain StreamSessions vs Flink (KeyedPhasedLstm).")
public final class ThroughputBenchmark implements Callable<Integer> {
    private static final int INPUTS = 16;
    /** The longest {@code --seconds}: a day. */
    static final double MAX_SECONDS = 86_400;

    @Spec
    CommandSpec spec;

    @Option(names = "--hidden", split = ",", defaultValue = "128,512", description = "H values (default: "
            + "${DEFAULT-VALUE}).")
    List<Integer> hidden;

    @Option(names = "--keys", defaultValue = "10000", description = "Keys (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--burst", defaultValue = "1", description = "Events per key in a row (default: "
            + "${DEFAULT-VALUE}: every event's key drawn anew); a burst is what a micro-batch can score per key read.")
    int burst;

    @Option(names = "--seconds", defaultValue = "6", description = "Target seconds per measured run, from a "
            + "warm-up's rate (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--batch", split = ",", defaultValue = "1,1024", description = "Micro-batch sizes of the Flink "
            + "variants (default: ${DEFAULT-VALUE}).")
    List<Integer> batches;

    @Option(names = "--runs", defaultValue = "5", description = "Measured runs per variant; the best is "
            + "reported (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--only", paramLabel = "REGEX", description = "Run only the variants whose name contains a match "
            + "(e.g. 'sessions|chained'); the first H's sessions run anyway, as the reference of the ratios.")
    java.util.regex.Pattern only;

    @Option(names = "--report", description = "Also write the table to this Markdown file (replaced atomically "
            + "at the end; its directory must exist).")
    Path report;

    /** A benchmark with no options set yet (picocli sets them from the command line). */
    public ThroughputBenchmark() {
    }

    /**
     * Runs the benchmark; {@code --help} lists the options. Exits with status {@value CommandLines#USAGE} on bad
     * options and {@value CommandLines#FAILED} if a run fails, with one line on standard error.
     *
     * @param args the options
     */
    public static void main(String[] args) {
        // The batched path splits samples over the common pool plus the caller; parallelism 0 keeps it on one thread.
        System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism", "0");
        int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * Runs the benchmark from the command line without exiting (for tests and embedding).
     *
     * @param args the options
     * @param out  standard output (help)
     * @param err  standard error (errors, one line each)
     * @return the exit code: {@value CommandLines#OK}, {@value CommandLines#USAGE} (bad options, nothing run) or
     *     {@value CommandLines#FAILED}
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return CommandLines.of(new ThroughputBenchmark(), out, err).execute(args);
    }

    /**
     * Refuses bad option values before any work: the numbers' ranges, an {@code --hidden} whose model could not be
     * built (its configuration's own check), a {@code --report} that could not be written at the end (its directory
     * missing or not writable, or the report itself a directory or not a regular file).
     *
     * @throws ParameterException naming the option, what it takes and the value given
     */
    void check() {
        for (int h : hidden) {
            if (h < 1) {
                throw bad("--hidden", "sizes >= 1", hidden);
            }
        }
        for (int h : hidden) {
            try {
                BenchModel.config(INPUTS, h);
            } catch (IllegalArgumentException e) {
                throw bad("--hidden", "sizes a model can have", hidden + " (" + e.getMessage() + ")");
            }
        }
        if (keys < 1) {
            throw bad("--keys", "an integer >= 1", keys);
        }
        if (burst < 1) {
            throw bad("--burst", "an integer >= 1", burst);
        }
        if (!(seconds > 0 && seconds <= MAX_SECONDS)) { // NaN too
            throw bad("--seconds", "seconds in (0, " + (long) MAX_SECONDS + "]", seconds);
        }
        for (int b : batches) {
            if (b < 1 || b > KeyedPhasedLstm.MAX_BATCH_SIZE) {
                throw bad("--batch", "sizes of 1 to " + KeyedPhasedLstm.MAX_BATCH_SIZE + " events", batches);
            }
        }
        if (runs < 1) {
            throw bad("--runs", "an integer >= 1", runs);
        }
        if (report != null) {
            checkReport();
        }
    }

    /** Refuses a {@code --report} that could not be written: checked without creating or opening anything. */
    private void checkReport() {
        String expected = "a file in an existing, writable directory";
        Path file = report.toAbsolutePath().normalize();
        Path dir = file.getParent();
        if (dir == null) {
            throw bad("--report", expected, report + " (the root directory)");
        } else if (!Files.exists(dir)) {
            throw bad("--report", expected, report + " (no such directory: " + dir + ")");
        } else if (!Files.isDirectory(dir)) {
            throw bad("--report", expected, report + " (" + dir + " is not a directory)");
        } else if (!Files.isWritable(dir)) {
            throw bad("--report", expected, report + " (" + dir + " is not writable)");
        } else if (Files.isDirectory(file)) {
            throw bad("--report", expected, report + " (a directory)");
        } else if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw bad("--report", expected, report + " (not a regular file: a named pipe, device or socket)");
        }
    }

    private ParameterException bad(String option, String expected, Object actual) {
        return CommandLines.badValue(spec.commandLine(), option, expected, actual);
    }

    @Override
    public Integer call() throws Exception {
        check();
        List<String> rows = new ArrayList<>();
        rows.add("| H | variant | events/s | events per CPU-second (range) | ÷ sessions, per CPU-second |");
        rows.add("|--:|---|--:|--:|--:|");
        for (int h : hidden) {
            BenchModel model = new BenchModel(INPUTS, h);
            PhasedLstmModel m = model.load();
            Events events = new Events(keys, INPUTS, 7, burst);
            Result floor = measure("sessions", n -> sessions(m, events, n));
            rows.add(row(h, floor, floor));
            List<String> names = new ArrayList<>(List.of("restore/save arrays", "restore/save SessionState",
                    "batched (B=32, T=100)"));
            List<Run> variants = new ArrayList<>(List.of(n -> restoreSaveArrays(m, events, n),
                    n -> restoreSave(m, events, n), n -> batched(m, events, n)));
            for (int batch : batches) {
                if (batch > 1) {
                    names.add("session batch " + batch + ", arrays");
                    variants.add(n -> sessionBatch(m, events, n, batch));
                }
            }
            names.add("flink chained, no model");
            variants.add(n -> flink(null, events, n, 1, false, false));
            for (boolean shuffle : new boolean[] {false, true}) {
                for (int batch : batches) {
                    names.add("flink " + (shuffle ? "keyBy" : "chained") + ", batch " + batch);
                    variants.add(n -> flink(model, events, n, batch, shuffle, false));
                    if (batch > 1) {
                        names.add("flink " + (shuffle ? "keyBy" : "chained") + ", batch " + batch
                                + ", session batch");
                        variants.add(n -> flink(model, events, n, batch, shuffle, true));
                    }
                }
            }
            for (int v = 0; v < names.size(); v++) {
                if (only == null || only.matcher(names.get(v)).find()) {
                    rows.add(row(h, measure(names.get(v), variants.get(v)), floor));
                }
            }
            System.out.println();
        }
        String table = String.join("\n", rows);
        String header = "Machine: " + cpu() + ", " + Runtime.getRuntime().availableProcessors()
                + " processors, JDK " + Runtime.version() + ", " + Backend.get().description() + "\nKeys: " + keys
                + ", I = " + INPUTS + ", one layer, no head (hidden state out), ratioOn 0.05, bursts of " + burst
                + " event(s) per key.\n\n";
        System.out.println(header + table);
        if (report != null) {
            AtomicFiles.writeString(report, header + table + "\n");
        }
        return 0;
    }

    private static String row(int h, Result r, Result floor) {
        return String.format(Locale.ROOT, "| %d | %s | %,.0f | %,.0f (%,.0f–%,.0f) | %.2f |", h, r.name,
                r.perSecond(), r.perCpuSecond(), r.minPerCpu, r.maxPerCpu, r.perCpuSecond() / floor.perCpuSecond());
    }

    /** Events, wall seconds, CPU seconds of one run (the best), and the range over the runs. */
    record Result(String name, long events, double wall, double cpu, double minPerCpu, double maxPerCpu) {
        Result(String name, long events, double wall, double cpu) {
            this(name, events, wall, cpu, events / cpu, events / cpu);
        }

        double perSecond() {
            return events / wall;
        }

        double perCpuSecond() {
            return events / cpu;
        }
    }

    interface Run {
        Result run(long events) throws Exception;
    }

    /** Two warm-ups (the second a quarter of the target), then {@code --runs} runs of about {@code --seconds}. */
    private Result measure(String name, Run run) throws Exception {
        System.gc(); // the previous variant's sessions or job are garbage now: collect them outside the timing
        Result warm = run.run(20_000);
        long n = Math.max(20_000, (long) (warm.perSecond() * seconds / 4));
        warm = run.run(n);
        n = Math.max(50_000, (long) (warm.perSecond() * seconds));
        List<Result> all = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            all.add(run.run(n));
        }
        all.sort(java.util.Comparator.comparingDouble(Result::perCpuSecond));
        Result best = all.get(all.size() - 1);
        Result named = new Result(name, best.events, best.wall, best.cpu, all.get(0).perCpuSecond(),
                best.perCpuSecond());
        System.out.printf(Locale.ROOT, "  %-28s %,12.0f events/s  %,12.0f per CPU-second (%,.0f–%,.0f)  (%,d events, "
                + "%d runs)%n", name, named.perSecond(), named.perCpuSecond(), named.minPerCpu, named.maxPerCpu, n,
                runs);
        return named;
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private Result sessions(PhasedLstmModel m, Events events, long n) {
        StreamSession[] s = new StreamSession[keys];
        for (int k = 0; k < keys; k++) {
            s[k] = m.newSession();
        }
        long c0 = cpuNanos();
        long t0 = System.nanoTime();
        float sink = 0;
        for (long i = 0; i < n; i++) {
            Event<Long> e = events.map(i);
            sink += s[(int) (long) e.key()].step(e.features(), e.time())[0];
        }
        return result(n, t0, c0, sink);
    }

    private Result restoreSave(PhasedLstmModel m, Events events, long n) {
        SessionState[] states = new SessionState[keys];
        StreamSession s = m.newSession();
        SessionState zero = s.saveState();
        long c0 = cpuNanos();
        long t0 = System.nanoTime();
        float sink = 0;
        for (long i = 0; i < n; i++) {
            Event<Long> e = events.map(i);
            int k = (int) (long) e.key();
            s.restoreState(states[k] == null ? zero : states[k]);
            sink += s.step(e.features(), e.time())[0];
            states[k] = s.saveState();
        }
        return result(n, t0, c0, sink);
    }

    private Result restoreSaveArrays(PhasedLstmModel m, Events events, long n) {
        int h = m.hiddenSize();
        float[][][] hs = new float[keys][1][h];
        float[][][] cs = new float[keys][1][h];
        double[] last = new double[keys];
        long[] counts = new long[keys];
        java.util.Arrays.fill(last, Double.NEGATIVE_INFINITY);
        StreamSession s = m.newSession();
        long c0 = cpuNanos();
        long t0 = System.nanoTime();
        float sink = 0;
        for (long i = 0; i < n; i++) {
            Event<Long> e = events.map(i);
            int k = (int) (long) e.key();
            s.restoreState(hs[k], cs[k], last[k], counts[k]);
            sink += s.step(e.features(), e.time())[0];
            s.saveState(hs[k], cs[k]);
            last[k] = s.lastTime();
            counts[k] = s.events();
        }
        return result(n, t0, c0, sink);
    }

    /**
     * What the operator does with a micro-batch, without Flink: events gathered into waves of distinct keys (a
     * wave ends at {@code capacity} events or at a key already in it), each wave's keys restored from arrays into
     * the slots of one {@link SessionBatch}, stepped together, saved back.
     */
    private Result sessionBatch(PhasedLstmModel m, Events events, long n, int capacity) {
        int h = m.hiddenSize();
        float[][][] hs = new float[keys][1][h];
        float[][][] cs = new float[keys][1][h];
        double[] last = new double[keys];
        long[] counts = new long[keys];
        java.util.Arrays.fill(last, Double.NEGATIVE_INFINITY);
        SessionBatch b = m.newSessionBatch(capacity);
        int[] slotKey = new int[capacity];
        long[] inWave = new long[keys]; // the wave number + 1 a key is in
        float[] x = new float[capacity * INPUTS];
        double[] t = new double[capacity];
        long wave = 1;
        int size = 0;
        long c0 = cpuNanos();
        long t0 = System.nanoTime();
        float sink = 0;
        for (long i = 0; i <= n; i++) {
            Event<Long> e = i < n ? events.map(i) : null;
            int k = e == null ? -1 : (int) (long) e.key();
            if (e == null || size == capacity || inWave[k] == wave) {
                for (int q = 0; q < size; q++) {
                    int key = slotKey[q];
                    b.restore(q, hs[key], cs[key], last[key], counts[key]);
                }
                b.step(size, x, t);
                for (int q = 0; q < size; q++) {
                    int key = slotKey[q];
                    b.save(q, hs[key], cs[key]);
                    last[key] = b.lastTime(q);
                    counts[key] = b.events(q);
                    sink += hs[key][0][0];
                }
                size = 0;
                wave++;
            }
            if (e != null) {
                inWave[k] = wave;
                slotKey[size] = k;
                System.arraycopy(e.features(), 0, x, size * INPUTS, INPUTS);
                t[size] = e.time();
                size++;
            }
        }
        return result(n, t0, c0, sink);
    }

    private Result batched(PhasedLstmModel m, Events events, long n) {
        int b = 32;
        int t = 100;
        float[] x = new float[b * t * INPUTS];
        double[] time = new double[b * t];
        for (int i = 0; i < b * t; i++) {
            Event<Long> e = events.map(i);
            System.arraycopy(e.features(), 0, x, i * INPUTS, INPUTS);
            time[i] = (i % t) * 0.01 * keys / b; // per sequence, the gaps of a key's events above
        }
        SequenceBatch batch = SequenceBatch.of(b, t, INPUTS, x, time);
        long batches = Math.max(1, n / (b * t));
        long c0 = cpuNanos();
        long t0 = System.nanoTime();
        float sink = 0;
        for (long i = 0; i < batches; i++) {
            sink += m.predictLastHidden(batch, InferencePath.EVENT_DRIVEN)[0];
        }
        return result(batches * b * t, t0, c0, sink);
    }

    private static Result result(long n, long t0, long c0, float sink) {
        double wall = (System.nanoTime() - t0) * 1e-9;
        double cpu = (cpuNanos() - c0) * 1e-9;
        if (sink == Float.MIN_VALUE) {
            System.out.print(""); // keeps the results alive
        }
        return new Result("", n, wall, cpu);
    }

    private Result flink(BenchModel model, Events events, long n, int batch, boolean shuffle, boolean sessionBatch)
            throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        DataStream<Event<Long>> source = env.fromSource(new DataGeneratorSource<>(events, n,
                Event.typeInfo(Types.LONG)), WatermarkStrategy.noWatermarks(), "events");
        KeySelector<Event<Long>, Long> byKey = Event::key;
        DataStream<Prediction<Long>> out;
        if (model == null) { // Flink's own cost per event: the same source and sink, a prediction made of the input
            out = source.map(e -> new Prediction<>(e.key(), e.time(), 1, e.features()))
                    .returns(Prediction.typeInfo(Types.LONG));
        } else {
            KeyedPhasedLstm plstm = KeyedPhasedLstm.builder(model).maxBatchSize(batch).sessionBatch(sessionBatch)
                    .maxBatchDelay(Duration.ofMillis(batch == 1 ? 0 : 10)).build();
            out = shuffle ? plstm.apply(source)
                    : plstm.apply(DataStreamUtils.reinterpretAsKeyedStream(source, byKey, Types.LONG));
        }
        out.sinkTo(new TimingSink());
        TimingSink.reset();
        env.execute("benchmark");
        return new Result("", TimingSink.count, (TimingSink.endNanos - TimingSink.firstNanos) * 1e-9,
                (TimingSink.endCpu - TimingSink.firstCpu) * 1e-9);
    }

    /** The machine's CPU model, from /proc/cpuinfo where there is one. */
    private static String cpu() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    /**
     * The model, built on the task from its sizes (StreamingBenchmark's: seed 3).
     *
     * @param inputs input features {@code I}
     * @param hidden hidden units {@code H}
     */
    record BenchModel(int inputs, int hidden) implements ModelSource {
        /**
         * The layer's configuration; {@link ThroughputBenchmark#check()} builds it to refuse an {@code --hidden} it
         * rejects.
         */
        static PhasedLstmConfig config(int inputs, int hidden) {
            return PhasedLstmConfig.builder(inputs, hidden).build();
        }

        @Override
        public PhasedLstmModel load() {
            PhasedLstmConfig cfg = config(inputs, hidden);
            return PhasedLstmModel.of(List.of(PhasedLstmParams.initialize(cfg, TimeGateInit.PAPER, 3)), null);
        }
    }

    /**
     * Event {@code i}: the key of burst {@code i / burst}, time {@code i · 0.01}, features from a pool. Serialisable,
     * cheap, deterministic.
     */
    static final class Events implements GeneratorFunction<Long, Event<Long>> {
        private static final long serialVersionUID = 1L;
        private final int keys;
        private final int inputs;
        private final long seed;
        private final int burst;
        private transient float[][] pool;

        Events(int keys, int inputs, long seed, int burst) {
            this.keys = keys;
            this.inputs = inputs;
            this.seed = seed;
            this.burst = burst;
        }

        @Override
        public Event<Long> map(Long index) {
            return map(index.longValue());
        }

        Event<Long> map(long i) {
            if (pool == null) {
                java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
                pool = new float[1024][inputs];
                for (float[] x : pool) {
                    for (int j = 0; j < inputs; j++) {
                        x[j] = (float) r.nextGaussian();
                    }
                }
            }
            long h = (i / burst + seed) * 0x9E3779B97F4A7C15L;
            long key = ((h >>> 33) % keys);
            return new Event<>(key, i * 0.01, pool[(int) ((i + seed) * 0x9E3779B97F4A7C15L >>> 20) & 1023]);
        }
    }

    /** Counts predictions and notes the time and process CPU at the first one and at the end of the input. */
    static final class TimingSink implements Sink<Prediction<Long>> {
        private static final long serialVersionUID = 1L;
        static volatile long count;
        static volatile long firstNanos;
        static volatile long firstCpu;
        static volatile long endNanos;
        static volatile long endCpu;

        static void reset() {
            count = 0;
            firstNanos = 0;
        }

        @Override
        public SinkWriter<Prediction<Long>> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                private long n;

                @Override
                public void write(Prediction<Long> p, Context c) {
                    if (n++ == 0) {
                        firstCpu = cpuNanos();
                        firstNanos = System.nanoTime();
                    }
                }

                @Override
                public void flush(boolean endOfInput) {
                    if (endOfInput) {
                        endNanos = System.nanoTime();
                        endCpu = cpuNanos();
                        count = n;
                    }
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
