package org.plstm.flink.example;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.UncheckedIOException;
import org.plstm.flink.Prediction;
import org.plstm.flink.RejectedEvent;

/**
 * The example job's output lines (RFC 4180 CSV, written with Jackson's CSV writer):
 * <pre>
 *   predictions:  key,t,events,v_1,...,v_n      v = class probabilities [C] or hidden state [H]
 *   rejected:     key,t,reason,message
 * </pre>
 * Numbers are written by {@link Float#toString(float)} and {@link Double#toString(double)}: the shortest decimal that
 * reads back to the same bits, so the files hold the predictions exactly. Thread-safe (the writer is immutable).
 */
public final class Csv {
    private static final ObjectWriter WRITER = new CsvMapper().writerFor(Object[].class)
            .with(CsvSchema.emptySchema().withLineSeparator(""));

    private Csv() {
    }

    /**
     * @param p a prediction
     * @return its line, without a line separator
     */
    public static String line(Prediction<?> p) {
        float[] v = p.values();
        Object[] row = new Object[3 + v.length];
        row[0] = String.valueOf(p.key());
        row[1] = p.time();
        row[2] = p.events();
        for (int i = 0; i < v.length; i++) {
            row[3 + i] = v[i];
        }
        return write(row);
    }

    /**
     * @param r a rejected event
     * @return its line, without a line separator
     */
    public static String line(RejectedEvent<?> r) {
        return write(new Object[] {String.valueOf(r.event().key()), r.event().time(), r.reason().name(),
            r.message()});
    }

    private static String write(Object[] row) {
        try {
            return WRITER.writeValueAsString(row);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // cannot happen for strings and numbers
        }
    }
}
