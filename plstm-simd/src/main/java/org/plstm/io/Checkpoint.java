package org.plstm.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.plstm.Check;
import org.plstm.DenseParams;
import org.plstm.GateActivation;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.Tensor;

/**
 * Checkpoints of a classifier's weights ({@link ModelWeights}) and its training state ({@link OptimizerState}) in the
 * <a href="https://huggingface.co/docs/safetensors">safetensors</a> format ({@link Safetensors}), so that any
 * safetensors reader (Python {@code safetensors}, {@code numpy}) can open the weights.
 *
 * <table>
 *   <caption>Tensors (all F32, row-major, Keras layout)</caption>
 *   <tr><th>name</th><th>shape</th><th>content</th></tr>
 *   <tr><td>{@code layers.<k>.kernel}</td><td>{@code [I_k][4H_k]}</td><td>input weights, gate blocks i, f, c, o</td></tr>
 *   <tr><td>{@code layers.<k>.recurrent_kernel}</td><td>{@code [H_k][4H_k]}</td><td>recurrent weights</td></tr>
 *   <tr><td>{@code layers.<k>.bias}</td><td>{@code [4H_k]}</td><td>gate biases</td></tr>
 *   <tr><td>{@code layers.<k>.peephole}</td><td>{@code [3][H_k]}</td><td>only with peepholes: rows i, f, o</td></tr>
 *   <tr><td>{@code layers.<k>.timegate_kernel}</td><td>{@code [3][H_k]}</td><td>rows period, shift, ratio_on, as the
 *       Keras seed (present also when the time gate is off, then unused)</td></tr>
 *   <tr><td>{@code dense.kernel}</td><td>{@code [H_last][C]}</td><td>output layer</td></tr>
 *   <tr><td>{@code dense.bias}</td><td>{@code [C]}</td><td></td></tr>
 *   <tr><td>{@code optimizer.<i>.<slot>}</td><td>shape of trainable tensor {@code i}</td><td>the optimiser's state
 *       for the {@code i}-th tensor of {@link ModelWeights#trainableTensors()} (names listed in the metadata
 *       {@code optimizer.tensors}); slots {@code rms} (RMSprop), {@code m} and {@code v} (Adam), none (SGD); absent
 *       before the first step</td></tr>
 * </table>
 *
 * <p>Metadata (all values strings): {@code format} = {@value #FORMAT}; {@code layers} = {@code N};
 * {@code layers.<k>.config} = the layer configuration as JSON ({@code input_size, hidden_size, peepholes,
 * gate_activation, time_gate, leak, train_period, train_shift, train_ratio_on}); {@code classes} = {@code C};
 * {@code optimizer} (name), {@code optimizer.learning_rate}, {@code optimizer.iterations}, {@code optimizer.tensors}
 * (JSON array of the trainable tensor names, in slot index order) when an optimiser is saved; {@code epoch} =
 * completed epochs; {@code trainer} = a caller-supplied string, stored and returned verbatim (not parsed; by convention
 * JSON, e.g. the training configuration) when given; plus any caller-supplied extra entries; and
 * {@value #INTEGRITY} = the SHA-256 digest of everything else ({@link #digest}). An optimiser's hyperparameters other
 * than the learning rate are the Keras defaults ({@code org.plstm.optim.Optimizer#create}).
 *
 * <p>{@link #save} writes atomically. {@link #load} validates the file ({@link Safetensors#read}), verifies the
 * integrity digest (a file without one, written before plstm stored it, loads with one warning on the
 * {@code org.plstm.io} logger; {@link Loaded#verified()} tells which), then the checkpoint: format tag, every
 * expected tensor present with the expected shape and no other tensor, valid configurations, finite values
 * satisfying the parameter constraints, a consistent optimiser state (a finite, positive learning rate). Every
 * problem is a {@link CheckpointFormatException} naming the file.
 */
public final class Checkpoint {
    /** The value of the {@code format} metadata entry. */
    public static final String FORMAT = "plstm-checkpoint-1";

