package org.plstm.data;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.plstm.Check;

/**
 * Reads a CSV file of events, one row per event, into sequences: a streaming read with Jackson's CSV parser
 * ({@code jackson-dataformat-csv}; RFC 4180 quoting, blank lines skipped, unquoted fields trimmed), the first row
 * being the header that names the columns. The file is UTF-8 (a byte-order mark at its start is skipped); bytes
 * that are not UTF-8 are an {@link EventFormatException} saying so.
 *
 * <pre>{@code
 * seq,t,x,label
 * a,0.0,0.12,0
 * b,3.5,-1.0,1
 * a,1.7,0.40,0
 * }</pre>
 *
 * <ul>
 *   <li>Columns are named by the options: the sequence id ({@link #id}), the timestamp ({@link #time}), the features
 *       ({@link #features}: a list, or every column not otherwise named) and the optional label ({@link #label}).
 *       Other columns are ignored when the features are listed.</li>
 *   <li>Events of a sequence may be anywhere in the file; each sequence is sorted by time, stably (events with equal
 *       timestamps keep their file order: the layer processes them one after the other at the same phase, which the
 *       model allows, docs/MODEL.md). Sequences may have different lengths. Time is a finite number in any unit, the
 *       unit of the layers' periods; it is not rescaled here.</li>
 *   <li>Labels ({@link LabelMode}): by default every event of a sequence must carry the same label
 *       ({@link LabelMode#SEQUENCE}, a mismatch is an error naming both lines); with {@link LabelMode#LAST_EVENT} the
 *       label of the sequence's last event (in time order; on equal times the later row) counts. With
 *       {@link #numericLabels} every label must be a finite number (regression).</li>
 *   <li>Validation: an empty or non-numeric value, NaN, an infinite value or a feature beyond float32's range, a
 *       row with another number of fields than the header, an unknown, empty or duplicate column name: an
 *       {@link EventFormatException} naming the file, the line, the column, what was expected and what was found.</li>
 *   <li>Memory: the reader counts the bytes of the arrays it grows (features as float32, timestamps as double, plus
 *       a per-sequence overhead), and at the end the copy that puts each sequence in time order, and stops with an
 *       {@link EventFormatException} as soon as they would exceed {@link #maxMemoryBytes} (default a quarter of the
 *       maximum heap), so a file too large for memory is a clear error, not an {@link OutOfMemoryError}.</li>
 *   <li>Messages name the setting the caller can change, by the names of {@link #settingNames}: by default this
 *       builder's methods ({@code expected this column for a feature (features)}), or e.g. a command line's options
 *       ({@code (--features)}).</li>
 * </ul>
 *
 * <p>A reader is a reusable, immutable-once-configured builder; {@link #read} is thread-safe if it is not
 * reconfigured meanwhile.
 */
public final class EventCsvReader {
    /** How a sequence's label is taken from its events' label cells. */
    public enum LabelMode {
        /** Every event of a sequence carries the sequence's label; different labels within a sequence are an error. */
        SEQUENCE,
        /** The label of the sequence's last event in time order counts (per-event labels). */
        LAST_EVENT
    }

    /**
     * What the reader's messages call each of its settings, so that they name the setting a user can change: this
     * builder's methods for a library user ({@link #BUILDER}), a command line's options for its user.
     *
     * @param id            the sequence-id column's setting, e.g. {@code id} or {@code --id}
     * @param time          the timestamp column's setting
     * @param features      the feature columns' setting
     * @param label         the label column's setting
     * @param lastEventMode the setting that takes the last event's label ({@link LabelMode#LAST_EVENT}), e.g.
     *                      {@code labelMode(LAST_EVENT)} or {@code --label-per last-event}
     * @param maxMemory     the memory limit's setting, e.g. {@code maxMemoryBytes} or {@code --max-memory}
     */
    public record SettingNames(String id, String time, String features, String label, String lastEventMode,
                               String maxMemory) {
        /** The names of this builder's methods: what a library user calls. */
        public static final SettingNames BUILDER = new SettingNames("id", "time", "features", "label",
                "labelMode(LAST_EVENT)", "maxMemoryBytes");

        /**
         * @throws IllegalArgumentException if a name is null or blank
         */
        public SettingNames {
            for (String[] n : new String[][] {{"id", id}, {"time", time}, {"features", features}, {"label", label},
                {"lastEventMode", lastEventMode}, {"maxMemory", maxMemory}}) {
                Check.notNull(n[0], n[1]);
                if (n[1].isBlank()) {
                    throw new IllegalArgumentException(n[0] + ": expected a setting's name, got a blank one");
                }
            }
        }
    }

