package org.plstm.jmh.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The instruction levels {@code jmh/report.sh --isa} runs the benchmarks at: each adds HotSpot flags to every JMH
 * fork ({@code -jvmArgsAppend}) and to the {@link MachineProbe} JVM, so the SIMD kernels compile for that level
 * ({@code org.plstm.simd.VectorLevel} reads the flags back). The flags exist on x86-64 only; elsewhere only
 * {@link #NATIVE} runs. {@code jmh/report.sh} spells the same flags (its function {@code isa_flags}) and the same
 * peer caps (its functions {@code peer_isa} and {@code onnx_isa}); a test keeps the two in step.
 *
 * <p>The peers' native code ignores the JVM's flags. TensorFlow Java does its LSTM products in oneDNN's
 * {@code sgemm}, which honours {@code ONEDNN_MAX_CPU_ISA}; with {@code --peers} it runs at each level that has such a
 * cap ({@link #peerCpuIsa()}), held to it. ONNX Runtime's MLAS has no run-time cap; at {@link #AVX2} the benchmarks
 * hold it with a copy of its library whose AVX-512 kernels are never selected ({@link #onnxIsa()};
 * {@code org.plstm.jmh.peers.OnnxRuntimeIsa}). DL4J has none: it runs at {@link #NATIVE} only, and so does ONNX
 * Runtime at the other levels; those levels compare against the native results ({@link LevelRun}).
 */
public enum IsaLevel {
    /** The JVM's defaults: the widest vectors and every instruction the CPU has. */
    NATIVE("native", "", null, "", null, "the JVM's defaults: the widest vectors and every instruction this CPU has"),
    /** AVX2: 256-bit vectors with FMA, as on x86 CPUs without AVX-512. */
    AVX2("avx2", "-XX:UseAVX=2", "avx2", "AVX2", "AVX2", "AVX2: 256-bit vectors with FMA, 16 vector registers (x86 "
            + "CPUs without AVX-512)"),
    /** 128-bit vectors: AVX ({@code UseAVX=1}), vectors capped at 16 bytes. */
    V128("128", "-XX:UseAVX=1 -XX:MaxVectorSize=16", "avx", null, null, "128-bit vectors: AVX (UseAVX=1) with vectors "
            + "capped at 16 bytes, FMA where the CPU has it"),
    /** SSE only ({@code UseAVX=0}): 128-bit vectors without FMA, compares or blends. */
    NOFMA("nofma", "-XX:UseAVX=0", "sse", "SSE41", null, "SSE only (UseAVX=0): 128-bit vectors, no FMA (multiply and "
            + "add), no vector compares or blends");

    private final String label;
    private final String jvmFlags;
    private final String kernelLevel;
    private final String peerCpuIsa;
    private final String onnxIsa;
    private final String description;

    IsaLevel(String label, String jvmFlags, String kernelLevel, String peerCpuIsa, String onnxIsa,
             String description) {
        this.label = label;
        this.jvmFlags = jvmFlags;
        this.kernelLevel = kernelLevel;
        this.peerCpuIsa = peerCpuIsa;
        this.onnxIsa = onnxIsa;
        this.description = description;
    }

    /** @return the name given to {@code --isa}, and the level's results subdirectory: {@code native}, ... */
    public String label() {
        return label;
    }

    /** @return the HotSpot flags the level adds, space-separated; empty for {@link #NATIVE} */
    public String jvmFlags() {
        return jvmFlags;
    }

    /**
     * @return what {@code org.plstm.simd.VectorLevel.name()} reports when the flags take effect ({@code avx2},
     *     {@code avx}, {@code sse}), or null for {@link #NATIVE} (whatever the CPU has)
     */
    public String expectedKernelLevel() {
        return kernelLevel;
    }

    /**
     * The cap that holds TensorFlow Java's oneDNN to this level ({@code ONEDNN_MAX_CPU_ISA}; oneDNN's names):
     * {@code AVX2} at {@link #AVX2}, {@code SSE41} (128-bit, no FMA) at {@link #NOFMA}; empty at {@link #NATIVE}
     * (no cap: the peers run as they would for a user); null at {@link #V128}, where oneDNN has no match (its
     * {@code SSE41} has no FMA, its {@code AVX} is 256-bit), so no peer runs there.
     *
     * @return oneDNN's ISA name, empty for none, or null if no peer runs at this level
     */
    public String peerCpuIsa() {
        return peerCpuIsa;
    }

    /**
     * The level ONNX Runtime is held to at this level ({@code PLSTM_ONNXRUNTIME_ISA}): {@code AVX2} at
     * {@link #AVX2}, where the benchmarks load a copy of its library whose MLAS never selects its AVX-512 kernels;
     * null elsewhere (at {@link #NATIVE} it runs as published; at {@link #V128} and {@link #NOFMA} it does not run,
     * and those levels compare against its native results).
     *
     * @return {@code AVX2}, or null if ONNX Runtime is not held to this level
     */
    public String onnxIsa() {
        return onnxIsa;
    }

    /** @return what the level means, in a sentence */
    public String description() {
        return description;
    }

    /**
     * @param label a level's name, e.g. {@code avx2}
     * @return the level, if the name is one
     */
    public static Optional<IsaLevel> of(String label) {
        for (IsaLevel l : values()) {
            if (l.label.equals(label)) {
                return Optional.of(l);
            }
        }
        return Optional.empty();
    }

    /**
     * @param label a level's name
     * @return the level
     * @throws IllegalArgumentException if the name is not a level, naming the expected ones
     */
    public static IsaLevel parse(String label) {
        return of(label).orElseThrow(() -> new IllegalArgumentException("level: expected one of " + names()
                + ", got '" + label + "'"));
    }

    /** @return the names, e.g. {@code native, avx2, 128, nofma} */
    public static String names() {
        List<String> n = new ArrayList<>();
        for (IsaLevel l : values()) {
            n.add(l.label);
        }
        return String.join(", ", n);
    }

    /**
     * The report's order of level names: the known levels in declaration order, then any other name
     * alphabetically.
     *
     * @return the comparator
     */
    public static Comparator<String> order() {
        return Comparator.comparingInt((String s) -> of(s).map(Enum::ordinal).orElse(Integer.MAX_VALUE))
                .thenComparing(s -> s.toLowerCase(Locale.ROOT));
    }
}
