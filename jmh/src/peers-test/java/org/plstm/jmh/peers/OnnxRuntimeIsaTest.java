package org.plstm.jmh.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.plstm.jmh.peers.CrossCheck.assertClose;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plstm.jmh.peers.CrossCheck.Case;
import org.plstm.reference.ReferencePhasedLstm;

/**
 * {@link OnnxRuntimeIsa}: the held library differs from the published one in the one byte the class names, another
 * library is refused, and ONNX Runtime loaded from the held copy (in a JVM of its own: a JVM loads the library once;
 * the file it mapped checked for that byte) computes the same LSTM as the reference within
 * {@link OnnxLstmCrossCheckTest}'s tolerance.
 */
class OnnxRuntimeIsaTest {

    @Test
    void theHeldLibraryDiffersInTheJumpOnly() throws IOException {
        byte[] published = OnnxRuntimeIsa.resource("libonnxruntime.so");
        byte[] held = OnnxRuntimeIsa.holdToAvx2(published);
        List<Integer> changed = new ArrayList<>();
        for (int i = 0; i < published.length; i++) {
            if (published[i] != held[i]) {
                changed.add(i);
            }
        }
        assertThat(changed).containsExactly(OnnxRuntimeIsa.JUMP_OFFSET);
        assertThat(published[OnnxRuntimeIsa.JUMP_OFFSET]).isEqualTo((byte) 0x74); // je rel8
        assertThat(held[OnnxRuntimeIsa.JUMP_OFFSET]).isEqualTo((byte) 0xeb); // jmp rel8, the same target
        assertThat(held[OnnxRuntimeIsa.JUMP_OFFSET + 1]).isEqualTo(published[OnnxRuntimeIsa.JUMP_OFFSET + 1]);
    }

    @Test
    void anotherLibraryIsRefused() throws IOException {
        byte[] other = OnnxRuntimeIsa.resource("libonnxruntime.so");
        other[1000] ^= 1;
        assertThatThrownBy(() -> OnnxRuntimeIsa.holdToAvx2(other))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not the one the AVX2 hold was made for (ONNX Runtime 1.22.0, linux-x64)")
                .hasMessageContaining("expected " + OnnxRuntimeIsa.LIBRARY_SHA256);
    }

    @Test
    void anUnknownLevelIsRefused() {
        assertThatThrownBy(() -> OnnxRuntimeIsa.apply("AVX512"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("PLSTM_ONNXRUNTIME_ISA: expected AVX2 (or unset), got 'AVX512'");
    }

    @Test
    void unsetOrEmptyLeavesOnnxRuntimeAsPublished() {
        String before = System.getProperty("onnxruntime.native.path");
        OnnxRuntimeIsa.apply(null);
        OnnxRuntimeIsa.apply("");
        assertThat(System.getProperty("onnxruntime.native.path")).isEqualTo(before);
    }

    @Test
    void onnxRuntimeHeldToAvx2StillMatchesTheReference(@TempDir Path tmp) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path log = tmp.resolve("child.log");
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), OnnxRuntimeIsaTest.class.getName())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = p.waitFor(120, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(finished).as("the child JVM finished within 120 s: " + out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("loaded from the held copy").contains("cases agree");
    }

    /**
     * The child JVM of {@link #onnxRuntimeHeldToAvx2StillMatchesTheReference}: holds ONNX Runtime to AVX2, checks
     * in {@code /proc/self/maps} that the library it mapped is the held copy, and runs the cross-check's cases.
     */
    public static void main(String[] args) throws OrtException, IOException {
        OnnxRuntimeIsa.apply("AVX2");
        String dir = System.getProperty("onnxruntime.native.path");
        int n = 0;
        for (Case c : CrossCheck.cases(1).map(a -> (Case) a.get()[0]).toList()) {
            ReferencePhasedLstm.Forward ref = c.reference(true);
            try (OnnxLstm onnx = new OnnxLstm(c.w(), 1)) {
                LstmResult r = onnx.forward(c.x(), c.h0(), c.c0(), c.batch(), c.steps());
                assertClose("ONNX h (AVX2)", c, r.h(), ref.h, OnnxLstmCrossCheckTest.ATOL, OnnxLstmCrossCheckTest.RTOL);
                assertClose("ONNX cT (AVX2)", c, r.cT(), ref.cT, OnnxLstmCrossCheckTest.ATOL,
                        OnnxLstmCrossCheckTest.RTOL);
            }
            n++;
        }
        String mapped = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(l -> l.endsWith("/libonnxruntime.so")).findFirst().orElse("(not mapped)");
        if (!mapped.contains(dir + "/")) {
            throw new AssertionError("libonnxruntime.so mapped from elsewhere: " + mapped);
        }
        byte[] loaded = Files.readAllBytes(Path.of(mapped.substring(mapped.indexOf('/'))));
        if (loaded[OnnxRuntimeIsa.JUMP_OFFSET] != (byte) 0xeb) {
            throw new AssertionError("the mapped library is not the held copy: byte "
                    + Integer.toHexString(loaded[OnnxRuntimeIsa.JUMP_OFFSET] & 0xff));
        }
        System.out.println("loaded from the held copy in " + dir + "; " + n + " cases agree with the reference");
    }
}
