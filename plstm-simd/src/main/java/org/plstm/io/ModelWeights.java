package org.plstm.io;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.plstm.Check;
import org.plstm.DenseParams;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.Tensor;

/**
 * The weights of a stacked Phased LSTM classifier, what a checkpoint holds apart from training state: layers
 * bottom first ({@code layers.get(k+1)} reads {@code layers.get(k)}'s hidden sequence) and a dense head
 * {@code [H_last][C]}. The lists and parameter objects are held, not copied.
 *
 * @param layers the layers, at least one, sizes chained
 * @param dense  the head, its input size the last layer's hidden size
 */
public record ModelWeights(List<PhasedLstmParams> layers, DenseParams dense) {
    /**
     * @throws IllegalArgumentException if an argument is null, {@code layers} is empty, or the sizes do not chain
     */
    public ModelWeights {
        Check.notNull("layers", layers);
        Check.notNull("dense", dense);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("layers: expected at least 1 layer, got 0");
        }
        for (int k = 0; k < layers.size(); k++) {
            PhasedLstmConfig c = Check.notNull("layers[" + k + "]", layers.get(k)).config();
            if (k > 0 && c.inputSize() != layers.get(k - 1).config().hiddenSize()) {
                throw new IllegalArgumentException("layers[" + k + "]: expected input size " + layers.get(k - 1)
                        .config().hiddenSize() + " (the hidden size of layer " + (k - 1) + "), got " + c.inputSize());
            }
        }
        int last = layers.get(layers.size() - 1).config().hiddenSize();
        if (dense.inputSize() != last) {
            throw new IllegalArgumentException("dense: expected input size H_last=" + last + ", got "
                    + dense.inputSize());
        }
        layers = List.copyOf(layers);
    }

    /**
     * Checks every parameter's values: finite, periods {@code > 0}, ratioOn in {@code (0, 1]}
     * ({@link PhasedLstmParams#validate}, {@link DenseParams#validate}).
     *
     * @param name the prefix of messages, e.g. {@code "model"}
     * @throws IllegalArgumentException naming the first invalid parameter ({@code <name>.layers[k].<param>} or
     *     {@code <name>.dense.<param>}), the expectation and the value
     */
    public void validate(String name) {
        for (int k = 0; k < layers.size(); k++) {
            layers.get(k).validate(name + ".layers[" + k + "]");
        }
        dense.validate(name + ".dense");
    }

    /**
     * The trainable tensors, views of the parameters, in the order and with the names optimisers and checkpoints use:
     * per layer {@code layers.<k>.kernel}, {@code .recurrent_kernel}, {@code .bias}, then {@code .peephole},
     * {@code .period}, {@code .shift}, {@code .ratio_on} where present and trainable; then {@code dense.kernel},
     * {@code dense.bias}.
     *
     * @return the tensors (new list, live data)
     */
    public List<Tensor> trainableTensors() {
        List<Tensor> out = new ArrayList<>();
        for (int k = 0; k < layers.size(); k++) {
            PhasedLstmParams layer = layers.get(k);
            for (Tensor t : layer.tensors()) {
                if (layer.isTrainable(t.name())) {
                    out.add(new Tensor("layers." + k + "." + snakeCase(t.name()), t.shape(), t.data()));
                }
            }
        }
        out.add(new Tensor("dense.kernel", new int[] {dense.inputSize(), dense.outputSize()}, dense.kernel()));
        out.add(new Tensor("dense.bias", new int[] {dense.outputSize()}, dense.bias()));
        return out;
    }

    /** {@code recurrentKernel} to {@code recurrent_kernel}. */
    static String snakeCase(String camel) {
        StringBuilder b = new StringBuilder();
        for (char ch : camel.toCharArray()) {
            if (Character.isUpperCase(ch)) {
                b.append('_').append(Character.toLowerCase(ch));
            } else {
                b.append(ch);
            }
        }
        return b.toString().toLowerCase(Locale.ROOT);
    }
}
