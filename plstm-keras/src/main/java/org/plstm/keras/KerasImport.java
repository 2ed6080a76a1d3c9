package org.plstm.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.object.message.DataLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.plstm.Check;
import org.plstm.DenseParams;
import org.plstm.GateActivation;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.inference.PhasedLstmModel;

/**
 * Imports a model trained with the Keras {@code PhasedLSTM} layer (fferroni/PhasedLSTM-Keras, Keras 2 API) from the
 * HDF5 file Keras writes, into a {@link PhasedLstmModel} that predicts what the Keras model predicts.
 *
 * <p>Accepted files: {@code model.save_weights(path)} (layer groups at the root) and {@code model.save(path)} (a
 * {@code model_config} attribute and a {@code model_weights} group), of a model made of stacked {@code PhasedLSTM}
 * layers (the last one returning its final state), optionally followed by one {@code Dense} layer with a softmax;
 * layers without weights (the input layer) are skipped. Per layer the weights are {@code kernel [I][4H]},
 * {@code recurrent_kernel [H][4H]}, {@code bias [4H]} (gate blocks i, f, c, o: the same layout as plstm's) and
 * {@code timegate_kernel [3][H]} (rows period, shift, r_on); the dense layer's {@code kernel [H][C]} and
 * {@code bias [C]}. Values are read as float32. The file is read into memory whole: one larger than half the maximum
 * heap (or 2 GB) is refused with a {@link KerasFormatException}.
 *
 * <p>Semantics, as the Keras layer computes them: the gates use the layer's {@code recurrent_activation}
 * ({@code hard_sigmoid}, {@code clip(0.2·x + 0.5, 0, 1)}, by default; {@code sigmoid} is supported), the candidate
 * and output {@code tanh}; the closed time gate keeps the leak {@code alpha} (0.001 by default) also when
 * predicting, so the model returned {@link PhasedLstmModel#keepsLeak() keeps the leak} and predicts batches on the
 * dense path (for event-driven streaming, rebuild it without the leak: {@code PhasedLstmModel.of(l.layers(),
 * l.head())} with {@code l} from {@link #layers}). The layer counts time in steps {@code t = 1, 2, ..., T}: pass
 * {@link #stepTimes} as the timestamps to reproduce that, or your own timestamps (in the unit of the periods) for
 * irregular events. A {@code save_weights} file holds no configuration: {@link #load(Path, GateActivation, double)}
 * says which activation and leak the layers were built with. At {@code phi = r_on} exactly the Keras layer's gate is
 * 0 where plstm's is {@code alpha·r_on} (a boundary of measure zero).
 *
 * <p>Thread-safe (stateless).
 */
