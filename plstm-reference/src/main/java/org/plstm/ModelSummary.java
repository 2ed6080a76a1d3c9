package org.plstm;

import java.util.List;
import java.util.Locale;

/**
 * A model's layers as a table, like Keras' {@code model.summary()}: per layer its type, input and output size,
 * parameter count and settings, then the total.
 *
 * <pre>
 * layer    type    input  output  parameters  settings
 * 0        PLSTM   3      5       200         gates sigmoid, leak 0.001, peepholes
 * head     Dense   5      3       18          softmax
 * total                           218
 * </pre>
 */
public final class ModelSummary {
    private ModelSummary() {
    }

    /**
     * @param layers the recurrent layers, bottom first (not empty)
     * @param head   the dense softmax head, or {@code null}
     * @return the table, one line per layer and a total, lines ending in {@code \n}
     * @throws IllegalArgumentException if {@code layers} is null or empty
     */
    public static String table(List<PhasedLstmParams> layers, DenseParams head) {
        Check.notNull("layers", layers);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("layers: expected at least one layer, got none");
        }
        StringBuilder sb = new StringBuilder();
        String row = "%-8s %-6s %6s %7s %11s  %s%n";
        sb.append(String.format(Locale.ROOT, row, "layer", "type", "input", "output", "parameters", "settings"));
        long total = 0;
        for (int k = 0; k < layers.size(); k++) {
            PhasedLstmParams p = layers.get(k);
            PhasedLstmConfig c = p.config();
            long n = 0;
            for (Tensor t : p.tensors()) {
                n += t.data().length;
            }
            total += n;
            String settings = "gates " + c.gateActivation().kerasName()
                    + (c.timeGate() ? ", leak " + c.leak() : ", no time gate") + (c.peepholes() ? ", peepholes" : "");
            sb.append(String.format(Locale.ROOT, row, k, c.timeGate() ? "PLSTM" : "LSTM", c.inputSize(),
                    c.hiddenSize(), n, settings));
        }
        if (head != null) {
            long n = (long) head.kernel().length + head.bias().length;
            total += n;
            sb.append(String.format(Locale.ROOT, row, "head", "Dense", head.inputSize(), head.outputSize(), n,
                    "softmax"));
        }
        sb.append(String.format(Locale.ROOT, row, "total", "", "", "", total, ""));
        return sb.toString();
    }
}
