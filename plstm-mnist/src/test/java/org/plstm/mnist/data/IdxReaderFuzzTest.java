package org.plstm.mnist.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Supplier;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzz test (Jazzer) of {@link IdxReader}. The contract checked: for any file content,
 * {@link IdxReader#readImages}, {@link IdxReader#readLabels} and {@link IdxReader#readSplit} return or throw
 * {@link IdxFormatException} (the file exists, so neither {@link java.nio.file.NoSuchFileException} nor another
 * {@link IOException}), whose message starts with the file name, contains the problem and has at most
 * {@value #MAX_MESSAGE} characters; what they return is exactly the file's payload. Any other throwable (a
 * {@link RuntimeException} such as an index out of bounds, an {@link OutOfMemoryError}), a hang beyond the timeout,
 * or a broken invariant is a finding.
 *
 * <p>{@code mvn test} replays the corpus in
 * {@code src/test/resources/org/plstm/mnist/data/IdxReaderFuzzTestInputs/read/} (regression mode); the execution
 * {@code fuzz-idx-read} of the module's pom fuzzes for a bounded time. See docs/FUZZING.md. The seeds are written by
 * {@link IdxReaderFuzzCorpusTest}.
 */
class IdxReaderFuzzTest {
    /** Longest message an {@link IdxFormatException} may have, whatever the input. */
    static final int MAX_MESSAGE = 4096;
    /** Largest count for which a matching companion file is built to check {@link IdxReader#readSplit}. */
    private static final int MAX_COMPANION = 8;

    private static final Path DIR;
    /** The fuzzed file, rewritten for each input (fuzzing runs millions of inputs). */
    private static final Path INPUT;
    /** A valid companion of the fuzzed file, for {@link IdxReader#readSplit}. */
    private static final Path COMPANION;

    static {
        try {
            DIR = Files.createTempDirectory("plstm-idx-fuzz-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        INPUT = DIR.resolve("fuzz-idx-ubyte");
        COMPANION = DIR.resolve("companion-idx-ubyte");
        DIR.toFile().deleteOnExit(); // deleted last: after the files registered below
        INPUT.toFile().deleteOnExit();
        COMPANION.toFile().deleteOnExit();
    }

    /**
     * The bytes as one file, read as images, as labels, and (when one of the two succeeds) as one half of a split
     * with a valid companion of the same count (must succeed) and of another count (must be refused).
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "35s")
    void read(byte[] data) throws IOException {
        Files.write(INPUT, data);

        byte[] pixels = null;
        try {
            pixels = IdxReader.readImages(INPUT);
        } catch (IdxFormatException e) {
            checkException(e, INPUT);
        }
        byte[] labels = null;
        try {
            labels = IdxReader.readLabels(INPUT);
        } catch (IdxFormatException e) {
            checkException(e, INPUT);
        }
        check(pixels == null || labels == null, () -> "read both as images and as labels");
        try {
            IdxReader.readSplit(INPUT, INPUT);
            check(false, () -> "readSplit accepted one file as both images and labels");
        } catch (IdxFormatException e) {
            checkException(e, INPUT);
        }

        if (pixels != null) {
            byte[] p = pixels;
            int header = 16;
            check(p.length == data.length - header && p.length % (IdxReader.ROWS * IdxReader.COLS) == 0,
                    () -> p.length + " pixels from a file of " + data.length + " bytes");
            check(Arrays.equals(p, 0, p.length, data, header, data.length), () -> "pixels differ from the file");
            int count = p.length / (IdxReader.ROWS * IdxReader.COLS);
            check(count == ByteBuffer.wrap(data).getInt(4), () -> count + " images, header says "
                    + ByteBuffer.wrap(data).getInt(4));
            if (count <= MAX_COMPANION) {
                byte[] companionLabels = new byte[count];
                for (int i = 0; i < count; i++) {
                    companionLabels[i] = (byte) (i % 10);
                }
                Files.write(COMPANION, TestIdx.labels(toInts(companionLabels)));
                MnistSplit s = IdxReader.readSplit(INPUT, COMPANION);
                check(s.count() == count && Arrays.equals(s.pixels(), p)
                        && Arrays.equals(s.labels(), companionLabels), () -> "split differs from its files");
                Files.write(COMPANION, TestIdx.labels(toInts(Arrays.copyOf(companionLabels, count + 1))));
                refusedSplit(INPUT, COMPANION);
            }
        }
        if (labels != null) {
            byte[] l = labels;
            int header = 8;
            check(l.length == data.length - header, () -> l.length + " labels from a file of " + data.length
                    + " bytes");
            check(Arrays.equals(l, 0, l.length, data, header, data.length), () -> "labels differ from the file");
            for (byte b : l) {
                check(b >= 0 && b <= 9, () -> "label " + (b & 0xFF) + " accepted");
            }
            if (l.length <= MAX_COMPANION) {
                Files.write(COMPANION, TestIdx.images(l.length));
                MnistSplit s = IdxReader.readSplit(COMPANION, INPUT);
                check(s.count() == l.length && Arrays.equals(s.labels(), l)
                        && s.pixels().length == l.length * IdxReader.ROWS * IdxReader.COLS,
                        () -> "split differs from its files");
                Files.write(COMPANION, TestIdx.images(l.length + 1));
                refusedSplit(COMPANION, INPUT);
            }
        }
    }

    /** Files whose counts differ: refused, the label file named. */
    private static void refusedSplit(Path images, Path labels) throws IOException {
        try {
            IdxReader.readSplit(images, labels);
            check(false, () -> "readSplit accepted files whose counts differ");
        } catch (IdxFormatException e) {
            checkException(e, labels);
        }
    }

    /** The message names the file, says the problem, and is short. */
    static void checkException(IdxFormatException e, Path file) {
        String m = e.getMessage();
        check(file.equals(e.file()), () -> "exception names " + e.file() + ", expected " + file);
        check(e.problem() != null && !e.problem().isEmpty(), () -> "no problem in " + m);
        check(m != null && m.startsWith(file.getFileName() + ": ") && m.contains(e.problem()),
                () -> "message does not start with the file name and contain the problem: " + m);
        check(m.length() <= MAX_MESSAGE, () -> "message of " + m.length() + " characters (at most " + MAX_MESSAGE
                + " expected), starting: " + m.substring(0, 300));
    }

    private static int[] toInts(byte[] b) {
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] & 0xFF;
        }
        return out;
    }

    /** A plain check: assertion libraries are slow in a loop of millions of inputs. */
    static void check(boolean condition, Supplier<String> message) {
        if (!condition) {
            throw new AssertionError(message.get());
        }
    }
}
