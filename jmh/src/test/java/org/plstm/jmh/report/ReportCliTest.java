package org.plstm.jmh.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command lines of {@link PerformanceReport} and {@link MachineProbe} (picocli), run in-process: usage errors
 * exit with 2 and one line naming the option, {@code --help} prints the usage and exits with 0, an I/O failure
 * exits with 1.
 */
class ReportCliTest {
    @TempDir
    Path dir;

    /** Output of one run. */
    record Run(int code, String out, String err) {
    }

    private static Run run(BiFunction<PrintWriter, PrintWriter, Integer> main) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = main.apply(new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    private static Run report(String... args) {
        return run((o, e) -> PerformanceReport.run(args, o, e));
    }

    private static Run probe(String... args) {
        return run((o, e) -> MachineProbe.run(args, o, e));
    }

    private static void assertUsageError(Run r, String program, String... mentions) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err().lines().toList()).as(r.err()).hasSize(1);
        assertThat(r.err()).startsWith(program + ": ").contains(mentions).contains("--help");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void reportHelpListsTheOptions() {
        Run r = report("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Usage: PerformanceReport").contains("--results=DIR").contains("--report=FILE")
                .contains("--chart=FILE").contains("--notes=FILE").contains("Default: docs/perf")
                .contains("Default: docs/PERFORMANCE.md").contains("Exit codes");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void reportUsageErrorsExitWithTwoAndNameTheOption() {
        assertUsageError(report("--bogus"), "PerformanceReport", "--bogus");
        assertUsageError(report("--results"), "PerformanceReport", "--results");
        assertUsageError(report("--report", "r.md", "extra"), "PerformanceReport", "extra");
    }

    @Test
    void reportRendersAndFailsWithOneOnMissingResults() throws IOException {
        Path results = Fixtures.threeLevels(dir.resolve("perf"));
        Path md = dir.resolve("docs/PERFORMANCE.md");
        // a repeated option takes its last value, as before picocli
        Run ok = report("--results", dir.resolve("nowhere").toString(), "--results", results.toString(), "--report",
                md.toString());
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("wrote " + md).contains("performance.png");
        assertThat(Files.readString(md, StandardCharsets.UTF_8)).contains("## Level `avx2`");
        assertThat(Files.exists(dir.resolve("docs/performance.png"))).isTrue();

        Run missing = report("--results", dir.resolve("nowhere").toString(), "--report", md.toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).startsWith("PerformanceReport: ").contains("nowhere");
        assertThat(missing.err().lines().toList()).hasSize(1);
    }

    @Test
    void probeHelpAndUsageErrors() {
        Run help = probe("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("Usage: MachineProbe").contains("start").contains("finish");
        Run startHelp = probe("start", "--help");
        assertThat(startHelp.code()).isZero();
        assertThat(startHelp.out()).contains("--out=FILE").contains("--level=LEVEL").contains("--jvm-flags=FLAGS")
                .contains("--run=GROUP=ARGS");

        assertUsageError(probe(), "MachineProbe", "missing command", "start or finish");
        assertUsageError(probe("begin"), "MachineProbe", "begin");
        assertUsageError(probe("start", "--mode", "quick"), "MachineProbe", "--out");
        assertUsageError(probe("finish"), "MachineProbe", "--out");
        assertUsageError(probe("start", "--out", "m.json", "--run", "noequals"), "MachineProbe", "--run",
                "noequals");
        assertUsageError(probe("start", "--out", "m.json", "--level", "avx9"), "MachineProbe", "--level", "avx9",
                "native, avx2, 128, nofma");
        assertUsageError(probe("start", "--out", "m.json", "--wat", "1"), "MachineProbe", "--wat");
        assertUsageError(probe("start", "--out"), "MachineProbe", "--out");
    }

    @Test
    void probeRecordsTheLevelItsFlagsAndWhatTheKernelsRanAt() throws IOException {
        Path m = dir.resolve("stage/avx2/machine.json");
        Files.createDirectories(m.getParent());
        Run start = probe("start", "--out", m.toString(), "--mode", "smoke", "--command",
                "jmh/report.sh smoke --isa avx2", "--commit", "", "--level", "avx2", "--jvm-flags=-XX:UseAVX=2",
                "--peer-env=ONEDNN_MAX_CPU_ISA=AVX2",
                "--run", "peak=^org\\.plstm\\.jmh\\.PeakFlopsBenchmark\\. -jvmArgsAppend '-XX:UseAVX=2'");
        assertThat(start.code()).as(start.err()).isZero();
        MachineInfo info = MachineInfo.read(m);
        assertThat(info.peerEnv()).isEqualTo("ONEDNN_MAX_CPU_ISA=AVX2");
        assertThat(info.mode()).isEqualTo("smoke");
        assertThat(info.commit()).isNull(); // empty: none
        assertThat(info.level()).isEqualTo("avx2");
        assertThat(info.levelName()).isEqualTo("avx2");
        assertThat(info.jvmFlags()).isEqualTo("-XX:UseAVX=2");
        assertThat(info.runs()).singleElement().satisfies(r -> {
            assertThat(r.group()).isEqualTo("peak");
            assertThat(r.args()).endsWith("-jvmArgsAppend '-XX:UseAVX=2'");
        });
        // this JVM's kernels (the test JVM runs with the vector module, no level flags)
        assertThat(info.kernels()).isEqualTo(org.plstm.simd.VectorLevel.describe());
        assertThat(info.kernelLevel()).isEqualTo(org.plstm.simd.VectorLevel.name());
        assertThat(info.kernelFma()).isEqualTo(org.plstm.simd.VectorLevel.fma());
        assertThat(info.vectorBits()).isEqualTo(org.plstm.simd.VectorLevel.vectorBitSize());
        assertThat(info.floatLanes()).isEqualTo(org.plstm.simd.VectorLevel.floatLanes());
        if (Files.isRegularFile(Path.of("/proc/cpuinfo"))
                && Files.readString(Path.of("/proc/cpuinfo")).contains("flags")) {
            assertThat(info.isaFlags()).containsOnlyKeys("avx512f", "avx512dq", "avx2", "fma", "avx");
        }
        assertThat(info.finished()).isNull();

        Run finish = probe("finish", "--out", m.toString());
        assertThat(finish.code()).as(finish.err()).isZero();
        MachineInfo done = MachineInfo.read(m);
        assertThat(done.finished()).isNotNull();
        assertThat(done.level()).isEqualTo("avx2");
        assertThat(done.kernels()).isEqualTo(info.kernels());

        Run gone = probe("finish", "--out", dir.resolve("none.json").toString());
        assertThat(gone.code()).isEqualTo(1);
        assertThat(gone.err()).startsWith("MachineProbe: ");
    }
}
