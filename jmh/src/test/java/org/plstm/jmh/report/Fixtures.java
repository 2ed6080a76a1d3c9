package org.plstm.jmh.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The test resources and hand-made JMH results.
 *
 * <p>The per-level fixtures ({@code level-*.json}, {@code machine-native.json}, {@code machine-avx2.json},
 * {@code machine-nofma.json}) have round numbers: a 256-bit machine (8 lanes; 4 at {@code nofma}), {@code peak1}
 * and {@code peak2} at 30.72 µs/op (62.5 and 125 GFLOP/s with 8 lanes). ONNX Runtime's inference: (a) 6,400
 * samples/s at 1 thread, 8,000 at 2; (b) 1,600 and 2,560. SIMD inference (a): {@code plstm} 8,000 (1 thread) and
 * 6,400 (2 threads: the one slower than ONNX Runtime), {@code lstm} 10,000 and 12,800; (b): {@code plstm} 2,000 and
 * 3,200, {@code lstm} 2,500 and 4,000. Training (a), 2 threads: SIMD {@code plstm} 5,000 samples/s, {@code lstm}
 * 6,400, TensorFlow Java 1,000. Training (b), 2 threads: SIMD {@code plstm} 75 GFLOP/s (60 % of {@code peak2}),
 * {@code lstm} 93.75. The reference: 20 samples/s on (a) and (b) inference, 5 on training; SIMD on 1 thread: (a)
 * 8,000 and 2,000, (b) 2,000 and 160. Kernels: every {@code gc.alloc.rate.norm} below 1 B/op (at most 1 ms per op) except
 * {@code timeGate} on (b), 24 B/op.
 */
final class Fixtures {
    private Fixtures() {
    }

    /** The JMH result files of one level's run, the peers' excepted. */
    static final List<String> LEVEL_FILES = List.of("level-simd.json", "level-reference.json", "level-kernel.json",
            "level-peak.json");

    /**
     * @param name   a resource of this package
     * @param target where to copy it
     * @throws IOException if copying fails
     */
    static void copy(String name, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        try (InputStream in = Fixtures.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            Files.copy(in, target);
        }
    }

    /**
     * Writes a results directory of three levels: {@code native} (everything, the peers and streaming included),
     * {@code avx2} (no streaming) and {@code nofma} (streaming, no FMA).
     *
     * @param results the directory to create
     * @return it
     * @throws IOException if writing fails
     */
    static Path threeLevels(Path results) throws IOException {
        level(results, "native", true, true);
        level(results, "avx2", false, false);
        level(results, "nofma", true, false);
        return results;
    }

    /**
     * Writes one level's subdirectory.
     *
     * @param results   the results directory
     * @param level     {@code native}, {@code avx2} or {@code nofma} (the machine record's fixture)
     * @param streaming with {@code streaming.json}
     * @param peers     with the peers' results
     * @throws IOException if writing fails
     */
    static void level(Path results, String level, boolean streaming, boolean peers) throws IOException {
        Path dir = results.resolve(level);
        copy("machine-" + level + ".json", dir.resolve("machine.json"));
        for (String f : LEVEL_FILES) {
            copy(f, dir.resolve(f.substring("level-".length())));
        }
        if (streaming) {
            copy("streaming.json", dir.resolve("streaming.json"));
        }
        if (peers) {
            copy("level-peers.json", dir.resolve("peers.json"));
        }
    }

    /**
     * One hand-made result in JMH's average-time mode, JMH 1.37 on JDK 25.
     *
     * @param benchmark the benchmark, e.g. {@code org.plstm.jmh.SimdLayerBenchmark.inference}
     * @param params    {@code @Param}s as {@code name, value} pairs
     * @param score     the score
     * @param unit      its unit, e.g. {@code ms/op}
     * @param alloc     {@code gc.alloc.rate.norm}, or null for a run without {@code -prof gc}
     * @return the result
     */
    static JmhResult jmh(String benchmark, List<String> params, double score, String unit, Double alloc) {
        return jmh(benchmark, params, 1, score, unit, alloc);
    }

    /**
     * One hand-made result with JMH worker threads ({@code @Threads}, as {@code PeakFlopsBenchmark.peak2}).
     *
     * @param benchmark the benchmark
     * @param params    {@code @Param}s as {@code name, value} pairs
     * @param threads   JMH threads
     * @param score     the score
     * @param unit      its unit
     * @param alloc     {@code gc.alloc.rate.norm}, or null
     * @return the result
     */
    static JmhResult jmh(String benchmark, List<String> params, int threads, double score, String unit,
                         Double alloc) {
        Map<String, String> p = new LinkedHashMap<>();
        for (int i = 0; i + 1 < params.size(); i += 2) {
            p.put(params.get(i), params.get(i + 1));
        }
        Map<String, Double> secondary = new LinkedHashMap<>();
        if (alloc != null) {
            secondary.put(JmhResult.ALLOC_NORM, alloc);
        }
        String mode = unit.endsWith("/op") ? "avgt" : "thrpt";
        return new JmhResult(benchmark, mode, threads, 1, "1.37", "25.0.3", "OpenJDK 64-Bit Server VM", "25.0.3+9-LTS",
                List.of("--add-modules=jdk.incubator.vector"), 1, "1 s", 2, "1 s", p, score, Double.NaN, unit,
                secondary);
    }
}
