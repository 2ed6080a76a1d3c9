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
 * stamped {@code t}. A line that is not an event
 * (fewer than two fields, a number that does not parse) goes to the side output {@link #MALFORMED} as
 * {@code "<reason>: <line>"}; the job keeps running. The feature count is not checked here: the operator checks it
 * against the model.
 *
 * <p>One instance per task (Flink's rule for functions); not thread-safe.
 */
public final class CsvEvents extends ProcessFunction<String, Event<String>> {
    private static final long serialVersionUID = 1L;

    /** Lines that are not events, with the reason. */
    public static final OutputTag<String> MALFORMED = new OutputTag<>("malformed-lines", Types.STRING);

    private transient ObjectReader reader;

    /** A parser; Flink calls {@link #open} on each task before the first line. */
    public CsvEvents() {
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
        out.collect(new Event<>(fields[0], t, x));
    }
}
