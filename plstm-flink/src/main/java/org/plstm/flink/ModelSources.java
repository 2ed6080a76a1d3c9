package org.plstm.flink;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.flink.core.fs.FileSystem;
import org.plstm.inference.PhasedLstmModel;

/** The ready-made {@link ModelSource}s. */
final class ModelSources {
    private ModelSources() {
    }

    /**
     * {@link #file(String)}.
     *
     * @param uri the checkpoint's location, as Flink's file systems read it
     */
    record FileModel(String uri) implements ModelSource {
        @Override
        public PhasedLstmModel load() throws IOException {
            org.apache.flink.core.fs.Path path = new org.apache.flink.core.fs.Path(uri);
            FileSystem fs = path.getFileSystem();
            if (!fs.isDistributedFS() && "file".equals(fs.getUri().getScheme())) {
                return PhasedLstmModel.load(Path.of(path.toUri().getPath()));
            }
            Path local = Files.createTempFile("plstm-model-", ".safetensors");
            try {
                try (InputStream in = fs.open(path)) {
                    Files.copy(in, local, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw new IOException(uri + ": cannot read the checkpoint: " + e.getMessage(), e);
                }
                return PhasedLstmModel.load(local);
            } finally {
                Files.deleteIfExists(local);
            }
        }

        @Override
        public String toString() {
            return "ModelSource.file(" + uri + ")";
        }
    }

    /** {@code embedded} and {@code bytes}: the checkpoint's bytes, written to a temporary file to load. */
    static final class EmbeddedModel implements ModelSource {
        private static final long serialVersionUID = 1L;
        private final byte[] checkpoint;
        private final String name;

        EmbeddedModel(byte[] checkpoint, String name) {
            this.checkpoint = checkpoint;
            this.name = name;
        }

        @Override
        public PhasedLstmModel load() throws IOException {
            return withFile(PhasedLstmModel::load);
        }

        <T> T withFile(Loader<T> loader) throws IOException {
            Path local = Files.createTempFile("plstm-model-", ".safetensors");
            try {
                Files.write(local, checkpoint);
                return loader.load(local);
            } catch (IOException e) {
                throw new IOException(name + " (" + checkpoint.length + " bytes): " + e.getMessage(), e);
            } finally {
                Files.deleteIfExists(local);
            }
        }

        @Override
        public String toString() {
            return "ModelSource.embedded(" + name + ", " + checkpoint.length + " bytes)";
        }

        interface Loader<T> {
            T load(Path file) throws IOException;
        }
    }
}
