package org.plstm.mnist.data;

import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.plstm.io.AtomicFiles;
import org.plstm.train.LabeledSequence;

/**
 * The frequency-discrimination task of the Phased LSTM paper (Neil, Pfeiffer &amp; Liu 2016, section 4.1; the author's
 * {@code freq_task.py}): is a sine wave's period in {@code [5, 6]} ms?
 *
 * <p>Sample {@code i} (times in ms):
 * <ul>
 *   <li>period {@code P}: for even {@code i} uniform on {@code [5, 6]} (the half of each batch forced into the target
 *       band), for odd {@code i} log-uniform on {@code [1, 100]}, i.e. {@code exp(U(ln 1, ln 100))} (which lands in
 *       the band with probability {@code ln(6/5)/ln(100) = 4.0 %});</li>
 *   <li>label {@code 1} iff {@code 5 <= P <= 6}, else {@code 0} (so about 52 % of the samples are positive);</li>
 *   <li>duration {@code U(15, 125)}, start {@code U(0, 125 − duration)}, phase {@code φ0 ~ U(0, 2π)};</li>
 *   <li>signal {@code x(t) = sin(2π·t/P − φ0)} sampled at times that depend on the {@link Sampling}.</li>
 * </ul>
 *
 * <p>Every value of sample {@code i} is drawn from {@code new SplittableRandom(seed).split()} taken {@code i + 1}
 * times, in the order above (period, duration, start, phase, then the sampling's draws), so a seed gives the same
 * samples on every JVM, and the first {@code n} samples of a larger set are the same.
 */
public final class FrequencyTask {
    /** The target band's lower bound, ms. */
    public static final double BAND_LOW = 5.0;
    /** The target band's upper bound, ms. */
    public static final double BAND_HIGH = 6.0;
    /** The longest signal, ms: a sample lies in {@code [0, 125]}. */
    public static final double WINDOW = 125.0;

    private FrequencyTask() {
    }

    /** How a signal is sampled (paper, section 4.1). */
    public enum Sampling {
        /** Every 1 ms from the start: 15 to 125 steps. */
        STANDARD,
        /** Every 0.1 ms from the start: 150 to 1250 steps. */
        HIGH_RES,
        /** Asynchronous: {@code U{15..125}} points at uniform random times in {@code [start, start + duration]}. */
        ASYNC;

        /**
         * @param s {@code standard}, {@code high_res} / {@code high-res} or {@code async}, any case
         * @return the sampling
         * @throws IllegalArgumentException on any other value
         */
        public static Sampling parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("sampling: expected standard, high-res or async, got '" + s + "'");
            }
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * One sample.
     *
     * @param period   {@code P}, ms
     * @param phase    {@code φ0}, radians
     * @param start    ms
     * @param duration ms
     * @param time     sample times {@code [T]}, ms, increasing
     * @param x        the signal at those times {@code [T]}
     * @param label    1 iff {@code P} is in {@code [5, 6]}
     */
    public record Sample(double period, double phase, double start, double duration, double[] time, float[] x,
                         int label) {
        /** @return the sample as {@link org.plstm.train.Fit}'s data: {@code I = 1} feature, the label */
        public LabeledSequence toLabeled() {
            return new LabeledSequence(x, time, label);
        }
    }