    /** Bytes counted per sequence besides its arrays: the map entry, the record, the id string's header. */
    static final int SEQUENCE_OVERHEAD_BYTES = 160;
    /** Bytes per event of the index array that sorts a sequence out of time order: a reference and an Integer. */
    static final int SORT_INDEX_BYTES = 24;

    private String id = "seq";
    private String time = "t";
    private List<String> features = List.of();
    private String label;
    private LabelMode labelMode = LabelMode.SEQUENCE;
    private boolean numericLabels;
    private long maxMemoryBytes = Runtime.getRuntime().maxMemory() / 4;
    private boolean maxMemorySet;
    private SettingNames names = SettingNames.BUILDER;
    private char separator = ',';

    /** A reader with the defaults: columns {@code seq}, {@code t}, all remaining as features, no label. */
    public EventCsvReader() {
    }

    /**
     * @param column the sequence-id column's name
     * @return this
     * @throws IllegalArgumentException if null or blank
     */
    public EventCsvReader id(String column) {
        this.id = name("id", column);
        return this;
    }

    /**
     * @param column the timestamp column's name (finite numbers in any unit, the unit of the periods)
     * @return this
     * @throws IllegalArgumentException if null or blank
     */
    public EventCsvReader time(String column) {
        this.time = name("time", column);
        return this;
    }

    /**
     * @param columns the feature columns in order, or an empty list for every column other than id, time and label
     * @return this
     * @throws IllegalArgumentException if null, holding a blank name, or holding a name twice
     */
    public EventCsvReader features(List<String> columns) {
        Check.notNull("features", columns);
        List<String> list = new ArrayList<>();
        for (String c : columns) {
            String n = name("features[]", c);
            if (list.contains(n)) {
                throw new IllegalArgumentException("features: expected distinct columns, got '" + n + "' twice");
            }
            list.add(n);
        }
        this.features = List.copyOf(list);
        return this;
    }

    /**
     * @param column the label column's name, or null for none (e.g. to predict)
     * @return this
     * @throws IllegalArgumentException if blank
     */
    public EventCsvReader label(String column) {
        this.label = column == null ? null : name("label", column);
        return this;
    }

    /**
     * @param mode how a sequence's label is taken
     * @return this
     * @throws IllegalArgumentException if null
     */
    public EventCsvReader labelMode(LabelMode mode) {
        this.labelMode = Check.notNull("labelMode", mode);
        return this;
    }

    /**
     * @param numeric whether labels must be finite numbers (regression targets)
     * @return this
     */
    public EventCsvReader numericLabels(boolean numeric) {
        this.numericLabels = numeric;
        return this;
    }

