package org.plstm.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.plstm.Check;
import org.plstm.Tensor;

/**
 * A reader and writer of the <a href="https://huggingface.co/docs/safetensors">safetensors</a> format, restricted to
 * float32 tensors ({@code "F32"}), which is all plstm stores.
 *
 * <p>Layout of a file: 8 bytes, an unsigned little-endian 64-bit integer {@code N}; {@code N} bytes of UTF-8 JSON,
 * an object mapping each tensor name to {@code {"dtype": "F32", "shape": [d0, d1, ...], "data_offsets": [begin,
 * end]}} plus an optional {@code "__metadata__"} object of string to string; then the data section, in which tensor
 * {@code name} occupies bytes {@code [begin, end)} (offsets relative to the start of the data section) as row-major
 * little-endian float32 values. This writer pads the header with spaces so that the data starts at a multiple of 8
 * bytes, writes {@code __metadata__} first and lays the tensors out contiguously in the order given.
 *
 * <p>The reader trusts nothing: it checks that the file holds the 8-byte length, that {@code 2 <= N <=}
 * {@value #MAX_HEADER_BYTES} and {@code N} fits in the file, that the header is a JSON object starting with
 * <code>'&#123;'</code> without duplicate keys, that every entry has exactly the three fields, the dtype {@code F32}, a shape
 * of non-negative integers and two offsets with {@code 0 <= begin <= end <=} data length, that
 * {@code end − begin = 4·product(shape)}, and that the tensors tile the data section exactly (sorted by offset they
 * start at 0, do not overlap, leave no hole and end at the end of the file). Any violation raises a
 * {@link CheckpointFormatException} naming the file and the problem.
 */
public final class Safetensors {
    /** Largest accepted header, in bytes (the reference implementation's limit, 100 MB). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /** The key of the metadata object in the header. */
    public static final String METADATA_KEY = "__metadata__";
    /** The only dtype this implementation reads and writes. */
    public static final String DTYPE = "F32";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Safetensors() {
    }

