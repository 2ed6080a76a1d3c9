package org.plstm.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.plstm.Check;
import org.plstm.Tensor;

/**
 * A model's parameters as a NumPy {@code .npz} archive, for cross-checking with NumPy or PyTorch
 * ({@code numpy.load(file)}) and for bringing parameters back.
 *
 * <p>One {@code .npy} array per tensor of a checkpoint ({@link Checkpoint}: {@code layers.<k>.kernel [I][4H]},
 * {@code layers.<k>.recurrent_kernel [H][4H]}, {@code layers.<k>.bias [4H]}, {@code layers.<k>.timegate_kernel
 * [3][H]} (rows period, shift, ratio_on), {@code layers.<k>.peephole [3][H]} where present, {@code dense.kernel
 * [H][C]}, {@code dense.bias [C]}), little-endian float32 ({@code <f4}), row-major, Keras layout (gate blocks i, f,
 * c, o), plus {@value #METADATA}: the checkpoint's metadata (layer configurations and the rest) as UTF-8 JSON in a
 * {@code uint8} array ({@code json.loads(bytes(z["__metadata__"]))}). Arrays are stored uncompressed, as
 * {@code numpy.savez} does.
 *
 * <p>{@link #load} accepts what {@link #save} writes, also after the arrays were edited and saved again by NumPy
 * ({@code numpy.savez} or {@code savez_compressed}, float32 or float64, which is rounded to float32): it validates
 * shapes and values as {@link Checkpoint#load} does, but ignores the integrity digest (this is an interchange format).
 * Every entry is checked against the size and the CRC-32 the archive records for it (a bit flipped in an array's
 * bytes is an error, not a different weight), names must be unique, and an entry may hold at most a quarter of the
 * maximum heap. Every problem is a {@link CheckpointFormatException} naming the file.
 */
public final class Npz {
    /** The name of the metadata array. */
    public static final String METADATA = "__metadata__";

