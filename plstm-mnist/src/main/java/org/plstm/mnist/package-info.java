/** The MNIST trainer (work in progress). */
package org.plstm.mnist;
