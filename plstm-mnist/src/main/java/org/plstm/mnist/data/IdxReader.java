package org.plstm.mnist.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads and validates MNIST files in the IDX format (big-endian header, then unsigned bytes).
 *
 * <ul>
 *   <li>Images: magic {@code 0x00000803}, then count, rows, cols (each a big-endian 32-bit integer), then
 *       {@code count * rows * cols} pixel bytes. Rows and cols must be 28.</li>
 *   <li>Labels: magic {@code 0x00000801}, then count, then {@code count} label bytes, each {@code 0..9}.</li>
 * </ul>
 *
 * <p>Any count is accepted (the real files have 60,000 and 10,000), but the file length must equal what the header
 * announces exactly: neither shorter (truncated) nor longer (trailing bytes). Every problem is reported as an
 * {@link IdxFormatException} whose message starts with the file name and says what is wrong, e.g.
 * {@code train-images-idx3-ubyte: truncated: header says 60000 images of 28x28 (47040016 bytes), file has 1000
 * bytes}; a missing file as a {@link NoSuchFileException}; never as an index-out-of-bounds error.
 *
 * <p>The reader does not check SHA-256 (that is {@link MnistFetcher}'s job), so it can read any IDX files with the
 * MNIST geometry. Each read allocates exactly one array of the payload's size.
 */
public final class IdxReader {

    /** Magic number of an IDX file of unsigned bytes with 3 dimensions (images). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of an IDX file of unsigned bytes with 1 dimension (labels). */
    public static final int LABELS_MAGIC = 0x00000801;
    /** Image height required by {@link #readImages(Path)}. */
    public static final int ROWS = 28;
    /** Image width required by {@link #readImages(Path)}. */
    public static final int COLS = 28;

    private static final int IMAGES_HEADER = 16;
    private static final int LABELS_HEADER = 8;
    /** The largest array the JVM reliably allocates. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private IdxReader() {
    }

    /**
     * Reads an image file and its label file into one split, checking that they hold the same number of samples.
     *
     * @param images an IDX3 image file ({@code *-images-idx3-ubyte})
     * @param labels the matching IDX1 label file ({@code *-labels-idx1-ubyte})
     * @return the split, {@code rows = cols = 28}
     * @throws NoSuchFileException if a file does not exist
     * @throws IdxFormatException  if a file is malformed (see {@link #readImages(Path)}, {@link #readLabels(Path)})
     *                             or the two counts differ (reported against the label file, naming both files)
     * @throws IOException         if reading fails otherwise
     */
    public static MnistSplit readSplit(Path images, Path labels) throws IOException {
        byte[] labelBytes = readLabels(labels);
        int imageCount = readImageHeader(images).count;
        if (imageCount != labelBytes.length) {
            throw new IdxFormatException(labels, "count mismatch: " + labelBytes.length + " labels, but "
                    + images.getFileName() + " has " + imageCount + " images");
        }
        byte[] pixels = readImages(images);
        if (pixels.length != labelBytes.length * ROWS * COLS) { // the file changed between the two reads
            throw new IdxFormatException(labels, "count mismatch: " + labelBytes.length + " labels, but "
                    + images.getFileName() + " has " + pixels.length / (ROWS * COLS) + " images");
        }
        return new MnistSplit(labelBytes.length, ROWS, COLS, pixels, labelBytes);
    }

    /**
     * Reads an IDX3 image file of 28x28 images.
     *
     * @param file the file
     * @return {@code count * 28 * 28} unsigned pixel bytes, image-major, row-major (the layout of
     *         {@link MnistSplit#pixels()}); the count is {@code length / 784}
     * @throws NoSuchFileException if the file does not exist
     * @throws IdxFormatException  if the file is shorter than the 16-byte header, the magic number is not
     *                             {@code 0x00000803}, the dimensions are not 28x28, the count is too large for one
     *                             array, or the length differs from {@code 16 + count * 784} (truncated or trailing
     *                             bytes)
     * @throws IOException         if reading fails otherwise
     */
    public static byte[] readImages(Path file) throws IOException {
        try (FileChannel ch = open(file)) {
            Header h = readImageHeader(file, ch);
            byte[] pixels = new byte[h.count * ROWS * COLS];
            readFully(file, ch, pixels, IMAGES_HEADER, h.describe());
            return pixels;
        }
    }

    /**
     * Reads an IDX1 label file.
     *
     * @param file the file
     * @return {@code count} labels, each {@code 0..9}
     * @throws NoSuchFileException if the file does not exist
     * @throws IdxFormatException  if the file is shorter than the 8-byte header, the magic number is not
     *                             {@code 0x00000801}, the length differs from {@code 8 + count} (truncated or
     *                             trailing bytes), or a label is outside {@code 0..9} (the first one is named, with
     *                             its index)
     * @throws IOException         if reading fails otherwise
     */
    public static byte[] readLabels(Path file) throws IOException {
        try (FileChannel ch = open(file)) {
            long size = ch.size();
            if (size < LABELS_HEADER) {
                throw new IdxFormatException(file, "truncated: file has " + size
                        + " bytes, an IDX label header needs " + LABELS_HEADER);
            }
            ByteBuffer header = ByteBuffer.allocate(LABELS_HEADER);
            readFully(file, ch, header, 0, "header");
            checkMagic(file, header.getInt(0), LABELS_MAGIC, "IDX1 unsigned-byte labels");
            long count = Integer.toUnsignedLong(header.getInt(4));
            if (count > MAX_ARRAY) {
                throw new IdxFormatException(file, "header says " + count + " labels, too many for one array");
            }
            String describe = "header says " + count + " labels (" + (LABELS_HEADER + count) + " bytes)";
            checkLength(file, size, LABELS_HEADER + count, describe);
            byte[] labels = new byte[(int) count];
            readFully(file, ch, labels, LABELS_HEADER, describe);
            for (int i = 0; i < labels.length; i++) {
                int label = labels[i] & 0xFF;
                if (label > 9) {
                    throw new IdxFormatException(file, "label " + label + " at index " + i
                            + " is out of range 0..9");
                }
            }
            return labels;
        }
    }

    /** Image count and a description of the header, for messages. */
    private record Header(int count) {
        String describe() {
            return "header says " + count + " images of " + ROWS + "x" + COLS + " ("
                    + (IMAGES_HEADER + (long) count * ROWS * COLS) + " bytes)";
        }
    }

    private static Header readImageHeader(Path file) throws IOException {
        try (FileChannel ch = open(file)) {
            return readImageHeader(file, ch);
        }
    }

    /** Validates an image file's header and its length against it. */
    private static Header readImageHeader(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < IMAGES_HEADER) {
            throw new IdxFormatException(file, "truncated: file has " + size
                    + " bytes, an IDX image header needs " + IMAGES_HEADER);
        }
        ByteBuffer header = ByteBuffer.allocate(IMAGES_HEADER);
        readFully(file, ch, header, 0, "header");
        checkMagic(file, header.getInt(0), IMAGES_MAGIC, "IDX3 unsigned-byte images");
        long count = Integer.toUnsignedLong(header.getInt(4));
        long rows = Integer.toUnsignedLong(header.getInt(8));
        long cols = Integer.toUnsignedLong(header.getInt(12));
        if (rows != ROWS || cols != COLS) {
            throw new IdxFormatException(file, "wrong image dimensions " + rows + "x" + cols + ", expected "
                    + ROWS + "x" + COLS);
        }
        if (count * ROWS * COLS > MAX_ARRAY) {
            throw new IdxFormatException(file, "header says " + count + " images of " + ROWS + "x" + COLS
                    + ", too many for one array");
        }
        Header h = new Header((int) count);
        checkLength(file, size, IMAGES_HEADER + count * ROWS * COLS, h.describe());
        return h;
    }

    private static FileChannel open(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            NoSuchFileException missing = new NoSuchFileException(file.toString(), null,
                    "MNIST IDX file not found");
            missing.initCause(e);
            throw missing;
        }
    }

    private static void checkMagic(Path file, int magic, int expected, String what) throws IdxFormatException {
        if (magic == expected) {
            return;
        }
        String problem = "bad magic number " + hex(magic) + ", expected " + hex(expected) + " (" + what + ")";
        if ((magic >>> 16) == 0x1F8B) {
            problem += "; the file looks gzip-compressed: decompress it, or put it in the cache directory as "
                    + file.getFileName() + ".gz";
        } else if (magic == IMAGES_MAGIC) {
            problem += "; this looks like an image file";
        } else if (magic == LABELS_MAGIC) {
            problem += "; this looks like a label file";
        }
        throw new IdxFormatException(file, problem);
    }

    private static void checkLength(Path file, long size, long expected, String describe)
            throws IdxFormatException {
        if (size < expected) {
            throw new IdxFormatException(file, "truncated: " + describe + ", file has " + size + " bytes");
        }
        if (size > expected) {
            throw new IdxFormatException(file, (size - expected) + " extra trailing bytes: " + describe
                    + ", file has " + size + " bytes");
        }
    }

    private static void readFully(Path file, FileChannel ch, byte[] into, long position, String describe)
            throws IOException {
        readFully(file, ch, ByteBuffer.wrap(into), position, describe);
    }

    /** Reads until {@code into} is full; a premature end of file (the file shrank) is reported as truncation. */
    private static void readFully(Path file, FileChannel ch, ByteBuffer into, long position, String describe)
            throws IOException {
        long pos = position;
        while (into.hasRemaining()) {
            int n = ch.read(into, pos);
            if (n < 0) {
                throw new IdxFormatException(file, "truncated: " + describe + ", but the file ended after "
                        + pos + " bytes while reading");
            }
            pos += n;
        }
    }

    private static String hex(int v) {
        return String.format("0x%08X", v);
    }
}
