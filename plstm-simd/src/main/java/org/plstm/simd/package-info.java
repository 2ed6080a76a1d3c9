/** The Vector API engine (work in progress). */
package org.plstm.simd;