    /**
     * The metadata key of the integrity digest: {@code "sha256:"} and 64 lowercase hex digits ({@link #digest}).
     * Other safetensors readers ignore it, as they ignore all metadata.
     */
    public static final String INTEGRITY = "integrity";
    /** The form of an {@link #INTEGRITY} value, {@link #digest}'s result. */
    private static final Pattern DIGEST_FORM = Pattern.compile("sha256:[0-9a-f]{64}");

    private static final System.Logger LOG = System.getLogger("org.plstm.io");
    /** Strict where it reads: no text after the JSON value, no duplicate field (Jackson's defaults allow both). */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    /** An integer as {@link #save} writes it: decimal digits, no sign, space or leading zero. */
    private static final Pattern CANONICAL_INT = Pattern.compile("0|[1-9][0-9]*");
    private static final Set<String> RESERVED = Set.of("format", "layers", "classes", "optimizer",
            "optimizer.learning_rate", "optimizer.iterations", "optimizer.tensors", "epoch", "trainer", INTEGRITY);

    private Checkpoint() {
    }

    /**
     * A loaded checkpoint.
     *
     * @param weights   the saved parameters
     * @param optimizer the optimiser state, or {@code null} if none was saved
     * @param epoch     completed epochs
     * @param trainer   the caller's string saved as {@code trainer} (verbatim), or {@code null}
     * @param metadata  all metadata entries of the file (unmodifiable)
     * @param verified  whether the file carried an integrity digest (and it matched: a mismatch is an exception);
     *                  {@code false} for files written before plstm stored one
     */
    public record Loaded(ModelWeights weights, OptimizerState optimizer, long epoch, String trainer,
                         Map<String, String> metadata, boolean verified) {
    }

    /**
     * The names of the slots an optimiser keeps per tensor, in state order ({@link OptimizerState#slotNames}).
     *
     * @param optimizerName the optimiser's name
     * @param perTensor     the number of slots per tensor
     * @return e.g. {@code [rms]} for RMSprop, {@code [m, v]} for Adam, else {@code [0, 1, ...]}
     */
    static List<String> slotNames(String optimizerName, int perTensor) {
        List<String> known = OptimizerState.slotNames(optimizerName);
        if (known != null && known.size() == perTensor) {
            return known;
        }
        List<String> numbered = new ArrayList<>();
        for (int s = 0; s < perTensor; s++) {
            numbered.add(Integer.toString(s));
        }
        return numbered;
    }

    /**
     * Saves a checkpoint atomically (the previous file, if any, stays intact until the new one is complete).
     *
     * @param file      the file to create or replace, conventionally {@code *.safetensors}
     * @param model     the weights
     * @param optimizer the optimiser's state ({@code Optimizer.checkpointState()}), or {@code null} to save weights
     *                  only
     * @param epoch     completed epochs, {@code >= 0}
     * @param trainer   a string describing the training configuration, stored verbatim and not parsed (by
     *                  convention JSON, as the MNIST trainer writes it), or {@code null}
     * @param extra     further metadata entries (keys must not be reserved: {@code format}, {@code layers},
     *                  {@code layers.*}, {@code classes}, {@code optimizer*}, {@code epoch}, {@code trainer},
     *                  {@value #INTEGRITY}); may be empty
     * @throws IOException if writing fails
     * @throws IllegalArgumentException on a null required argument, a negative epoch, a reserved extra key or one
     *     with an unpaired surrogate (load could not read it back), parameters that {@link #load} would reject
     *     (NaN/Inf, a period {@code <= 0}, ratioOn outside {@code (0, 1]})
     *     an optimiser state that does not fit the model, or metadata ({@code trainer}, {@code extra}) beyond the
     *     header size {@link #load} accepts ({@link Safetensors#MAX_HEADER_BYTES}); nothing is written then
     */
    public static void save(Path file, ModelWeights model, OptimizerState optimizer, long epoch, String trainer,
                            Map<String, String> extra) throws IOException {
        Check.notNull("file", file);
        Safetensors.Contents c = contents(model, optimizer, epoch, trainer, extra);
        Safetensors.write(file, new ArrayList<>(c.tensors().values()), c.metadata());
    }

