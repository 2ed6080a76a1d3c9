package org.plstm.jmh.peers;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes an ONNX model (opset 14) that runs one forward LSTM layer with the ONNX {@code LSTM} operator, the
 * weights baked in as initializers. Graph inputs and outputs use our layouts; the model transposes:
 * <pre>
 *   x [B,T,I] --Transpose(1,0,2)--> X [T,B,I] --LSTM--> Y [T,1,B,H] --Transpose(2,1,0,3)--> h [B,1,T,H] (= [B][T][H])
 *   h0 [1,B,H], c0 [1,B,H] ---------------------^ ----> hT = Y_h [1,B,H], cT = Y_c [1,B,H]
 *   lengths [B] (int32, optional) --------------^ (ONNX sequence_lens)
 * </pre>
 * {@code B} and {@code T} are symbolic, so one model serves every batch and length.
 *
 * <p>Layout conversion (ONNX operator spec, {@code LSTM}): gate order {@code i, o, f, c} ({@link GateOrder#IOFG});
 * {@code W [1][4H][I]} and {@code R [1][4H][H]} hold each gate's weights transposed relative to Keras
 * ({@code W[g·H + j][i] = kernel[i][ourBlock(g)·H + j]}); {@code B [1][8H]} is {@code [Wb, Rb]}, we put our bias in
 * {@code Wb} and zeros in {@code Rb}; peepholes {@code P [1][3H]} are in the order {@code i, o, f} (ours:
 * {@code i, f, o}). ONNX's output-gate peephole uses the new cell {@code C_t}, as ours does. Activations are left
 * at the defaults (sigmoid, tanh, tanh), no {@code clip}, {@code input_forget = 0}.
 */
final class OnnxLstmModel {
    // ONNX TensorProto.DataType and AttributeProto.AttributeType values.
    private static final int FLOAT = 1;
    private static final int INT32 = 6;
    private static final int ATTR_INT = 2;
    private static final int ATTR_INTS = 7;

    private OnnxLstmModel() {
    }

    /**
     * @param w          the weights in our layout
     * @param withLengths whether the model takes {@code lengths [B]} (int32, ONNX {@code sequence_lens}); ONNX
     *                   Runtime then writes zeros to {@code h} past each sample's length and returns the state at
     *                   its last valid step as {@code hT}, {@code cT}
     * @return the serialized {@code ModelProto}
     */
    static byte[] build(LstmWeights w, boolean withLengths) {
        int in = w.inputSize();
        int hs = w.hiddenSize();
        int g4 = 4 * hs;
        GateOrder order = GateOrder.IOFG;
        float[] wOnnx = new float[g4 * in];
        float[] rOnnx = new float[g4 * hs];
        float[] bOnnx = new float[2 * g4];
        for (int pb = 0; pb < 4; pb++) {
            int ob = order.ourBlock(pb);
            for (int j = 0; j < hs; j++) {
                for (int i = 0; i < in; i++) {
                    wOnnx[(pb * hs + j) * in + i] = w.kernel()[i * g4 + ob * hs + j];
                }
                for (int r = 0; r < hs; r++) {
                    rOnnx[(pb * hs + j) * hs + r] = w.recurrentKernel()[r * g4 + ob * hs + j];
                }
                bOnnx[pb * hs + j] = w.bias()[ob * hs + j]; // Wb; Rb (second half) stays 0
            }
        }

        Proto graph = new Proto();
        graph.message(1, node("Transpose", "to_tbi", new String[] {"x"}, new String[] {"X"},
                intsAttr("perm", 1, 0, 2)));
        String lens = withLengths ? "lengths" : "";
        String[] lstmInputs = w.peepholes()
                ? new String[] {"X", "W", "R", "B", lens, "h0", "c0", "P"}
                : new String[] {"X", "W", "R", "B", lens, "h0", "c0"};
        graph.message(1, node("LSTM", "lstm", lstmInputs, new String[] {"Y", "hT", "cT"},
                intAttr("hidden_size", hs)));
        graph.message(1, node("Transpose", "to_bth", new String[] {"Y"}, new String[] {"h"},
                intsAttr("perm", 2, 1, 0, 3)));
        graph.string(2, "plstm_peer_lstm");
        graph.message(5, tensor("W", wOnnx, 1, g4, in));
        graph.message(5, tensor("R", rOnnx, 1, g4, hs));
        graph.message(5, tensor("B", bOnnx, 1, 2L * g4));
        if (w.peepholes()) {
            float[] p = new float[3 * hs];
            // ONNX P order i, o, f; our peephole rows are i, f, o.
            System.arraycopy(w.peephole(), 0, p, 0, hs);
            System.arraycopy(w.peephole(), 2 * hs, p, hs, hs);
            System.arraycopy(w.peephole(), hs, p, 2 * hs, hs);
            graph.message(5, tensor("P", p, 1, 3L * hs));
        }
        graph.message(11, valueInfo("x", FLOAT, "B", "T", in));
        if (withLengths) {
            graph.message(11, valueInfo("lengths", INT32, "B"));
        }
        graph.message(11, valueInfo("h0", FLOAT, 1, "B", hs));
        graph.message(11, valueInfo("c0", FLOAT, 1, "B", hs));
        graph.message(12, valueInfo("h", FLOAT, "B", 1, "T", hs));
        graph.message(12, valueInfo("hT", FLOAT, 1, "B", hs));
        graph.message(12, valueInfo("cT", FLOAT, 1, "B", hs));

        return new Proto()
                .int64(1, 8) // ir_version 8 (ONNX 1.10+)
                .string(2, "plstm-jmh")
                .message(7, graph)
                .message(8, new Proto().string(1, "").int64(2, 14)) // opset_import: default domain, opset 14
                .bytes();
    }

    private static Proto node(String op, String name, String[] inputs, String[] outputs, Proto... attrs) {
        Proto n = new Proto();
        for (String s : inputs) {
            n.string(1, s);
        }
        for (String s : outputs) {
            n.string(2, s);
        }
        n.string(3, name).string(4, op);
        for (Proto a : attrs) {
            n.message(5, a);
        }
        return n;
    }

    private static Proto intAttr(String name, long value) {
        return new Proto().string(1, name).int64(3, value).int64(20, ATTR_INT);
    }

    private static Proto intsAttr(String name, long... values) {
        return new Proto().string(1, name).packedInt64(8, values).int64(20, ATTR_INTS);
    }

    private static Proto tensor(String name, float[] data, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(data);
        return new Proto().packedInt64(1, dims).int64(2, FLOAT).string(8, name).bytes(9, raw.array());
    }

    /** A tensor value info; each dimension is a Long/Integer (fixed) or a String (symbolic). */
    private static Proto valueInfo(String name, int elemType, Object... dims) {
        Proto shape = new Proto();
        for (Object d : dims) {
            Proto dim = new Proto();
            if (d instanceof String s) {
                dim.string(2, s);
            } else {
                dim.int64(1, ((Number) d).longValue());
            }
            shape.message(1, dim);
        }
        Proto tensorType = new Proto().int64(1, elemType).message(2, shape);
        return new Proto().string(1, name).message(2, new Proto().message(1, tensorType));
    }
}
