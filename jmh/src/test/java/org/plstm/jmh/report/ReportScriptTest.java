package org.plstm.jmh.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code jmh/report.sh}'s bad command lines, as jmh/README.md promises them: exit 2 and one line on stderr naming the
 * problem, before anything is built or run.
 */
class ReportScriptTest {

    private static Path script() {
        Path script = Path.of("report.sh");
        return Files.exists(script) ? script : Path.of("jmh/report.sh"); // run from the module or the root
    }

    @ParameterizedTest(name = "[{0}]")
    @CsvSource(delimiter = '|', value = {
        "''|missing mode: expected smoke, quick, targets, full or render",
        "--isa native smoke|the mode comes first: expected smoke, quick, targets, full or render before '--isa'",
        "fast|unknown mode 'fast'",
        "smoke --isa native --isa avx2|--isa is given twice",
        "smoke --isa=native --isa avx2|--isa is given twice",
        "smoke --isa|--isa needs a value",
        "smoke --isa avx9|--isa: unknown level 'avx9'",
        "smoke --isa native,,avx2|--isa: expected a comma-separated list",
        "render --peers|--peers: render runs nothing",
        "render --isa avx2|--isa: render runs nothing",
        "smoke --wat|unknown option '--wat'"})
    void aBadCommandLineExitsWith2AndOneLineNamingIt(String args, String message)
            throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")) || Files.isExecutable(Path.of("/usr/bin/bash")),
                "no bash");
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", script().toString()));
        if (!args.isEmpty()) {
            cmd.addAll(List.of(args.split(" ")));
        }
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isEqualTo(2);
        assertThat(err.lines().toList()).singleElement().asString().startsWith("report.sh: ").contains(message)
                .endsWith("(see jmh/report.sh --help)");
    }
}
