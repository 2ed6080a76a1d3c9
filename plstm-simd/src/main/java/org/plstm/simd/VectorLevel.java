package org.plstm.simd;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The instruction level the SIMD kernels run at, decided once, at class initialisation, from constants: the Vector
 * API's preferred species and the JVM's own CPU flags ({@code UseAVX}, {@code UseFMA}, read through
 * {@code HotSpotDiagnosticMXBean}). Every kernel reads these {@code static final} fields, so C2 folds each decision
 * away and compiles one straight-line kernel per level.
 *
 * <p>What differs between levels, and why (each rule was measured with JMH {@code -prof gc} and a per-operation
 * allocation probe on AMD Zen 5, JDK 25.0.3, at {@code -XX:UseAVX=3}, {@code 2}, {@code 1 -XX:MaxVectorSize=16} and
 * {@code 0}; an operation C2 does not intrinsify falls back to Java and allocates a boxed vector per call):
 * <ul>
 *   <li>{@link #FMA}: vector {@code fma} is one instruction only with hardware FMA ({@code UseFMA}); without it the
 *       Vector API computes it exactly in software, about 100× slower. Kernels then multiply and add (as Lucene
 *       does), and the exact phase reduction computes {@code tau·n} exactly with Dekker's algorithm.</li>
 *   <li>{@link #MASKS}: x86 without AVX ({@code UseAVX=0}, SSE only) does not intrinsify float compares, blends,
 *       min/max or mask extraction, but does integer {@code and}, {@code or}, {@code neg}, {@code add}, shifts and
 *       {@code min}. The common layer's cell update (logistic sigmoid, no peepholes:
 *       {@code CellKernel.forwardPlain} and its backward) stays vectorised there, its clamps done on the floats' bits
 *       ({@code VectorMath.clampInPlace}); the general layer's cell (peepholes, hard sigmoid) and the event-driven
 *       unit search run their scalar twins. The time gate needs no compares and the matrix products only multiply,
 *       add, broadcast and load: they are vectors at every level.</li>
 *   <li>Double-lane compares and blends are not intrinsified at 128 bits on x86 with {@code UseAVX=1}, and
 *       double-to-long conversions ({@code D2L}, {@code L2D}) only with AVX-512DQ; the time gate therefore uses
 *       neither: it rounds with the {@code 1.5·2^52} trick and selects with sign-bit masks, which every level
 *       compiles to plain instructions.</li>
 *   <li>{@link #TILE_ROWS}: the rows of the register tiles of the narrower products (2 and 1 vectors wide) and of
 *       the small layers' fused weight gradients ({@code TILE_ROWS} rows × 4 vectors); the 4-vector gate product
 *       takes {@link #PRODUCT_ROWS}. It began as the gate product's tile of {@code TILE_ROWS} samples × 4 vectors:
 *       with 32 vector registers (AVX-512, ARM NEON/SVE) 4 × 4 accumulators plus 4 weights and a broadcast fit; with
 *       16 (x86 below AVX-512) they spill, and 2 × 4 is fastest (measured on a {@code [32][320] × [320][1024]}
 *       product: at AVX2, 2 × 4 reached 86-92 GFLOP/s against 50-52 for 4 × 4 and 6 × 2; at 128 bits 49 against
 *       34; at AVX-512 4 × 4 reached 192 of a 219 GFLOP/s peak). With 32, the 4-vector-wide product
 *       ({@link GateProduct}) takes 6 rows at a time (24 accumulators): {@code KernelBenchmark.gateProduct} (b),
 *       1 thread, AMD Zen 5, two alternating runs: 214-219 µs against 262-265 µs for 4 rows. With 32 the 2-vector
 *       product takes 8 rows first (see {@link GateProduct}).</li>
 *   <li>{@link #SSE}: SSE's instructions have two operands (the destination is a source), so every multiply of a
 *       weight reused by another row needs a copy, and the 2 × 4 tile's 8 accumulators, 4 weights, 2 broadcasts and
 *       the copies no longer fit 16 registers: C2 spilled an accumulator to the stack inside the loop (seen in the
 *       compiled code), so every step waited on a store and a reload. The 4-vector-wide product takes 1 row at a
 *       time there ({@link #PRODUCT_ROWS} = 1: 4 accumulators, no spill): {@code KernelBenchmark.gateProduct} (b)
 *       at {@code UseAVX=0}, 1 thread, 2,278-2,333 µs with 2 rows against 1,331 µs.</li>
 * </ul>
 *
 * <p>The SIMD kernels need vectors of at least 128 bits (4 float and 2 double lanes); {@link #usable()} says whether
 * this JVM has them ({@code -XX:MaxVectorSize=8} leaves 64-bit vectors, and the backend selection then falls back
 * to the reference).
 */
public final class VectorLevel {
    /** Float species of every kernel: the preferred shape. */
    static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    /** Double species of the time gate: the preferred shape. */
    static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    /** Float lanes. */
    static final int L = FS.length();
    /** Double lanes ({@code L / 2}). */
    static final int DL = DS.length();

    private static final String ARCH = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    private static final boolean X86 = ARCH.equals("amd64") || ARCH.equals("x86_64");
    private static final boolean AARCH64 = ARCH.equals("aarch64") || ARCH.equals("arm64");
    /** {@code UseAVX} of x86 HotSpot (0-3), or -1 elsewhere or when unknown. */
    static final int USE_AVX = X86 ? intOption("UseAVX", -1) : -1;
    /** Hardware fused multiply-add is used by vector {@code fma}. */
    static final boolean FMA = booleanOption("UseFMA", true);
    /**
     * Whether {@link StreamLayer}'s event-driven step keeps per-unit bounds of closed gates and evaluates only the
     * other units' time gate (see {@code StreamLayer.openUnitsAt}): only without FMA (x86 {@code UseAVX=0}), where the exact phase takes Dekker's
     * product and evaluating every unit was a quarter of an event's time (H = 512: 100-105k → 116k events/s). With
     * FMA the full evaluation costs about what the bookkeeping does (128 bits: neutral) or less (AVX-512: 197k →
     * 162k events/s with the bounds), so those levels evaluate every unit.
     */
    static final boolean CLOSED_BOUNDS = !FMA;
    /** x86 with SSE only ({@code UseAVX=0}): two-operand instructions, no FMA (see {@link #PRODUCT_ROWS}). */
    static final boolean SSE = X86 && USE_AVX == 0;
    /** Float compares, blends, min/max and mask extraction are intrinsified: everywhere but {@link #SSE}. */
    static final boolean MASKS = !SSE;
    /** Vector registers of the level: 32 with AVX-512 or on ARM, 16 on x86 below AVX-512 (and by default). */
    static final int REGISTERS = (X86 && USE_AVX >= 3) || AARCH64 ? 32 : 16;
    /**
     * Samples per register tile of the narrower gate products (2 or 1 vectors per strip row; with 32 registers the
     * 2-vector product takes 8 rows first); the 4-vector-wide gate product (forward, backward, and the weight
     * gradients) takes {@link #PRODUCT_ROWS}.
     */
    static final int TILE_ROWS = REGISTERS >= 32 ? 4 : 2;
    /**
     * Samples per register tile of the 4-vector-wide gate product (the forward's, and the weight gradients'): 6 with
     * 32 registers, 1 with SSE only (see {@link #SSE}), else 2.
     */
    static final int PRODUCT_ROWS = REGISTERS >= 32 ? 6 : SSE ? 1 : 2;

    private VectorLevel() {
    }

    /** @return true if the preferred vectors hold at least 4 floats and 2 doubles, which the kernels need */
    public static boolean usable() {
        return L >= 4 && DL >= 2;
    }

    /** @return the vector width in bits the kernels use */
    public static int vectorBitSize() {
        return FS.vectorBitSize();
    }

    /** @return float lanes per vector */
    public static int floatLanes() {
        return L;
    }

    /** @return whether vector {@code fma} is a hardware instruction here */
    public static boolean fma() {
        return FMA;
    }

    /** @return samples per register tile of the forward's gate product (4 vectors wide) */
    public static int tileRows() {
        return PRODUCT_ROWS;
    }

    /**
     * @return the level in a few words, e.g. {@code "AVX-512, 512-bit, FMA, tile 6x4"} or
     *     {@code "SSE (UseAVX=0), 128-bit, no FMA, tile 1x4, no vector masks"}
     */
    public static String describe() {
        String isa;
        if (X86) {
            isa = switch (USE_AVX) {
                case 3 -> "AVX-512";
                case 2 -> "AVX2";
                case 1 -> "AVX (UseAVX=1)";
                case 0 -> "SSE (UseAVX=0)";
                default -> "x86";
            };
        } else if (AARCH64) {
            isa = "ARM64";
        } else {
            isa = ARCH.isEmpty() ? "unknown CPU" : ARCH;
        }
        return isa + ", " + vectorBitSize() + "-bit, " + (FMA ? "FMA" : "no FMA") + ", tile " + PRODUCT_ROWS + "x4"
                + (MASKS ? "" : ", no vector masks");
    }

    /** @return a short name of the level for reports: {@code avx512}, {@code avx2}, {@code avx}, {@code sse}, ... */
    public static String name() {
        if (X86) {
            return switch (USE_AVX) {
                case 3 -> "avx512";
                case 2 -> "avx2";
                case 1 -> "avx";
                case 0 -> "sse";
                default -> "x86";
            };
        }
        return AARCH64 ? "arm64" : ARCH;
    }

    private static String option(String name) {
        try {
            return ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                    .getVMOption(name).getValue();
        } catch (RuntimeException | LinkageError e) {
            return null; // no jdk.management module, not HotSpot, or no such flag on this CPU
        }
    }

    private static int intOption(String name, int fallback) {
        String v = option(name);
        try {
            return v == null ? fallback : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static boolean booleanOption(String name, boolean fallback) {
        String v = option(name);
        return v == null ? fallback : Boolean.parseBoolean(v.trim());
    }
}
