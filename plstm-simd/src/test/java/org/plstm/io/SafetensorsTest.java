package org.plstm.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plstm.Tensor;

class SafetensorsTest {
    @TempDir
    Path dir;

    /** Builds a file by hand: 8-byte length, the header text as given, then the data bytes. */
    static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return b.array();
    }

    static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    @Test
    void readsOnlyRegularFilesAndChecksTheHeaderLengthBeforeTheRest() throws Exception {
        // a directory (and so a pipe or a device, which are not regular files either: a pipe would block forever)
        assertThatThrownBy(() -> Safetensors.read(dir)).isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining(dir.toString()).hasMessageContaining("not a regular file");
        Path fifo = dir.resolve("pipe");
        boolean made = false;
        try {
            made = new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0;
        } catch (java.io.IOException e) {
            // no mkfifo here: the directory above covers the rule
        }
        if (made) {
            assertThatThrownBy(() -> Safetensors.read(fifo)).isInstanceOf(CheckpointFormatException.class)
                    .hasMessageContaining("not a regular file");
        }
        // a large sparse file of zeros: refused from its first 8 bytes (header length 0), not read whole
        Path sparse = dir.resolve("sparse.safetensors");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(sparse.toFile(), "rw")) {
            f.setLength(1L << 30);
        }
        assertThatThrownBy(() -> Safetensors.read(sparse)).isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("header length 0 is out of range: expected 2 to " + Safetensors.MAX_HEADER_BYTES);
        assertThat(Files.size(sparse)).isEqualTo(1L << 30);
        // a valid header that does not describe the large file behind it (the attack's 1.8 GB variant, which was
        // read whole): refused from the header, before the data section is read
        Path hole = dir.resolve("hole.safetensors");
        Files.write(hole, file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", floats(1f, 2f)));
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(hole.toFile(), "rw")) {
            f.setLength(1L << 30);
        }
        assertThatThrownBy(() -> Safetensors.read(hole)).isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("(trailing bytes after the last tensor)");
        assertThatThrownBy(() -> Safetensors.read(dir.resolve("missing")))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
    }

    @Test
    void writesTheExactSpecifiedLayout() {
        byte[] bytes = Safetensors.encode(List.of(new Tensor("a", new int[] {2}, new float[] {1f, -2f})),
                Map.of());
        String json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}"; // 54 bytes
        int padded = 56; // next multiple of 8
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getLong(0)).isEqualTo(padded);
        assertThat(new String(bytes, 8, padded, StandardCharsets.UTF_8)).isEqualTo(json + "  ");
        assertThat(bytes).hasSize(8 + padded + 8);
        assertThat(b.getFloat(8 + padded)).isEqualTo(1f);
        assertThat(b.getFloat(8 + padded + 4)).isEqualTo(-2f);
        // the 4 bytes of 1.0f little-endian
        assertThat(bytes[8 + padded + 3]).isEqualTo((byte) 0x3f);
        assertThat(bytes[8 + padded + 2]).isEqualTo((byte) 0x80);
    }

    @Test
    void aHeaderThatReadWouldRefuseIsNotWritten() throws Exception {
        Path f = java.nio.file.Files.writeString(dir.resolve("keep.safetensors"), "the previous file");
        Map<String, String> meta = Map.of("trainer", "x".repeat((int) Safetensors.MAX_HEADER_BYTES));
        List<Tensor> t = List.of(new Tensor("a", new int[] {1}, new float[] {1f}));
        assertThatThrownBy(() -> Safetensors.write(f, t, meta)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("metadata: expected a header of at most 100000000 bytes (what read accepts), "
                        + "got 10000");
        assertThat(java.nio.file.Files.readString(f)).isEqualTo("the previous file");
    }

    @Test
    void roundTripsTensorsAndMetadataInOrder() throws Exception {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "x");
        meta.put("ünïcode", "{\"json\": [1, 2]}");
        List<Tensor> tensors = List.of(
                new Tensor("w", new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, Float.MIN_VALUE}),
                new Tensor("scalar", new int[] {}, new float[] {-0f}),
                new Tensor("empty", new int[] {0, 4}, new float[0]),
                new Tensor("b", new int[] {1}, new float[] {Float.MAX_VALUE}));
        Path f = dir.resolve("t.safetensors");
        Safetensors.write(f, tensors, meta);
        Safetensors.Contents c = Safetensors.read(f);
        assertThat(c.metadata()).containsExactlyEntriesOf(meta);
        assertThat(c.tensors().keySet()).containsExactly("w", "scalar", "empty", "b");
        for (Tensor t : tensors) {
            Tensor r = c.tensors().get(t.name());
            assertThat(r.shape()).isEqualTo(t.shape());
            assertThat(r.data()).isEqualTo(t.data());
        }
        assertThat(Float.floatToRawIntBits(c.tensors().get("scalar").data()[0])).isEqualTo(0x80000000);
        assertThat((Files.size(f) - 8 - c.tensors().values().stream().mapToLong(t -> 4L * t.data().length).sum())
                % 8).as("header padded to 8 bytes").isZero();
    }

    @Test
    void readsAFileWrittenByAnotherWriterInAnyOrder() throws Exception {
        // offsets out of header order, metadata last, whitespace: all allowed by the format
        String header = "{ \"b\" : {\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
                + " \"a\": {\"data_offsets\":[0,4],\"shape\":[],\"dtype\":\"F32\"}, \"__metadata__\": {\"k\":\"v\"}}";
        Safetensors.Contents c = Safetensors.decode(file(header, floats(1.5f, 2.5f)), "x");
        assertThat(c.tensors().get("a").data()).containsExactly(1.5f);
        assertThat(c.tensors().get("b").data()).containsExactly(2.5f);
        assertThat(c.metadata()).containsEntry("k", "v");
    }

    private static void assertBroken(byte[] bytes, String message) {
        assertThatThrownBy(() -> Safetensors.decode(bytes, "f.safetensors"))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageStartingWith("f.safetensors: ")
                .hasMessageContaining(message);
    }

    @Test
    void rejectsMalformedFilesNamingTheProblem() throws Exception {
        String ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        byte[] good = file(ok, floats(1, 2));
        assertThat(Safetensors.decode(good, "f").tensors()).containsKey("a");

        assertBroken(new byte[5], "too short for the 8-byte header length");
        assertBroken(java.util.Arrays.copyOf(good, 30), "header length 54 is out of range: expected 2 to 22");
        assertBroken(java.util.Arrays.copyOf(good, good.length - 1), "data_offsets [0, 8] out of range: expected 0 <= begin <= end <= 7");
        byte[] huge = good.clone();
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Long.MAX_VALUE);
        assertBroken(huge, "header length " + Long.MAX_VALUE + " is out of range");
        byte[] negative = good.clone();
        ByteBuffer.wrap(negative).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
        assertBroken(negative, "header length 18446744073709551615 is out of range");
        assertBroken(file("[1,2]", new byte[0]), "header must start with '{'");
        assertBroken(file("{\"a\":", new byte[0]), "header is not valid JSON");
        assertBroken(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}, \"a\":{}}", floats(1, 2)),
                "header is not valid JSON: Duplicate field 'a'");
        assertBroken(file("{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[4]),
                "tensor 'a': dtype F16 is not supported, expected F32");
        assertBroken(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,12]}}", floats(1, 2)),
                "tensor 'a': data_offsets [0, 12] out of range: expected 0 <= begin <= end <= 8");
        assertBroken(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-4,4]}}", floats(1, 2)),
                "out of range");
        assertBroken(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", floats(1, 2)),
                "tensor 'a': data_offsets span 8 bytes but shape [3] of F32 needs 12");
        assertBroken(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", floats(1, 2)),
                "shape must hold integers");
        assertBroken(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", floats(1, 2)),
                "tensors 'a' and 'b' overlap");
        assertBroken(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", floats(1, 2)),
                "data bytes [0, 4) belong to no tensor");
        assertBroken(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", floats(1, 2)),
                "trailing bytes after the last tensor");
        assertBroken(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}", floats(1, 2)),
                "tensor 'a': unexpected field 'x'");
        assertBroken(file("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", floats(1, 2)), "missing dtype");
        assertBroken(file("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", floats(1, 2)), "missing shape");
        assertBroken(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", floats(1, 2)),
                "data_offsets must be two integers");
        assertBroken(file("{\"__metadata__\":{\"k\":1}}", new byte[0]), "__metadata__.k must be a string");
        assertBroken(file("{\"__metadata__\":[]}", new byte[0]), "__metadata__ must be an object of strings");
    }

    @Test
    void rejectsBadArgumentsWhenEncoding() {
        Tensor a = new Tensor("a", new int[] {1}, new float[1]);
        assertThatThrownBy(() -> Safetensors.encode(List.of(a, a), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tensors: expected unique non-empty names other than __metadata__, got 'a'");
        assertThatThrownBy(() -> Safetensors.encode(List.of(new Tensor("__metadata__", new int[] {1},
                new float[1])), Map.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aMissingFileIsAnIoErrorAndAFileNameAppearsInMessages() throws Exception {
        Path f = dir.resolve("cut.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> Safetensors.read(f)).isInstanceOf(CheckpointFormatException.class)
                .hasMessageStartingWith(f + ": file of 3 bytes is too short");
        assertThatThrownBy(() -> Safetensors.read(dir.resolve("none"))).isInstanceOf(java.io.IOException.class);
    }
}
