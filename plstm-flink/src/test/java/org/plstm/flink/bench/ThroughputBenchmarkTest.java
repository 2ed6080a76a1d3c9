package org.plstm.flink.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The benchmark's command line: a bad option value is one line naming it, exit code 2, before any work. */
class ThroughputBenchmarkTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--keys=0        | --keys: expected an integer >= 1, got 0",
        "--burst=0       | --burst: expected an integer >= 1, got 0",
        "--runs=0        | --runs: expected an integer >= 1, got 0",
        "--hidden=0      | --hidden: expected sizes >= 1, got [0]",
        "--hidden=128,-4 | --hidden: expected sizes >= 1, got [128, -4]",
        "--seconds=-1    | --seconds: expected seconds in (0, 86400], got -1.0",
        "--seconds=0     | --seconds: expected seconds in (0, 86400], got 0.0",
        "--seconds=NaN   | --seconds: expected seconds in (0, 86400], got NaN",
        "--batch=1,0     | --batch: expected sizes of 1 to 1048576 events, got [1, 0]",
        "--keys=x        | Invalid value for option '--keys': 'x' is not an int",
        "--hidden=40000  | --hidden: expected sizes a model can have, got [40000] (hiddenSize (recurrentKernel "
                + "[H][4H], padded): expected at most 2147483647 elements, got 40016·4·40016)",
        "--hidden=128,23150 | --hidden: expected sizes a model can have, got [128, 23150] (inputSize + hiddenSize "
                + "(packed weights [I+H][4H], padded): expected at most 2147483647 elements, got 23182·4·23166)",
        "--report=/nonexistent/dir/r.md | --report: expected a file in an existing, writable directory, got "
                + "/nonexistent/dir/r.md (no such directory: /nonexistent/dir)",
        "--report=DIR    | --report: expected a file in an existing, writable directory, got DIR (a directory)",
        "--report=FILE/r.md | --report: expected a file in an existing, writable directory, got FILE/r.md (FILE is "
                + "not a directory)",
    })
    void aBadOptionIsOneLineAndExitCode2(String arg, String problem) throws Exception {
        Path file = Files.writeString(dir.resolve("file.md"), "x");
        arg = arg.replace("DIR", dir.toString()).replace("FILE", file.toString());
        problem = problem.replace("DIR", dir.toString()).replace("FILE", file.toString());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ThroughputBenchmark.run(new String[] {arg}, new PrintWriter(out), new PrintWriter(err));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("ThroughputBenchmark: " + problem
                + " (see 'ThroughputBenchmark --help')" + System.lineSeparator());
        assertThat(out.toString()).as("nothing ran").isEmpty();
    }

    /** The report replaces an existing file atomically: the new table, no temporary file left beside it. */
    @Test
    void theReportIsWrittenAtomically() throws Exception {
        Path report = Files.writeString(dir.resolve("r.md"), "old");
        StringWriter err = new StringWriter();
        int code = ThroughputBenchmark.run(new String[] {"--hidden=4", "--keys=4", "--seconds=0.001", "--runs=1",
            "--batch=1", "--only=^sessions$", "--report=" + report}, new PrintWriter(new StringWriter()),
                new PrintWriter(err));
        assertThat(code).as(err.toString()).isZero();
        assertThat(Files.readString(report)).startsWith("Machine: ").contains("| 4 | sessions |").endsWith("|\n");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("r.md");
        }
    }
}
