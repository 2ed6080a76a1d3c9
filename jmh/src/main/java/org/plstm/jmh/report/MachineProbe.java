package org.plstm.jmh.report;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.plstm.simd.VectorLevel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Records the machine and the run for the report: {@code machine.json} (see {@link MachineInfo}). Runs on the JDK
 * and with the flags of the benchmarks ({@code --add-modules jdk.incubator.vector} and the instruction level's JVM
 * flags), so what it reads from {@link VectorLevel} (vector width, level, FMA) is what the SIMD kernels ran at.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector [LEVEL FLAGS] -cp benchmarks.jar org.plstm.jmh.report.MachineProbe \
 *     start --out machine.json --mode quick --command "jmh/report.sh quick" [--commit abc123] \
 *     [--level avx2 --jvm-flags=-XX:UseAVX=2] [--run simd="SimdLayerBenchmark -f 1 ..."]...
 * java ... MachineProbe finish --out machine.json
 * </pre>
 *
 * {@code start} writes everything known before the run; {@code finish} adds the end time and load average. Exit
 * codes: 0 success, 1 the file could not be read or written, 2 a bad command line (one line on standard error,
 * naming the option); {@code --help} prints the usage.
 */
public final class MachineProbe {
    private static final List<String> SIMD_FLAGS = List.of("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512dq",
            "avx512vl", "avx512bw", "avx512_bf16", "avx512_fp16", "amx_tile", "asimd", "sve", "sve2");
    /** The CPU flags the instruction levels depend on, recorded as present or absent. */
    static final List<String> ISA_FLAGS = List.of("avx512f", "avx512dq", "avx2", "fma", "avx");

    private MachineProbe() {
    }