    /**
     * The tensors and metadata of a checkpoint, as {@link #save} writes them (also the content of {@link Npz}
     * files).
     *
     * @throws IllegalArgumentException as {@link #save}
     */
    static Safetensors.Contents contents(ModelWeights model, OptimizerState optimizer, long epoch, String trainer,
                                         Map<String, String> extra) {
        Check.notNull("model", model);
        Check.notNull("extra", extra);
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch: expected >= 0, got " + epoch);
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        int depth = model.layers().size();
        meta.put("layers", Integer.toString(depth));
        List<Tensor> tensors = new ArrayList<>();
        // What load() would reject is not written: a diverged model fails here, not on the next resume.
        model.validate("model");
        for (int k = 0; k < depth; k++) {
            PhasedLstmParams p = model.layers().get(k);
            PhasedLstmConfig c = p.config();
            int in = c.inputSize();
            int h = c.hiddenSize();
            String prefix = "layers." + k + ".";
            meta.put(prefix + "config", configJson(c));
            tensors.add(new Tensor(prefix + "kernel", new int[] {in, 4 * h}, p.kernel()));
            tensors.add(new Tensor(prefix + "recurrent_kernel", new int[] {h, 4 * h}, p.recurrentKernel()));
            tensors.add(new Tensor(prefix + "bias", new int[] {4 * h}, p.bias()));
            if (c.peepholes()) {
                tensors.add(new Tensor(prefix + "peephole", new int[] {3, h}, p.peephole()));
            }
            tensors.add(new Tensor(prefix + "timegate_kernel", new int[] {3, h}, p.timegateKernel()));
        }
        DenseParams d = model.dense();
        meta.put("classes", Integer.toString(d.outputSize()));
        tensors.add(new Tensor("dense.kernel", new int[] {d.inputSize(), d.outputSize()}, d.kernel()));
        tensors.add(new Tensor("dense.bias", new int[] {d.outputSize()}, d.bias()));
        if (optimizer != null) {
            List<Tensor> params = model.trainableTensors();
            List<float[]> state = optimizer.slots();
            meta.put("optimizer", optimizer.name());
            meta.put("optimizer.learning_rate", Double.toString(optimizer.learningRate()));
            meta.put("optimizer.iterations", Long.toString(optimizer.iterations()));
            List<String> names = new ArrayList<>();
            for (Tensor t : params) {
                names.add(t.name());
            }
            meta.put("optimizer.tensors", toJson(names));
            if (!state.isEmpty()) {
                if (state.size() % params.size() != 0) {
                    throw new IllegalArgumentException("optimizer: expected a state of k arrays per tensor for "
                            + params.size() + " tensors, got " + state.size() + " arrays");
                }
                int per = state.size() / params.size();
                List<String> slots = slotNames(optimizer.name(), per);
                for (int i = 0; i < params.size(); i++) {
                    for (int s = 0; s < per; s++) {
                        float[] a = state.get(i * per + s);
                        if (a.length != params.get(i).data().length) {
                            throw new IllegalArgumentException("optimizer: state of " + params.get(i).name()
                                    + " has " + a.length + " elements, expected " + params.get(i).data().length);
                        }
                        checkSlot("optimizer state of " + params.get(i).name() + " (" + slots.get(s) + ")",
                                slots.get(s), a);
                        tensors.add(new Tensor("optimizer." + i + "." + slots.get(s), params.get(i).shape(), a));
                    }
                }
            }
        }
        meta.put("epoch", Long.toString(epoch));
        if (trainer != null) {
            meta.put("trainer", trainer);
        }
        for (Map.Entry<String, String> e : extra.entrySet()) {
            String key = Check.notNull("extra key", e.getKey());
            if (RESERVED.contains(key) || key.startsWith("layers.") || key.startsWith("optimizer.")) {
                throw new IllegalArgumentException("extra: expected keys other than the reserved ones, got " + key);
            }
            checkWellFormed(key);
            meta.put(key, Check.notNull("extra[" + key + "]", e.getValue()));
        }
        meta.put(INTEGRITY, digest(meta, tensors));
        Map<String, Tensor> byName = new LinkedHashMap<>();
        for (Tensor t : tensors) {
            byName.put(t.name(), t);
        }
        return new Safetensors.Contents(byName, meta);
    }

