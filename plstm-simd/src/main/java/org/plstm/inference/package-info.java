/**
 * Inference: {@link org.plstm.inference.PhasedLstmModel} (stacked layers sharing timestamps, optional softmax head,
 * loadable from a trainer checkpoint) with batched predictions, and {@link org.plstm.inference.StreamSession} for
 * one event at a time, which skips the units whose time gate is closed.
 */
package org.plstm.inference;
