package org.plstm.jmh.report;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;
import org.plstm.io.AtomicFiles;
import org.plstm.jmh.report.PerformanceData.Case;
import org.plstm.jmh.report.PerformanceData.Impl;
import org.plstm.jmh.report.PerformanceData.Kind;
import org.plstm.jmh.report.PerformanceData.LayerRow;

/**
 * The report's chart (XChart bar charts, one PNG): samples/s per case and implementation on a log scale, and % of
 * the peak with the same thread count, for inference and training (a 2 × 2 grid). Series: the SIMD engine for each
 * model and thread count, the reference for each model, and each peer at its highest thread count. One chart shows
 * one instruction level (its name is in the panels' titles); the report draws the first level that ran.
 */
public final class PerformanceChart {
    /** One panel's size in pixels. */
    public static final int PANEL_WIDTH = 960;
    /** One panel's size in pixels. */
    public static final int PANEL_HEIGHT = 560;

    private PerformanceChart() {
    }

    /**
     * One bar series: an implementation, model and thread count.
     *
     * @param impl    implementation
     * @param model   {@code plstm} or {@code lstm}
     * @param threads threads
     */
    record SeriesKey(Impl impl, String model, int threads) {
        String label() {
            String m = model.equals("plstm") ? "PLSTM" : "LSTM";
            return impl == Impl.REFERENCE ? "reference " + m
                    : impl.label() + " " + m + ", " + threads + (threads == 1 ? " thread" : " threads");
        }

        Color color() {
            boolean plstm = model.equals("plstm");
            return switch (impl) {
                case SIMD -> plstm ? (threads >= 2 ? new Color(0x1f4e99) : new Color(0x6f9fe0))
                        : (threads >= 2 ? new Color(0x1b7a3a) : new Color(0x7cc98f));
                case REFERENCE -> plstm ? new Color(0x555555) : new Color(0xaaaaaa);
                case ONNX -> new Color(0xff8c1a);
                case TF -> new Color(0xd62728);
                case DL4J -> new Color(0x8e5cb5);
            };
        }
    }

    /**
     * The series of the chart, in legend order.
     *
     * @param data a run
     * @return SIMD (every model and thread count), the reference (every model), each peer at its highest thread
     *     count
     */
    static List<SeriesKey> series(PerformanceData data) {
        Map<Impl, Integer> peerThreads = new LinkedHashMap<>();
        for (LayerRow r : data.layers()) {
            if (r.impl().peer()) {
                peerThreads.merge(r.impl(), r.threads(), Math::max);
            }
        }
        List<SeriesKey> keys = new ArrayList<>();
        data.layers().stream()
                .filter(r -> !r.impl().peer() || r.threads() == peerThreads.get(r.impl()))
                .map(r -> new SeriesKey(r.impl(), r.model(), r.threads()))
                .distinct()
                .sorted(java.util.Comparator.comparing(SeriesKey::impl)
                        .thenComparing(k -> k.model().equals("plstm") ? 0 : 1)
                        .thenComparingInt(SeriesKey::threads))
                .forEach(keys::add);
        return keys;
    }

    /**
     * Renders the chart and writes it as a PNG, atomically.
     *
     * @param data a run with at least one layer result
     * @param png  the target file
     * @throws IOException if writing fails
     */
    public static void write(PerformanceData data, Path png) throws IOException {
        AtomicFiles.writeBytes(png, render(data));
    }

