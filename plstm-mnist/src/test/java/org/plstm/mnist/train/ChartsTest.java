package org.plstm.mnist.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

class ChartsTest {
    @TempDir
    Path dir;

    /** {@code epochs} epochs of 50 batches and a test row after each, as the trainers write them. */
    private static MetricsLog run(int epochs, double offset) {
        MetricsLog m = new MetricsLog();
        long it = 0;
        for (int e = 1; e <= epochs; e++) {
            for (int b = 0; b < 50; b++) {
                it++;
                m.add(MetricsLog.Kind.BATCH, e, it, 128, 2.0 / it, Math.min(1, offset + it * 1e-3), 1000, 0.1);
            }
            m.add(MetricsLog.Kind.TEST, e, it, 10000, 1.0 / e, Math.min(1, offset + e * 0.01), 5000, 1.0);
        }
        return m;
    }

    @Test
    void eachRunsPerEpochSeriesComesBeforeItsBatchLine() {
        XYChart chart = Charts.chart("t", "accuracy",
                List.of(new Charts.Run("PLSTM", run(70, 0.1)), new Charts.Run("LSTM", run(70, 0))), true);
        assertThat(chart.getSeriesMap().keySet()).containsExactly("PLSTM test (per epoch)",
                "PLSTM train (batch moving average)", "LSTM test (per epoch)", "LSTM train (batch moving average)");
    }

    @Test
    void theXValuesXChartGathersAreNotEquallySpaced() {
        // XChart 3.8.8 collects the x values of all series in the order they were added and, when they are equally
        // spaced, puts a tick on every n-th of them whatever the spacing hint (36 labels for 70 epochs). The batch
        // line alone is equally spaced; with the epochs (1, 2, ..., 70) first, the gathered values are not.
        XYChart chart = Charts.chart("t", "accuracy", List.of(new Charts.Run("PLSTM", run(70, 0.1))), true);
        Set<Double> gathered = new LinkedHashSet<>();
        for (XYSeries s : chart.getSeriesMap().values()) {
            for (double x : s.getXData()) {
                gathered.add(x);
            }
        }
        List<Double> xs = new ArrayList<>(gathered);
        double step = xs.get(1) - xs.get(0);
        assertThat(step).isEqualTo(1.0);
        assertThat(xs.get(70)).isEqualTo(1.0 / 50); // the first batch after the 70 epochs: off the grid of step 1
        double[] batches = chart.getSeriesMap().get("PLSTM train (batch moving average)").getXData();
        assertThat(batches).hasSize(70 * 50);
        assertThat(batches[49]).isEqualTo(1.0);
        assertThat(batches[70 * 50 - 1]).isEqualTo(70.0);
    }

    @Test
    void writesBothCharts() throws Exception {
        Charts.write(dir, "Sequential MNIST", List.of(new Charts.Run("PLSTM", run(3, 0.1))));
        for (String f : List.of("accuracy.png", "loss.png")) {
            byte[] png = Files.readAllBytes(dir.resolve(f));
            assertThat(png).hasSizeGreaterThan(1000);
            assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
        }
    }
}
