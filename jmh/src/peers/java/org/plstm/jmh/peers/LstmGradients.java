package org.plstm.jmh.peers;

/**
 * What a peer's LSTM backward pass returned, converted to our layout and gate order {@code i, f, g, o}.
 *
 * @param dx              {@code dL/dx [B][T][I]}
 * @param dh0             {@code dL/dh0 [B][H]} ({@code null} if the peer does not give it)
 * @param dc0             {@code dL/dc0 [B][H]} ({@code null} if the peer does not give it)
 * @param kernel          {@code dL/dkernel [I][4H]}
 * @param recurrentKernel {@code dL/drecurrentKernel [H][4H]}
 * @param bias            {@code dL/dbias [4H]}
 * @param peephole        {@code dL/dpeephole [3][H]} (rows {@code i, f, o}), or {@code null}
 */
public record LstmGradients(float[] dx, float[] dh0, float[] dc0, float[] kernel, float[] recurrentKernel,
                            float[] bias, float[] peephole) {
}
