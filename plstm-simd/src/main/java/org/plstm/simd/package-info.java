/**
 * The Phased LSTM on the JDK Vector API: {@link org.plstm.simd.SimdEngine}. Needs
 * {@code --add-modules jdk.incubator.vector}; {@link org.plstm.engine.Engines} selects it when available.
 */
package org.plstm.simd;
