/**
 * The picocli commands of {@code plstm-mnist.jar}: {@code fetch}, {@code train}, {@code compare}, {@code evaluate}
 * ({@link org.plstm.mnist.cli.PlstmMnistCommand}), and {@code events generate|train|evaluate|predict} for event CSV
 * files ({@link org.plstm.mnist.cli.EventsCommand}). Bad option values are {@code ParameterException}s: one line on
 * standard error and exit code 2.
 */
package org.plstm.mnist.cli;
