/**
 * Files: {@link org.plstm.io.Checkpoint} (a classifier's weights, {@link org.plstm.io.ModelWeights}, with its
 * optimiser state, {@link org.plstm.io.OptimizerState}, and metadata, Keras-like tensor names) in the
 * <a href="https://huggingface.co/docs/safetensors">safetensors</a> format
 * ({@link org.plstm.io.Safetensors}, a validating F32 reader and writer with Jackson for the JSON header), and
 * {@link org.plstm.io.AtomicFiles} (temporary file in the same directory, then an atomic rename).
 *
 * <p>Why our own safetensors code: the Java option on Maven Central, DJL ({@code ai.djl:api}, checked at 0.33.0),
 * reads and writes safetensors only through {@code NDList}, which needs an {@code NDManager} backed by a native engine
 * (PyTorch, MXNet, ...), and exposes no {@code __metadata__}, which checkpoints need. The format is small (an 8-byte
 * length, a JSON header, raw little-endian data), so a strict reader/writer of a few hundred lines is the lighter
 * dependency.
 *
 * <p>This package imports no training or inference code: loading weights for inference does not load the trainer,
 * and {@code org.plstm.train} and {@code org.plstm.optim} convert their objects to and from these records.
 */
package org.plstm.io;