    /**
     * The content of a safetensors file.
     *
     * @param tensors  the tensors by name, in header order (unmodifiable); each {@link Tensor#name()} equals its key
     * @param metadata the {@code __metadata__} entries (unmodifiable; empty if the file has none)
     */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
        /**
         * Wraps both maps unmodifiably, keeping their order.
         *
         * @throws IllegalArgumentException if a map is null
         */
        public Contents {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(Check.notNull("tensors", tensors)));
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(Check.notNull("metadata", metadata)));
        }
    }

    /**
     * Encodes tensors and metadata as safetensors bytes.
     *
     * @param tensors  the tensors, written in this order; names non-empty, unique, not {@value #METADATA_KEY}
     * @param metadata string entries for {@code __metadata__} (omitted when empty), written in iteration order
     * @return the file content
     * @throws IllegalArgumentException on a null argument, a null or duplicate name, a null metadata key or value,
     *     a data section larger than 2 GiB, or a header (tensor entries and metadata as JSON) larger than
     *     {@value #MAX_HEADER_BYTES} bytes, which {@link #read} would refuse
     */
    public static byte[] encode(List<Tensor> tensors, Map<String, String> metadata) {
        Check.notNull("tensors", tensors);
        Check.notNull("metadata", metadata);
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject(METADATA_KEY);
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("metadata: expected non-null keys and values, got "
                            + e.getKey() + "=" + e.getValue());
                }
                meta.put(e.getKey(), e.getValue());
            }
        }
        Set<String> names = new HashSet<>();
        long offset = 0;
        for (Tensor t : tensors) {
            Check.notNull("tensors[]", t);
            String name = t.name();
            if (name == null || name.isEmpty() || name.equals(METADATA_KEY) || !names.add(name)) {
                throw new IllegalArgumentException("tensors: expected unique non-empty names other than "
                        + METADATA_KEY + ", got " + (name == null ? "null" : "'" + name + "'"));
            }
            ObjectNode entry = header.putObject(name);
            entry.put("dtype", DTYPE);
            ArrayNode shape = entry.putArray("shape");
            for (int d : t.shape()) {
                shape.add(d);
            }
            long end = offset + 4L * t.data().length;
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        if (offset > Integer.MAX_VALUE - 1024) {
            throw new IllegalArgumentException("tensors: expected at most 2 GiB of data, got " + offset + " bytes");
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("safetensors header could not be serialised", e);
        }
        int padded = (json.length + 7) / 8 * 8;
        if (padded > MAX_HEADER_BYTES) { // what read() would refuse is not written
            throw new IllegalArgumentException("metadata: expected a header of at most " + MAX_HEADER_BYTES
                    + " bytes (what read accepts), got " + padded + " bytes of tensor entries and metadata");
        }
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(8 + padded + offset)).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(padded);
        buf.put(json);
        for (int n = json.length; n < padded; n++) {
            buf.put((byte) ' ');
        }
        for (Tensor t : tensors) {
            buf.asFloatBuffer().put(t.data());
            buf.position(buf.position() + 4 * t.data().length);
        }
        return buf.array();
    }

    /**
     * Writes a safetensors file atomically ({@link AtomicFiles}).
     *
     * @param file     the file to create or replace
     * @param tensors  the tensors, as {@link #encode}
     * @param metadata the metadata, as {@link #encode}
     * @throws IOException if writing fails (the previous file, if any, is then unchanged)
     * @throws IllegalArgumentException as {@link #encode}
     */
    public static void write(Path file, List<Tensor> tensors, Map<String, String> metadata) throws IOException {
        Check.notNull("file", file);
        AtomicFiles.writeBytes(file, encode(tensors, metadata));
    }

    /**
     * Reads and validates a safetensors file. Only regular files are read (a named pipe or a device such as
     * {@code /dev/zero} is refused before it is opened), the 8-byte header length is checked against the file's
     * size, and the header against the data section's size, before the rest is read: a file that is not a checkpoint,
     * or whose header does not describe it, costs no more than its header.
     *
     * @param file the file
     * @return its tensors and metadata
     * @throws CheckpointFormatException if the file is not a regular file or is malformed (see the class comment);
     *                                   the message names the file
     * @throws java.nio.file.NoSuchFileException if it does not exist
     * @throws IOException               if it cannot be read
     */
    public static Contents read(Path file) throws IOException {
        Check.notNull("file", file);
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new CheckpointFormatException(file.toString(), "not a regular file (a directory, pipe or device)");
        }
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 8) {
            throw new CheckpointFormatException(file.toString(), "file of " + size
                    + " bytes is larger than the 2 GiB this reader supports");
        }
        if (size >= 8) {
            ByteBuffer first = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
                while (first.hasRemaining() && ch.read(first) >= 0) {
                    // reads the 8 bytes of the header length
                }
            }
            if (first.position() == 8) {
                long n = first.getLong(0);
                checkHeaderLength(file.toString(), n, size - 8);
                // The header alone says whether the file is whole: check it before reading the data section, so a
                // huge file whose header does not describe it costs no more than the header.
                byte[] head = new byte[(int) (8 + n)];
                try (java.io.InputStream in = Files.newInputStream(file)) {
                    if (in.readNBytes(head, 0, head.length) != head.length) {
                        throw new CheckpointFormatException(file.toString(), "the file shrank while it was read");
                    }
                }
                parseHeader(file.toString(), head, (int) n, size - 8 - n);
            }
        }
        return decode(Files.readAllBytes(file), file.toString());
    }

    /** The header length {@code n} against the {@code available} bytes after the length field. */
    private static void checkHeaderLength(String source, long n, long available) throws CheckpointFormatException {
        if (n < 2 || n > MAX_HEADER_BYTES || n > available) {
            throw new CheckpointFormatException(source, "not a safetensors file: header length " + Long.toUnsignedString(n)
                    + " is out of range: expected 2 to " + Math.min(MAX_HEADER_BYTES, available)
                    + " (the bytes after the length field, at most " + MAX_HEADER_BYTES + ")"
                    + (n > available ? " (truncated file or bad header length?)" : ""));
        }
    }

    /**
     * Decodes and validates safetensors bytes.
     *
     * @param bytes  the whole file content
     * @param source the name used in error messages (usually the file)
     * @return the tensors (in header order) and metadata
     * @throws CheckpointFormatException if the content is malformed (see the class comment)
     */
    public static Contents decode(byte[] bytes, String source) throws CheckpointFormatException {
        Check.notNull("bytes", bytes);
        if (bytes.length < 8) {
            throw new CheckpointFormatException(source, "file of " + bytes.length
                    + " bytes is too short for the 8-byte header length (truncated?)");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = buf.getLong(0);
        checkHeaderLength(source, n, bytes.length - 8L);
        Header h = parseHeader(source, bytes, (int) n, bytes.length - 8L - n);
        long dataStart = 8L + n;
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry e : h.entries) {
            float[] data = new float[e.count];
            ByteBuffer slice = ByteBuffer.wrap(bytes, (int) (dataStart + e.begin), 4 * e.count)
                    .order(ByteOrder.LITTLE_ENDIAN);
            slice.asFloatBuffer().get(data);
            tensors.put(e.name, new Tensor(e.name, e.shape, data));
        }
        return new Contents(tensors, h.metadata);
    }

    private record Header(Map<String, String> metadata, List<Entry> entries) {
    }

    /**
     * Parses and checks the header ({@code bytes[8 .. 8 + headerLength)}) against a data section of
     * {@code dataLength} bytes: every entry, and that the tensors tile the data section exactly.
     */
    private static Header parseHeader(String source, byte[] bytes, int headerLength, long dataLength)
            throws CheckpointFormatException {
        if (bytes[8] != '{') {
            throw new CheckpointFormatException(source, "not a safetensors file: the header must start with '{', got byte 0x"
                    + Integer.toHexString(bytes[8] & 0xFF));
        }
        JsonNode root;
        try (JsonParser p = JSON.createParser(bytes, 8, headerLength)) {
            root = JSON.readTree(p);
            if (p.nextToken() != null) {
                throw new CheckpointFormatException(source, "header has content after its JSON object");
            }
        } catch (JsonProcessingException e) {
            throw new CheckpointFormatException(source, "header is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new CheckpointFormatException(source, "header could not be parsed: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointFormatException(source, "header must be a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (name.equals(METADATA_KEY)) {
                readMetadata(source, value, metadata);
            } else {
                entries.add(readEntry(source, name, value, dataLength));
            }
        }
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong((Entry e) -> e.begin).thenComparingLong(e -> e.end));
        long covered = 0;
        String previous = null;
        for (Entry e : byOffset) {
            if (e.begin < covered) {
                throw new CheckpointFormatException(source, "tensors '" + previous + "' and '" + e.name
                        + "' overlap (data_offsets of '" + e.name + "' begin at " + e.begin + ", before " + covered
                        + ")");
            }
            if (e.begin > covered) {
                throw new CheckpointFormatException(source, "data bytes [" + covered + ", " + e.begin
                        + ") belong to no tensor (hole before '" + e.name + "')");
            }
            covered = e.end;
            previous = e.name;
        }
        if (covered != dataLength) {
            throw new CheckpointFormatException(source, "the data section has " + dataLength
                    + " bytes but the tensors cover " + covered + (covered < dataLength
                    ? " (trailing bytes after the last tensor)" : ""));
        }
        return new Header(metadata, entries);
    }

    private record Entry(String name, int[] shape, int count, long begin, long end) {
    }

    private static void readMetadata(String source, JsonNode value, Map<String, String> out)
            throws CheckpointFormatException {
        if (!value.isObject()) {
            throw new CheckpointFormatException(source, METADATA_KEY + " must be an object of strings, got "
                    + value.getNodeType());
        }
        for (Map.Entry<String, JsonNode> e : value.properties()) {
            if (!e.getValue().isTextual()) {
                throw new CheckpointFormatException(source, METADATA_KEY + "." + e.getKey()
                        + " must be a string, got " + e.getValue().getNodeType());
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
    }

    private static Entry readEntry(String source, String name, JsonNode value, long dataLength)
            throws CheckpointFormatException {
        String where = "tensor '" + name + "'";
        if (name.isEmpty()) {
            throw new CheckpointFormatException(source, "a tensor has an empty name");
        }
        if (!value.isObject()) {
            throw new CheckpointFormatException(source, where + ": expected an object, got " + value.getNodeType());
        }
        for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("dtype") && !f.equals("shape") && !f.equals("data_offsets")) {
                throw new CheckpointFormatException(source, where + ": unexpected field '" + f + "'");
            }
        }
        JsonNode dtype = value.get("dtype");
        if (dtype == null || !dtype.isTextual()) {
            throw new CheckpointFormatException(source, where + ": missing dtype");
        }
        if (!dtype.textValue().equals(DTYPE)) {
            throw new CheckpointFormatException(source, where + ": dtype " + dtype.textValue()
                    + " is not supported, expected " + DTYPE);
        }
        JsonNode shapeNode = value.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new CheckpointFormatException(source, where + ": missing shape array");
        }
        int[] shape = new int[shapeNode.size()];
        long count = 1;
        for (int d = 0; d < shape.length; d++) {
            JsonNode dim = shapeNode.get(d);
            if (!dim.isIntegralNumber() || !dim.canConvertToInt() || dim.intValue() < 0) {
                throw new CheckpointFormatException(source, where + ": shape must hold integers in [0, 2^31), got "
                        + shapeNode);
            }
            shape[d] = dim.intValue();
            count *= shape[d];
            if (count > Integer.MAX_VALUE / 4) {
                throw new CheckpointFormatException(source, where + ": shape " + shapeNode
                        + " has more elements than this reader supports");
            }
        }
        JsonNode offsets = value.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2
                || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()
                || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
            throw new CheckpointFormatException(source, where + ": data_offsets must be two integers [begin, end], got "
                    + offsets);
        }
        long begin = offsets.get(0).longValue();
        long end = offsets.get(1).longValue();
        if (begin < 0 || end < begin || end > dataLength) {
            throw new CheckpointFormatException(source, where + ": data_offsets [" + begin + ", " + end
                    + "] out of range: expected 0 <= begin <= end <= " + dataLength
                    + " (the size of the data section)");
        }
        if (end - begin != 4 * count) {
            throw new CheckpointFormatException(source, where + ": data_offsets span " + (end - begin)
                    + " bytes but shape " + shapeNode + " of F32 needs " + 4 * count);
        }
        return new Entry(name, shape, (int) count, begin, end);
    }
}
