/**
 * Training on top of an {@link org.plstm.Engine}: {@link org.plstm.train.SequenceClassifier} (stacked Phased LSTM
 * layers, a dense layer on the last final state, softmax; parameters and gradient buffers) and
 * {@link org.plstm.train.ClassifierTrainer} (forward, softmax cross-entropy, backward through the stack, global-norm
 * clipping, an {@link org.plstm.optim.Optimizer} step and the parameter constraints; evaluation and prediction in
 * inference mode; regression of a value per sequence with the mean squared error: {@code stepRegression}), and
 * {@link org.plstm.train.Fit}, Keras-style {@code fit}/{@code evaluate}/{@code predict} on
 * {@link org.plstm.train.LabeledSequence}s for either {@link org.plstm.train.Task}. Steady-state steps reuse per-shape
 * workspaces and scratch arrays.
 */
package org.plstm.train;
