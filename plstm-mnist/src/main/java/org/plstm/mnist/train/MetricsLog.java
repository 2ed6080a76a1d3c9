package org.plstm.mnist.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.plstm.io.AtomicFiles;

/**
 * The metrics of a run, one row per training batch and two per epoch, kept in growable primitive columns (no object
 * per row) and written as {@code metrics.csv}.
 *
 * <p>CSV columns: {@code kind,epoch,iteration,samples,loss,accuracy,samples_per_second,seconds}; a regression run
 * ({@link #MetricsLog(String) metric} {@code rmse}) has {@code rmse} in place of {@code accuracy}: the root mean squared
 * error in the target's own unit, and {@code loss} is then the mean squared error of the standardised target.
 * <ul>
 *   <li>{@code kind=batch}: one training step; {@code iteration} is the optimiser's 1-based step count,
 *       {@code samples} the batch size, {@code loss} the batch's mean cross-entropy (nats) and {@code accuracy} its
 *       fraction correct, both before the update; {@code samples_per_second} and {@code seconds} of that step.</li>
 *   <li>{@code kind=train}: the epoch's training averages (weighted by batch size); {@code samples} the training
 *       set size, {@code seconds} the epoch's wall time, {@code samples_per_second} its throughput.</li>
 *   <li>{@code kind=test}: the test set after the epoch (MNIST), or after the last epoch (event data);
 *       {@code seconds} the evaluation's wall time.</li>
 *   <li>{@code kind=validation}: the validation set after the epoch (event data).</li>
 * </ul>
 * {@code epoch} is 1-based. Numbers are written with {@link Double#toString}, so reading a file back gives the exact
 * values.
 */
public final class MetricsLog {
    /** The CSV header line. */
    public static final String HEADER = "kind,epoch,iteration,samples,loss,accuracy,samples_per_second,seconds";

    /** Row kinds. */
    public enum Kind {
        /** A training step. */
        BATCH,
        /** An epoch's training summary. */
        TRAIN,
        /** An epoch's test evaluation. */
        TEST,
        /** An epoch's validation evaluation. */
        VALIDATION;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The header of a regression run's log. */
    public static final String HEADER_RMSE = HEADER.replace(",accuracy,", ",rmse,");

    private final String metric;
    private int size;

    /** An empty log of a classification run (column {@code accuracy}). */
    public MetricsLog() {
        this("accuracy");
    }

    /**
     * An empty log.
     *
     * @param metric {@code accuracy} (classification) or {@code rmse} (regression): the name of the sixth column
     * @throws IllegalArgumentException on another name
     */
    public MetricsLog(String metric) {
        if (!"accuracy".equals(metric) && !"rmse".equals(metric)) {
            throw new IllegalArgumentException("metric: expected accuracy or rmse, got '" + metric + "'");
        }
        this.metric = metric;
    }

    /** @return the sixth column's name: {@code accuracy} or {@code rmse} */
    public String metric() {
        return metric;
    }

    /** @return the CSV header of this log */
    public String header() {
        return metric.equals("accuracy") ? HEADER : HEADER_RMSE;
    }

    private byte[] kind = new byte[256];
    private int[] epoch = new int[256];
    private long[] iteration = new long[256];
    private int[] samples = new int[256];
    private double[] loss = new double[256];
    private double[] accuracy = new double[256];
    private double[] samplesPerSecond = new double[256];
    private double[] seconds = new double[256];

    /**
     * Appends a row (amortised allocation-free).
     *
     * @param k     the kind
     * @param ep    1-based epoch
     * @param it    optimiser iteration
     * @param n     samples
     * @param l     loss
     * @param acc   accuracy in {@code [0, 1]}
     * @param sps   samples per second
     * @param secs  seconds
     */
    public void add(Kind k, int ep, long it, int n, double l, double acc, double sps, double secs) {
        if (size == kind.length) {
            int cap = size * 2;
            kind = Arrays.copyOf(kind, cap);
            epoch = Arrays.copyOf(epoch, cap);
            iteration = Arrays.copyOf(iteration, cap);
            samples = Arrays.copyOf(samples, cap);
            loss = Arrays.copyOf(loss, cap);
            accuracy = Arrays.copyOf(accuracy, cap);
            samplesPerSecond = Arrays.copyOf(samplesPerSecond, cap);
            seconds = Arrays.copyOf(seconds, cap);
        }
        kind[size] = (byte) k.ordinal();
        epoch[size] = ep;
        iteration[size] = it;
        samples[size] = n;
        loss[size] = l;
        accuracy[size] = acc;
        samplesPerSecond[size] = sps;
        seconds[size] = secs;
        size++;
    }

