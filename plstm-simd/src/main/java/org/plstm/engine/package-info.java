/** Backend selection: {@link org.plstm.engine.Engines} picks the SIMD or the reference engine, once, visibly. */
package org.plstm.engine;
