package org.plstm.jmh.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.plstm.simd.SimdEngine;

/**
 * Records the machine and the run for the report: {@code machine.json} (see {@link MachineInfo}). Runs on the JDK
 * and with the flags of the benchmarks ({@code --add-modules jdk.incubator.vector}), so the vector width it reads
 * from {@link SimdEngine#vectorBitSize()} is the one the benchmarks ran with.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks.jar org.plstm.jmh.report.MachineProbe \
 *     start --out machine.json --mode quick --command "jmh/report.sh quick" [--commit abc123] \
 *     [--run simd="SimdLayerBenchmark -f 1 ..."]...
 * java ... MachineProbe finish --out machine.json
 * </pre>
 *
 * {@code start} writes everything known before the run; {@code finish} adds the end time and load average.
 */
public final class MachineProbe {
    private static final List<String> SIMD_FLAGS = List.of("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512vl",
            "avx512bw", "avx512_bf16", "avx512_fp16", "amx_tile", "asimd", "sve", "sve2");

    private MachineProbe() {
    }

    /**
     * @param args {@code start|finish} and options, see the class comment
     * @throws IOException if the file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        if (args.length == 0 || !(args[0].equals("start") || args[0].equals("finish"))) {
            usage("expected start or finish");
        }
        Path out = null;
        String mode = "unknown";
        String command = null;
        String commit = null;
        List<MachineInfo.Run> runs = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                usage("option " + a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--out" -> out = Path.of(v);
                case "--mode" -> mode = v;
                case "--command" -> command = v;
                case "--commit" -> commit = v.isBlank() ? null : v;
                case "--run" -> {
                    int eq = v.indexOf('=');
                    if (eq < 1) {
                        usage("--run expects group=args, got " + v);
                    }
                    runs.add(new MachineInfo.Run(v.substring(0, eq), v.substring(eq + 1)));
                }
                default -> usage("unknown option " + a);
            }
        }
        if (out == null) {
            usage("--out is required");
        }
        if (args[0].equals("start")) {
            probe(mode, command, commit, runs).write(out);
        } else {
            MachineInfo.read(out).finish(now(), loadAverage()).write(out);
        }
    }

    /**
     * @param mode    the run's mode
     * @param command the command line
     * @param commit  the git commit, or null
     * @param runs    the JMH invocations
     * @return what this JVM and {@code /proc} say about the machine, with the start time and load
     */
    public static MachineInfo probe(String mode, String command, String commit, List<MachineInfo.Run> runs) {
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
        return new MachineInfo(mode, command, now(), null, commit, model == null ? "unknown" : model,
                cpuId(cpuinfo), Runtime.getRuntime().availableProcessors(), cores, field(cpuinfo, "cpu MHz"), simd, mem, os,
                System.getProperty("java.version"), vm, System.getProperty("java.vendor"),
                SimdEngine.vectorBitSize(), SimdEngine.floatLanes(), loadAverage(), null, runs);
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

    private static void usage(String problem) {
        System.err.println("MachineProbe: " + problem + "\nusage: MachineProbe start --out FILE [--mode M] "
                + "[--command C] [--commit X] [--run group=args]...\n       MachineProbe finish --out FILE");
        System.exit(2);
    }
}
