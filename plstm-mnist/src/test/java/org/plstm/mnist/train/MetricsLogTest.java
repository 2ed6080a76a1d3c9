package org.plstm.mnist.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogTest {
    @TempDir
    Path dir;

    @Test
    void writesBothRowKindsAndReadsThemBackExactly() throws Exception {
        MetricsLog m = new MetricsLog();
        for (int i = 0; i < 300; i++) { // beyond the initial capacity
            m.add(MetricsLog.Kind.BATCH, 1 + i / 150, i + 1, 128, 2.3 - i * 1e-3 + 1e-17, 0.1 + i * 1e-3, 1234.5,
                    0.1037);
        }
        m.add(MetricsLog.Kind.TRAIN, 2, 300, 38400, 2.0, 0.4, 1000, 38.4);
        m.add(MetricsLog.Kind.TEST, 2, 300, 10000, 1.9, 0.45, 5000, 2.0);
        Path f = dir.resolve("metrics.csv");
        m.write(f);
        var lines = Files.readAllLines(f);
        assertThat(lines).hasSize(303);
        assertThat(lines.get(0)).isEqualTo("kind,epoch,iteration,samples,loss,accuracy,samples_per_second,seconds");
        assertThat(lines.get(1)).isEqualTo("batch,1,1,128,2.3,0.1,1234.5,0.1037");
        assertThat(lines.get(302)).isEqualTo("test,2,300,10000,1.9,0.45,5000.0,2.0");
        MetricsLog all = MetricsLog.read(f, 2);
        assertThat(all.toCsv()).isEqualTo(m.toCsv());
        MetricsLog first = MetricsLog.read(f, 1);
        assertThat(first.size()).isEqualTo(150);
        assertThat(m.losses(MetricsLog.Kind.TEST)).containsExactly(1.9);
        assertThat(m.accuracies(MetricsLog.Kind.TRAIN)).containsExactly(0.4);
    }

    @Test
    void rejectsForeignFilesNamingFileAndLine() throws Exception {
        Path f = dir.resolve("m.csv");
        Files.writeString(f, "a,b\n");
        assertThatThrownBy(() -> MetricsLog.read(f, 1)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(f + ": line 1: expected the header");
        Files.writeString(f, MetricsLog.HEADER + "\nbatch,1,1,2,x,0,0,0\n");
        assertThatThrownBy(() -> MetricsLog.read(f, 1)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(f + ": line 2: ");
    }

    /**
     * What --resume reads back is verified (an adversarial session found a cut-off last row, a NaN loss, negative
     * samples and epoch -7 all carried over into the resumed run's file). {@code $} stands for the line break.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "batch,1,2,128,2.3,0.1,1234.5,0.|line 3: expected the file to end with a line break after its last row, got "
                + "batch,1,2,128,2.3,0.1,1234.5,0. (a file cut off?)",
        "batch,1,2,128,NaN,0.1,1234.5,0.1$|line 3: loss: expected a finite value >= 0, got NaN",
        "batch,1,2,-5,2.3,0.1,1234.5,0.1$|line 3: samples: expected >= 0, got -5",
        "batch,-7,2,128,2.3,0.1,1234.5,0.1$|line 3: epoch: expected >= 1 (rows in epoch order), got -7",
        "batch,1,2,128,2.3,1.5,1234.5,0.1$|line 3: accuracy: expected a value in [0, 1], got 1.5",
        "batch,1,-2,128,2.3,0.5,1234.5,0.1$|line 3: iteration: expected >= 0, got -2",
        "batch,1,2,128,2.3,0.5,-1,0.1$|line 3: samples_per_second: expected >= 0, got -1",
        "batch,1,2,128,2.3,0.5,1,Infinity$|line 3: seconds: expected a finite value >= 0, got Infinity",
        "epoch,1,2,128,2.3,0.5,1,0.1$|line 3: kind: expected batch, train, test or validation, got epoch",
        "batch,1,2,128,2.3,0.5$|line 3: expected 8 fields, got 6",
    })
    void refusesRowsThatAreNotWhatWriteWrites(String lastRow, String message) throws Exception {
        Path f = dir.resolve("metrics.csv");
        Files.writeString(f, MetricsLog.HEADER + "\nbatch,1,1,128,2.3,0.1,1234.5,0.1\n" + lastRow.replace('$', '\n'));
        assertThatThrownBy(() -> MetricsLog.read(f, 9)).isInstanceOf(IOException.class)
                .hasMessage(f + ": " + message);
    }

    /** Rows after the epoch resumed from are dropped unchecked (older trainers wrote NaN on divergence); CR LF is read. */
    @Test
    void checksOnlyTheRowsItKeepsAndReadsCrLf() throws Exception {
        Path f = dir.resolve("metrics.csv");
        Files.writeString(f, MetricsLog.HEADER + "\r\nbatch,1,1,128,2.3,0.1,1234.5,0.1\r\n"
                + "batch,2,2,128,NaN,NaN,1234.5,0.1\r\n");
        MetricsLog kept = MetricsLog.read(f, 1);
        assertThat(kept.size()).isEqualTo(1);
        assertThat(kept.loss(0)).isEqualTo(2.3);
        assertThatThrownBy(() -> MetricsLog.read(f, 2)).isInstanceOf(IOException.class)
                .hasMessage(f + ": line 3: loss: expected a finite value >= 0, got NaN");
    }

    @Test
    void acceptsWhatTheTrainersWriteForAnEmptyEvaluationAndAnInstantStep() throws Exception {
        MetricsLog m = new MetricsLog();
        m.add(MetricsLog.Kind.BATCH, 1, 1, 4, 2.3, 0.25, Double.POSITIVE_INFINITY, 0.0);
        m.add(MetricsLog.Kind.VALIDATION, 1, 1, 0, Double.NaN, Double.NaN, 0, 0.001);
        Path f = dir.resolve("metrics.csv");
        m.write(f);
        assertThat(MetricsLog.read(f, 1).toCsv()).isEqualTo(m.toCsv());
        MetricsLog r = new MetricsLog("rmse");
        r.add(MetricsLog.Kind.TRAIN, 1, 1, 4, 2.3, 7.5, 10, 1);
        r.write(f);
        assertThat(MetricsLog.read(f, 1).toCsv()).isEqualTo(r.toCsv());
    }
}
