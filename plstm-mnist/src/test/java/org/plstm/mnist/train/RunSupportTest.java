package org.plstm.mnist.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RunSupport#removeIfLeftEmpty}: which run directories a failed run removes again. */
class RunSupportTest {
    @TempDir
    Path tmp;

    @Test
    void aDirectoryMadeForARunThatFailedBeforeWritingIsRemoved() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("new"));
        try (RunSupport.EmptyDirectoryCleanup cleanup = RunSupport.removeIfLeftEmpty(dir, false)) {
            assertThat(cleanup).isNotNull(); // the run fails: keep() is never reached
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void aDirectoryIsKeptIfItExistedBeforeTheRunOrHoldsFilesOrTheRunFinished() throws Exception {
        Path existing = Files.createDirectory(tmp.resolve("existing"));
        try (RunSupport.EmptyDirectoryCleanup cleanup = RunSupport.removeIfLeftEmpty(existing, true)) {
            assertThat(cleanup).isNotNull();
        }
        assertThat(existing).as("existed before the run").isEmptyDirectory();

        Path written = Files.createDirectory(tmp.resolve("written"));
        try (RunSupport.EmptyDirectoryCleanup cleanup = RunSupport.removeIfLeftEmpty(written, false)) {
            Files.writeString(written.resolve("metrics.csv"), "kind\n");
        }
        assertThat(written.resolve("metrics.csv")).as("the failed run wrote a file").exists();

        Path finished = Files.createDirectory(tmp.resolve("finished"));
        try (RunSupport.EmptyDirectoryCleanup cleanup = RunSupport.removeIfLeftEmpty(finished, false)) {
            cleanup.keep();
        }
        assertThat(finished).as("the run finished").isEmptyDirectory();
    }

    @Test
    void aDirectoryThatIsGoneIsNoError() throws Exception {
        Path gone = Files.createDirectory(tmp.resolve("gone"));
        try (RunSupport.EmptyDirectoryCleanup cleanup = RunSupport.removeIfLeftEmpty(gone, false)) {
            Files.delete(gone);
        }
        assertThat(gone).doesNotExist();
    }
}
