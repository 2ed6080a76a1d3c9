package org.plstm.flink.typeutils;

import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Float arrays in the serialised forms: IEEE 754 bits, big-endian ({@link DataOutputView#writeFloat}), no length. */
final class Floats {
    /** The largest array length a serialised record may announce: more than any model's I, H or C. */
    static final int MAX_LENGTH = 1 << 24;

    private Floats() {
    }

    static void write(float[] a, DataOutputView out) throws IOException {
        for (float v : a) {
            out.writeFloat(v);
        }
    }

    static float[] read(int n, DataInputView in) throws IOException {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = in.readFloat();
        }
        return a;
    }

    static void readInto(float[] a, DataInputView in) throws IOException {
        for (int i = 0; i < a.length; i++) {
            a[i] = in.readFloat();
        }
    }

    /** Reads a length written before an array and checks it, so a corrupt stream fails with a message. */
    static int readLength(DataInputView in, String what) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_LENGTH) {
            throw new IOException("corrupt serialised record: " + what + ": expected a length in [0, " + MAX_LENGTH
                    + "], got " + n);
        }
        return n;
    }
}