    /**
     * @param bytes the most memory the sequences may take, {@code >= 1}
     * @return this
     * @throws IllegalArgumentException if below 1
     */
    public EventCsvReader maxMemoryBytes(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("maxMemoryBytes: expected a value >= 1, got " + bytes);
        }
        this.maxMemoryBytes = bytes;
        this.maxMemorySet = true;
        return this;
    }

    /**
     * @param c the field separator, e.g. {@code ','} (default) or {@code ';'} or a tab
     * @return this
     * @throws IllegalArgumentException if a quote, a line break or a space
     */
    public EventCsvReader separator(char c) {
        if (c == '"' || c == '\n' || c == '\r' || c == ' ') {
            throw new IllegalArgumentException("separator: expected a character other than a quote, space or line "
                    + "break, got '" + c + "'");
        }
        this.separator = c;
        return this;
    }

    /**
     * @param settings what the messages call the settings (default {@link SettingNames#BUILDER}), e.g. the options
     *                 of the command line that configured this reader
     * @return this
     * @throws IllegalArgumentException if null
     */
    public EventCsvReader settingNames(SettingNames settings) {
        this.names = Check.notNull("settings", settings);
        return this;
    }

    /** @return the most memory the sequences may take, in bytes */
    public long maxMemoryBytes() {
        return maxMemoryBytes;
    }

    private static String name(String what, String column) {
        Check.notNull(what, column);
        if (column.isBlank()) {
            throw new IllegalArgumentException(what + ": expected a column name, got a blank one");
        }
        return column.trim();
    }

    /**
     * Reads a file (see the class comment).
     *
     * @param file a UTF-8 CSV file with a header row
     * @return its sequences
     * @throws EventFormatException if the file does not match the options, holds an invalid value, or needs more
     *     than {@link #maxMemoryBytes} (the message names file, line, column, expected and actual)
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if {@code file} is null
     */
    public EventData read(Path file) throws IOException {
        Check.notNull("file", file);
        CsvMapper mapper = new CsvMapper();
        CsvSchema schema = CsvSchema.emptySchema().withColumnSeparator(separator);
        try (BufferedReader raw = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             Reader in = skipByteOrderMark(raw);
             MappingIterator<String[]> rows = mapper.readerForArrayOf(String.class)
                     .with(CsvParser.Feature.WRAP_AS_ARRAY).with(CsvParser.Feature.SKIP_EMPTY_LINES)
                     .with(CsvParser.Feature.TRIM_SPACES).with(schema).readValues(in)) {
            return read(file, rows);
        } catch (CharacterCodingException e) {
            throw notUtf8(file, 0, e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            long line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            if (e.getCause() instanceof CharacterCodingException c) {
                throw notUtf8(file, line, c);
            }
            throw new EventFormatException(file, line, null, "not readable as CSV: " + e.getOriginalMessage());
        } catch (RuntimeException e) {
            if (e.getCause() instanceof com.fasterxml.jackson.core.JsonProcessingException j) {
                long line = j.getLocation() == null ? 0 : j.getLocation().getLineNr();
                if (j.getCause() instanceof CharacterCodingException c) {
                    throw notUtf8(file, line, c);
                }
                throw new EventFormatException(file, line, null, "not readable as CSV: " + j.getOriginalMessage());
            }
            if (e.getCause() instanceof CharacterCodingException c) {
                throw notUtf8(file, 0, c);
            }
            throw e;
        }
    }

    private static EventFormatException notUtf8(Path file, long line, CharacterCodingException e) {
        return new EventFormatException(file, line, null, "expected UTF-8 text, got bytes that are not UTF-8 ("
                + e.getMessage() + "; a Latin-1 or UTF-16 file? save it as UTF-8)");
    }

    /** Skips a UTF-8 byte-order mark ({@code U+FEFF}) at the start, which some editors write; else reads nothing. */
    private static Reader skipByteOrderMark(BufferedReader in) throws IOException {
        in.mark(1);
        if (in.read() != '\uFEFF') {
            in.reset();
        }
        return in;
    }

    private EventData read(Path file, MappingIterator<String[]> rows) throws IOException {
        if (!rows.hasNextValue()) {
            throw new EventFormatException(file, 0, null, "expected a header row naming the columns, got an empty "
                    + "file");
        }
        String[] header = rows.nextValue();
        Map<String, Integer> columns = new HashMap<>();
        for (int c = 0; c < header.length; c++) {
            if (header[c].isEmpty()) {
                throw new EventFormatException(file, 1, null, "expected a name for every column in the header, got "
                        + "an empty one at column " + (c + 1));
            }
            if (columns.put(header[c], c) != null) {
                throw new EventFormatException(file, 1, header[c], "expected distinct column names in the header, "
                        + "got this one twice");
            }
        }
        String idRole = "the sequence id (" + names.id() + ")";
        String timeRole = "the timestamp (" + names.time() + ")";
        int idCol = column(file, columns, header, id, idRole);
        int timeCol = column(file, columns, header, time, timeRole);
        int labelCol = label == null ? -1 : column(file, columns, header, label, "the label (" + names.label() + ")");
        if (timeCol == idCol) {
            throw new EventFormatException(file, 1, time, "expected different columns for " + idRole + " and "
                    + timeRole + ", got this one for both");
        }
        if (labelCol == idCol || labelCol == timeCol) {
            throw new EventFormatException(file, 1, label, "expected a label column (" + names.label()
                    + ") other than " + (labelCol == idCol ? idRole : timeRole) + ", got this one for both");
        }
        List<String> featureNames = new ArrayList<>();
        if (features.isEmpty()) {
            for (int c = 0; c < header.length; c++) {
                if (c != idCol && c != timeCol && c != labelCol) {
                    featureNames.add(header[c]);
                }
            }
            if (featureNames.isEmpty()) {
                throw new EventFormatException(file, 1, null, "expected at least one feature column besides "
                        + names.id() + " '" + id + "', " + names.time() + " '" + time + "'"
                        + (label != null ? " and " + names.label() + " '" + label + "'" : "")
                        + ", got the header " + Arrays.toString(header));
            }
        } else {
            featureNames.addAll(features);
        }
        int in = featureNames.size();
        int[] featureCols = new int[in];
        for (int f = 0; f < in; f++) {
            featureCols[f] = column(file, columns, header, featureNames.get(f), "a feature (" + names.features() + ")");
            if (featureCols[f] == idCol || featureCols[f] == timeCol || featureCols[f] == labelCol) {
                throw new EventFormatException(file, 1, featureNames.get(f), "expected a feature column, got the "
                        + (featureCols[f] == idCol ? "id" : featureCols[f] == timeCol ? "time" : "label") + " column");
            }
        }

        Map<String, Acc> seqs = new LinkedHashMap<>();
        long bytes = 0;
        long events = 0;
        while (rows.hasNextValue()) {
            String[] r = rows.nextValue();
            // the row's closing token: its line (the last one of a row whose quoted field spans several lines)
            long line = rows.getParser().currentTokenLocation().getLineNr();
            if (r.length != header.length) {
                throw new EventFormatException(file, line, null, "expected " + header.length + " fields (as the "
                        + "header), got " + r.length);
            }
            String sid = r[idCol];
            if (sid.isEmpty()) {
                throw new EventFormatException(file, line, header[idCol], "expected a sequence id, got an empty "
                        + "value");
            }
            double t = number(file, line, header[timeCol], r[timeCol], "a finite timestamp");
            Acc a = seqs.get(sid);
            if (a == null) {
                a = new Acc();
                seqs.put(sid, a);
                bytes += SEQUENCE_OVERHEAD_BYTES + 2L * sid.length();
            }
            if (a.n == a.time.length) {
                int cap = a.n < 8 ? 16 : a.n + (a.n >> 1);
                long more = (long) (cap - a.n) * (4L * in + 8);
                if (bytes + more > maxMemoryBytes) {
                    throw new EventFormatException(file, line, null, String.format(Locale.ROOT,
                            "the events read so far (%d, in %d sequences) need %.1f MiB, and the next ones more than "
                                    + "the memory limit of %.1f MiB (%s): give a larger limit and heap (-Xmx), or "
                                    + "split the file",
                            events, seqs.size(), bytes / 1048576.0, maxMemoryBytes / 1048576.0, memorySetting()));
                }
                bytes += more;
                a.time = Arrays.copyOf(a.time, cap);
                a.x = Arrays.copyOf(a.x, cap * in);
            }
            a.time[a.n] = t;
            for (int f = 0; f < in; f++) {
                String cell = r[featureCols[f]];
                number(file, line, header[featureCols[f]], cell, "a finite number");
                // rounded once, decimal to float32 (through double it could round twice): Float.toString round-trips
                float fv = Float.parseFloat(cell);
                if (Float.isInfinite(fv)) {
                    throw new EventFormatException(file, line, header[featureCols[f]], "expected a number within "
                            + "float32's range (|v| <= 3.4e38), got '" + cell + "'");
                }
                a.x[a.n * in + f] = fv;
            }
            if (labelCol >= 0) {
                String lab = r[labelCol];
                if (lab.isEmpty()) {
                    throw new EventFormatException(file, line, header[labelCol], "expected a label, got an empty "
                            + "value");
                }
                if (numericLabels) {
                    number(file, line, header[labelCol], lab, "a finite number (a regression target)");
                }
                if (a.label == null) {
                    a.label = lab;
                    a.labelLine = line;
                    a.labelTime = t;
                } else if (labelMode == LabelMode.SEQUENCE) {
                    if (!a.label.equals(lab)) {
                        throw new EventFormatException(file, line, header[labelCol], "expected the label of sequence '"
                                + sid + "' given on line " + a.labelLine + " ('" + a.label + "'), got '" + lab
                                + "' (every event of a sequence must carry its label; per-event labels: the last "
                                + "event's counts with " + names.lastEventMode() + ")");
                    }
                } else if (t >= a.labelTime) {
                    a.label = lab;
                    a.labelLine = line;
                    a.labelTime = t;
                }
            }
            a.n++;
            events++;
        }
        if (seqs.isEmpty()) {
            throw new EventFormatException(file, 0, null, "expected at least one event row after the header, got "
                    + "none");
        }
        List<EventSequence> out = new ArrayList<>(seqs.size());
        for (Map.Entry<String, Acc> e : seqs.entrySet()) {
            // the sequence's final arrays, and the sort's index array if its events are out of order, beside all
            // that was read (the arrays of the sequences finished already are no larger than their accumulators)
            boolean sorted = e.getValue().sorted();
            long finish = e.getValue().finishBytes(in, sorted);
            if (bytes + finish > maxMemoryBytes) {
                throw new EventFormatException(file, 0, null, String.format(Locale.ROOT,
                        "the %d events read (in %d sequences) need %.1f MiB, and putting sequence '%s' in time order "
                                + "%.1f MiB more, beyond the memory limit of %.1f MiB (%s): give a larger limit and "
                                + "heap (-Xmx), or split the file",
                        events, seqs.size(), bytes / 1048576.0, e.getKey(), finish / 1048576.0,
                        maxMemoryBytes / 1048576.0, memorySetting()));
            }
            out.add(e.getValue().finish(e.getKey(), in, sorted));
        }
        return new EventData(file, featureNames, out, events);
    }

    /** The memory limit's setting, and its default while it was not set. */
    private String memorySetting() {
        return names.maxMemory() + (maxMemorySet ? "" : ", by default a quarter of the heap");
    }

    private static int column(Path file, Map<String, Integer> columns, String[] header, String name, String role) {
        Integer c = columns.get(name);
        if (c == null) {
            throw new EventFormatException(file, 1, name, "expected this column for " + role + " in the header, got "
                    + Arrays.toString(header));
        }
        return c;
    }

    /**
     * A decimal number as CSV writes one: optional sign, digits with an optional point (or a point and digits), an
     * optional exponent, optional surrounding blanks. {@code Double.parseDouble} alone would also take Java's
     * literals ({@code 0x1p3}, {@code 5d}, {@code 9f}), which are not CSV numbers. Possessive quantifiers only: the
     * match never backtracks, so its time is linear in the cell's length (a greedy {@code \d+\.?\d*} took 28 s to
     * reject 50,000 digits followed by a letter).
     */
    private static final Pattern DECIMAL =
            Pattern.compile("\\s*+[+-]?+(?:\\d++(?:\\.\\d*+)?+|\\.\\d++)(?:[eE][+-]?+\\d++)?+\\s*+");

    private static double number(Path file, long line, String column, String cell, String expected) {
        double v;
        if (!DECIMAL.matcher(cell).matches()) {
            throw new EventFormatException(file, line, column, "expected " + expected + ", got "
                    + (cell.isEmpty() ? "an empty value" : "'" + cell + "'"));
        }
        v = Double.parseDouble(cell);
        if (!Double.isFinite(v)) {
            throw new EventFormatException(file, line, column, "expected " + expected + ", got '" + cell + "'");
        }
        return v;
    }

    /** One sequence while it is read: growable arrays (amortised growth by 1.5). */
    private static final class Acc {
        float[] x = new float[0];
        double[] time = new double[0];
        int n;
        String label;
        long labelLine;
        double labelTime;

        /** Whether the events came in time order ({@code -0} and {@code 0} are equal times, as in the sort). */
        boolean sorted() {
            for (int i = 1; i < n; i++) {
                if (time[i - 1] > time[i]) {
                    return false;
                }
            }
            return true;
        }

        /** Bytes {@link #finish} allocates: the final arrays, plus the boxed index array of a sort if one is needed. */
        long finishBytes(int in, boolean sorted) {
            return (long) n * (4L * in + 8) + (sorted ? 0 : (long) n * SORT_INDEX_BYTES);
        }

        /** The sequence in time order ({@code sorted}: {@link #sorted()}, found by the caller). */
        EventSequence finish(String id, int in, boolean sorted) {
            float[] xs;
            double[] ts;
            if (sorted) {
                xs = Arrays.copyOf(x, n * in);
                ts = Arrays.copyOf(time, n);
            } else {
                Integer[] order = new Integer[n];
                for (int i = 0; i < n; i++) {
                    order[i] = i;
                }
                // stable: ties keep file order; + 0.0 makes -0 equal to 0 (Double.compare puts -0 first)
                Arrays.sort(order, (a, b) -> Double.compare(time[a] + 0.0, time[b] + 0.0));
                xs = new float[n * in];
                ts = new double[n];
                for (int i = 0; i < n; i++) {
                    int k = order[i];
                    ts[i] = time[k];
                    System.arraycopy(x, k * in, xs, i * in, in);
                }
            }
            x = null;
            time = null;
            return new EventSequence(id, xs, ts, label);
        }
    }
}