    /**
     * @param data a run with at least one layer result
     * @return the PNG's bytes
     * @throws IOException if encoding fails
     */
    public static byte[] render(PerformanceData data) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<CategoryChart> panels = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            panel(data, kind, true).ifPresent(panels::add);
        }
        for (Kind kind : Kind.values()) {
            panel(data, kind, false).ifPresent(panels::add);
        }
        if (panels.isEmpty()) {
            throw new IllegalArgumentException("no layer results to chart");
        }
        int cols = panels.size() == 1 ? 1 : 2;
        int rows = (panels.size() + cols - 1) / cols;
        BufferedImage img = new BufferedImage(cols * PANEL_WIDTH, rows * PANEL_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            for (int i = 0; i < panels.size(); i++) {
                BufferedImage p = BitmapEncoder.getBufferedImage(panels.get(i));
                g.drawImage(p, (i % cols) * PANEL_WIDTH, (i / cols) * PANEL_HEIGHT, null);
            }
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /** One panel: samples/s (log) or % of peak, for one kind; empty if nothing of that kind ran. */
    static Optional<CategoryChart> panel(PerformanceData data, Kind kind, boolean throughput) {
        List<Case> cases = data.cases().stream()
                .filter(c -> data.layers().stream().anyMatch(r -> r.kind() == kind && r.kase().equals(c)))
                .toList();
        if (cases.isEmpty()) {
            return Optional.empty();
        }
        List<String> labels = cases.stream().map(c -> c.label(batchOf(data, c))).toList();
        String title = (kind == Kind.INFERENCE ? "Inference" : "Training") + ": "
                + (throughput ? "samples/s (log scale)" : "% of the peak with the same threads")
                + (data.machine() == null ? "" : ", level " + data.machine().levelName());
        CategoryChart chart = new CategoryChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT).title(title)
                .xAxisTitle("shape (B×T×I×H; the reference runs smaller batches)")
                .yAxisTitle(throughput ? "samples/s" : "% of peak").build();
        Styler s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setLegendLayout(Styler.LegendLayout.Vertical);
        chart.getStyler().setYAxisLogarithmic(throughput);
        chart.getStyler().setOverlapped(false);
        chart.getStyler().setAvailableSpaceFill(0.85);
        chart.getStyler().setXAxisLabelRotation(0);
        if (throughput) {
            chart.getStyler().setYAxisDecimalPattern("#,##0.#");
        } else {
            chart.getStyler().setYAxisMin(0.0);
        }
        ToDoubleFunction<LayerRow> metric = throughput ? LayerRow::samplesPerSecond
                : r -> data.percentOfPeak(r).orElse(Double.NaN);
        boolean any = false;
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (SeriesKey key : series(data)) {
            List<Double> ys = new ArrayList<>();
            boolean some = false;
            for (Case c : cases) {
                Optional<LayerRow> r = data.find(key.impl(), kind, c, key.model(), key.threads(), 0);
                double y = r.map(metric::applyAsDouble).orElse(Double.NaN);
                boolean ok = Double.isFinite(y) && y > 0;
                ys.add(ok ? y : null);
                some |= ok;
                if (ok) {
                    lo = Math.min(lo, y);
                    hi = Math.max(hi, y);
                }
            }
            if (some) {
                CategorySeries cs = chart.addSeries(key.label(), labels, ys);
                cs.setFillColor(key.color());
                any = true;
            }
        }
        if (any && throughput) {
            // Bars start at the axis minimum; XChart's default (0) is not allowed on a log axis. A power of ten at
            // least 2× below the smallest bar, so that every bar shows.
            double min = Math.pow(10, Math.floor(Math.log10(lo)));
            chart.getStyler().setYAxisMin(lo < 2 * min ? min / 10 : min);
            chart.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(hi) + 1e-9)));
        }
        return any ? Optional.of(chart) : Optional.empty();
    }

    /** The SIMD batch of a case (the reference's smaller batches are not the headline shape). */
    private static int batchOf(PerformanceData data, Case c) {
        OptionalDouble simd = data.layers().stream().filter(r -> r.kase().equals(c) && r.impl() == Impl.SIMD)
                .mapToDouble(r -> r.shape().batch()).findFirst();
        if (simd.isPresent()) {
            return (int) simd.getAsDouble();
        }
        return data.layers().stream().filter(r -> r.kase().equals(c)).mapToInt(r -> r.shape().batch()).max()
                .orElse(1);
    }
}
