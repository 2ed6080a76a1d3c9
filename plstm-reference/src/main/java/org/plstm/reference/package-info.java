/**
 * The scalar reference: the Phased LSTM layer ({@link org.plstm.reference.ReferencePhasedLstm}), the dense layer
 * ({@link org.plstm.reference.ReferenceDense}) and softmax cross-entropy
 * ({@link org.plstm.reference.ReferenceSoftmaxCrossEntropy}) in double precision with plain loops, written to be
 * the specification in code; {@link org.plstm.reference.ReferenceEngine} adapts them to the float32
 * {@link org.plstm.Engine} API.
 */
package org.plstm.reference;
