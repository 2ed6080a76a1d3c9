package org.plstm.jmh.peers;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A minimal protocol-buffers writer (wire format only: varints, 32-bit floats, length-delimited fields), enough
 * to write an ONNX {@code ModelProto} by hand. ONNX Runtime's Java jar ships no ONNX protobuf classes, and we
 * want no code generator and no Python, so {@link OnnxLstmModel} writes the few messages it needs with this.
 *
 * <p>Usage: {@code new Proto().string(1, "x").int64(2, 7).message(3, new Proto()...).bytes()}.
 */
final class Proto {
    private static final int VARINT = 0;
    private static final int LENGTH_DELIMITED = 2;
    private static final int FIXED32 = 5;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** @return the encoded message so far */
    byte[] bytes() {
        return out.toByteArray();
    }

    /** An {@code int32}, {@code int64} or enum field (non-negative values only; all we need). */
    Proto int64(int field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException("negative varint: " + value);
        }
        tag(field, VARINT);
        varint(value);
        return this;
    }

    /** A {@code float} field. */
    Proto float32(int field, float value) {
        tag(field, FIXED32);
        int bits = Float.floatToRawIntBits(value);
        for (int i = 0; i < 4; i++) {
            out.write(bits >>> (8 * i));
        }
        return this;
    }

    /** A {@code string} field (UTF-8). */
    Proto string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    /** A {@code bytes} field. */
    Proto bytes(int field, byte[] value) {
        tag(field, LENGTH_DELIMITED);
        varint(value.length);
        out.writeBytes(value);
        return this;
    }

    /** An embedded message field. */
    Proto message(int field, Proto message) {
        return bytes(field, message.bytes());
    }

    /** A packed {@code repeated int64} field. */
    Proto packedInt64(int field, long... values) {
        Proto body = new Proto();
        for (long v : values) {
            body.varint(v);
        }
        return bytes(field, body.bytes());
    }

    private void tag(int field, int wireType) {
        varint(((long) field << 3) | wireType);
    }

    private void varint(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
