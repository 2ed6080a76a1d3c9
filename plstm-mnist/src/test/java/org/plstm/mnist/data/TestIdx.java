package org.plstm.mnist.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Builds small IDX files, gzip and tar.gz archives, and hashes for the tests. */
final class TestIdx {

    private TestIdx() {
    }

    /** The deterministic pixel value the synthetic images have at sample n, row r, column c. */
    static int pixelAt(int n, int r, int c) {
        return (n * 31 + r * 7 + c * 3) & 0xFF;
    }

    /** An image file body with an arbitrary header (magic, count, rows, cols) and count*rows*cols pixels. */
    static byte[] images(int magic, int headerCount, int rows, int cols, int actualCount) {
        ByteBuffer b = ByteBuffer.allocate(16 + actualCount * rows * cols);
        b.putInt(magic).putInt(headerCount).putInt(rows).putInt(cols);
        for (int n = 0; n < actualCount; n++) {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    b.put((byte) pixelAt(n, r, c));
                }
            }
        }
        return b.array();
    }

    /** A valid 28x28 image file with {@code count} images. */
    static byte[] images(int count) {
        return images(IdxReader.IMAGES_MAGIC, count, 28, 28, count);
    }

    /** A label file with an arbitrary magic and the given label bytes (header count = labels.length). */
    static byte[] labelsWithMagic(int magic, int... labels) {
        ByteBuffer b = ByteBuffer.allocate(8 + labels.length);
        b.putInt(magic).putInt(labels.length);
        for (int l : labels) {
            b.put((byte) l);
        }
        return b.array();
    }

    /** A valid label file. */
    static byte[] labels(int... labels) {
        return labelsWithMagic(IdxReader.LABELS_MAGIC, labels);
    }

    static byte[] truncate(byte[] data, int length) {
        return Arrays.copyOf(data, length);
    }

    static Path write(Path dir, String name, byte[] data) {
        try {
            return Files.write(dir.resolve(name), data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A .tgz with the given entries (name -> content), in iteration order. */
    static byte[] tgz(Map<String, byte[]> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(e.getKey());
                entry.setSize(e.getValue().length);
                tar.putArchiveEntry(entry);
                tar.write(e.getValue());
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A small, valid synthetic MNIST: 5 training and 3 test samples, with its hash table. */
    record Synthetic(Map<MnistFile, byte[]> content, Map<MnistFile, String> sha256) {

        static final int[] TRAIN_LABELS = {5, 0, 4, 1, 9};
        static final int[] TEST_LABELS = {7, 2, 1};

        static Synthetic create() {
            Map<MnistFile, byte[]> content = new EnumMap<>(MnistFile.class);
            content.put(MnistFile.TRAIN_IMAGES, images(5));
            content.put(MnistFile.TRAIN_LABELS, labels(TRAIN_LABELS));
            content.put(MnistFile.TEST_IMAGES, images(3));
            content.put(MnistFile.TEST_LABELS, labels(TEST_LABELS));
            Map<MnistFile, String> sha = new EnumMap<>(MnistFile.class);
            content.forEach((f, bytes) -> sha.put(f, TestIdx.sha256(bytes)));
            return new Synthetic(content, sha);
        }

        byte[] of(MnistFile f) {
            return content.get(f);
        }

        void writeRaw(Path dir, MnistFile f) {
            write(dir, f.fileName(), of(f));
        }
    }
}
