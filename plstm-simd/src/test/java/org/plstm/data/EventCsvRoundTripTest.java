package org.plstm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property: sequences written as CSV rows in a random order (ids with commas, quotes and spaces, quoted by Jackson's
 * writer; repeated timestamps; any lengths) read back as the same sequences, each sorted by time with ties in file
 * order, with bit-identical float features and double timestamps. Each case is drawn from one seed, which
 * QuickTheories prints on failure.
 */
class EventCsvRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void shuffledRowsReadBackAsTheirSequences() {
        qt().withExamples(60).forAll(longs().all()).checkAssert(this::roundTrip);
    }

    private void roundTrip(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int in = 1 + rng.nextInt(3);
        int count = 1 + rng.nextInt(12);
        String[] names = {"a", "b,c", "q\"uote", " pad ", "x y", "7", "id-" + seed};
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(names[i % names.length] + (i >= names.length ? "#" + i : ""));
        }
        // rows: id, time, features; timestamps from a small grid so that ties happen
        List<Object[]> rows = new ArrayList<>();
        for (String id : ids) {
            for (int k = 1 + rng.nextInt(9); k > 0; k--) {
                float[] x = new float[in];
                for (int f = 0; f < in; f++) {
                    x[f] = (float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(7) - 3));
                }
                rows.add(new Object[] {id, rng.nextInt(5) * 0.1 - 0.2, x});
            }
        }
        Collections.shuffle(rows, new Random(rng.nextLong()));
        // expected: per id in order of first appearance, stable sort by time of the shuffled rows
        Map<String, List<Object[]>> expected = new LinkedHashMap<>();
        for (Object[] r : rows) {
            expected.computeIfAbsent((String) r[0], k -> new ArrayList<>()).add(r);
        }
        expected.values().forEach(l -> l.sort((p, q) -> Double.compare((double) p[1], (double) q[1])));

        Path file = dir.resolve("round-" + seed + ".csv");
        CsvSchema.Builder schema = CsvSchema.builder().addColumn("seq").addColumn("t");
        for (int f = 0; f < in; f++) {
            schema.addColumn("f" + f);
        }
        try (Writer w = Files.newBufferedWriter(file);
             CsvGenerator g = new CsvMapper().getFactory().createGenerator(w)) {
            g.setSchema(schema.build().withHeader());
            for (Object[] r : rows) {
                g.writeStartArray();
                g.writeString((String) r[0]);
                g.writeNumber((double) r[1]);
                for (float v : (float[]) r[2]) {
                    g.writeNumber(v);
                }
                g.writeEndArray();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        EventData d;
        try {
            // unquoted fields are trimmed; the writer quotes " pad ", whose spaces are kept
            d = new EventCsvReader().read(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(d.events()).as("seed %d", seed).isEqualTo(rows.size());
        List<String> expectedIds = List.copyOf(expected.keySet());
        assertThat(d.sequences()).extracting(EventSequence::id).as("seed %d", seed).isEqualTo(expectedIds);
        int i = 0;
        for (List<Object[]> seq : expected.values()) {
            EventSequence s = d.sequences().get(i++);
            double[] t = new double[seq.size()];
            float[] x = new float[seq.size() * in];
            for (int k = 0; k < seq.size(); k++) {
                t[k] = (double) seq.get(k)[1];
                System.arraycopy((float[]) seq.get(k)[2], 0, x, k * in, in);
            }
            assertThat(s.time()).as("seed %d, sequence %s", seed, s.id()).isEqualTo(t);
            assertThat(Arrays.equals(s.x(), x)).as("seed %d, sequence %s: %s vs %s", seed, s.id(),
                    Arrays.toString(s.x()), Arrays.toString(x)).isTrue();
        }
    }
}