public final class KerasImport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private KerasImport() {
    }

    /**
     * The layers and head of an imported model.
     *
     * @param layers the {@code PhasedLSTM} layers, bottom first (their configurations carry the gate activation
     *               and the leak)
     * @param head   the dense softmax head, or {@code null} if the model has none
     */
    public record Layers(List<PhasedLstmParams> layers, DenseParams head) {
        /** Copies the list. */
        public Layers {
            layers = List.copyOf(layers);
        }

        /** @return a model of these layers that keeps the leak while gates are closed, as Keras predicts */
        public PhasedLstmModel model() {
            return PhasedLstmModel.of(layers, head).keepingLeak();
        }
    }

    /**
     * Loads a Keras HDF5 file with the layer's defaults for what a weights-only file does not say
     * ({@code hard_sigmoid}, {@code alpha = 0.001}); a full-model file's configuration overrides them.
     *
     * @param h5 the {@code .h5} file
     * @return a model that predicts what the Keras model predicts ({@link PhasedLstmModel#keepsLeak()})
     * @throws IOException if the file cannot be read, is not HDF5, or is not a Keras model of PhasedLSTM layers and
     *     at most one dense softmax head ({@link KerasFormatException}, naming the file and the problem)
     * @throws IllegalArgumentException if {@code h5} is null
     */
    public static PhasedLstmModel load(Path h5) throws IOException {
        return load(h5, GateActivation.HARD_SIGMOID, 0.001);
    }

    /**
     * Loads a Keras HDF5 file.
     *
     * @param h5          the {@code .h5} file
     * @param gates       the layers' {@code recurrent_activation} when the file has no configuration
     * @param defaultLeak the layers' {@code alpha} when the file has no configuration, in {@code [0, 1]}
     * @return a model that predicts what the Keras model predicts ({@link PhasedLstmModel#keepsLeak()})
     * @throws IOException as {@link #load(Path)}
     * @throws IllegalArgumentException on a null argument or a leak outside {@code [0, 1]}
     */
    public static PhasedLstmModel load(Path h5, GateActivation gates, double defaultLeak) throws IOException {
        return layers(h5, gates, defaultLeak).model();
    }

    /**
     * Reads the layers of a Keras HDF5 file (see {@link #load(Path, GateActivation, double)}).
     *
     * @param h5          the file
     * @param gates       the gate activation when the file has no configuration
     * @param defaultLeak the leak when the file has no configuration, in {@code [0, 1]}
     * @return the layers and the head
     * @throws IOException as {@link #load(Path)}
     * @throws IllegalArgumentException on a null argument or a leak outside {@code [0, 1]}
     */
    public static Layers layers(Path h5, GateActivation gates, double defaultLeak) throws IOException {
        Check.notNull("h5", h5);
        Check.notNull("gates", gates);
        if (!(defaultLeak >= 0 && defaultLeak <= 1)) {
            throw new IllegalArgumentException("defaultLeak: expected a value in [0, 1], got " + defaultLeak);
        }
        if (!Files.exists(h5)) {
            throw new NoSuchFileException(h5.toString());
        }
        if (!Files.isRegularFile(h5)) {
            throw new KerasFormatException(h5, "not a regular file");
        }
        String src = h5.toString();
        // jhdf reads a file through its FileChannel into buffers as large as the size fields of the file's structure
        // say, in a loop that rereads the same offset until the buffer is full (0.9.4): a damaged object header of a
        // 195-byte file took 4.9 million reads and 10 s. From the bytes in memory the same field fails at once.
        long size = Files.size(h5);
        long limit = Math.min(Integer.MAX_VALUE - 8L, Runtime.getRuntime().maxMemory() / 2);
        if (size > limit) {
            throw new KerasFormatException(h5, "file of " + size + " bytes, expected at most " + limit + " (this "
                    + "reader holds the file in memory, up to half the heap: a larger -Xmx reads larger files)");
        }
        try (HdfFile file = HdfFile.fromBytes(Files.readAllBytes(h5))) {
            Map<String, JsonNode> configs = modelConfig(src, file);
            Group weights = file;
            Node mw = file.getChildren().get("model_weights");
            if (mw instanceof Group g) {
                weights = g;
            }
            List<PhasedLstmParams> layers = new ArrayList<>();
            DenseParams head = null;
            for (String name : strings(src, weights, "layer_names")) {
                Node node = weights.getChildren().get(name);
                if (!(node instanceof Group layer)) {
                    throw new KerasFormatException(h5, "layer '" + name + "' is listed in layer_names but has no "
                            + "group");
                }
                Map<String, float[]> values = new LinkedHashMap<>();
                Map<String, int[]> shapes = new LinkedHashMap<>();
                for (String w : strings(src, layer, "weight_names")) {
                    Node d = layer.getByPath(w);
                    if (!(d instanceof Dataset ds)) {
                        throw new KerasFormatException(h5, "weight " + w + " of layer '" + name + "' is missing");
                    }
                    String key = w.substring(w.lastIndexOf('/') + 1).replaceFirst(":\\d+$", "");
                    values.put(key, floats(src, w, ds));
                    shapes.put(key, ds.getDimensions());
                }
                if (values.isEmpty()) {
                    continue; // an input layer
                }
                if (head != null) {
                    throw new KerasFormatException(h5, "layer '" + name + "' follows the dense head; expected the "
                            + "dense layer to be the last");
                }
                if (values.containsKey("timegate_kernel")) {
                    layers.add(plstm(h5, name, values, shapes, configs.get(name), gates, defaultLeak));
                } else if (values.keySet().equals(java.util.Set.of("kernel", "bias")) && !layers.isEmpty()) {
                    head = dense(h5, name, values, shapes, configs.get(name));
                } else {
                    throw new KerasFormatException(h5, "layer '" + name + "' with weights " + values.keySet()
                            + " is not supported: expected PhasedLSTM layers (kernel, recurrent_kernel, bias, "
                            + "timegate_kernel) and at most one Dense head after them");
                }
            }
            if (layers.isEmpty()) {
                throw new KerasFormatException(h5, "no PhasedLSTM layer (a layer with a timegate_kernel) found");
            }
            try {
                PhasedLstmModel.of(layers, head); // sizes chain, values valid
            } catch (IllegalArgumentException e) {
                throw new KerasFormatException(h5, e.getMessage());
            }
            return new Layers(layers, head);
        } catch (KerasFormatException e) {
            throw e;
        } catch (RuntimeException e) { // jhdf's exceptions for files that are not HDF5 or are damaged
            throw new KerasFormatException(h5, "not a readable HDF5 file (" + e.getMessage() + ")", e);
        } catch (OutOfMemoryError e) {
            // Read from a file, jhdf (0.9.4) sized buffers of the file's structure (object headers) from size fields
            // in the file; from the bytes in memory it takes views instead. Kept as a guard for any other allocation
            // jhdf sizes from a field of the file: one such buffer of gigabytes fails at once, with the rest of the
            // heap untouched. The weights themselves are bounded above (floats).
            throw new KerasFormatException(h5, "not a readable HDF5 file: reading its structure asked for more memory "
                    + "than the heap has (" + e.getMessage() + "), the mark of a damaged size field in a "
                    + Files.size(h5) + "-byte file");
        }
    }

    /**
     * The timestamps the Keras layer uses: {@code t = 1, 2, ..., steps} for every sample.
     *
     * @param batch samples, {@code >= 1}
     * @param steps steps per sample, {@code >= 1}
     * @return {@code [batch][steps]} row-major, for {@code SequenceBatch.of}
     * @throws IllegalArgumentException if a size is below 1
     */
    public static double[] stepTimes(int batch, int steps) {
        if (batch < 1 || steps < 1) {
            throw new IllegalArgumentException("batch, steps: expected >= 1, got " + batch + ", " + steps);
        }
        double[] t = new double[Math.multiplyExact(batch, steps)];
        for (int n = 0; n < t.length; n++) {
            t[n] = n % steps + 1;
        }
        return t;
    }

    /** The layer configurations of a full-model file by layer name; empty for a weights-only file. */
    private static Map<String, JsonNode> modelConfig(String src, HdfFile file) throws KerasFormatException {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        Attribute a = file.getAttribute("model_config");
        if (a == null) {
            return out;
        }
        Object data = a.getData();
        String json = data instanceof String s ? s : data instanceof String[] arr && arr.length == 1 ? arr[0] : null;
        if (json == null) {
            throw new KerasFormatException(Path.of(src), "model_config is not a JSON string");
        }
        try {
            JsonNode root = JSON.readTree(json);
            for (JsonNode layer : root.path("config").path("layers")) {
                JsonNode config = layer.path("config");
                String name = config.path("name").asText(layer.path("name").asText(""));
                out.put(name, config);
            }
        } catch (IOException e) {
            throw new KerasFormatException(Path.of(src), "model_config is not valid JSON: " + e.getMessage(), e);
        }
        return out;
    }

    private static PhasedLstmParams plstm(Path h5, String name, Map<String, float[]> v, Map<String, int[]> shapes,
                                          JsonNode config, GateActivation gates, double leak)
            throws KerasFormatException {
        for (String w : List.of("kernel", "recurrent_kernel", "bias")) {
            if (!v.containsKey(w)) {
                throw new KerasFormatException(h5, "PhasedLSTM layer '" + name + "' lacks its " + w);
            }
        }
        int[] k = shapes.get("kernel");
        if (k.length != 2 || k[1] % 4 != 0) {
            throw new KerasFormatException(h5, "layer '" + name + "': kernel has shape " + Arrays.toString(k)
                    + ", expected [I][4H]");
        }
        int in = k[0];
        int h = k[1] / 4;
        expect(h5, name, "recurrent_kernel", shapes, h, 4 * h);
        expect(h5, name, "bias", shapes, 4 * h);
        expect(h5, name, "timegate_kernel", shapes, 3, h);
        GateActivation act = gates;
        double alpha = leak;
        if (config != null) {
            String activation = config.path("activation").asText("tanh");
            if (!activation.equals("tanh")) {
                throw new KerasFormatException(h5, "layer '" + name + "': activation " + activation
                        + " is not supported, expected tanh");
            }
            if (!config.path("use_bias").asBoolean(true)) {
                throw new KerasFormatException(h5, "layer '" + name + "': use_bias false is not supported");
            }
            JsonNode ra = config.path("recurrent_activation");
            String gate = ra.isTextual() ? ra.asText() : ra.path("class_name").asText(ra.path("config")
                    .path("name").asText("hard_sigmoid"));
            try {
                act = ra.isMissingNode() ? gates : GateActivation.fromKerasName(gate);
            } catch (IllegalArgumentException e) {
                throw new KerasFormatException(h5, "layer '" + name + "': recurrent_activation " + gate
                        + " is not supported, expected hard_sigmoid or sigmoid");
            }
            alpha = config.path("alpha").asDouble(leak);
        }
        PhasedLstmParams p;
        try {
            p = new PhasedLstmParams(PhasedLstmConfig.builder(in, h).gateActivation(act).leak(alpha).build());
        } catch (IllegalArgumentException e) {
            throw new KerasFormatException(h5, "layer '" + name + "': " + e.getMessage());
        }
        System.arraycopy(v.get("kernel"), 0, p.kernel(), 0, in * 4 * h);
        System.arraycopy(v.get("recurrent_kernel"), 0, p.recurrentKernel(), 0, h * 4 * h);
        System.arraycopy(v.get("bias"), 0, p.bias(), 0, 4 * h);
        float[] tg = v.get("timegate_kernel");
        System.arraycopy(tg, 0, p.period(), 0, h);
        System.arraycopy(tg, h, p.shift(), 0, h);
        System.arraycopy(tg, 2 * h, p.ratioOn(), 0, h);
        try {
            p.validate(name);
        } catch (IllegalArgumentException e) {
            throw new KerasFormatException(h5, "layer '" + name + "' cannot be imported: " + e.getMessage());
        }
        return p;
    }

    private static DenseParams dense(Path h5, String name, Map<String, float[]> v, Map<String, int[]> shapes,
                                     JsonNode config) throws KerasFormatException {
        int[] k = shapes.get("kernel");
        if (k.length != 2) {
            throw new KerasFormatException(h5, "dense layer '" + name + "': kernel has shape " + Arrays.toString(k)
                    + ", expected [H][C]");
        }
        expect(h5, name, "bias", shapes, k[1]);
        if (config != null && !config.path("activation").asText("softmax").equals("softmax")) {
            throw new KerasFormatException(h5, "dense layer '" + name + "': activation "
                    + config.path("activation").asText() + " is not supported, expected softmax");
        }
        DenseParams d = new DenseParams(k[0], k[1]);
        System.arraycopy(v.get("kernel"), 0, d.kernel(), 0, k[0] * k[1]);
        System.arraycopy(v.get("bias"), 0, d.bias(), 0, k[1]);
        return d;
    }

    private static void expect(Path h5, String layer, String weight, Map<String, int[]> shapes, int... shape)
            throws KerasFormatException {
        int[] got = shapes.get(weight);
        if (got == null || !Arrays.equals(got, shape)) {
            throw new KerasFormatException(h5, "layer '" + layer + "': " + weight + " has shape "
                    + (got == null ? "none (missing)" : Arrays.toString(got)) + ", expected " + Arrays.toString(shape));
        }
    }

    private static List<String> strings(String src, Node node, String attribute) throws KerasFormatException {
        Attribute a = node.getAttributes().get(attribute);
        if (a == null) {
            throw new KerasFormatException(Path.of(src), node.getPath() + " has no attribute " + attribute
                    + " (not a file written by Keras' save or save_weights?)");
        }
        if (a.isEmpty()) {
            return List.of();
        }
        long bytes = declaredBytes(a.getDimensions(), a.getDataType().getSize());
        long file = node.getHdfFile().size();
        if (bytes > file) { // a damaged dataspace: reading it would allocate what the file cannot hold
            throw new KerasFormatException(Path.of(src), node.getPath() + " attribute " + attribute + " declares "
                    + Arrays.toString(a.getDimensions()) + " elements (" + bytes + " bytes), more than the file's "
                    + file + " bytes: the file is damaged");
        }
        Object data = a.getData();
        if (data instanceof String[] arr) {
            return List.of(arr);
        }
        if (data instanceof String s) {
            return List.of(s);
        }
        throw new KerasFormatException(Path.of(src), node.getPath() + " attribute " + attribute
                + " is not a list of strings");
    }

    /** Elements times element size, {@code Long.MAX_VALUE} when that overflows or a dimension is negative. */
    private static long declaredBytes(int[] dims, long elementSize) {
        long n = Math.max(elementSize, 1);
        try {
            for (int d : dims) {
                if (d < 0) {
                    return Long.MAX_VALUE;
                }
                n = Math.multiplyExact(n, d);
            }
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
        return n;
    }

    /**
     * A weight's values as float32. Its declared size is checked before anything is read: a damaged file whose
     * dataspace claims more than the file holds (for data stored as it is, not in compressed chunks) or more than a
     * quarter of the heap is a {@link KerasFormatException}, not an {@link OutOfMemoryError}.
     */
    private static float[] floats(String src, String name, Dataset d) throws KerasFormatException {
        long bytes = declaredBytes(d.getDimensions(), d.getDataType().getSize());
        long file = d.getHdfFile().size();
        long limit = Math.min(Integer.MAX_VALUE - 8L, Runtime.getRuntime().maxMemory() / 4);
        boolean stored = d.getDataLayout() != DataLayout.CHUNKED; // contiguous or compact: the bytes are in the file
        if ((stored && bytes > file) || bytes > limit) {
            throw new KerasFormatException(Path.of(src), "weight " + name + " declares shape "
                    + Arrays.toString(d.getDimensions()) + " (" + bytes + " bytes), more than "
                    + (stored && bytes > file ? "the file's " + file + " bytes: the file is damaged"
                            : "this reader takes (" + limit + " bytes, a quarter of the heap; a larger -Xmx reads more)"));
        }
        Object flat = d.getDataFlat();
        if (flat instanceof float[] f) {
            return f;
        }
        if (flat instanceof double[] a) {
            float[] f = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                f[i] = (float) a[i];
            }
            return f;
        }
        throw new KerasFormatException(Path.of(src), "weight " + name + " holds " + d.getJavaType()
                .getSimpleName().toLowerCase(Locale.ROOT) + " values, expected float32 or float64");
    }
}
