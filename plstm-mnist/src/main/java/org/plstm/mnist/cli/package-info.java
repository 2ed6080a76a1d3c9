/**
 * The picocli commands of {@code plstm-mnist.jar}: {@code fetch}, {@code train}, {@code compare}, {@code evaluate}
 * ({@link org.plstm.mnist.cli.PlstmMnistCommand}). Bad option values are {@code ParameterException}s: one line on
 * standard error and exit code 2.
 */
package org.plstm.mnist.cli;
