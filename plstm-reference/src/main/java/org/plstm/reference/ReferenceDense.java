package org.plstm.reference;

import org.plstm.Check;

/**
 * The scalar reference dense layer {@code y = x·kernel + bias}, {@code x [B][H] -> y [B][C]}, in double.
 * Keras layout: {@code kernel [H][C]} row-major, {@code bias [C]}.
 */
public final class ReferenceDense {
    private ReferenceDense() {
    }

    /**
     * {@code out[b][c] = bias[c] + sum_j in[b][j]·kernel[j][c]}.
     *
     * @param out    written, {@code [B][C]}
     * @param in     {@code [B][H]}
     * @param kernel {@code [H][C]}
     * @param bias   {@code [C]}
     * @param batch  {@code B >= 1}
     * @param inSize {@code H >= 1}
     * @param outSize {@code C >= 1}
     * @throws IllegalArgumentException on a wrong length, non-finite input or parameter, or {@code out} being the same
     *     array as {@code in} or a parameter (as {@code Engine.denseForward})
     */
    public static void forward(double[] out, double[] in, double[] kernel, double[] bias, int batch, int inSize,
                               int outSize) {
        checkShapes(in, kernel, bias, batch, inSize, outSize);
        Check.length("out", out, "B", batch, "C", outSize);
        Check.distinct("out", out, "in", in, "kernel", kernel, "bias", bias);
        computeForward(out, in, kernel, bias, batch, inSize, outSize);
    }

    /** {@link #forward} without its checks (for {@link ReferenceEngine}, behind {@code Engine.denseForward}). */
    static void computeForward(double[] out, double[] in, double[] kernel, double[] bias, int batch, int inSize,
                               int outSize) {
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < outSize; c++) {
                double sum = bias[c];
                for (int j = 0; j < inSize; j++) {
                    sum += in[b * inSize + j] * kernel[j * outSize + c];
                }
                out[b * outSize + c] = sum;
            }
        }
    }

    /**
     * Backward: writes {@code dIn = dOut·kernel^T} and accumulates {@code dKernel += in^T·dOut},
     * {@code dBias += sum_b dOut[b]}.
     *
     * @param dIn     written, {@code [B][H]}
     * @param dKernel accumulated, {@code [H][C]}
     * @param dBias   accumulated, {@code [C]}
     * @param dOut    {@code dL/dout [B][C]}
     * @param in      the forward input {@code [B][H]}
     * @param kernel  {@code [H][C]}
     * @param batch   {@code B}
     * @param inSize  {@code H}
     * @param outSize {@code C}
     * @throws IllegalArgumentException on a wrong length, a non-finite value, or a written array ({@code dIn},
     *     {@code dKernel}, {@code dBias}) being one that is read (as {@code Engine.denseBackward})
     */
    public static void backward(double[] dIn, double[] dKernel, double[] dBias, double[] dOut, double[] in,
                                double[] kernel, int batch, int inSize, int outSize) {
        checkShapes(in, kernel, new double[outSize], batch, inSize, outSize);
        Check.length("dIn", dIn, "B", batch, "H", inSize);
        Check.length("dKernel", dKernel, "H", inSize, "C", outSize);
        Check.length("dBias", dBias, "C", outSize);
        Check.length("dOut", dOut, "B", batch, "C", outSize);
        Check.distinct("dIn", dIn, "dOut", dOut, "in", in, "kernel", kernel);
        Check.distinct("dKernel", dKernel, "kernel", kernel, "in", in, "dOut", dOut, "dIn", dIn);
        Check.distinct("dBias", dBias, "dOut", dOut);
        Check.finite("dOut", dOut);
        computeBackward(dIn, dKernel, dBias, dOut, in, kernel, batch, inSize, outSize);
    }

    /** {@link #backward} without its checks (for {@link ReferenceEngine}, behind {@code Engine.denseBackward}). */
    static void computeBackward(double[] dIn, double[] dKernel, double[] dBias, double[] dOut, double[] in,
                                double[] kernel, int batch, int inSize, int outSize) {
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < inSize; j++) {
                double sum = 0;
                for (int c = 0; c < outSize; c++) {
                    sum += dOut[b * outSize + c] * kernel[j * outSize + c];
                    dKernel[j * outSize + c] += in[b * inSize + j] * dOut[b * outSize + c];
                }
                dIn[b * inSize + j] = sum;
            }
            for (int c = 0; c < outSize; c++) {
                dBias[c] += dOut[b * outSize + c];
            }
        }
    }

    private static void checkShapes(double[] in, double[] kernel, double[] bias, int batch, int inSize,
                                    int outSize) {
        Check.atLeast("batch", batch, 1);
        Check.atLeast("inSize", inSize, 1);
        Check.atLeast("outSize", outSize, 1);
        Check.length("in", in, "B", batch, "H", inSize);
        Check.length("kernel", kernel, "H", inSize, "C", outSize);
        Check.length("bias", bias, "C", outSize);
        Check.finite("in", in);
        Check.finite("kernel", kernel);
        Check.finite("bias", bias);
    }
}
