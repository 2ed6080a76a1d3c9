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
}
