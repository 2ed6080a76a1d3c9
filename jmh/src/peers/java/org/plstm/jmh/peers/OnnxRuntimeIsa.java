package org.plstm.jmh.peers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Holds ONNX Runtime to AVX2 on an AVX-512 CPU, for the report's {@code avx2} level: a copy of its native library in
 * which MLAS, ONNX Runtime's kernel library, never selects its AVX-512 kernels.
 *
 * <p>Why: MLAS picks its SGEMM kernels once, from CPUID, and has no run-time switch (unlike oneDNN's
 * {@code ONEDNN_MAX_CPU_ISA}, which holds TensorFlow Java); only a build can leave AVX-512 out. Compared with our
 * engine at {@code -XX:UseAVX=2}, the published library's AVX-512 code measures a 512-bit engine against a 256-bit
 * one. This class copies {@code libonnxruntime.so} of the ONNX Runtime Java package this project uses (1.22.0,
 * {@code linux-x64}, recognised by its SHA-256) and changes one byte: in MLAS's platform set-up, the conditional
 * jump that skips the AVX-512 kernels when CPUID reports no AVX512F ({@code test $0x10000,%r10d; je}, at file offset
 * {@link #JUMP_OFFSET}) becomes an unconditional one to the same place. MLAS then selects the float kernels it
 * selects on an AVX2 + FMA CPU (its FMA3 SGEMM kernel, 256-bit) and records no AVX-512 support; the checks after
 * that block (AVX-VNNI-INT8, AVX-NE-CONVERT, AMX) still run, and concern only its int8 and bf16 kernels. Checked
 * with {@code perf} on shape (b): 57 % of the samples of the published library's LSTM inference were instructions
 * on {@code zmm} registers, 0 % with this copy (65 % {@code ymm}); and in a debugger, MLAS's float kernel pointer
 * held its AVX-512 kernel with the published library and its FMA3 kernel with the copy.
 *
 * <p>Only the benchmarks use this, and only when asked ({@code PLSTM_ONNXRUNTIME_ISA=AVX2}, which
 * {@code jmh/report.sh --peers --isa avx2} sets); ONNX Runtime is otherwise loaded as published. Another version
 * or platform of the library is refused (its bytes are not the ones this patch was read from).
 */
final class OnnxRuntimeIsa {
    /** The environment variable that asks for a level: {@code AVX2}, or unset for ONNX Runtime as published. */
    static final String ENV = "PLSTM_ONNXRUNTIME_ISA";
    /** The library this patch was read from: ONNX Runtime 1.22.0's {@code linux-x64/libonnxruntime.so}. */
    static final String LIBRARY_SHA256 = "3da6146e14e7b8aaec625dde11d6114c7457c87a5f93d744897da8781e35c673";
    /** File offset of the {@code je} that skips MLAS's AVX-512 set-up when CPUID has no AVX512F. */
    static final int JUMP_OFFSET = 0xc6e2d7;
    /**
     * The bytes around the jump, from {@link #JUMP_OFFSET} − 7: {@code test $0x10000,%r10d}, {@code je +0x0e},
     * {@code mov %rdi,%rax}, {@code not %rax}, {@code test $0xe0,%al} (the XCR0 check of the AVX-512 state).
     */
    static final String CONTEXT = "41f7c200000100" + "740e" + "4889f8" + "48f7d0" + "a8e0";
    private static final String RESOURCES = "/ai/onnxruntime/native/linux-x64/";
    private static final String LIBRARY = "libonnxruntime.so";
    private static final String JNI_LIBRARY = "libonnxruntime4j_jni.so";

    private OnnxRuntimeIsa() {
    }

    /**
     * Applies {@link #ENV} before ONNX Runtime loads: for {@code AVX2}, writes the held copy of the native libraries
     * to a new temporary directory (deleted when the JVM exits) and points ONNX Runtime's loader at it (system
     * property {@code onnxruntime.native.path}). Must run before the first use of {@code ai.onnxruntime}.
     *
     * @param isa the variable's value: null or empty for ONNX Runtime as published, or {@code AVX2}
     * @throws IllegalArgumentException if {@code isa} is another value
     * @throws IllegalStateException    if the packaged library is not the one the patch was read from
     * @throws UncheckedIOException     if the libraries cannot be read or written
     */
    static void apply(String isa) {
        if (isa == null || isa.isEmpty()) {
            return;
        }
        if (!isa.equals("AVX2")) {
            throw new IllegalArgumentException(ENV + ": expected AVX2 (or unset), got '" + isa + "'");
        }
        try {
            Path dir = Files.createTempDirectory("plstm-onnxruntime-avx2");
            write(dir);
            System.setProperty("onnxruntime.native.path", dir.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write ONNX Runtime's library held to AVX2", e);
        }
    }

    /**
     * Writes the held {@code libonnxruntime.so} and the unchanged JNI library into {@code dir}; both, and
     * {@code dir}, are deleted when the JVM exits.
     *
     * @param dir an existing directory
     * @throws IOException           if a library cannot be read or written
     * @throws IllegalStateException if the packaged library is not the one the patch was read from
     */
    static void write(Path dir) throws IOException {
        dir.toFile().deleteOnExit(); // registered first, deleted last (deleteOnExit runs in reverse order)
        Path lib = dir.resolve(LIBRARY);
        lib.toFile().deleteOnExit();
        Files.write(lib, holdToAvx2(resource(LIBRARY)));
        Path jni = dir.resolve(JNI_LIBRARY);
        jni.toFile().deleteOnExit();
        try (InputStream in = stream(JNI_LIBRARY)) {
            Files.copy(in, jni, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * @param library the bytes of ONNX Runtime 1.22.0's {@code linux-x64/libonnxruntime.so}
     * @return a copy with MLAS's AVX-512 kernels never selected (one byte changed, see the class comment)
     * @throws IllegalStateException if {@code library} is not that file
     */
    static byte[] holdToAvx2(byte[] library) {
        String sha = sha256(library);
        if (!sha.equals(LIBRARY_SHA256)) {
            throw new IllegalStateException("ONNX Runtime's native library is not the one the AVX2 hold was made "
                    + "for (ONNX Runtime 1.22.0, linux-x64): SHA-256 " + sha + ", expected " + LIBRARY_SHA256);
        }
        byte[] expected = HexFormat.of().parseHex(CONTEXT);
        int start = JUMP_OFFSET - 7;
        for (int i = 0; i < expected.length; i++) {
            if (library[start + i] != expected[i]) { // cannot happen with the hash above; a guard for edits
                throw new IllegalStateException("unexpected bytes at offset " + Integer.toHexString(start + i));
            }
        }
        byte[] held = library.clone();
        held[JUMP_OFFSET] = (byte) 0xeb; // je rel8 (0x74) -> jmp rel8
        return held;
    }

    /**
     * @param name a file of ONNX Runtime's {@code linux-x64} natives, e.g. {@code libonnxruntime.so}
     * @return its bytes, as packaged in ONNX Runtime's jar
     * @throws IOException if the package has no such file, or it cannot be read
     */
    static byte[] resource(String name) throws IOException {
        try (InputStream in = stream(name)) {
            return in.readAllBytes();
        }
    }

    private static InputStream stream(String name) throws IOException {
        InputStream in = OnnxRuntimeIsa.class.getResourceAsStream(RESOURCES + name);
        if (in == null) {
            throw new IOException("ONNX Runtime's package has no " + RESOURCES + name);
        }
        return in;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
