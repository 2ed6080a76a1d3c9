package org.plstm.flink.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The benchmark's command line: a bad option value is one line naming it, exit code 2, before any work. */
class ThroughputBenchmarkTest {
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
    })
    void aBadOptionIsOneLineAndExitCode2(String arg, String problem) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ThroughputBenchmark.run(new String[] {arg}, new PrintWriter(out), new PrintWriter(err));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("ThroughputBenchmark: " + problem
                + " (see 'ThroughputBenchmark --help')" + System.lineSeparator());
        assertThat(out.toString()).as("nothing ran").isEmpty();
    }
}
