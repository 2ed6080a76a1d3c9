/**
 * Optimisers with Keras' update rules and defaults ({@link org.plstm.optim.RmsProp}, {@link org.plstm.optim.Adam},
 * {@link org.plstm.optim.Sgd}), decoupled weight decay ({@link org.plstm.optim.Optimizer#setWeightDecay}), a cosine
 * learning-rate schedule ({@link org.plstm.optim.CosineDecay}) and gradient clipping by global norm
 * ({@link org.plstm.optim.GradientClipping}).
 * After each step, Phased LSTM parameters must be kept valid with
 * {@link org.plstm.PhasedLstmParams#applyConstraints()}.
 */
package org.plstm.optim;
