package org.plstm.mnist.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.plstm.mnist.data.TestIdx.images;
import static org.plstm.mnist.data.TestIdx.labels;
import static org.plstm.mnist.data.TestIdx.write;

import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    private static final String IMAGES = "train-images-idx3-ubyte";
    private static final String LABELS = "train-labels-idx1-ubyte";

    @TempDir
    Path dir;

    @Test
    void readsImagesAndLabelsIntoOneSplit() throws Exception {
        Path img = write(dir, IMAGES, images(5));
        Path lab = write(dir, LABELS, labels(5, 0, 4, 1, 9));

        MnistSplit s = IdxReader.readSplit(img, lab);

        assertThat(s.count()).isEqualTo(5);
        assertThat(s.rows()).isEqualTo(28);
        assertThat(s.cols()).isEqualTo(28);
        assertThat(s.pixels()).hasSize(5 * 784);
        assertThat(s.labels()).containsExactly(5, 0, 4, 1, 9);
        for (int n = 0; n < 5; n++) {
            for (int r = 0; r < 28; r += 9) {
                for (int c = 0; c < 28; c += 5) {
                    assertThat(s.pixel(n, r, c)).as("pixel %d,%d,%d", n, r, c).isEqualTo(TestIdx.pixelAt(n, r, c));
                    assertThat(s.pixels()[n * 784 + r * 28 + c] & 0xFF).isEqualTo(TestIdx.pixelAt(n, r, c));
                }
            }
        }
        // unsigned: a value above 127 comes back as such
        assertThat(s.pixel(4, 27, 27)).isEqualTo((4 * 31 + 27 * 7 + 27 * 3) & 0xFF).isGreaterThan(127);
    }

    @Test
    void acceptsAnyCountIncludingZero() throws Exception {
        Path img = write(dir, IMAGES, images(0));
        Path lab = write(dir, LABELS, labels());
        MnistSplit s = IdxReader.readSplit(img, lab);
        assertThat(s.count()).isZero();
        assertThat(s.pixels()).isEmpty();
        assertThat(s.labels()).isEmpty();
    }

    @Test
    void mnistReadReadsAllFourFiles() throws Exception {
        TestIdx.Synthetic syn = TestIdx.Synthetic.create();
        for (MnistFile f : MnistFile.values()) {
            syn.writeRaw(dir, f);
        }
        Mnist m = Mnist.read(dir);
        assertThat(m.train().count()).isEqualTo(5);
        assertThat(m.test().count()).isEqualTo(3);
        assertThat(m.train().labels()).containsExactly(5, 0, 4, 1, 9);
        assertThat(m.test().labels()).containsExactly(7, 2, 1);
        assertThat(m.test().pixel(2, 3, 4)).isEqualTo(TestIdx.pixelAt(2, 3, 4));
    }

    @Test
    void badImageMagic() {
        Path img = write(dir, IMAGES, images(0x00000801, 5, 28, 28, 5));
        assertThatThrownBy(() -> IdxReader.readImages(img))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageStartingWith(IMAGES + ": bad magic number 0x00000801, expected 0x00000803")
                .hasMessageContaining("looks like a label file")
                .hasMessageContaining(img.toString())
                .satisfies(e -> {
                    IdxFormatException x = (IdxFormatException) e;
                    assertThat(x.file()).isEqualTo(img);
                    assertThat(x.problem()).startsWith("bad magic number 0x00000801");
                });
    }

    @Test
    void badLabelMagic() {
        Path lab = write(dir, LABELS, TestIdx.labelsWithMagic(0x12345678, 1, 2, 3));
        assertThatThrownBy(() -> IdxReader.readLabels(lab))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageStartingWith(LABELS + ": bad magic number 0x12345678, expected 0x00000801");
    }

    @Test
    void gzipCompressedFileIsRecognisedInTheMessage() {
        Path img = write(dir, IMAGES, TestIdx.gzip(images(5)));
        assertThatThrownBy(() -> IdxReader.readImages(img))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageStartingWith(IMAGES + ": bad magic number 0x1F8B")
                .hasMessageContaining("looks gzip-compressed")
                .hasMessageContaining(IMAGES + ".gz");
    }

    @Test
    void wrongDimensions() {
        Path img = write(dir, IMAGES, images(IdxReader.IMAGES_MAGIC, 5, 28, 27, 5));
        assertThatThrownBy(() -> IdxReader.readImages(img))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageStartingWith(IMAGES + ": wrong image dimensions 28x27, expected 28x28");
    }

    @Test
    void truncatedImages() {
        Path img = write(dir, IMAGES, TestIdx.truncate(images(5), 1000));
        assertThatThrownBy(() -> IdxReader.readImages(img))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageStartingWith(IMAGES
                        + ": truncated: header says 5 images of 28x28 (3936 bytes), file has 1000 bytes");
    }

    @Test
    void truncatedImagesAsPartOfASplit() {
        Path img = write(dir, IMAGES, TestIdx.truncate(images(5), 3935));
        Path lab = write(dir, LABELS, labels(1, 2, 3, 4, 5));
        assertThatThrownBy(() -> IdxReader.readSplit(img, lab))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageStartingWith(IMAGES
                        + ": truncated: header says 5 images of 28x28 (3936 bytes), file has 3935 bytes");
    }

    @Test
    void truncatedImageHeader() {
        Path img = write(dir, IMAGES, TestIdx.truncate(images(5), 10));
        assertThatThrownBy(() -> IdxReader.readImages(img))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageStartingWith(IMAGES + ": truncated: file has 10 bytes, an IDX image header needs 16");
    }

    @Test
    void emptyFile() {
        Path lab = write(dir, LABELS, new byte[0]);
        assertThatThrownBy(() -> IdxReader.readLabels(lab))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageStartingWith(LABELS + ": truncated: file has 0 bytes, an IDX label header needs 8");
    }

    @Test
    void truncatedLabels() {
        Path lab = write(dir, LABELS, TestIdx.truncate(labels(1, 2, 3, 4, 5), 11));
        assertThatThrownBy(() -> IdxReader.readLabels(lab))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageStartingWith(LABELS + ": truncated: header says 5 labels (13 bytes), file has 11 bytes");
    }

    @Test
    void extraTrailingBytesInImages() {
        byte[] ok = images(5);
        Path img = write(dir, IMAGES, java.util.Arrays.copyOf(ok, ok.length + 3));
        assertThatThrownBy(() -> IdxReader.readImages(img))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageStartingWith(IMAGES + ": 3 extra trailing bytes: header says 5 images of 28x28 "
                        + "(3936 bytes), file has 3939 bytes");
    }

    @Test
    void extraTrailingBytesInLabels() {
        byte[] ok = labels(1, 2, 3);
        Path lab = write(dir, LABELS, java.util.Arrays.copyOf(ok, ok.length + 1));
        assertThatThrownBy(() -> IdxReader.readLabels(lab))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageStartingWith(LABELS + ": 1 extra trailing bytes: header says 3 labels (11 bytes), "
                        + "file has 12 bytes");
    }

    @Test
    void labelOutOfRange() {
        Path lab = write(dir, LABELS, labels(1, 2, 3, 10, 4));
        assertThatThrownBy(() -> IdxReader.readLabels(lab))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageStartingWith(LABELS + ": label 10 at index 3 is out of range 0..9");
    }

    @Test
    void labelOutOfRangeAsUnsignedByte() {
        Path lab = write(dir, LABELS, labels(200));
        assertThatThrownBy(() -> IdxReader.readLabels(lab))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageStartingWith(LABELS + ": label 200 at index 0 is out of range 0..9");
    }

    @Test
    void countMismatchBetweenImagesAndLabels() {
        Path img = write(dir, IMAGES, images(5));
        Path lab = write(dir, LABELS, labels(1, 2, 3, 4));
        assertThatThrownBy(() -> IdxReader.readSplit(img, lab))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageStartingWith(LABELS + ": count mismatch: 4 labels, but " + IMAGES + " has 5 images");
    }

    @Test
    void missingFile() {
        Path lab = write(dir, LABELS, labels(1, 2, 3));
        Path img = dir.resolve(IMAGES);
        assertThatThrownBy(() -> IdxReader.readSplit(img, lab))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessage(img + ": MNIST IDX file not found");
    }

    @Test
    void missingFileInMnistRead() {
        TestIdx.Synthetic syn = TestIdx.Synthetic.create();
        syn.writeRaw(dir, MnistFile.TRAIN_IMAGES);
        syn.writeRaw(dir, MnistFile.TRAIN_LABELS);
        syn.writeRaw(dir, MnistFile.TEST_IMAGES);
        assertThatThrownBy(() -> Mnist.read(dir))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("t10k-labels-idx1-ubyte")
                .hasMessageContaining("not found");
    }
}
