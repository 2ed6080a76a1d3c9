package org.plstm.mnist.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The seed corpus of {@link IdxReaderFuzzTest}: where Jazzer finds it
 * ({@code src/test/resources/org/plstm/mnist/data/IdxReaderFuzzTestInputs/read/}), that it is small, and that each
 * seed is what its name says ({@code valid-images-*} read by {@link IdxReader#readImages}, {@code valid-labels-*} by
 * {@link IdxReader#readLabels}, {@code invalid-*} refused by both with {@link IdxFormatException}); {@code crash-*}
 * and {@code timeout-*} files are Jazzer's findings, replayed by {@link IdxReaderFuzzTest} itself. The corpus is
 * written by {@link #writeCorpus} (docs/FUZZING.md):
 *
 * <pre>
 * mvn -o -pl plstm-mnist -am test -Dtest=IdxReaderFuzzCorpusTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dfuzz.skip=true -Dplstm.fuzz.writeCorpus=true
 * </pre>
 */
class IdxReaderFuzzCorpusTest {
    private static final String READ = "IdxReaderFuzzTestInputs/read";

    @Test
    void theSeedCorpusIsWhereJazzerLooksSmallAndEachSeedIsWhatItsNameSays() throws Exception {
        URL url = IdxReaderFuzzTest.class.getResource(READ);
        assertThat(url).as("seed corpus %s next to IdxReaderFuzzTest on the class path", READ).isNotNull();
        List<Path> seeds;
        try (Stream<Path> files = Files.list(Paths.get(url.toURI()))) {
            seeds = files.filter(Files::isRegularFile).sorted().toList();
        }
        assertThat(seeds).extracting(p -> p.getFileName().toString()).anyMatch(n -> n.startsWith("valid-images-"))
                .anyMatch(n -> n.startsWith("valid-labels-")).anyMatch(n -> n.startsWith("invalid-"));
        long total = 0;
        for (Path seed : seeds) {
            String name = seed.getFileName().toString();
            total += Files.size(seed);
            if (name.startsWith("valid-images-")) {
                assertThatCode(() -> IdxReader.readImages(seed)).as(name).doesNotThrowAnyException();
            } else if (name.startsWith("valid-labels-")) {
                assertThatCode(() -> IdxReader.readLabels(seed)).as(name).doesNotThrowAnyException();
            } else if (name.startsWith("invalid-")) {
                assertThatThrownBy(() -> IdxReader.readImages(seed)).as(name).isInstanceOf(IdxFormatException.class);
                assertThatThrownBy(() -> IdxReader.readLabels(seed)).as(name).isInstanceOf(IdxFormatException.class);
            }
        }
        assertThat(total).as("bytes of the IDX seed corpus").isLessThan(50_000);
    }

    /** Writes the seed corpus into the source tree (run on request only, see the class comment). */
    @Test
    @EnabledIfSystemProperty(named = "plstm.fuzz.writeCorpus", matches = "true")
    void writeCorpus() throws IOException {
        assertThat(Paths.get("src/test/java/org/plstm/mnist/data")).as("run from the module directory").isDirectory();
        Path read = Files.createDirectories(Paths.get("src/test/resources/org/plstm/mnist/data").resolve(READ));
        byte[] twoImages = TestIdx.images(2);
        byte[] labels = TestIdx.labels(5, 0, 4);

        write(read, "valid-images-2.idx3-ubyte", twoImages);
        write(read, "valid-images-0.idx3-ubyte", TestIdx.images(0));
        write(read, "valid-labels-3.idx1-ubyte", labels);
        write(read, "valid-labels-0.idx1-ubyte", TestIdx.labels());
        write(read, "invalid-images-truncated.idx3-ubyte", TestIdx.truncate(twoImages, twoImages.length - 1));
        write(read, "invalid-images-trailing-byte.idx3-ubyte", Arrays.copyOf(twoImages, twoImages.length + 1));
        write(read, "invalid-images-short-header.idx3-ubyte", TestIdx.truncate(twoImages, 12));
        write(read, "invalid-images-27x28.idx3-ubyte", TestIdx.images(IdxReader.IMAGES_MAGIC, 1, 27, 28, 1));
        write(read, "invalid-images-count-too-large.idx3-ubyte",
                TestIdx.images(IdxReader.IMAGES_MAGIC, 0x7FFFFFFF, 28, 28, 0));
        write(read, "invalid-images-count-above-2-31.idx3-ubyte",
                TestIdx.images(IdxReader.IMAGES_MAGIC, 0x80000001, 28, 28, 0));
        write(read, "invalid-labels-out-of-range.idx1-ubyte", TestIdx.labels(1, 10, 2));
        write(read, "invalid-labels-truncated.idx1-ubyte", TestIdx.truncate(labels, labels.length - 1));
        write(read, "invalid-labels-count-too-large.idx1-ubyte",
                ByteBuffer.allocate(8).putInt(IdxReader.LABELS_MAGIC).putInt(-1).array());
        write(read, "invalid-gzip-compressed.gz", TestIdx.gzip(labels));
        write(read, "invalid-magic-idx3-float.idx3", TestIdx.images(0x00000D03, 0, 28, 28, 0));
    }

    private static void write(Path dir, String name, byte[] bytes) throws IOException {
        Files.write(dir.resolve(name), bytes);
    }
}