    /** At most this many bytes are read from an archive in all (a bound against archives that inflate without end). */
    static final long MAX_BYTES = Integer.MAX_VALUE - 1024;

    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([<>|=]?[a-zA-Z]\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    private Npz() {
    }

    /**
     * Writes a model's parameters (atomically).
     *
     * @param file  the {@code .npz} file to create or replace
     * @param model the weights
     * @throws IOException if writing fails
     * @throws IllegalArgumentException on a null argument or invalid parameter values (as {@link Checkpoint#save})
     */
    public static void save(Path file, ModelWeights model) throws IOException {
        Check.notNull("file", file);
        Safetensors.Contents c = Checkpoint.contents(model, null, 0, null, Map.of());
        byte[] meta = JSON.writeValueAsBytes(c.metadata());
        AtomicFiles.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            for (Tensor t : c.tensors().values()) {
                ByteBuffer data = ByteBuffer.allocate(4 * t.data().length).order(ByteOrder.LITTLE_ENDIAN);
                data.asFloatBuffer().put(t.data());
                entry(zip, t.name(), npy("<f4", t.shape(), data.array()));
            }
            entry(zip, METADATA, npy("|u1", new int[] {meta.length}, meta));
            zip.finish();
        });
    }

    /**
     * Reads a model's parameters.
     *
     * @param file an {@code .npz} written by {@link #save} (possibly edited by NumPy)
     * @return the weights
     * @throws CheckpointFormatException if the file is not such an archive, an array is malformed, or the parameters
     *     are invalid (the message names the file and the problem)
     * @throws IOException if it cannot be read
     */
    public static ModelWeights load(Path file) throws IOException {
        Check.notNull("file", file);
        String src = file.toString();
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new CheckpointFormatException(src, "not a regular file (a directory, pipe or device)");
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = null;
        long budget = MAX_BYTES;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (Enumeration<? extends ZipEntry> it = zip.entries(); it.hasMoreElements(); ) {
                ZipEntry e = it.nextElement();
                String name = e.getName();
                if (!name.endsWith(".npy")) {
                    throw new CheckpointFormatException(src, "entry '" + name + "' is not an .npy array");
                }
                name = name.substring(0, name.length() - 4);
                if (name.equals(METADATA) ? metadata != null : tensors.containsKey(name)) {
                    throw new CheckpointFormatException(src, "two entries named '" + e.getName() + "'");
                }
                byte[] bytes = entryBytes(src, zip, e, budget);
                budget -= bytes.length;
                Array a = parse(src, name, bytes);
                if (name.equals(METADATA)) {
                    metadata = metadata(src, a);
                } else {
                    tensors.put(name, new Tensor(name, a.shape, a.floats(src, name)));
                }
            }
        } catch (java.util.zip.ZipException e) {
            throw new CheckpointFormatException(src, "not an .npz (zip) archive: " + e.getMessage(), e);
        } catch (EOFException e) { // a record of the archive's directory (its comment, say) runs past the file
            throw new CheckpointFormatException(src, "not an .npz (zip) archive: a record of its directory runs "
                    + "past the end of the file (" + e + ")", e);
        }
        if (metadata == null) {
            throw new CheckpointFormatException(src, "no " + METADATA + " array (the layer configurations); write "
                    + "the archive with Npz.save and keep that array when you edit the others");
        }
        return Checkpoint.fromContents(src, new Safetensors.Contents(tensors, metadata), false).weights();
    }

    /**
     * The bytes of one entry, checked against the sizes and the CRC-32 the archive records for it: at most
     * {@code budget} bytes and a quarter of the maximum heap, read no further than the entry's declared size (an
     * entry that inflates beyond it, or whose bytes do not match its checksum, is a damaged archive).
     */
    private static byte[] entryBytes(String src, ZipFile zip, ZipEntry e, long budget) throws IOException {
        long declared = e.getSize();
        long limit = Math.min(budget, Runtime.getRuntime().maxMemory() / 4);
        if (declared < 0 || declared > limit) {
            throw new CheckpointFormatException(src, "entry '" + e.getName() + "' declares " + declared + " bytes, "
                    + "expected at most " + limit + " (the arrays may hold " + MAX_BYTES + " bytes in all, and one "
                    + "at most a quarter of the heap: a larger -Xmx reads larger arrays)");
        }
        byte[] bytes;
        try (InputStream in = zip.getInputStream(e)) {
            bytes = in.readNBytes((int) declared + 1);
        } catch (EOFException cutOff) { // the local header or the compressed bytes end before the entry does
            throw new CheckpointFormatException(src, "entry '" + e.getName() + "' is cut off: its local header or "
                    + "data runs past the end of the file or of its compressed bytes (" + cutOff + "): the archive "
                    + "is damaged", cutOff);
        }
        if (bytes.length != declared) {
            throw new CheckpointFormatException(src, "entry '" + e.getName() + "' holds " + (bytes.length > declared
                    ? "more than" : "only") + " " + (bytes.length > declared ? declared : bytes.length) + " bytes, "
                    + "its declared size is " + declared + ": the archive is damaged");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes);
        if (e.getCrc() != -1 && crc.getValue() != e.getCrc()) {
            throw new CheckpointFormatException(src, String.format(java.util.Locale.ROOT, "entry '%s' fails its "
                    + "CRC-32 check (recorded %08x, computed %08x): the archive is damaged", e.getName(), e.getCrc(),
                    crc.getValue()));
        }
        return bytes;
    }

    /** An array read from .npy bytes. */
    private record Array(String descr, int[] shape, long count, ByteBuffer data) {
        float[] floats(String src, String name) throws CheckpointFormatException {
            float[] out = new float[(int) count];
            switch (descr) {
                case "<f4" -> data.asFloatBuffer().get(out);
                case "<f8" -> {
                    for (int i = 0; i < out.length; i++) {
                        out[i] = (float) data.getDouble(8 * i);
                    }
                }
                default -> throw new CheckpointFormatException(src, "array " + name + " has dtype " + descr
                        + ", expected <f4 (float32) or <f8 (float64)");
            }
            return out;
        }
    }

    private static Map<String, String> metadata(String src, Array a) throws CheckpointFormatException {
        if (!a.descr.equals("|u1") || a.shape.length != 1) {
            throw new CheckpointFormatException(src, METADATA + " must be a 1-D uint8 array of UTF-8 JSON, got dtype "
                    + a.descr + " and shape " + java.util.Arrays.toString(a.shape));
        }
        byte[] b = new byte[(int) a.count];
        a.data.get(0, b);
        Map<String, String> out = new LinkedHashMap<>();
        try {
            JsonNode o = JSON.readTree(b);
            if (o == null || !o.isObject()) {
                throw new CheckpointFormatException(src, METADATA + " must hold a JSON object");
            }
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                if (!e.getValue().isTextual()) {
                    throw new CheckpointFormatException(src, METADATA + "." + e.getKey() + " must be a string");
                }
                out.put(e.getKey(), e.getValue().textValue());
            }
        } catch (JsonProcessingException e) {
            throw new CheckpointFormatException(src, METADATA + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new CheckpointFormatException(src, METADATA + " cannot be read: " + e.getMessage(), e);
        }
        return out;
    }

    /** Parses an .npy array (format versions 1, 2 and 3), C order only. */
    private static Array parse(String src, String name, byte[] b) throws CheckpointFormatException {
        String where = "array " + name + ": ";
        if (b.length < 10 || !java.util.Arrays.equals(b, 0, 6, MAGIC, 0, 6)) {
            throw new CheckpointFormatException(src, where + "not an .npy array (no \\x93NUMPY magic)");
        }
        int major = b[6];
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength;
        int start;
        if (major == 1) {
            headerLength = Short.toUnsignedInt(buf.getShort(8));
            start = 10;
        } else if ((major == 2 || major == 3) && b.length >= 12) {
            headerLength = Integer.toUnsignedLong(buf.getInt(8));
            start = 12;
        } else {
            throw new CheckpointFormatException(src, where + ".npy format version " + major + " is not supported");
        }
        if (start + headerLength > b.length) {
            throw new CheckpointFormatException(src, where + "header of " + headerLength + " bytes is truncated");
        }
        String header = new String(b, start, (int) headerLength, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new CheckpointFormatException(src, where + "header is not a NumPy array header: "
                    + CheckpointFormatException.cap(header));
        }
        if (d.find() || f.find() || s.find()) { // a dict literal with a key twice: which one would NumPy take?
            throw new CheckpointFormatException(src, where + "header names a key twice: "
                    + CheckpointFormatException.cap(header));
        }
        d.find(0); // back to the one match, for its groups
        f.find(0);
        s.find(0);
        if (f.group(1).equals("True")) {
            throw new CheckpointFormatException(src, where + "Fortran order is not supported (save a C-ordered "
                    + "array: numpy.ascontiguousarray)");
        }
        String descr = d.group(1);
        int size = switch (descr) {
            case "<f4" -> 4;
            case "<f8" -> 8;
            case "|u1", "u1" -> 1;
            default -> throw new CheckpointFormatException(src, where + "dtype " + descr + " is not supported, "
                    + "expected <f4 (float32) or <f8 (float64)");
        };
        String[] dims = s.group(1).split(",");
        java.util.List<Integer> shape = new java.util.ArrayList<>();
        long count = 1;
        for (String dim : dims) {
            if (dim.isBlank()) {
                continue;
            }
            try {
                int n = Integer.parseInt(dim.trim());
                if (n < 0) {
                    throw new NumberFormatException();
                }
                shape.add(n);
                count *= n;
            } catch (NumberFormatException e) {
                throw new CheckpointFormatException(src, where + "shape (" + s.group(1) + ") is not a tuple of "
                        + "sizes");
            }
            if (count > MAX_BYTES) {
                throw new CheckpointFormatException(src, where + "shape (" + s.group(1) + ") is too large");
            }
        }
        long dataStart = start + headerLength;
        if (b.length - dataStart != count * size) {
            throw new CheckpointFormatException(src, where + "holds " + (b.length - dataStart) + " data bytes, its "
                    + "shape (" + s.group(1) + ") of " + descr + " needs " + count * size);
        }
        ByteBuffer data = ByteBuffer.wrap(b, (int) dataStart, (int) (count * size)).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
        return new Array(descr.equals("u1") ? "|u1" : descr, shape.stream().mapToInt(Integer::intValue).toArray(),
                count, data);
    }

    /** An .npy (format 1.0) of the given dtype, shape and little-endian data. */
    static byte[] npy(String descr, int[] shape, byte[] data) {
        StringBuilder dims = new StringBuilder();
        for (int d : shape) {
            dims.append(d).append(", ");
        }
        String tuple = shape.length == 1 ? "(" + shape[0] + ",)" : "(" + (shape.length == 0 ? ""
                : dims.substring(0, dims.length() - 2)) + ")";
        StringBuilder header = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': "
                + tuple + ", }");
        while ((10 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        b.put(header.toString().getBytes(StandardCharsets.ISO_8859_1)).put(data);
        return b.array();
    }

    private static void entry(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        ZipEntry e = new ZipEntry(name + ".npy");
        e.setMethod(ZipEntry.STORED);
        e.setSize(bytes.length);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        e.setCrc(crc.getValue());
        e.setTime(0);
        zip.putNextEntry(e);
        zip.write(bytes);
        zip.closeEntry();
    }
}
