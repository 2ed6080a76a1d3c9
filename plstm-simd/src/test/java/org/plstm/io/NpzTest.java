package org.plstm.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plstm.PhasedLstmConfig;
import org.plstm.TimeGateInit;
import org.plstm.train.SequenceClassifier;

/** NumPy {@code .npz} export and import: a round trip, and NumPy itself reading, editing and re-saving the file. */
class NpzTest {
    @TempDir
    Path dir;

    private static ModelWeights model() {
        return SequenceClassifier.initialize(List.of(PhasedLstmConfig.builder(3, 5).peepholes(true).build(),
                PhasedLstmConfig.builder(5, 4).build()), 3, TimeGateInit.PAPER, 7).weights();
    }

    @Test
    void aRoundTripKeepsEveryValueAndConfiguration() throws Exception {
        ModelWeights m = model();
        Path f = dir.resolve("model.npz");
        Npz.save(f, m);
        ModelWeights back = Npz.load(f);
        assertThat(back.layers()).hasSize(2);
        for (int k = 0; k < 2; k++) {
            assertThat(back.layers().get(k).config()).isEqualTo(m.layers().get(k).config());
            assertThat(back.layers().get(k).kernel()).containsExactly(m.layers().get(k).kernel());
            assertThat(back.layers().get(k).recurrentKernel()).containsExactly(m.layers().get(k).recurrentKernel());
            assertThat(back.layers().get(k).timegateKernel()).containsExactly(m.layers().get(k).timegateKernel());
        }
        assertThat(back.layers().get(0).peephole()).containsExactly(m.layers().get(0).peephole());
        assertThat(back.dense().kernel()).containsExactly(m.dense().kernel());
        assertThat(back.dense().bias()).containsExactly(m.dense().bias());
    }

    @Test
    void numpyReadsEditsAndSavesWhatPlstmReadsBack() throws Exception {
        // python3 as the shell finds it (PATH: a virtualenv, pyenv, or the system's), or PLSTM_PYTHON
        String python = System.getenv().getOrDefault("PLSTM_PYTHON", "python3");
        boolean numpy;
        try {
            Process probe = new ProcessBuilder(python, "-c", "import numpy").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            numpy = probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException e) {
            numpy = false; // no such program
        }
        Assumptions.assumeTrue(numpy, "no NumPy for '" + python + "' (the python3 on PATH, or set PLSTM_PYTHON)");
        ModelWeights m = model();
        Path f = dir.resolve("model.npz");
        Npz.save(f, m);
        Path edited = dir.resolve("edited.npz");
        String script = String.join("\n",
                "import json, sys, numpy as np",
                "z = np.load(sys.argv[1])",
                "meta = json.loads(bytes(z['__metadata__']).decode())",
                "assert meta['layers'] == '2', meta",
                "k = z['layers.0.kernel']",
                "assert k.dtype == np.float32 and k.shape == (3, 20), (k.dtype, k.shape)",
                "assert z['layers.1.timegate_kernel'].shape == (3, 4)",
                "arrays = {n: z[n] for n in z.files}",
                "arrays['dense.bias'] = (arrays['dense.bias'] * 2).astype(np.float64)",  // float64 is accepted
                "np.savez_compressed(sys.argv[2], **arrays)",
                "print(repr(float(k[1, 2])))");
        Process p = new ProcessBuilder(python, "-c", script, f.toString(), edited.toString())
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(Float.parseFloat(out)).isEqualTo(m.layers().get(0).kernel()[1 * 20 + 2]);
        ModelWeights back = Npz.load(edited);
        for (int c = 0; c < 3; c++) {
            assertThat(back.dense().bias()[c]).isEqualTo(m.dense().bias()[c] * 2);
        }
        assertThat(back.layers().get(1).kernel()).containsExactly(m.layers().get(1).kernel());
    }

