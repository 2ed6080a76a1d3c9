package org.plstm.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private long entries() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void createsAndReplacesLeavingNoTemporaryFile() throws Exception {
        Path f = dir.resolve("sub/out.txt");
        AtomicFiles.writeString(f, "one");
        assertThat(Files.readString(f)).isEqualTo("one");
        AtomicFiles.writeString(f, "two, longer");
        assertThat(Files.readString(f)).isEqualTo("two, longer");
        try (Stream<Path> s = Files.list(f.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("out.txt");
        }
    }

    @Test
    void aFailingWriterLeavesTheOldFileIntact() throws Exception {
        Path f = dir.resolve("keep.txt");
        AtomicFiles.writeString(f, "old");
        assertThatThrownBy(() -> AtomicFiles.write(f, out -> {
            out.write("partial".getBytes());
            throw new IOException("disk full");
        })).isInstanceOf(IOException.class).hasMessage("disk full");
        assertThat(Files.readString(f)).isEqualTo("old");
        assertThat(entries()).isEqualTo(1);
    }
}