    /**
     * Jackson writes an unpaired surrogate as a backslash-u escape, which it reads back in a value but refuses in a
     * field name: such a key would make a file that {@link #load} rejects.
     */
    private static void checkWellFormed(String key) {
        for (int i = 0; i < key.length(); i++) {
            char ch = key.charAt(i);
            if (Character.isHighSurrogate(ch) && i + 1 < key.length() && Character.isLowSurrogate(key.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(ch)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "extra: expected keys of well-formed "
                        + "UTF-16, got one with an unpaired surrogate U+%04X at index %d", (int) ch, i));
            }
        }
    }

    /**
     * Loads and validates a checkpoint (see the class comment).
     *
     * @param file the checkpoint
     * @return the classifier, optimiser state, epoch and metadata
     * @throws CheckpointFormatException if the file is not a valid checkpoint; the message names the file and the
     *     problem
     * @throws IOException if it cannot be read
     */
    public static Loaded load(Path file) throws IOException {
        Check.notNull("file", file);
        return fromContents(file.toString(), Safetensors.read(file), true);
    }

    /**
     * Validates the content of a checkpoint read from {@code src} (see the class comment): {@link #load} after
     * reading, and {@link Npz#load} (an interchange format whose arrays users may edit: {@code integrity} false
     * ignores the digest).
     */
    static Loaded fromContents(String src, Safetensors.Contents contents, boolean integrity)
            throws CheckpointFormatException {
        Map<String, String> meta = contents.metadata();
        boolean verified = integrity && verify(src, contents);
        Map<String, Tensor> tensors = new LinkedHashMap<>(contents.tensors());
        String format = meta.get("format");
        if (!FORMAT.equals(format)) {
            throw new CheckpointFormatException(src, "metadata format is " + (format == null ? "missing"
                    : "'" + format + "'") + ", expected '" + FORMAT + "' (not a plstm checkpoint?)");
        }
        int depth = intEntry(src, meta, "layers", 1, 10_000);
        List<PhasedLstmParams> layers = new ArrayList<>();
        for (int k = 0; k < depth; k++) {
            String prefix = "layers." + k + ".";
            PhasedLstmConfig c = parseConfig(src, prefix + "config", required(src, meta, prefix + "config"));
            int in = c.inputSize();
            int h = c.hiddenSize();
            // Shapes first: the sizes in the metadata are only trusted once the file holds tensors that big, so a
            // small file with a bogus header cannot make us allocate gigabytes.
            requireShape(src, tensors, prefix + "kernel", new int[] {in, 4 * h});
            requireShape(src, tensors, prefix + "recurrent_kernel", new int[] {h, 4 * h});
            PhasedLstmParams p = new PhasedLstmParams(c);
            copy(src, tensors, prefix + "kernel", new int[] {in, 4 * h}, p.kernel());
            copy(src, tensors, prefix + "recurrent_kernel", new int[] {h, 4 * h}, p.recurrentKernel());
            copy(src, tensors, prefix + "bias", new int[] {4 * h}, p.bias());
            if (c.peepholes()) {
                copy(src, tensors, prefix + "peephole", new int[] {3, h}, p.peephole());
            }
            float[] tg = new float[3 * h];
            copy(src, tensors, prefix + "timegate_kernel", new int[] {3, h}, tg);
            System.arraycopy(tg, 0, p.period(), 0, h);
            System.arraycopy(tg, h, p.shift(), 0, h);
            System.arraycopy(tg, 2 * h, p.ratioOn(), 0, h);
            try {
                p.validate(prefix.substring(0, prefix.length() - 1));
            } catch (IllegalArgumentException e) {
                throw new CheckpointFormatException(src, "invalid parameter values: " + e.getMessage(), e);
            }
            layers.add(p);
        }
        int classes = intEntry(src, meta, "classes", 1, Integer.MAX_VALUE);
        int last = layers.get(depth - 1).config().hiddenSize();
        requireShape(src, tensors, "dense.kernel", new int[] {last, classes});
        DenseParams dense = new DenseParams(last, classes);
        copy(src, tensors, "dense.kernel", new int[] {last, classes}, dense.kernel());
        copy(src, tensors, "dense.bias", new int[] {classes}, dense.bias());
        try {
            dense.validate("dense");
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(src, "invalid parameter values: " + e.getMessage(), e);
        }
        ModelWeights model;
        try {
            model = new ModelWeights(layers, dense);
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(src, "inconsistent layer sizes: " + e.getMessage(), e);
        }
        OptimizerState opt = loadOptimizer(src, meta, tensors, model);
        if (!tensors.isEmpty()) {
            throw new CheckpointFormatException(src, tensors.size() + " unexpected tensor(s) "
                    + firstNames(tensors.keySet(), 10));
        }
        long epoch = longEntry(src, meta, "epoch");
        return new Loaded(model, opt, epoch, meta.get("trainer"), meta, verified);
    }

    private static OptimizerState loadOptimizer(String src, Map<String, String> meta, Map<String, Tensor> tensors,
                                                ModelWeights model) throws CheckpointFormatException {
        String name = meta.get("optimizer");
        if (name == null) {
            for (String t : tensors.keySet()) {
                if (t.startsWith("optimizer.")) {
                    throw new CheckpointFormatException(src, "tensor " + t + " without optimizer metadata");
                }
            }
            return null;
        }
        double lr;
        try {
            lr = Double.parseDouble(required(src, meta, "optimizer.learning_rate"));
        } catch (NumberFormatException e) {
            throw new CheckpointFormatException(src, "optimizer.learning_rate is not a number: "
                    + meta.get("optimizer.learning_rate"));
        }
        long iterations = longEntry(src, meta, "optimizer.iterations");
        List<Tensor> params = model.trainableTensors();
        List<String> expectedNames = new ArrayList<>();
        for (Tensor t : params) {
            expectedNames.add(t.name());
        }
        String savedNames = required(src, meta, "optimizer.tensors");
        if (!savedNames.equals(toJson(expectedNames))) {
            throw new CheckpointFormatException(src, "optimizer.tensors is " + savedNames + ", expected "
                    + toJson(expectedNames) + " for this model");
        }
        if (OptimizerState.slotNames(name) == null) {
            throw new CheckpointFormatException(src, "invalid optimizer: expected rmsprop, adam or sgd, got " + name);
        }
        int total = 0;
        for (String t : tensors.keySet()) {
            total += t.startsWith("optimizer.") ? 1 : 0;
        }
        if (total % params.size() != 0) {
            throw new CheckpointFormatException(src, "found " + total + " optimizer tensors, expected a multiple of "
                    + params.size() + " (the trainable tensors)");
        }
        List<String> expectedSlots = OptimizerState.slotNames(name);
        if (total > 0 && total != expectedSlots.size() * params.size()) {
            throw new CheckpointFormatException(src, "found " + total + " optimizer tensors, expected "
                    + expectedSlots.size() * params.size() + " for " + name + " (" + expectedSlots + " per trainable "
                    + "tensor)");
        }
        if (iterations > MAX_ITERATIONS) {
            throw new CheckpointFormatException(src, "optimizer.iterations is " + iterations + ", expected at most "
                    + "2^53");
        }
        List<float[]> slots = new ArrayList<>();
        for (int i = 0; i < params.size() && total > 0; i++) {
            for (String s : expectedSlots) {
                float[] a = new float[params.get(i).data().length];
                String key = "optimizer." + i + "." + s;
                copy(src, tensors, key, params.get(i).shape(), a);
                try {
                    checkSlot(key, s, a);
                } catch (IllegalArgumentException e) {
                    throw new CheckpointFormatException(src, "invalid optimizer state: " + e.getMessage(), e);
                }
                slots.add(a);
            }
        }
        try {
            return new OptimizerState(name, lr, iterations, slots);
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(src, "invalid optimizer: " + e.getMessage(), e);
        }
    }

    /** The largest step count a state may hold: beyond it the step count is not exact as a double. */
    private static final long MAX_ITERATIONS = 1L << 53;

    /**
     * A slot's values: finite, and non-negative for a running mean of squared gradients (a negative one would turn
     * the weights into NaN at the next step).
     */
    private static void checkSlot(String name, String slot, float[] a) {
        Check.finite(name, a);
        if (OptimizerState.nonNegative(slot)) {
            for (int e = 0; e < a.length; e++) {
                if (a[e] < 0) {
                    throw new IllegalArgumentException(name + ": expected values >= 0 (a mean of squared gradients), "
                            + "got " + a[e] + " at flat index " + e);
                }
            }
        }
    }

    private static void copy(String src, Map<String, Tensor> tensors, String name, int[] shape, float[] dst)
            throws CheckpointFormatException {
        Tensor t = requireShape(src, tensors, name, shape);
        tensors.remove(name);
        System.arraycopy(t.data(), 0, dst, 0, dst.length);
    }

    private static Tensor requireShape(String src, Map<String, Tensor> tensors, String name, int[] shape)
            throws CheckpointFormatException {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new CheckpointFormatException(src, "missing tensor " + name);
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new CheckpointFormatException(src, "tensor " + name + " has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(shape));
        }
        return t;
    }

    private static String required(String src, Map<String, String> meta, String key)
            throws CheckpointFormatException {
        String v = meta.get(key);
        if (v == null) {
            throw new CheckpointFormatException(src, "missing metadata entry " + key);
        }
        return v;
    }

    private static int intEntry(String src, Map<String, String> meta, String key, int min, int max)
            throws CheckpointFormatException {
        String v = required(src, meta, key);
        try {
            if (!CANONICAL_INT.matcher(v).matches()) {
                throw new NumberFormatException();
            }
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new CheckpointFormatException(src, "metadata " + key + " must be an integer in [" + min + ", " + max
                    + "], got '" + v + "'");
        }
    }

    private static long longEntry(String src, Map<String, String> meta, String key) throws CheckpointFormatException {
        String v = required(src, meta, key);
        try {
            if (!CANONICAL_INT.matcher(v).matches()) {
                throw new NumberFormatException();
            }
            long n = Long.parseLong(v);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new CheckpointFormatException(src, "metadata " + key + " must be an integer >= 0, got '" + v + "'");
        }
    }

    /**
     * The integrity digest of a checkpoint's content: SHA-256 over a canonical encoding of every metadata entry
     * except {@value #INTEGRITY} (sorted by key) and every tensor (sorted by name: its name, shape and the
     * little-endian bits of its values). It depends on the content only, not on the header's layout, so it detects a
     * flipped data byte, an edited metadata value, or two tensors whose offsets were swapped.
     *
     * @param metadata the metadata entries (an {@value #INTEGRITY} entry among them is ignored)
     * @param tensors  the tensors
     * @return {@code "sha256:"} followed by 64 lowercase hex digits
     * @throws IllegalArgumentException if an argument is null
     */
    public static String digest(Map<String, String> metadata, Collection<Tensor> tensors) {
        Check.notNull("metadata", metadata);
        Check.notNull("tensors", tensors);
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        ByteBuffer word = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        digestText(sha, word, "plstm-integrity-1");
        List<String> keys = new ArrayList<>(metadata.keySet());
        Collections.sort(keys);
        digestLong(sha, word, keys.size() - (metadata.containsKey(INTEGRITY) ? 1 : 0));
        for (String k : keys) {
            if (!k.equals(INTEGRITY)) {
                digestText(sha, word, k);
                digestText(sha, word, metadata.get(k));
            }
        }
        List<Tensor> sorted = new ArrayList<>(tensors);
        sorted.sort(java.util.Comparator.comparing(Tensor::name));
        digestLong(sha, word, sorted.size());
        ByteBuffer data = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor t : sorted) {
            digestText(sha, word, t.name());
            digestLong(sha, word, t.shape().length);
            for (int d : t.shape()) {
                digestLong(sha, word, d);
            }
            float[] v = t.data();
            digestLong(sha, word, v.length);
            for (int from = 0; from < v.length; from += data.capacity() / 4) {
                int n = Math.min(data.capacity() / 4, v.length - from);
                data.clear();
                data.asFloatBuffer().put(v, from, n);
                sha.update(data.array(), 0, 4 * n);
            }
        }
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }

    private static void digestLong(MessageDigest sha, ByteBuffer word, long v) {
        word.clear();
        word.putLong(v);
        sha.update(word.array(), 0, 8);
    }

    private static void digestText(MessageDigest sha, ByteBuffer word, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        digestLong(sha, word, b.length);
        sha.update(b);
    }

    /**
     * Checks a file's integrity digest, if it has one; a file without one (written before plstm stored it) loads
     * with one warning on the {@code org.plstm.io} logger, unless another entry holds a value of the digest's form
     * (the key damaged, e.g. one flipped bit: it is refused rather than loaded unverified).
     *
     * @return whether a digest was present (and matched)
     */
    private static boolean verify(String src, Safetensors.Contents contents) throws CheckpointFormatException {
        String recorded = contents.metadata().get(INTEGRITY);
        if (recorded == null) {
            for (Map.Entry<String, String> e : contents.metadata().entrySet()) {
                if (DIGEST_FORM.matcher(e.getValue()).matches()) { // a damaged key, not a file from before digests
                    throw new CheckpointFormatException(src, "no '" + INTEGRITY + "' entry, but the entry '"
                            + e.getKey() + "' holds a digest: the file was damaged or edited after it was saved (use "
                            + "a backup copy or retrain)");
                }
            }
            LOG.log(System.Logger.Level.WARNING, src + ": no integrity digest (a checkpoint written before plstm "
                    + "stored one): loaded without verification; saving it again adds one");
            return false;
        }
        String actual = digest(contents.metadata(), contents.tensors().values());
        if (!actual.equals(recorded)) {
            throw new CheckpointFormatException(src, "integrity check failed: the content's digest is " + actual
                    + ", the file records '" + recorded + "' (the file was damaged or edited after it was saved; "
                    + "use a backup copy or retrain)");
        }
        return true;
    }

    /** The first {@code max} names and how many more there are, for messages. */
    static String firstNames(Collection<String> names, int max) {
        StringBuilder sb = new StringBuilder("[");
        int i = 0;
        for (String n : names) {
            if (i == max) {
                sb.append(", ... ").append(names.size() - max).append(" more");
                break;
            }
            sb.append(i == 0 ? "" : ", ").append(n.length() > 100 ? n.substring(0, 100) + "..." : n);
            i++;
        }
        return sb.append(']').toString();
    }

    /**
     * The JSON form of a layer configuration stored in {@code layers.<k>.config}.
     *
     * @param c the configuration
     * @return e.g. {@code {"input_size":1,"hidden_size":32,"peepholes":false,"gate_activation":"sigmoid",...}}
     */
    public static String configJson(PhasedLstmConfig c) {
        Check.notNull("config", c);
        ObjectNode o = JSON.createObjectNode();
        o.put("input_size", c.inputSize());
        o.put("hidden_size", c.hiddenSize());
        o.put("peepholes", c.peepholes());
        o.put("gate_activation", c.gateActivation().kerasName());
        o.put("time_gate", c.timeGate());
        o.put("leak", c.leak());
        o.put("train_period", c.trainPeriod());
        o.put("train_shift", c.trainShift());
        o.put("train_ratio_on", c.trainRatioOn());
        return o.toString();
    }

    /** The fields {@link #configJson} writes, in its order: {@link #parseConfig} accepts these and no other. */
    private static final List<String> CONFIG_FIELDS = fieldNames(configJson(PhasedLstmConfig.builder(1, 1).build()));

    private static List<String> fieldNames(String json) {
        List<String> names = new ArrayList<>();
        try {
            JSON.readTree(json).fieldNames().forEachRemaining(names::add);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("configJson writes JSON", e);
        }
        return List.copyOf(names);
    }

    /**
     * Parses {@link #configJson}'s format; every field is required.
     *
     * @param src  file name for messages
     * @param key  metadata key for messages
     * @param json the JSON text
     * @return the configuration
     * @throws CheckpointFormatException if the JSON is malformed (trailing text and duplicate fields included), a
     *     field is missing, unknown or of the wrong type, or the configuration is invalid
     */
    static PhasedLstmConfig parseConfig(String src, String key, String json) throws CheckpointFormatException {
        JsonNode o;
        try {
            o = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new CheckpointFormatException(src, key + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (o == null || !o.isObject()) {
            throw new CheckpointFormatException(src, key + " must be a JSON object, got " + json);
        }
        for (Iterator<String> names = o.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!CONFIG_FIELDS.contains(name)) {
                throw new CheckpointFormatException(src, key + " has the unknown field " + name + ", expected only "
                        + CONFIG_FIELDS);
            }
        }
        try {
            return new PhasedLstmConfig(intField(src, key, o, "input_size"), intField(src, key, o, "hidden_size"),
                    boolField(src, key, o, "peepholes"),
                    gateActivation(src, key, textField(src, key, o, "gate_activation")),
                    boolField(src, key, o, "time_gate"), numberField(src, key, o, "leak"),
                    boolField(src, key, o, "train_period"), boolField(src, key, o, "train_shift"),
                    boolField(src, key, o, "train_ratio_on"));
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(src, key + " is invalid: " + e.getMessage(), e);
        }
    }

    /** The gate activation exactly as {@link #configJson} writes it ({@code sigmoid}, {@code hard_sigmoid}). */
    private static GateActivation gateActivation(String src, String key, String text)
            throws CheckpointFormatException {
        for (GateActivation g : GateActivation.values()) {
            if (g.kerasName().equals(text)) {
                return g;
            }
        }
        throw new CheckpointFormatException(src, key + " has gate_activation '" + text + "', expected one of "
                + Arrays.stream(GateActivation.values()).map(GateActivation::kerasName).toList());
    }

    private static JsonNode field(String src, String key, JsonNode o, String name) throws CheckpointFormatException {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) {
            throw new CheckpointFormatException(src, key + " lacks the field " + name);
        }
        return v;
    }

    private static int intField(String src, String key, JsonNode o, String name) throws CheckpointFormatException {
        JsonNode v = field(src, key, o, name);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new CheckpointFormatException(src, key + "." + name + " must be an integer, got " + v);
        }
        return v.intValue();
    }

    private static boolean boolField(String src, String key, JsonNode o, String name)
            throws CheckpointFormatException {
        JsonNode v = field(src, key, o, name);
        if (!v.isBoolean()) {
            throw new CheckpointFormatException(src, key + "." + name + " must be true or false, got " + v);
        }
        return v.booleanValue();
    }

    private static double numberField(String src, String key, JsonNode o, String name)
            throws CheckpointFormatException {
        JsonNode v = field(src, key, o, name);
        if (!v.isNumber()) {
            throw new CheckpointFormatException(src, key + "." + name + " must be a number, got " + v);
        }
        return v.doubleValue();
    }

    private static String textField(String src, String key, JsonNode o, String name)
            throws CheckpointFormatException {
        JsonNode v = field(src, key, o, name);
        if (!v.isTextual()) {
            throw new CheckpointFormatException(src, key + "." + name + " must be a string, got " + v);
        }
        return v.textValue();
    }

    private static String toJson(List<String> names) {
        try {
            return JSON.writeValueAsString(names);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the keys {@link #save} reserves for itself (besides those starting with {@code layers.} and
     *     {@code optimizer.}) */
    public static Set<String> reservedKeys() {
        return Collections.unmodifiableSet(new HashSet<>(RESERVED));
    }
}
