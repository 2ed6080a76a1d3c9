/**
 * The backend: {@link org.plstm.engine.Backend#get()} chooses the SIMD kernels or the scalar reference once per
 * process, visibly, and gives the training {@link org.plstm.Engine} and the streaming kernels
 * ({@link org.plstm.engine.LayerStream}) of that choice.
 */
package org.plstm.engine;
