package org.plstm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plstm.train.LabeledSequence;

class EventCsvReaderTest {
    @TempDir
    Path dir;

    private Path file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void groupsSortsAndKeepsFirstAppearanceOrder() throws IOException {
        Path f = file("e.csv", """
                seq,t,a,b,label
                s2,5.0,1,10,dog
                s1,3.0,2,20,cat
                s2,1.0,3,30,dog

                s1,3.0,4,40,cat
                s1,-1.5,5,50,cat
                "s3",7,6,"60",cat
                """);
        EventData d = new EventCsvReader().label("label").read(f);
        assertThat(d.featureNames()).containsExactly("a", "b"); // all remaining
        assertThat(d.events()).isEqualTo(6);
        assertThat(d.sequences()).extracting(EventSequence::id).containsExactly("s2", "s1", "s3");
        EventSequence s2 = d.sequences().get(0);
        assertThat(s2.time()).containsExactly(1.0, 5.0);
        assertThat(s2.x()).containsExactly(3f, 30f, 1f, 10f);
        EventSequence s1 = d.sequences().get(1);
        // sorted by time; the two events at t = 3 keep their file order (stable)
        assertThat(s1.time()).containsExactly(-1.5, 3.0, 3.0);
        assertThat(s1.x()).containsExactly(5f, 50f, 2f, 20f, 4f, 40f);
        assertThat(s1.label()).isEqualTo("cat");
        assertThat(d.sequences().get(2).length()).isEqualTo(1);

        Labels labels = Labels.of(d.sequences().stream().map(EventSequence::label).toList());
        assertThat(labels.names()).containsExactly("cat", "dog");
        List<LabeledSequence> l = d.toLabeled(labels);
        assertThat(l).extracting(LabeledSequence::label).containsExactly(1, 0, 0);
        assertThat(l.get(1).x()).isSameAs(s1.x());
    }

    @Test
    void listedFeaturesInTheirOrderAndOtherColumnsIgnored() throws IOException {
        Path f = file("e.csv", "id;time;x;y;z;lab\nq;1;1;2;3;0\nq;2;4;5;6;0\n");
        EventData d = new EventCsvReader().separator(';').id("id").time("time").features(List.of("z", "x"))
                .label("lab").read(f);
        assertThat(d.featureNames()).containsExactly("z", "x");
        assertThat(d.sequences().get(0).x()).containsExactly(3f, 1f, 6f, 4f);
    }

    @Test
    void lastEventLabelMode() throws IOException {
        Path f = file("e.csv", "seq,t,x,y\na,2,0,late\na,1,0,early\na,2,0,tie-later-row\nb,0,0,only\n");
        EventData d = new EventCsvReader().label("y").labelMode(EventCsvReader.LabelMode.LAST_EVENT).read(f);
        assertThat(d.sequences()).extracting(EventSequence::label).containsExactly("tie-later-row", "only");
        assertThatThrownBy(() -> new EventCsvReader().label("y").read(f))
                .isInstanceOf(EventFormatException.class)
                .hasMessage(f + ": line 3, column 'y': expected the label of sequence 'a' given on line 2 ('late'), "
                        + "got 'early' (every event of a sequence must carry its label; per-event labels: the last "
                        + "event's counts with labelMode(LAST_EVENT))");
    }

