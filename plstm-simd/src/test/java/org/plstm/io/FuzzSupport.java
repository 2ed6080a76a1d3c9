package org.plstm.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Supplier;
import org.plstm.DenseParams;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.Tensor;

/**
 * What the fuzz tests of this package share: scratch files (one per JVM and purpose, rewritten for each input, since
 * fuzzing runs millions) and plain checks.
 */
final class FuzzSupport {
    private FuzzSupport() {
    }

    /**
     * @param prefix the file name's start
     * @param suffix its extension, e.g. {@code .npz}
     * @return a new empty temporary file, deleted when the JVM exits
     * @throws UncheckedIOException if it cannot be created
     */
    static Path tempFile(String prefix, String suffix) {
        try {
            Path f = Files.createTempFile(prefix, suffix);
            f.toFile().deleteOnExit();
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Fails with {@code name}, the value and its flat index at the first element that is NaN or infinite.
     *
     * @param name what the array is, for the message
     * @param a    the values
     */
    static void checkFinite(String name, float[] a) {
        for (int i = 0; i < a.length; i++) {
            if (!Float.isFinite(a[i])) {
                int index = i;
                check(false, () -> name + " holds " + a[index] + " at flat index " + index);
            }
        }
    }

    /**
     * A plain check: assertion libraries are slow in a loop of millions of inputs.
     *
     * @param condition what must hold
     * @param message   the failure's message, built only on failure
     */
    static void check(boolean condition, Supplier<String> message) {
        if (!condition) {
            throw new AssertionError(message.get());
        }
    }

    /**
     * What any loaded model must satisfy, whatever file it came from: at least one layer, sizes chained up to the
     * head, every array as large as its shape says, peepholes present exactly where configured, finite values,
     * periods {@code > 0} and open ratios in {@code (0, 1]} where the time gate is on.
     *
     * @param w the weights read
     */
    static void checkWeights(ModelWeights w) {
        check(w != null && !w.layers().isEmpty(), () -> "no layers");
        int in = -1;
        for (int k = 0; k < w.layers().size(); k++) {
            PhasedLstmParams p = w.layers().get(k);
            PhasedLstmConfig c = p.config();
            int layer = k;
            check(c.inputSize() >= 1 && c.hiddenSize() >= 1, () -> "layer " + layer + " sizes " + c);
            check(in < 0 || c.inputSize() == in, () -> "layer " + layer + " input size " + c.inputSize()
                    + " != previous hidden size");
            in = c.hiddenSize();
            check((p.peephole() != null) == c.peepholes(), () -> "layer " + layer + ": peepholes " + c.peepholes()
                    + " but peephole array " + (p.peephole() == null ? "missing" : "present"));
            for (Tensor t : p.tensors()) {
                checkShape("layers." + k + "." + t.name(), t.shape(), t.data());
                checkFinite("layers." + k + "." + t.name(), t.data());
            }
            check(p.kernel().length == c.inputSize() * 4 * c.hiddenSize(), () -> "layer " + layer + ": kernel of "
                    + p.kernel().length + " values for " + c);
            if (c.timeGate()) {
                for (int j = 0; j < c.hiddenSize(); j++) {
                    float period = p.period()[j];
                    float ratio = p.ratioOn()[j];
                    check(period > 0, () -> "layer " + layer + ": period " + period);
                    check(ratio > 0 && ratio <= 1, () -> "layer " + layer + ": ratioOn " + ratio);
                }
            }
        }
        DenseParams d = w.dense();
        int last = in;
        check(d.inputSize() == last && d.outputSize() >= 1, () -> "dense " + d.inputSize() + "x" + d.outputSize()
                + " after hidden size " + last);
        for (Tensor t : d.tensors()) {
            checkShape("dense." + t.name(), t.shape(), t.data());
        }
        checkFinite("dense.kernel", d.kernel());
        checkFinite("dense.bias", d.bias());
    }

    private static void checkShape(String name, int[] shape, float[] data) {
        long n = 1;
        for (int d : shape) {
            check(d >= 0, () -> name + ": negative dimension in " + Arrays.toString(shape));
            n *= d;
        }
        long count = n;
        check(count == data.length, () -> name + ": shape " + Arrays.toString(shape) + " but " + data.length
                + " values");
    }
}
