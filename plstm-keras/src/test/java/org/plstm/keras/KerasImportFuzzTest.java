package org.plstm.keras;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.Timeout;
import org.plstm.DenseParams;
import org.plstm.GateActivation;
import org.plstm.PhasedLstmConfig;
import org.plstm.PhasedLstmParams;
import org.plstm.inference.PhasedLstmModel;

/**
 * Coverage-guided fuzz test (Jazzer) of the Keras HDF5 reader, {@link KerasImport#layers} and
 * {@link KerasImport.Layers#model()} (together {@link KerasImport#load(Path)}). The contract checked: for any bytes
 * written to a file, the reader returns layers that keep the invariants below or throws {@link KerasFormatException}
 * whose message names the file and has at most {@value #MAX_MESSAGE} characters (the file exists and is readable, so
 * no other {@link IOException} either); any other throwable (a {@link RuntimeException}, an {@link OutOfMemoryError},
 * a {@link StackOverflowError}), or a hang beyond the timeout, is a finding.
 *
 * <p>{@code mvn test} replays the corpus in {@code src/test/resources/org/plstm/keras/KerasImportFuzzTestInputs/load/}
 * (regression mode); the execution {@code fuzz-keras-load} of the module's pom fuzzes it for a bounded time, with
 * jhdf's classes instrumented too. See docs/FUZZING.md.
 */
class KerasImportFuzzTest {
    /** Longest message a {@link KerasFormatException} may have, whatever the input. */
    static final int MAX_MESSAGE = 4096;

    /** One file per JVM, rewritten for each input (fuzzing runs millions of inputs). */
    private static final Path INPUT;

    static {
        try {
            INPUT = Files.createTempFile("plstm-fuzz-keras-", ".h5");
            INPUT.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads the bytes as a Keras HDF5 file with the layer's defaults ({@code hard_sigmoid}, leak 0.001): what comes
     * back is at least one PhasedLSTM layer, sizes chained up to the head (if any), every weight as large as the
     * layer's configuration says, finite values, periods {@code > 0}, open ratios in {@code (0, 1]} and a leak in
     * {@code [0, 1]}; and a model of it that keeps the leak, as {@link KerasImport#load(Path)} returns.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "35s")
    void load(byte[] data) throws IOException {
        Files.write(INPUT, data);
        KerasImport.Layers l;
        try {
            l = KerasImport.layers(INPUT, GateActivation.HARD_SIGMOID, 0.001);
        } catch (KerasFormatException e) {
            String m = e.getMessage();
            check(m != null && m.startsWith(INPUT + ": "), () -> "message does not start with the file: " + m);
            check(m.length() <= MAX_MESSAGE, () -> "message of " + m.length() + " characters (at most "
                    + MAX_MESSAGE + " expected), starting: " + m.substring(0, 300));
            return;
        }
        check(!l.layers().isEmpty(), () -> "no layers");
        int in = -1;
        for (int k = 0; k < l.layers().size(); k++) {
            PhasedLstmParams p = l.layers().get(k);
            PhasedLstmConfig c = p.config();
            int layer = k;
            int i = c.inputSize();
            int h = c.hiddenSize();
            check(i >= 1 && h >= 1, () -> "layer " + layer + " sizes " + c);
            check(in < 0 || i == in, () -> "layer " + layer + " input size " + i + " != previous hidden size");
            in = h;
            check(c.leak() >= 0 && c.leak() <= 1, () -> "layer " + layer + " leak " + c.leak());
            check(p.kernel().length == i * 4 * h && p.recurrentKernel().length == h * 4 * h
                    && p.bias().length == 4 * h && p.period().length == h && p.shift().length == h
                    && p.ratioOn().length == h, () -> "layer " + layer + ": weights do not match " + c);
            checkFinite("layer " + k + " kernel", p.kernel());
            checkFinite("layer " + k + " recurrent_kernel", p.recurrentKernel());
            checkFinite("layer " + k + " bias", p.bias());
            checkFinite("layer " + k + " timegate_kernel", p.timegateKernel());
            for (int j = 0; j < h; j++) {
                float period = p.period()[j];
                float ratio = p.ratioOn()[j];
                check(period > 0, () -> "layer " + layer + ": period " + period);
                check(ratio > 0 && ratio <= 1, () -> "layer " + layer + ": ratioOn " + ratio);
            }
        }
        DenseParams d = l.head();
        if (d != null) {
            int last = in;
            check(d.inputSize() == last && d.outputSize() >= 1, () -> "head " + d.inputSize() + "x"
                    + d.outputSize() + " after hidden size " + last);
            check(d.kernel().length == d.inputSize() * d.outputSize() && d.bias().length == d.outputSize(),
                    () -> "head weights do not match " + d.inputSize() + "x" + d.outputSize());
            checkFinite("head kernel", d.kernel());
            checkFinite("head bias", d.bias());
        }
        PhasedLstmModel model = l.model();
        check(model.keepsLeak() && model.depth() == l.layers().size(), () -> "model " + model);
    }

    private static void checkFinite(String name, float[] a) {
        for (int i = 0; i < a.length; i++) {
            if (!Float.isFinite(a[i])) {
                int index = i;
                check(false, () -> name + " holds " + a[index] + " at flat index " + index);
            }
        }
    }

    /** A plain check: assertion libraries are slow in a loop of millions of inputs. */
    private static void check(boolean condition, Supplier<String> message) {
        if (!condition) {
            throw new AssertionError(message.get());
        }
    }
}