    /**
     * A caller that configures the reader from its own settings (a command line's options) has the messages name
     * those; a library user sees the builder's methods (above).
     */
    @Test
    void messagesNameTheCallersSettings() throws IOException {
        EventCsvReader.SettingNames options = new EventCsvReader.SettingNames("--id", "--time", "--features",
                "--label", "--label-per last-event", "--max-memory");
        Path f = file("e.csv", "seq,t,x,y\na,1,0,early\na,2,0,late\n");
        assertThatThrownBy(() -> new EventCsvReader().settingNames(options).label("y").read(f))
                .hasMessage(f + ": line 3, column 'y': expected the label of sequence 'a' given on line 2 ('early'), "
                        + "got 'late' (every event of a sequence must carry its label; per-event labels: the last "
                        + "event's counts with --label-per last-event)");
        assertThatThrownBy(() -> new EventCsvReader().settingNames(options).features(List.of("z")).read(f))
                .hasMessage(f + ": line 1, column 'z': expected this column for a feature (--features) in the header, "
                        + "got [seq, t, x, y]");
        assertThatThrownBy(() -> new EventCsvReader().settingNames(options).label("label").read(f))
                .hasMessage(f + ": line 1, column 'label': expected this column for the label (--label) in the "
                        + "header, got [seq, t, x, y]");
        assertThatThrownBy(() -> new EventCsvReader().settingNames(options).id("key").read(f))
                .hasMessage(f + ": line 1, column 'key': expected this column for the sequence id (--id) in the "
                        + "header, got [seq, t, x, y]");
        assertThatThrownBy(() -> new EventCsvReader().settingNames(options).time("time").read(f))
                .hasMessage(f + ": line 1, column 'time': expected this column for the timestamp (--time) in the "
                        + "header, got [seq, t, x, y]");
        assertThatThrownBy(() -> new EventCsvReader().settingNames(options).label("seq").read(f))
                .hasMessage(f + ": line 1, column 'seq': expected a label column (--label) other than the sequence id "
                        + "(--id), got this one for both");
        Path two = file("two.csv", "seq,t,y\na,1,0\n");
        assertThatThrownBy(() -> new EventCsvReader().settingNames(options).label("y").read(two))
                .hasMessage(two + ": line 1: expected at least one feature column besides --id 'seq', --time 't' and "
                        + "--label 'y', got the header [seq, t, y]");
        assertThatThrownBy(() -> new EventCsvReader().label("y").read(two))
                .hasMessage(two + ": line 1: expected at least one feature column besides id 'seq', time 't' and "
                        + "label 'y', got the header [seq, t, y]");
        StringBuilder big = new StringBuilder("seq,t,x\n");
        for (int i = 0; i < 1000; i++) {
            big.append("s,").append(i).append(",1\n");
        }
        Path b = file("big.csv", big.toString());
        assertThatThrownBy(() -> new EventCsvReader().settingNames(options).maxMemoryBytes(1000).read(b))
                .hasMessageContaining("more than the memory limit of 0.0 MiB (--max-memory): give a larger limit");
        assertThatThrownBy(() -> new EventCsvReader.SettingNames("--id", " ", "f", "l", "m", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("time: expected a setting's name, got a blank one");
        assertThatThrownBy(() -> new EventCsvReader().settingNames(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("settings: expected a value, got null");
    }

    @Test
    void badValuesNameFileLineColumnExpectedAndActual() throws IOException {
        String header = "seq,t,x,label\n";
        String[][] cases = {
            {"a,1,NaN,0\n", "line 2, column 'x': expected a finite number, got 'NaN'"},
            {"a,1,,0\n", "line 2, column 'x': expected a finite number, got an empty value"},
            {"a,1,abc,0\n", "line 2, column 'x': expected a finite number, got 'abc'"},
            {"a,1,1e39,0\n", "line 2, column 'x': expected a number within float32's range (|v| <= 3.4e38), got '1e39'"},
            {"a,1,0.5,0\na,Infinity,0.5,0\n", "line 3, column 't': expected a finite timestamp, got 'Infinity'"},
            {"a,1,0.5,0\nb,2,0.5\n", "line 3: expected 4 fields (as the header), got 3"},
            {",1,0.5,0\n", "line 2, column 'seq': expected a sequence id, got an empty value"},
            {"a,1,0.5,\n", "line 2, column 'label': expected a label, got an empty value"},
            // Java's own literals are not CSV numbers: Double.parseDouble alone would read 8.0, 5.0 and 9.0
            {"a,0x1p3,0.5,0\n", "line 2, column 't': expected a finite timestamp, got '0x1p3'"},
            {"a,1,5d,0\n", "line 2, column 'x': expected a finite number, got '5d'"},
            {"a,9f,0.5,0\n", "line 2, column 't': expected a finite timestamp, got '9f'"},
        };
        for (String[] c : cases) {
            Path f = file("bad.csv", header + c[0]);
            assertThatThrownBy(() -> new EventCsvReader().label("label").read(f)).as(c[0])
                    .isInstanceOf(EventFormatException.class).hasMessage(f + ": " + c[1]);
        }
        // line numbers count blank lines, and the last row needs no line break
        Path blank = file("blank.csv", header + "a,1,0.5,0\n\n\nb,2,x,1");
        assertThatThrownBy(() -> new EventCsvReader().read(blank))
                .hasMessage(blank + ": line 5, column 'x': expected a finite number, got 'x'");
        Path f = file("reg.csv", header + "a,1,0.5,big\n");
        assertThatThrownBy(() -> new EventCsvReader().label("label").numericLabels(true).read(f))
                .hasMessage(f + ": line 2, column 'label': expected a finite number (a regression target), got 'big'");
        Path g = file("cols.csv", header + "a,1,0.5,0\n");
        assertThatThrownBy(() -> new EventCsvReader().label("y").read(g))
                .hasMessage(g + ": line 1, column 'y': expected this column for the label (label) in the header, got "
                        + "[seq, t, x, label]");
        assertThatThrownBy(() -> new EventCsvReader().features(List.of("t")).read(g))
                .hasMessage(g + ": line 1, column 't': expected a feature column, got the time column");
        // one column in two roles: each event its own sequence, or each sequence labelled with its own id
        assertThatThrownBy(() -> new EventCsvReader().id("t").time("t").read(g))
                .hasMessage(g + ": line 1, column 't': expected different columns for the sequence id (id) and the "
                        + "timestamp (time), got this one for both");
        assertThatThrownBy(() -> new EventCsvReader().label("seq").read(g))
                .hasMessage(g + ": line 1, column 'seq': expected a label column (label) other than the sequence id "
                        + "(id), got this one for both");
        assertThatThrownBy(() -> new EventCsvReader().label("t").read(g))
                .hasMessage(g + ": line 1, column 't': expected a label column (label) other than the timestamp "
                        + "(time), got this one for both");
        // decimal forms CSV writers produce still read
        Path ok = file("ok.csv", "seq,t,x,label\na,+1.,-.5,0\na,2E3,1e-3,0\n");
        assertThat(new EventCsvReader().label("label").read(ok).sequences().get(0).x()).containsExactly(-0.5f, 1e-3f);
        Path h = file("dup.csv", "seq,t,x,x\na,1,2,3\n");
        assertThatThrownBy(() -> new EventCsvReader().read(h))
                .hasMessage(h + ": line 1, column 'x': expected distinct column names in the header, got this one "
                        + "twice");
        Path empty = file("empty.csv", "");
        assertThatThrownBy(() -> new EventCsvReader().read(empty)).hasMessageContaining("expected a header row");
        Path onlyHeader = file("header.csv", header);
        assertThatThrownBy(() -> new EventCsvReader().read(onlyHeader))
                .hasMessage(onlyHeader + ": expected at least one event row after the header, got none");
        assertThatThrownBy(() -> new EventCsvReader().maxMemoryBytes(0))
                .hasMessage("maxMemoryBytes: expected a value >= 1, got 0");
    }

    /**
     * A file whose sequences need more than the bound is refused with a message, before the arrays grow past it:
     * 10,000 events of 3 features take 10,000·(3·4 + 8) = 200,000 bytes at least; a bound of 100,000 bytes stops the
     * read, a bound of 1 MB does not.
     */
    @Test
    void memoryBoundGivesAClearErrorNotOutOfMemory() throws IOException {
        StringBuilder sb = new StringBuilder("seq,t,a,b,c\n");
        for (int i = 0; i < 10_000; i++) {
            sb.append("s").append(i % 7).append(',').append(i).append(",1,2,3\n");
        }
        Path f = file("big.csv", sb.toString());
        assertThatThrownBy(() -> new EventCsvReader().maxMemoryBytes(100_000).read(f))
                .isInstanceOf(EventFormatException.class)
                .hasMessageStartingWith(f + ": line ")
                .hasMessageContaining("more than the memory limit of 0.1 MiB (maxMemoryBytes): give a larger limit "
                        + "and heap (-Xmx), or split the file");
        EventData d = new EventCsvReader().maxMemoryBytes(1_000_000).read(f);
        assertThat(d.events()).isEqualTo(10_000);
        assertThat(d.sequences()).hasSize(7);
        assertThat(new EventCsvReader().maxMemoryBytes()).isEqualTo(Runtime.getRuntime().maxMemory() / 4);
    }

    @Test
    void splitIsSeededBySequenceAndStandardizerUsesTheTrainingSplit() {
        List<EventSequence> seqs = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            seqs.add(new EventSequence("s" + i, new float[] {i, 5f, 2 * i, 5f}, new double[] {0, 1},
                    Integer.toString(i % 3)));
        }
        DataSplit a = DataSplit.of(seqs, 0.1, 0.2, 42);
        DataSplit b = DataSplit.of(seqs, 0.1, 0.2, 42);
        assertThat(a.train()).hasSize(70);
        assertThat(a.validation()).hasSize(10);
        assertThat(a.test()).hasSize(20);
        assertThat(a.test()).isEqualTo(b.test());
        assertThat(DataSplit.of(seqs, 0.1, 0.2, 43).test()).isNotEqualTo(a.test());
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (List<EventSequence> part : List.of(a.train(), a.validation(), a.test())) {
            part.forEach(s -> assertThat(ids.add(s.id())).as("each sequence in one part").isTrue());
        }
        assertThat(ids).hasSize(100);
        assertThatThrownBy(() -> DataSplit.of(seqs, 0.5, 0.5, 1))
                .hasMessage("validation, test: expected fractions in [0, 1) with a sum below 1, got 0.5, 0.5");

        // features [x, y] with x = i, y = 5 constant over the training sequences (I = 2, T = 2)
        Standardizer st = Standardizer.fit(List.of("x", "y"), a.train(), true);
        double mean = 0;
        double targetMean = 0;
        for (EventSequence s : a.train()) {
            mean += (s.x()[0] + s.x()[2]) / 2.0 / a.train().size();
            targetMean += Double.parseDouble(s.label()) / a.train().size();
        }
        assertThat(st.mean()[0]).isCloseTo(mean, within(1e-9));
        assertThat(st.mean()[1]).isEqualTo(5.0);
        assertThat(st.std()[1]).as("a constant feature gets std 1").isEqualTo(1.0);
        assertThat(st.targetMean()).isCloseTo(targetMean, within(1e-12));
        EventSequence z = st.apply(a.test().get(0));
        assertThat(z.x()[1]).isEqualTo(0f);
        assertThat(z.x()[0]).isCloseTo((float) ((a.test().get(0).x()[0] - st.mean()[0]) / st.std()[0]),
                within(1e-6f));
        assertThat(st.unscaleTarget(st.scaleTarget(1.25))).isCloseTo(1.25, within(1e-12));
        Standardizer back = Standardizer.fromJson(st.toJson());
        assertThat(back.toJson()).isEqualTo(st.toJson());
        assertThat(back.mean()).containsExactly(st.mean());
        assertThat(st).hasToString("Standardizer" + st.toJson());
        assertThat(new Standardizer(List.of("x"), new double[] {0.5}, new double[] {2}, Double.NaN, Double.NaN))
                .hasToString("Standardizer{\"features\":[\"x\"],\"mean\":[0.5],\"std\":[2.0]}");
        assertThat(Labels.of(List.of("10", "9", "1")).names()).as("numeric labels sort as numbers")
                .containsExactly("1", "9", "10");
        assertThatThrownBy(() -> Labels.of(List.of("a")).index("s7", "b"))
                .hasMessage("label of sequence 's7': expected one of the classes [a] (those of the training data), "
                        + "got 'b'");
    }
    @Test
    void aLongBadCellIsRejectedAtOnceAndTheMessageIsCut() throws IOException {
        // 200,000 digits and a letter: a backtracking pattern took minutes on this; the message quotes 2,000 chars
        String cell = "1".repeat(200_000) + "x";
        Path f = file("long.csv", "seq,t,x,label\na,1," + cell + ",0\n");
        assertThatThrownBy(() -> new EventCsvReader().label("label").read(f))
                .isInstanceOf(EventFormatException.class)
                .hasMessageStartingWith(f + ": line 2, column 'x': expected a finite number, got '1111")
                .hasMessageEndingWith("... (cut; " + ("expected a finite number, got '" + cell + "'").length()
                        + " characters in all)")
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(2300));
        // a valid number as long is read
        String longNumber = "0." + "1".repeat(200_000);
        Path ok = file("ok.csv", "seq,t,x,label\na,1," + longNumber + ",0\n");
        assertThat(new EventCsvReader().label("label").read(ok).sequences().get(0).x())
                .containsExactly(Float.parseFloat(longNumber));
    }

    @Test
    void aByteOrderMarkIsSkippedAndBytesThatAreNotUtf8AreNamed() throws IOException {
        Path bom = file("bom.csv", "\uFEFFseq,t,x,label\na,1,0.5,0\n");
        EventData d = new EventCsvReader().label("label").read(bom);
        assertThat(d.sequences().get(0).x()).containsExactly(0.5f);
        Path latin1 = dir.resolve("latin1.csv");
        Files.write(latin1, "seq,t,x,label\ncaf\u00e9,1,0.5,0\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> new EventCsvReader().label("label").read(latin1))
                .isInstanceOf(EventFormatException.class)
                .hasMessageStartingWith(latin1.toString())
                .hasMessageContaining("expected UTF-8 text, got bytes that are not UTF-8");
    }

    @Test
    void theSortIntoTimeOrderCountsAgainstTheMemoryLimit() throws IOException {
        // 1,000 events of one sequence, I = 1: the accumulators take 160 + 2 + 1,369 * 12 = 16,590 bytes; the final
        // arrays 12,000 more, and the sort's index array of an unsorted sequence 24,000 more
        StringBuilder inOrder = new StringBuilder("seq,t,x\n");
        StringBuilder reversed = new StringBuilder("seq,t,x\n");
        for (int i = 0; i < 1000; i++) {
            inOrder.append("s,").append(i).append(",1\n");
            reversed.append("s,").append(999 - i).append(",1\n");
        }
        EventCsvReader reader = new EventCsvReader().maxMemoryBytes(40_000);
        assertThat(reader.read(file("sorted.csv", inOrder.toString())).events()).isEqualTo(1000);
        Path r = file("reversed.csv", reversed.toString());
        assertThatThrownBy(() -> reader.read(r)).isInstanceOf(EventFormatException.class)
                .hasMessageContaining("putting sequence 's' in time order")
                .hasMessageContaining("beyond the memory limit of");
        assertThat(new EventCsvReader().maxMemoryBytes(60_000).read(r).sequences().get(0).time()[0]).isEqualTo(0.0);
    }

    @Test
    void minusZeroAndZeroAreEqualTimesThatKeepTheirFileOrder() throws IOException {
        // out of order (1 before 0), so the sequence is sorted: 0 and -0 keep their file order
        Path f = file("z.csv", "seq,t,x\na,1,9\na,0,1\na,-0,2\n");
        assertThat(new EventCsvReader().read(f).sequences().get(0).x()).containsExactly(1f, 2f, 9f);
        Path g = file("z2.csv", "seq,t,x\nb,0,1\nb,-0,2\n");
        assertThat(new EventCsvReader().read(g).sequences().get(0).x()).containsExactly(1f, 2f);
    }
    @Test
    void standardisationStatisticsAreReadStrictlyAndAValueThatOverflowsIsNamed() {
        String ok = "{\"features\":[\"x\"],\"mean\":[0.5],\"std\":[2.0],\"target_mean\":1.0,\"target_std\":3.0}";
        assertThat(Standardizer.fromJson(ok).targetStd()).isEqualTo(3.0);
        String[][] bad = {
            {ok.replace("1.0,", "\"abc\","), "json.target_mean: expected a number, got \"abc\""},
            {ok.replace("[\"x\"]", "\"x\""), "json.features: expected an array, got \"x\""},
            {ok.replace("[2.0]", "[\"2\"]"), "json.std[0]: expected a number, got \"2\""},
            {ok.replace("[0.5]", "[true]"), "json.mean[0]: expected a number, got true"},
            {ok.replace("[0.5]", "[]"), "json.mean: expected 1 numbers (one per feature), got 0"},
            {"[]", "json: expected an object {\"features\":[...],\"mean\":[...],\"std\":[...]}, got array"},
            {"{\"features\":[\"x\",\"x\"],\"mean\":[0,0],\"std\":[1,1]}",
                "features: expected distinct non-null names, got 'x' again at feature 1"},
        };
        for (String[] c : bad) {
            assertThatThrownBy(() -> Standardizer.fromJson(c[0])).as(c[0]).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(c[1]);
        }
        assertThatThrownBy(() -> new Standardizer(java.util.Arrays.asList("x", null), new double[2],
                new double[] {1, 1}, Double.NaN, Double.NaN))
                .hasMessage("features: expected distinct non-null names, got null at feature 1");
        Standardizer st = new Standardizer(List.of("x"), new double[] {1e38}, new double[] {1}, Double.NaN, Double.NaN);
        EventSequence far = new EventSequence("s", new float[] {-3e38f}, new double[] {0}, "a");
        assertThatThrownBy(() -> st.apply(far)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("s: expected values that standardise to float32, got -3.0E38 for feature 'x' "
                        + "at event 0 of sequence 's', which gives -Infinity with mean 1.0E38 and std 1.0");
    }
    @Test
    void anEventSequenceHoldsFiniteValuesInTimeOrder() {
        assertThatThrownBy(() -> new EventSequence("s", new float[] {1f, 2f}, new double[] {2, 1}, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("time: expected non-decreasing timestamps (events sorted by time), got 1.0 after 2.0 at "
                        + "event 1 of sequence 's'");
        assertThatThrownBy(() -> new EventSequence("s", new float[] {Float.NaN}, new double[] {0}, null))
                .hasMessage("x: expected finite values, got NaN at flat index 0");
        assertThat(new EventSequence("s", new float[] {1f, 2f}, new double[] {1, 1}, null).length()).isEqualTo(2);
    }
    @Test
    void anEmptyColumnNameIsRefused() throws IOException {
        Path f = file("empty-name.csv", "seq,t,,x\na,1,2,3\n");
        assertThatThrownBy(() -> new EventCsvReader().read(f)).isInstanceOf(EventFormatException.class)
                .hasMessage(f + ": line 1: expected a name for every column in the header, got an empty one at "
                        + "column 3");
    }
}