    /**
     * Runs the command line and exits the JVM with its exit code.
     *
     * @param args {@code start|finish} and options, see the class comment
     */
    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * Runs the command line without exiting (for tests).
     *
     * @param args {@code start|finish} and options
     * @param out  standard output (help)
     * @param err  standard error (errors)
     * @return the exit code: 0, 1 (I/O failure) or 2 (usage)
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return Cli.run(new Top(), args, out, err);
    }

    /** The top-level command: only dispatches to {@code start} and {@code finish}. */
    @Command(name = "MachineProbe", subcommands = {Start.class, Finish.class},
            description = "Records the machine and the run for the performance report (machine.json).",
            footer = {"", "Exit codes: 0 success, 1 failure (I/O), 2 bad command line."})
    static final class Top implements Runnable {
        @Spec
        CommandSpec spec;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;

        @Override
        public void run() {
            throw new ParameterException(spec.commandLine(), "missing command: expected start or finish");
        }
    }

    /** {@code start}: writes the record before the run. */
    @Command(name = "start", sortOptions = false, description = "Write machine.json before the run: machine, JDK, "
            + "the SIMD kernels' level in this JVM, start time, load, the JMH invocations.")
    static final class Start implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;

        @Option(names = "--out", paramLabel = "FILE", required = true, description = "The record to write.")
        Path out;

        @Option(names = "--mode", paramLabel = "MODE", defaultValue = "unknown",
                description = "The run's mode (smoke, quick, targets, full). Default: ${DEFAULT-VALUE}.")
        String mode;

        @Option(names = "--command", paramLabel = "LINE", description = "The command line that runs the suite.")
        String command;

        @Option(names = "--commit", paramLabel = "ID", description = "The sources' git commit (empty: none).")
        String commit;

        @Option(names = "--level", paramLabel = "LEVEL", defaultValue = "native",
                description = "The instruction level (jmh/report.sh --isa): one of native, avx2, 128, nofma. "
                        + "Default: ${DEFAULT-VALUE}.")
        String level;

        @Option(names = "--jvm-flags", paramLabel = "FLAGS", defaultValue = "",
                description = "The JVM flags of the level, as added to every JMH fork and to this JVM "
                        + "(write --jvm-flags=-XX:...). Default: none.")
        String jvmFlags;

        @Option(names = "--peer-env", paramLabel = "VARS",
                description = "The environment the peers run with at this level, e.g. ONEDNN_MAX_CPU_ISA=AVX2; "
                        + "empty if they run without a cap. Default: no peer runs at this level.")
        String peerEnv;

        @Option(names = "--run", paramLabel = "GROUP=ARGS",
                description = "One JMH invocation: its group (result file name) and arguments. Repeatable.")
        List<String> runs = new ArrayList<>();

        @Override
        public Integer call() throws IOException {
            if (IsaLevel.of(level).isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--level: expected one of " + IsaLevel.names()
                        + ", got '" + level + "'");
            }
            List<MachineInfo.Run> parsed = new ArrayList<>();
            for (String v : runs) {
                int eq = v.indexOf('=');
                if (eq < 1) {
                    throw new ParameterException(spec.commandLine(), "--run: expected GROUP=ARGS, got '" + v + "'");
                }
                parsed.add(new MachineInfo.Run(v.substring(0, eq), v.substring(eq + 1)));
            }
            String c = commit == null || commit.isBlank() ? null : commit;
            probe(mode, command, c, parsed, level, jvmFlags.trim(), peerEnv == null ? null : peerEnv.trim())
                    .write(out);
            return Cli.OK;
        }
    }

    /** {@code finish}: adds the end of the run to the record. */
    @Command(name = "finish", description = "Add the end time and load average to machine.json.")
    static final class Finish implements Callable<Integer> {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;

        @Option(names = "--out", paramLabel = "FILE", required = true, description = "The record to complete.")
        Path out;

        @Override
        public Integer call() throws IOException {
            MachineInfo.read(out).finish(now(), loadAverage()).write(out);
            return Cli.OK;
        }
    }

    /**
     * @param mode    the run's mode
     * @param command the command line
     * @param commit  the git commit, or null
     * @param runs    the JMH invocations
     * @return what this JVM and {@code /proc} say about the machine, with the start time and load, at the
     *     {@code native} level without JVM flags
     */
    public static MachineInfo probe(String mode, String command, String commit, List<MachineInfo.Run> runs) {
        return probe(mode, command, commit, runs, IsaLevel.NATIVE.label(), "", null);
    }

    /**
     * @param mode     the run's mode
     * @param command  the command line
     * @param commit   the git commit, or null
     * @param runs     the JMH invocations
     * @param level    the instruction level's name ({@link IsaLevel})
     * @param jvmFlags the level's JVM flags, as this JVM was started with them
     * @param peerEnv  the peers' environment at this level ({@link MachineInfo#peerEnv()}), or null if no peer runs
     * @return what this JVM and {@code /proc} say about the machine, with the start time and load
     */
    public static MachineInfo probe(String mode, String command, String commit, List<MachineInfo.Run> runs,
                                    String level, String jvmFlags, String peerEnv) {
        List<String> cpuinfo = lines(Path.of("/proc/cpuinfo"));
        String model = field(cpuinfo, "model name");
        if (model == null) {
            model = field(cpuinfo, "Model"); // some ARM kernels
        }
        int cores = physicalCores(cpuinfo);
        String flagLine = field(cpuinfo, "flags");
        if (flagLine == null) {
            flagLine = field(cpuinfo, "Features");
        }
        Set<String> flags = flagLine == null ? Set.of() : new HashSet<>(List.of(flagLine.split("\\s+")));
        List<String> simd = SIMD_FLAGS.stream().filter(flags::contains).toList();
        long mem = 0;
        String memTotal = field(lines(Path.of("/proc/meminfo")), "MemTotal");
        if (memTotal != null) {
            try {
                mem = Long.parseLong(memTotal.replaceAll("[^0-9]", ""));
            } catch (NumberFormatException e) {
                mem = 0;
            }
        }
        String os = System.getProperty("os.name") + " " + System.getProperty("os.version") + " ("
                + System.getProperty("os.arch") + ")";
        String vm = System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version");
        Kernels k = Kernels.probe();
        return new MachineInfo(mode, command, now(), null, commit, model == null ? "unknown" : model,
                cpuId(cpuinfo), Runtime.getRuntime().availableProcessors(), cores, field(cpuinfo, "cpu MHz"), simd,
                isaFlags(flagLine), mem, os, System.getProperty("java.version"), vm,
                System.getProperty("java.vendor"), k.bits(), k.lanes(), level, jvmFlags, k.name(), k.describe(),
                k.fma(), peerEnv, loadAverage(), null, runs);
    }

    /**
     * What the SIMD kernels run at in this JVM ({@link VectorLevel}); all unknown if the vector module is missing.
     *
     * @param bits     vector width in bits, 0 if unknown
     * @param lanes    float lanes, 0 if unknown
     * @param name     {@link VectorLevel#name()}, or null
     * @param describe {@link VectorLevel#describe()}, or null
     * @param fma      {@link VectorLevel#fma()}, or null
     */
    record Kernels(int bits, int lanes, String name, String describe, Boolean fma) {
        static Kernels probe() {
            try {
                return new Kernels(VectorLevel.vectorBitSize(), VectorLevel.floatLanes(), VectorLevel.name(),
                        VectorLevel.describe(), VectorLevel.fma());
            } catch (LinkageError e) { // no jdk.incubator.vector: the kernels cannot run here at all
                return new Kernels(0, 0, null, null, null);
            }
        }
    }

    /**
     * @param flagLine the {@code flags} (or {@code Features}) line of {@code /proc/cpuinfo}, or null
     * @return for each of {@link #ISA_FLAGS}, whether the line has it; empty without a line
     */
    static Map<String, Boolean> isaFlags(String flagLine) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        if (flagLine == null) {
            return out;
        }
        Set<String> flags = new HashSet<>(List.of(flagLine.trim().split("\\s+")));
        for (String f : ISA_FLAGS) {
            out.put(f, flags.contains(f));
        }
        return out;
    }

    /** e.g. {@code AuthenticAMD family 25 model 17 stepping 1}, or null off x86 Linux. */
    static String cpuId(List<String> cpuinfo) {
        String vendor = field(cpuinfo, "vendor_id");
        String family = field(cpuinfo, "cpu family");
        String model = field(cpuinfo, "model");
        String stepping = field(cpuinfo, "stepping");
        if (vendor == null && family == null) {
            return null;
        }
        return (vendor == null ? "" : vendor + " ") + "family " + family + " model " + model + " stepping " + stepping;
    }

    /** Distinct (physical id, core id) pairs; else {@code cpu cores}; else 0. */
    static int physicalCores(List<String> cpuinfo) {
        Set<String> pairs = new HashSet<>();
        String physical = "0";
        for (String line : cpuinfo) {
            String key = key(line);
            if (key.equals("physical id")) {
                physical = value(line);
            } else if (key.equals("core id")) {
                pairs.add(physical + "/" + value(line));
            }
        }
        if (!pairs.isEmpty()) {
            return pairs.size();
        }
        String c = field(cpuinfo, "cpu cores");
        try {
            return c == null ? 0 : Integer.parseInt(c.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String now() {
        return OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }

    private static String loadAverage() {
        List<String> l = lines(Path.of("/proc/loadavg"));
        if (l.isEmpty()) {
            return null;
        }
        String[] p = l.get(0).trim().split("\\s+");
        return p.length >= 3 ? p[0] + " " + p[1] + " " + p[2] : null;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    static String field(List<String> lines, String name) {
        for (String line : lines) {
            if (key(line).equals(name)) {
                return value(line);
            }
        }
        return null;
    }

    private static String key(String line) {
        int colon = line.indexOf(':');
        return colon < 0 ? "" : line.substring(0, colon).trim();
    }

    private static String value(String line) {
        return line.substring(line.indexOf(':') + 1).trim();
    }
}
