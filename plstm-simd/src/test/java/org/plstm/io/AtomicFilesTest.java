package org.plstm.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
    void leftoversOfAKilledWriteAreRemovedAndNothingElse() throws IOException {
        Path left = Files.createTempFile(dir, ".checkpoint.safetensors", ".tmp"); // what write() creates
        Path otherTmp = Files.writeString(dir.resolve(".notes.txt123.tmp"), "not ours");
        Path lookalike = Files.writeString(dir.resolve(".checkpoint.safetensorsX1.tmp"), "not a digit run");
        Path target = Files.writeString(dir.resolve("checkpoint.safetensors"), "the checkpoint");
        assertThat(AtomicFiles.removeLeftovers(dir, java.util.List.of("checkpoint.safetensors", "metrics.csv")))
                .containsExactly(left);
        assertThat(left).doesNotExist();
        assertThat(otherTmp).exists();
        assertThat(lookalike).exists();
        assertThat(target).hasContent("the checkpoint");
        assertThat(AtomicFiles.removeLeftovers(dir.resolve("missing"), java.util.List.of("x"))).isEmpty();
        // a name whose own end overlaps the pattern (".a.tmp" for "a.tmp") is no leftover, and no crash
        Path overlap = Files.writeString(dir.resolve(".a.tmp"), "x");
        assertThat(AtomicFiles.removeLeftovers(dir, java.util.List.of("a.tmp"))).isEmpty();
        assertThat(overlap).exists();
    }

    @Test
    void theRootDirectoryIsNoFileToWrite() {
        Path root = dir.getRoot();
        assertThatThrownBy(() -> AtomicFiles.writeString(root, "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("target: expected a path to a file, got the root directory " + root);
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
    void aReplacedFileKeepsItsPermissionsAndANewOneIsRwRR() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews()
                .contains("posix"), "the file system has no POSIX permissions");
        Path fresh = dir.resolve("fresh.txt");
        AtomicFiles.writeString(fresh, "new");
        assertThat(mode(fresh)).isEqualTo("rw-r--r--");
        // private stays private; read-only stays read-only, and the owner (not only root) can still replace it: the
        // mode goes on the temporary file after its content is written
        for (String kept : new String[] {"rw-------", "r--r--r--"}) {
            Path f = dir.resolve(kept + ".txt");
            AtomicFiles.writeString(f, "one");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(kept));
            AtomicFiles.writeString(f, "two");
            assertThat(f).as(kept).hasContent("two");
            assertThat(mode(f)).isEqualTo(kept);
        }
    }

    private static String mode(Path f) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(f));
    }

    @Test
    void aFailingWriterLeavesTheOldFileIntactAndTheErrorNamesIt() throws Exception {
        Path f = dir.resolve("keep.txt");
        AtomicFiles.writeString(f, "old");
        assertThatThrownBy(() -> AtomicFiles.write(f, out -> {
            out.write("partial".getBytes());
            throw new IOException("No space left on device"); // what a full disk says: no file named
        })).isInstanceOf(java.nio.file.FileSystemException.class)
                .hasMessage(f.toAbsolutePath() + ": No space left on device (nothing was replaced)");
        assertThat(Files.readString(f)).isEqualTo("old");
        assertThat(entries()).isEqualTo(1);
    }
}
