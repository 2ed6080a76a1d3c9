package org.plstm.mnist.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.plstm.io.AtomicFiles;

/**
 * The training curves as PNG charts (XChart): {@code accuracy.png} and {@code loss.png}, x axis in epochs. For each
 * run: the training batches' values smoothed by a trailing moving average (a continuous line; x = the fraction of the
 * epoch done) and the test values after each epoch (markers). Several runs (the {@code compare} command's PLSTM and
 * LSTM) share one chart, like the Keras seed's two comparison PNGs.
 */
public final class Charts {
    /** Chart size in pixels. */
    public static final int WIDTH = 900;
    /** Chart size in pixels. */
    public static final int HEIGHT = 560;

    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0x9467bd)};

    private Charts() {
    }

    /**
     * One run on a chart.
     *
     * @param name    the legend prefix, e.g. {@code PLSTM}
     * @param metrics its metrics
     */
    public record Run(String name, MetricsLog metrics) {
    }

    /**
     * Writes {@code accuracy.png} and {@code loss.png} into a directory, atomically.
     *
     * @param dir   the directory
     * @param title a title prefix, e.g. {@code "Sequential MNIST (pixel), hidden 32"}
     * @param runs  one or more runs
     * @throws IOException if writing fails
     */
    public static void write(Path dir, String title, List<Run> runs) throws IOException {
        write(dir, title, runs, "accuracy", "loss (nats)");
    }

    /**
     * Writes {@code <metric>.png} and {@code loss.png} into a directory, atomically: for a regression run
     * {@code rmse.png} (the metrics' sixth column) and a loss axis that says what the loss is.
     *
     * @param dir       the directory
     * @param title     a title prefix
     * @param runs      one or more runs
     * @param metric    {@code accuracy} or {@code rmse}: the file name and y axis of the first chart
     * @param lossTitle the y axis title of {@code loss.png}, e.g. {@code loss (nats)}
     * @throws IOException if writing fails
     */
    public static void write(Path dir, String title, List<Run> runs, String metric, String lossTitle)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        AtomicFiles.writeBytes(dir.resolve(metric + ".png"), png(chart(title + ": " + metric, metric, runs, true)));
        AtomicFiles.writeBytes(dir.resolve("loss.png"), png(chart(title + ": loss", lossTitle, runs, false)));
    }

    static XYChart chart(String title, String yTitle, List<Run> runs, boolean accuracy) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("epoch")
                .yAxisTitle(yTitle).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Horizontal);
        chart.getStyler().setXAxisDecimalPattern("0.##");
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisTickMarkSpacingHint(90);
        chart.getStyler().setMarkerSize(8);
        // Per run, the per-epoch series before the batch line. XChart 3.8.8 gathers the x values of all series in
        // the order they were added; when those are equally spaced (the batch line's x alone are: 1/K apart) it puts
        // a tick on every n-th value for the smallest n whose labels fit, ignoring the spacing hint: 36 labels for
        // 70 epochs. With the epochs (1, 2, 3, ...) first the union is not equally spaced, and the axis takes round
        // steps from the hint (10 epochs for 70, 0.5 for 3).
        for (int r = 0; r < runs.size(); r++) {
            Run run = runs.get(r);
            Color color = COLORS[r % COLORS.length];
            for (MetricsLog.Kind kind : new MetricsLog.Kind[] {MetricsLog.Kind.VALIDATION, MetricsLog.Kind.TEST}) {
                double[][] test = epochRows(run.metrics(), kind, accuracy);
                if (test[0].length == 0) {
                    continue;
                }
                boolean validation = kind == MetricsLog.Kind.VALIDATION;
                XYSeries s = chart.addSeries(run.name() + " " + kind + " (per epoch)", test[0], test[1]);
                s.setMarker(validation ? SeriesMarkers.CIRCLE : SeriesMarkers.DIAMOND);
                s.setMarkerColor(color);
                s.setLineColor(color);
                s.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                        new float[] {6f, 4f}, 0f));
            }
            double[][] train = smoothedBatches(run.metrics(), accuracy);
            if (train[0].length > 0) {
                XYSeries s = chart.addSeries(run.name() + " train (batch moving average)", train[0], train[1]);
                s.setMarker(SeriesMarkers.NONE);
                s.setLineColor(color);
                s.setLineStyle(new BasicStroke(1.5f));
            }
        }
        return chart;
    }

    private static byte[] png(XYChart chart) throws IOException {
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }

    /**
     * The batch rows as x = epoch − 1 + (k + 1)/K for the k-th of K batches of an epoch, y smoothed with a trailing
     * moving average over {@code max(1, K/10)} batches (restarting at no boundary).
     */
    static double[][] smoothedBatches(MetricsLog m, boolean accuracy) {
        List<Integer> rows = new ArrayList<>();
        for (int r = 0; r < m.size(); r++) {
            if (m.kind(r) == MetricsLog.Kind.BATCH) {
                rows.add(r);
            }
        }
        double[] x = new double[rows.size()];
        double[] y = new double[rows.size()];
        int i = 0;
        while (i < rows.size()) {
            int ep = m.epoch(rows.get(i));
            int j = i;
            while (j < rows.size() && m.epoch(rows.get(j)) == ep) {
                j++;
            }
            int count = j - i;
            for (int k = 0; k < count; k++) {
                x[i + k] = ep - 1 + (k + 1.0) / count;
            }
            i = j;
        }
        int window = Math.max(1, rows.size() / Math.max(1, maxEpoch(m)) / 10);
        double sum = 0;
        for (int k = 0; k < rows.size(); k++) {
            int r = rows.get(k);
            sum += accuracy ? m.accuracy(r) : m.loss(r);
            if (k >= window) {
                int old = rows.get(k - window);
                sum -= accuracy ? m.accuracy(old) : m.loss(old);
            }
            y[k] = sum / Math.min(k + 1, window);
        }
        return new double[][] {x, y};
    }

    private static int maxEpoch(MetricsLog m) {
        int e = 0;
        for (int r = 0; r < m.size(); r++) {
            e = Math.max(e, m.epoch(r));
        }
        return e;
    }

    static double[][] epochRows(MetricsLog m, MetricsLog.Kind kind, boolean accuracy) {
        List<double[]> pts = new ArrayList<>();
        for (int r = 0; r < m.size(); r++) {
            if (m.kind(r) == kind) {
                pts.add(new double[] {m.epoch(r), accuracy ? m.accuracy(r) : m.loss(r)});
            }
        }
        double[] x = new double[pts.size()];
        double[] y = new double[pts.size()];
        for (int i = 0; i < pts.size(); i++) {
            x[i] = pts.get(i)[0];
            y[i] = pts.get(i)[1];
        }
        return new double[][] {x, y};
    }
}
