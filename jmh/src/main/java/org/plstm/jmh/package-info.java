/** JMH benchmarks (work in progress). */
package org.plstm.jmh;