    /** @return the number of rows */
    public int size() {
        return size;
    }

    /**
     * @param row index
     * @return its kind
     */
    public Kind kind(int row) {
        return Kind.values()[kind[check(row)]];
    }

    /**
     * @param row index
     * @return its 1-based epoch
     */
    public int epoch(int row) {
        return epoch[check(row)];
    }

    /**
     * @param row index
     * @return its optimiser iteration
     */
    public long iteration(int row) {
        return iteration[check(row)];
    }

    /**
     * @param row index
     * @return its sample count
     */
    public int samples(int row) {
        return samples[check(row)];
    }

    /**
     * @param row index
     * @return its loss in nats
     */
    public double loss(int row) {
        return loss[check(row)];
    }

    /**
     * @param row index
     * @return its accuracy
     */
    public double accuracy(int row) {
        return accuracy[check(row)];
    }

    /**
     * @param row index
     * @return its samples per second
     */
    public double samplesPerSecond(int row) {
        return samplesPerSecond[check(row)];
    }

    /**
     * @param row index
     * @return its seconds
     */
    public double seconds(int row) {
        return seconds[check(row)];
    }

    private int check(int row) {
        if (row < 0 || row >= size) {
            throw new IndexOutOfBoundsException("row " + row + " of " + size);
        }
        return row;
    }

    /**
     * @param k the kind
     * @return the losses of all rows of that kind, in order
     */
    public double[] losses(Kind k) {
        return column(k, loss);
    }

    /**
     * @param k the kind
     * @return the accuracies of all rows of that kind, in order
     */
    public double[] accuracies(Kind k) {
        return column(k, accuracy);
    }

    private double[] column(Kind k, double[] values) {
        int n = 0;
        for (int r = 0; r < size; r++) {
            n += kind[r] == k.ordinal() ? 1 : 0;
        }
        double[] out = new double[n];
        int i = 0;
        for (int r = 0; r < size; r++) {
            if (kind[r] == k.ordinal()) {
                out[i++] = values[r];
            }
        }
        return out;
    }

    /**
     * @param epochs the epochs the log should cover, {@code 1..epochs}
     * @return those of them that lack their {@code train} or {@code test} row, in order
     */
    public java.util.List<Integer> missingEpochs(int epochs) {
        boolean[] trainSeen = new boolean[epochs + 1];
        boolean[] testSeen = new boolean[epochs + 1];
        boolean validation = false;
        for (int r = 0; r < size; r++) {
            validation |= kind[r] == Kind.VALIDATION.ordinal();
        }
        // MNIST evaluates the test set every epoch; event runs their validation set (the test set after the last)
        int evalKind = validation ? Kind.VALIDATION.ordinal() : Kind.TEST.ordinal();
        for (int r = 0; r < size; r++) {
            if (epoch[r] >= 1 && epoch[r] <= epochs) {
                trainSeen[epoch[r]] |= kind[r] == Kind.TRAIN.ordinal();
                testSeen[epoch[r]] |= kind[r] == evalKind;
            }
        }
        java.util.List<Integer> missing = new java.util.ArrayList<>();
        for (int e = 1; e <= epochs; e++) {
            if (!trainSeen[e] || !testSeen[e]) {
                missing.add(e);
            }
        }
        return missing;
    }

    /** @return the whole log as CSV text with its {@link #header()} */
    public String toCsv() {
        StringBuilder sb = new StringBuilder(HEADER.length() + size * 96);
        sb.append(header()).append('\n');
        for (int r = 0; r < size; r++) {
            sb.append(kind(r)).append(',').append(epoch[r]).append(',').append(iteration[r]).append(',')
                    .append(samples[r]).append(',').append(loss[r]).append(',').append(accuracy[r]).append(',')
                    .append(samplesPerSecond[r]).append(',').append(seconds[r]).append('\n');
        }
        return sb.toString();
    }

    /**
     * Writes {@code metrics.csv} atomically.
     *
     * @param file the target
     * @throws IOException if writing fails
     */
    public void write(Path file) throws IOException {
        AtomicFiles.writeString(file, toCsv());
    }

