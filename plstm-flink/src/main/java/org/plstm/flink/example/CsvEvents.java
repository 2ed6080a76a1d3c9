package org.plstm.flink.example;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.plstm.flink.Event;

/**
 * Parses CSV lines {@code key,t,x_1,...,x_I} into {@link Event}{@code <String>}s (RFC 4180 quoting, with Jackson's CSV
 * parser): the key as written, {@code t} as a {@code double} in the model's time unit, the features as {@code float}s
 * ({@code NaN} and {@code Infinity} are read as such, and the operator then rejects the event). Blank lines, lines
 * starting with {@code #}, and a header line whose second field is {@code t} are skipped. A line with a key and a time
 * only ({@code key,t}) is a {@linkplain Event#query query}: the job answers it with the key's current prediction,
 * stamped {@code t} (or rejects it when {@code t} is earlier than the key's last event). A line that is not an event
 * (fewer than two fields, a number that does not parse) goes to the side output {@link #MALFORMED} as
 * {@code "<reason>: <line>"}; the job keeps running. The feature count is not checked here: the operator checks it
 * against the model. With a mean and a standard deviation per feature, the features are standardised as the events
 * trainer standardised its training data.
 *
 * <p>One instance per task (Flink's rule for functions); not thread-safe.
 */
public final class CsvEvents extends ProcessFunction<String, Event<String>> {
    private static final long serialVersionUID = 1L;

    /** Lines that are not events, with the reason. */
    public static final OutputTag<String> MALFORMED = new OutputTag<>("malformed-lines", Types.STRING);

    private transient ObjectReader reader;
    /** Per-feature mean subtracted before the model, or {@code null} for none. */
    private final double[] mean;
    /** Per-feature standard deviation divided by, or {@code null} for none. */
    private final double[] std;

    /** A parser that passes the features on as written; Flink calls {@link #open} on each task first. */
    public CsvEvents() {
        this(null, null);
    }

    /**
     * A parser that standardises the features as the events trainer did: {@code x_i -> (x_i − mean_i)/std_i},
     * computed in double from the float32 value and rounded to float32 (the bits of {@code events predict}). An event
     * with another number of features is passed on unchanged (the operator rejects it).
     *
     * @param mean per feature {@code [I]}, or null (with {@code std}) for none
     * @param std  per feature {@code [I]}, positive
     * @throws IllegalArgumentException if only one is null or their lengths differ
     */
    public CsvEvents(double[] mean, double[] std) {
        if ((mean == null) != (std == null) || (mean != null && mean.length != std.length)) {
            throw new IllegalArgumentException("mean, std: expected both null or of one length, got "
                    + (mean == null ? "null" : mean.length) + " and " + (std == null ? "null" : std.length));
        }
        this.mean = mean == null ? null : mean.clone();
        this.std = std == null ? null : std.clone();
    }

    @Override
    public void open(OpenContext context) {
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
        mapper.enable(CsvParser.Feature.TRIM_SPACES);
        reader = mapper.readerFor(String[].class).with(CsvSchema.emptySchema());
    }

    @Override
    public void processElement(String line, Context context, Collector<Event<String>> out) {
        if (line.isBlank() || line.stripLeading().startsWith("#")) {
            return;
        }
        String[] fields;
        try (MappingIterator<String[]> rows = reader.readValues(line)) {
            fields = rows.hasNext() ? rows.next() : new String[0];
        } catch (IOException | RuntimeException e) {
            context.output(MALFORMED, "not CSV (" + e.getMessage().lines().findFirst().orElse("") + "): " + line);
            return;
        }
        if (fields.length < 2) {
            context.output(MALFORMED, "expected key,t,features..., got " + fields.length + " field(s): " + line);
            return;
        }
        if (fields[1].equals("t")) {
            return; // header
        }
        double t;
        float[] x = new float[fields.length - 2];
        try {
            t = Double.parseDouble(fields[1]);
        } catch (NumberFormatException e) {
            context.output(MALFORMED, "t: expected a number, got \"" + fields[1] + "\": " + line);
            return;
        }
        for (int i = 0; i < x.length; i++) {
            try {
                x[i] = Float.parseFloat(fields[i + 2]);
            } catch (NumberFormatException e) {
                context.output(MALFORMED, "feature " + (i + 1) + ": expected a number, got \"" + fields[i + 2]
                        + "\": " + line);
                return;
            }
        }
        if (mean != null && x.length == mean.length) {
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) ((x[i] - mean[i]) / std[i]);
            }
        }
        out.collect(new Event<>(fields[0], t, x));
    }
}