    /**
     * @param n        samples, {@code >= 1}
     * @param sampling how the signals are sampled
     * @param seed     the seed
     * @return samples {@code 0 .. n−1} (see the class comment)
     * @throws IllegalArgumentException if {@code n < 1} or {@code sampling} is null
     */
    public static List<Sample> generate(int n, Sampling sampling, long seed) {
        if (n < 1) {
            throw new IllegalArgumentException("n: expected >= 1 samples, got " + n);
        }
        if (sampling == null) {
            throw new IllegalArgumentException("sampling: expected standard, high-res or async, got null");
        }
        SplittableRandom root = new SplittableRandom(seed);
        List<Sample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(sample(root.split(), i % 2 == 0, sampling));
        }
        return out;
    }

    /**
     * The seed of one epoch's samples of a run: distinct for every (seed, epoch, part), the same on every JVM, so
     * an epoch's data can be regenerated on its own (what makes {@code --resume} continue bit for bit).
     *
     * @param seed  the run's seed
     * @param epoch the 1-based epoch
     * @param test  whether the test samples (else the training samples)
     * @return the seed to pass to {@link #generate}
     */
    public static long epochSeed(long seed, int epoch, boolean test) {
        SplittableRandom r = new SplittableRandom(seed);
        long base = r.nextLong();
        return new SplittableRandom(base + 0x9E3779B97F4A7C15L * (2L * epoch + (test ? 1 : 0))).nextLong();
    }

    /**
     * A sample as training data: {@code I = 1} (the signal {@code x}), or {@code I = 2} with the time channel
     * {@code t / WINDOW} (in {@code [0, 1]}) after it, for the plain-LSTM baseline, which has no time gate.
     *
     * @param s           the sample
     * @param timeChannel whether to append {@code t / }{@value #WINDOW}
     * @return {@code x [T][I]} row-major, the times in ms, the label
     */
    public static LabeledSequence toLabeled(Sample s, boolean timeChannel) {
        if (!timeChannel) {
            return s.toLabeled();
        }
        int n = s.time().length;
        float[] x = new float[2 * n];
        for (int k = 0; k < n; k++) {
            x[2 * k] = s.x()[k];
            x[2 * k + 1] = (float) (s.time()[k] / WINDOW);
        }
        return new LabeledSequence(x, s.time(), s.label());
    }

    /**
     * One sample from a random source.
     *
     * @param rng      the source (advanced)
     * @param forced   whether the period is forced into the band {@code [5, 6]}
     * @param sampling how the signal is sampled
     * @return the sample
     */
    public static Sample sample(SplittableRandom rng, boolean forced, Sampling sampling) {
        double period = forced ? BAND_LOW + (BAND_HIGH - BAND_LOW) * rng.nextDouble()
                : Math.exp(Math.log(100.0) * rng.nextDouble());
        double duration = 15.0 + 110.0 * rng.nextDouble();
        double start = (WINDOW - duration) * rng.nextDouble();
        double phase = 2 * Math.PI * rng.nextDouble();
        double[] time;
        switch (sampling) {
            case STANDARD, HIGH_RES -> {
                double dt = sampling == Sampling.STANDARD ? 1.0 : 0.1;
                int steps = (int) Math.floor(duration / dt + 1e-9);
                time = new double[steps];
                for (int k = 0; k < steps; k++) {
                    time[k] = start + k * dt;
                }
            }
            default -> {
                int steps = 15 + rng.nextInt(111);
                time = new double[steps];
                for (int k = 0; k < steps; k++) {
                    time[k] = start + duration * rng.nextDouble();
                }
                java.util.Arrays.sort(time);
            }
        }
        float[] x = new float[time.length];
        for (int k = 0; k < time.length; k++) {
            x[k] = (float) Math.sin(2 * Math.PI * time[k] / period - phase);
        }
        int label = period >= BAND_LOW && period <= BAND_HIGH ? 1 : 0;
        return new Sample(period, phase, start, duration, time, x, label);
    }

    /**
     * Writes samples as an event CSV, atomically ({@link AtomicFiles}), with Jackson's CSV generator: header
     * {@code seq,t,x,label,period}, one row per event, sequence {@code i} as id {@code s<i>} with its events in time
     * order; {@code t} in ms, {@code label} 0 or 1, {@code period} the sample's {@code P} in ms (a regression target;
     * leave it out of the features: train with {@code --features x}).
     *
     * @param file    the target
     * @param samples the samples
     * @throws IOException if writing fails
     */
    public static void writeCsv(Path file, List<Sample> samples) throws IOException {
        CsvMapper mapper = new CsvMapper();
        CsvSchema schema = CsvSchema.builder().addColumn("seq").addColumn("t").addColumn("x").addColumn("label")
                .addColumn("period").build().withHeader();
        AtomicFiles.write(file, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            try (CsvGenerator g = mapper.getFactory().createGenerator(w)) {
                g.setSchema(schema);
                g.disable(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                for (int i = 0; i < samples.size(); i++) {
                    Sample s = samples.get(i);
                    for (int k = 0; k < s.time().length; k++) {
                        g.writeStartArray();
                        g.writeString("s" + i);
                        g.writeNumber(s.time()[k]);
                        g.writeNumber(s.x()[k]);
                        g.writeNumber(s.label());
                        g.writeNumber(s.period());
                        g.writeEndArray();
                    }
                }
            }
            w.flush();
        });
    }
}