    /**
     * Reads a file written by {@link #write}, keeping the rows of epochs {@code <= maxEpoch} (used by
     * {@code --resume} to carry the earlier curve over). Lines may end in LF or CR LF. Every row has 8 fields, a
     * known kind and an integer epoch; the rows kept are verified further: fields of the right types; {@code epoch >= 1} and never decreasing from row to row; {@code iteration >= 0}; {@code samples >= 0};
     * a finite {@code loss >= 0} and an accuracy in {@code [0, 1]} (an {@code rmse} finite and {@code >= 0}), both
     * NaN allowed only where {@code samples} is 0 (an empty evaluation); {@code samples_per_second >= 0} (infinite
     * for a step too short for the clock); finite {@code seconds >= 0}; and the file ends with a line break, as
     * {@link #write} leaves it (a file cut off inside its last row is refused, not read with a shortened number).
     *
     * @param file     a metrics.csv
     * @param maxEpoch last epoch to keep
     * @return the rows read
     * @throws IOException if the file cannot be read or is not in this format (the message names the file, the line
     *     and what is wrong)
     */
    public static MetricsLog read(Path file, int maxEpoch) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IOException(file + ": not UTF-8 text", e);
        }
        String[] lines = text.split("\r?\n", -1); // a file edited on Windows may end its lines with CR LF
        MetricsLog log;
        if (HEADER.equals(lines[0])) {
            log = new MetricsLog("accuracy");
        } else if (HEADER_RMSE.equals(lines[0])) {
            log = new MetricsLog("rmse");
        } else {
            throw new IOException(file + ": line 1: expected the header " + HEADER + " (or " + HEADER_RMSE
                    + "), got " + cut(lines[0]));
        }
        if (!lines[lines.length - 1].isEmpty()) {
            throw new IOException(file + ": line " + lines.length + ": expected the file to end with a line break "
                    + "after its last row, got " + cut(lines[lines.length - 1]) + " (a file cut off?)");
        }
        boolean rmse = log.metric.equals("rmse");
        int lastEpoch = 1;
        for (int n = 1; n < lines.length - 1; n++) {
            String line = lines[n];
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",", -1);
            try {
                if (f.length != 8) {
                    throw new IllegalArgumentException("expected 8 fields, got " + f.length);
                }
                Kind k = kind(f[0]);
                int ep = Integer.parseInt(f[1]);
                if (ep > maxEpoch) {
                    continue; // not carried over (e.g. a later epoch of a run that diverged): not checked either
                }
                if (ep < lastEpoch) {
                    throw new IllegalArgumentException("epoch: expected >= " + lastEpoch + " (rows in epoch order), got "
                            + ep);
                }
                lastEpoch = ep;
                long it = Long.parseLong(f[2]);
                int samples = Integer.parseInt(f[3]);
                double loss = Double.parseDouble(f[4]);
                double metric = Double.parseDouble(f[5]);
                double sps = Double.parseDouble(f[6]);
                double secs = Double.parseDouble(f[7]);
                require(it >= 0, "iteration", ">= 0", f[2]);
                require(samples >= 0, "samples", ">= 0", f[3]);
                boolean empty = samples == 0;
                require(loss >= 0 && loss < Double.POSITIVE_INFINITY || empty && Double.isNaN(loss), "loss",
                        "a finite value >= 0", f[4]);
                require((rmse ? metric >= 0 && metric < Double.POSITIVE_INFINITY : metric >= 0 && metric <= 1)
                        || empty && Double.isNaN(metric), rmse ? "rmse" : "accuracy",
                        rmse ? "a finite value >= 0" : "a value in [0, 1]", f[5]);
                require(sps >= 0, "samples_per_second", ">= 0", f[6]);
                require(secs >= 0 && secs < Double.POSITIVE_INFINITY, "seconds", "a finite value >= 0", f[7]);
                log.add(k, ep, it, samples, loss, metric, sps, secs);
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": line " + (n + 1) + ": " + cut(e.getMessage()), e);
            }
        }
        return log;
    }

    private static Kind kind(String name) {
        for (Kind k : Kind.values()) {
            if (k.toString().equals(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("kind: expected batch, train, test or validation, got " + name);
    }

    private static void require(boolean ok, String column, String expected, String got) {
        if (!ok) {
            throw new IllegalArgumentException(column + ": expected " + expected + ", got " + got);
        }
    }

    /** @return {@code s}, cut to 200 characters for a message */
    private static String cut(String s) {
        return s == null || s.length() <= 200 ? String.valueOf(s) : s.substring(0, 200) + "...";
    }
}
