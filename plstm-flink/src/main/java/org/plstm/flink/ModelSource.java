package org.plstm.flink;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.core.fs.FileSystem;
import org.plstm.Check;
import org.plstm.inference.PhasedLstmModel;
import org.plstm.io.Checkpoint;

/**
 * Where each task of a {@link KeyedPhasedLstm} operator gets its model: loaded once per task when the task opens, and
 * shared by every key of that task ({@link PhasedLstmModel} is immutable and thread-safe). Serialisable: the source,
 * not the model, travels in the job graph.
 *
 * <p>Two ready-made sources: {@link #file(String)} reads a checkpoint on each task manager (a local path that exists
 * on every machine, or any file system Flink has a plugin for: {@code hdfs://}, {@code s3://}, ...);
 * {@link #embedded(Path)} and {@link #bytes(byte[])} carry the checkpoint's bytes inside the job graph, so nothing
 * needs to be copied to the cluster (about {@code 16·(I + H + 2)·H} bytes per layer: 4.4 MB at I = 16, H = 512).
 * Implement the interface to load from elsewhere (a model registry).
 */
public interface ModelSource extends Serializable {

    /**
     * Loads the model. Called once per task, on the task manager, when the operator opens.
     *
     * @return the model
     * @throws IOException if it cannot be read or is not a valid checkpoint (the message names the source)
     */
    PhasedLstmModel load() throws IOException;

    /**
     * A checkpoint file read by every task when it opens.
     *
     * @param uri a path or URI Flink's {@link FileSystem} can open on the task managers: a local path (which must exist
     *            on every task manager), {@code file:///...}, {@code hdfs://...}, {@code s3://...} (with the plugin)
     * @return the source
     * @throws IllegalArgumentException if {@code uri} is null or blank
     */
    static ModelSource file(String uri) {
        Check.notNull("uri", uri);
        if (uri.isBlank()) {
            throw new IllegalArgumentException("uri: expected a path or URI of a checkpoint, got a blank string");
        }
        return new ModelSources.FileModel(uri);
    }

    /**
     * A local checkpoint read now, on the client, and shipped inside the job graph. The file is checked (format,
     * integrity digest, parameters) before this returns, so a bad checkpoint fails the submission, not the tasks.
     *
     * @param checkpoint a {@code .safetensors} checkpoint ({@code Checkpoint.save}, the MNIST trainer)
     * @return the source
     * @throws IOException if the file cannot be read or is not a valid checkpoint
     * @throws IllegalArgumentException if {@code checkpoint} is null
     */
    static ModelSource embedded(Path checkpoint) throws IOException {
        Check.notNull("checkpoint", checkpoint);
        Checkpoint.load(checkpoint); // validates; the model itself is built on the tasks
        return new ModelSources.EmbeddedModel(Files.readAllBytes(checkpoint), checkpoint.getFileName().toString());
    }

    /**
     * A checkpoint given as bytes (the content of a {@code .safetensors} checkpoint file), shipped inside the job
     * graph. The bytes are copied and checked before this returns.
     *
     * @param checkpoint the checkpoint file's content
     * @return the source
     * @throws IOException if the bytes are not a valid checkpoint
     * @throws IllegalArgumentException if {@code checkpoint} is null
     */
    static ModelSource bytes(byte[] checkpoint) throws IOException {
        Check.notNull("checkpoint", checkpoint);
        ModelSources.EmbeddedModel m = new ModelSources.EmbeddedModel(checkpoint.clone(), "checkpoint bytes");
        m.withFile(Checkpoint::load);
        return m;
    }
}