    @Test
    void badArchivesAreRefusedNamingTheFile() throws Exception {
        Path text = Files.writeString(dir.resolve("a.npz"), "not a zip");
        assertThatThrownBy(() -> Npz.load(text)).isInstanceOf(CheckpointFormatException.class)
                .hasMessageStartingWith(text + ": not an .npz (zip) archive");
        assertThatThrownBy(() -> Npz.load(dir)).isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("not a regular file");
        Path noMeta = dir.resolve("b.npz");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(noMeta))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("x.npy"));
            zip.write(Npz.npy("<f4", new int[] {1}, new byte[4]));
            zip.closeEntry();
        }
        assertThatThrownBy(() -> Npz.load(noMeta)).isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("no __metadata__ array");
        Path truncated = dir.resolve("c.npz");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(truncated))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("x.npy"));
            byte[] npy = Npz.npy("<f4", new int[] {4}, new byte[16]);
            zip.write(npy, 0, npy.length - 3);
            zip.closeEntry();
        }
        assertThatThrownBy(() -> Npz.load(truncated)).isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("array x: holds 13 data bytes, its shape (4,) of <f4 needs 16");
        Path twoShapes = dir.resolve("d.npz");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(twoShapes))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("x.npy"));
            byte[] npy = Npz.npy("<f4", new int[] {4}, new byte[16]);
            String h = new String(npy, 10, npy.length - 26, java.nio.charset.StandardCharsets.ISO_8859_1);
            String twice = h.replace("'shape': (4,), ", "'shape': (4,), 'shape': (2,), ").substring(0, h.length());
            System.arraycopy(twice.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 0, npy, 10, h.length());
            zip.write(npy);
            zip.closeEntry();
        }
        assertThatThrownBy(() -> Npz.load(twoShapes)).isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("array x: header names a key twice");
    }
    @Test
    void aFlippedBitADuplicateEntryAndAnEntryLargerThanItsRecordedSizeAreRefused() throws Exception {
        ModelWeights m = model();
        Path f = dir.resolve("model.npz");
        Npz.save(f, m);
        byte[] zip = Files.readAllBytes(f);
        // one bit of the first kernel value (stored, so its bytes are in the file as written): a damaged archive, not
        // a different weight
        byte[] npy = Npz.npy("<f4", new int[] {3, 20}, new byte[0]);
        int header = npy.length; // the .npy header before the data
        int at = indexOf(zip, "layers.0.kernel.npy".getBytes(java.nio.charset.StandardCharsets.US_ASCII)) + 19
                + header; // the local file header's name, then the array's header, then its first float
        byte[] flipped = zip.clone();
        flipped[at] ^= 0x01;
        Path bad = Files.write(dir.resolve("flipped.npz"), flipped);
        assertThatThrownBy(() -> Npz.load(bad)).isInstanceOf(CheckpointFormatException.class)
                .hasMessageStartingWith(bad + ": entry 'layers.0.kernel.npy' fails its CRC-32 check")
                .hasMessageEndingWith("the archive is damaged");

        Path twice = dir.resolve("twice.npz");
        try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(twice));
             var in = new java.util.zip.ZipFile(f.toFile())) {
            for (var e : java.util.Collections.list(in.entries())) {
                out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                out.write(in.getInputStream(e).readAllBytes());
                out.closeEntry();
            }
            out.putNextEntry(new java.util.zip.ZipEntry("dense.bia2.npy")); // renamed below: ZipOutputStream refuses
            out.write(Npz.npy("<f4", new int[] {3}, new byte[12])); // a duplicate name
            out.closeEntry();
        }
        byte[] t = Files.readAllBytes(twice);
        byte[] from = "dense.bia2.npy".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int k = 0; k < 2; k++) { // the local header's name and the central directory's
            int n = indexOf(t, from);
            System.arraycopy("dense.bias.npy".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, t, n,
                    from.length);
        }
        Files.write(twice, t);
        assertThatThrownBy(() -> Npz.load(twice)).isInstanceOf(CheckpointFormatException.class)
                .hasMessage(twice + ": two entries named 'dense.bias.npy'");

        // an entry that inflates beyond the size its central-directory record gives (a zip bomb's trick)
        Path bomb = dir.resolve("bomb.npz");
        try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(bomb))) {
            out.putNextEntry(new java.util.zip.ZipEntry("x.npy"));
            out.write(Npz.npy("<f4", new int[] {1000}, new byte[4000]));
            out.closeEntry();
        }
        byte[] b = Files.readAllBytes(bomb);
        int central = indexOf(b, new byte[] {0x50, 0x4b, 0x01, 0x02});
        java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(central + 24, 100);
        Files.write(bomb, b);
        assertThatThrownBy(() -> Npz.load(bomb)).isInstanceOf(CheckpointFormatException.class)
                .hasMessage(bomb + ": entry 'x.npy' holds more than 100 bytes, its declared size is 100: the archive "
                        + "is damaged");
    }

    @Test
    void anArchiveCutOffByTheEndOfTheFileOrOfAnEntrysCompressedBytesIsRefusedNotAnEofException() throws Exception {
        // found by NpzFuzzTest: the zip reader's EOFException escaped as a plain IOException
        Path f = dir.resolve("model.npz");
        Npz.save(f, model());
        byte[] b = Files.readAllBytes(f);
        int central = indexOf(b, new byte[] {0x50, 0x4b, 0x01, 0x02});
        // the first entry's local header placed 10 bytes before the end: its 30 bytes run past the file
        java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(central + 42, b.length - 10);
        Path cut = Files.write(dir.resolve("cut.npz"), b);
        assertThatThrownBy(() -> Npz.load(cut)).isInstanceOf(CheckpointFormatException.class)
                .hasMessage(cut + ": entry 'layers.0.kernel.npy' is cut off: its local header or data runs past the "
                        + "end of the file or of its compressed bytes (java.io.EOFException): the archive is damaged");

        // a deflated entry whose recorded compressed size ends before its deflate stream does
        Path deflated = dir.resolve("deflated.npz");
        try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(deflated))) {
            out.putNextEntry(new java.util.zip.ZipEntry("x.npy"));
            byte[] values = new byte[4000];
            new java.util.Random(1).nextBytes(values);
            out.write(Npz.npy("|u1", new int[] {4000}, values));
            out.closeEntry();
        }
        byte[] d = Files.readAllBytes(deflated);
        int record = indexOf(d, new byte[] {0x50, 0x4b, 0x01, 0x02});
        java.nio.ByteBuffer.wrap(d).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(record + 20, 100);
        Files.write(deflated, d);
        assertThatThrownBy(() -> Npz.load(deflated)).isInstanceOf(CheckpointFormatException.class)
                .hasMessage(deflated + ": entry 'x.npy' is cut off: its local header or data runs past the end of "
                        + "the file or of its compressed bytes (java.io.EOFException: Unexpected end of ZLIB input "
                        + "stream): the archive is damaged");

        // the end record's comment length runs past the end of the file (ZipFile's constructor read it and failed)
        byte[] e = Files.readAllBytes(f);
        int end = indexOf(e, new byte[] {0x50, 0x4b, 0x05, 0x06});
        java.nio.ByteBuffer.wrap(e).order(java.nio.ByteOrder.LITTLE_ENDIAN).putShort(end + 20, (short) 100);
        Path comment = Files.write(dir.resolve("comment.npz"), e);
        assertThatThrownBy(() -> Npz.load(comment)).isInstanceOf(CheckpointFormatException.class)
                .hasMessage(comment + ": not an .npz (zip) archive: a record of its directory runs past the end of the "
                        + "file (java.io.EOFException)");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
