/**
 * Optimisers with Keras' update rules and defaults ({@link org.plstm.optim.RmsProp}, {@link org.plstm.optim.Adam},
 * {@link org.plstm.optim.Sgd}) and gradient clipping by global norm ({@link org.plstm.optim.GradientClipping}).
 * After each step, Phased LSTM parameters must be kept valid with
 * {@link org.plstm.PhasedLstmParams#applyConstraints()}.
 */
package org.plstm.optim;
