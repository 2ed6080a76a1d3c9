package org.plstm.jmh.peers;

/**
 * What a peer's LSTM forward pass returned, converted to our layout.
 *
 * @param h  the hidden sequence {@code [B][T][H]}
 * @param hT the final hidden state {@code [B][H]}
 * @param cT the final cell state {@code [B][H]}
 */
public record LstmResult(float[] h, float[] hT, float[] cT) {
}
