package org.plstm.jmh.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One benchmark result, as JMH writes it with {@code -rf json}: one element of the top-level array (one benchmark
 * method and one combination of {@code @Param} values). Only the fields the report uses are kept.
 *
 * @param benchmark             the fully qualified method, e.g. {@code org.plstm.jmh.SimdLayerBenchmark.training}
 * @param mode                  JMH's short mode name: {@code avgt}, {@code ss}, {@code thrpt}, {@code sample}
 * @param threads               JMH worker threads ({@code @Threads}); with {@code avgt} the score is the time per
 *                              operation as each thread sees it, averaged over the threads
 * @param forks                 forks
 * @param jmhVersion            JMH's version
 * @param jdkVersion            the forked JVM's version, e.g. {@code 25.0.3}
 * @param vmName                the forked JVM's name
 * @param vmVersion             the forked JVM's full version
 * @param jvmArgs               the forked JVM's arguments
 * @param warmupIterations      warm-up iterations per fork
 * @param warmupTime            warm-up iteration time, e.g. {@code 2 s}
 * @param measurementIterations measurement iterations per fork
 * @param measurementTime       measurement iteration time
 * @param params                the {@code @Param} values, in JMH's order
 * @param score                 the primary score
 * @param scoreError            half-width of JMH's 99.9% confidence interval, NaN if there were too few iterations
 * @param scoreUnit             the score's unit, e.g. {@code ms/op}
 * @param secondary             secondary scores by name, e.g. {@code gc.alloc.rate.norm} (bytes per operation)
 *                              with {@code -prof gc}
 */
public record JmhResult(String benchmark, String mode, int threads, int forks, String jmhVersion, String jdkVersion,
                        String vmName, String vmVersion, List<String> jvmArgs, int warmupIterations,
                        String warmupTime, int measurementIterations, String measurementTime,
                        Map<String, String> params, double score, double scoreError, String scoreUnit,
                        Map<String, Double> secondary) {

    /** The secondary metric of {@code -prof gc}: bytes allocated per operation. */
    public static final String ALLOC_NORM = "gc.alloc.rate.norm";

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /** Defensive copies. */
    public JmhResult {
        jvmArgs = List.copyOf(jvmArgs);
        params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
        secondary = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(secondary));
    }

    /** @return the benchmark class, fully qualified */
    public String className() {
        int dot = benchmark.lastIndexOf('.');
        return dot < 0 ? "" : benchmark.substring(0, dot);
    }

    /** @return the benchmark class without its package */
    public String simpleClassName() {
        String c = className();
        return c.substring(c.lastIndexOf('.') + 1);
    }

    /** @return the benchmark method */
    public String method() {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    /**
     * @param name a {@code @Param} name
     * @return its value, or null if the benchmark has no such parameter
     */
    public String param(String name) {
        return params.get(name);
    }

    /**
     * The time of one operation in seconds, as one thread sees it, from the score and its unit: {@code s/op},
     * {@code ms/op}, {@code us/op}, {@code ns/op} directly; a throughput ({@code ops/s}, {@code ops/ms}, ...) per
     * thread, as its inverse.
     *
     * @return seconds per operation
     * @throws IllegalArgumentException if the unit is not a time per operation or operations per time
     */
    public double secondsPerOp() {
        String u = scoreUnit.trim();
        if (u.endsWith("/op")) {
            return score * seconds(u.substring(0, u.length() - 3));
        }
        if (u.startsWith("ops/")) {
            // Throughput is summed over threads; per thread it is score/threads.
            return threads / (score / seconds(u.substring(4)));
        }
        throw new IllegalArgumentException("JMH result " + benchmark + ": unit " + scoreUnit
                + " is neither a time per operation nor operations per time");
    }

    /** @return the score's relative error (half-width of the 99.9% interval ÷ score), NaN if unknown */
    public double relativeError() {
        return scoreError / score;
    }

    /** @return {@code gc.alloc.rate.norm} in bytes per operation, or null without {@code -prof gc} */
    public Double allocBytesPerOp() {
        return secondary.get(ALLOC_NORM);
    }

    private static double seconds(String unit) {
        return switch (unit) {
            case "s" -> 1.0;
            case "ms" -> 1e-3;
            case "us", "µs" -> 1e-6;
            case "ns" -> 1e-9;
            case "min" -> 60.0;
            default -> throw new IllegalArgumentException("unknown JMH time unit: " + unit);
        };
    }

    /**
     * Reads one JMH JSON result file (the array {@code -rf json -rff FILE} writes).
     *
     * @param file the file
     * @return its results, in file order
     * @throws IOException if reading or parsing fails, or the file is not a JMH result array
     */
    public static List<JmhResult> read(Path file) throws IOException {
        JsonNode root = tree(file);
        if (root == null || !root.isArray()) {
            throw new IOException(file + ": not a JMH JSON result file (expected a top-level array)");
        }
        List<JmhResult> out = new ArrayList<>();
        for (JsonNode n : root) {
            if (!n.hasNonNull("benchmark") || !n.hasNonNull("primaryMetric")) {
                throw new IOException(file + ": not a JMH result (no benchmark or primaryMetric): "
                        + abbreviate(n.toString()));
            }
            out.add(parse(n));
        }
        return out;
    }

    /**
     * Reads every {@code *.json} file of a directory that is a JMH result array, in file name order. Other JSON
     * files (such as {@code machine.json}) are skipped.
     *
     * @param dir the directory
     * @return all results
     * @throws IOException if the directory cannot be listed or a result file cannot be parsed
     */
    public static List<JmhResult> readAll(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        List<JmhResult> out = new ArrayList<>();
        for (Path f : files) {
            JsonNode root = tree(f);
            if (root != null && root.isArray()) {
                out.addAll(read(f));
            }
        }
        return out;
    }

    /**
     * @param file a JSON file
     * @return its tree
     * @throws IOException if it cannot be read, or is not JSON (the message names the file)
     */
    static JsonNode tree(Path file) throws IOException {
        try {
            return JSON.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    static JmhResult parse(JsonNode n) {
        JsonNode pm = n.get("primaryMetric");
        Map<String, String> params = new LinkedHashMap<>();
        JsonNode p = n.get("params");
        if (p != null) {
            for (Map.Entry<String, JsonNode> e : p.properties()) {
                params.put(e.getKey(), e.getValue().asText());
            }
        }
        Map<String, Double> secondary = new LinkedHashMap<>();
        JsonNode s = n.get("secondaryMetrics");
        if (s != null) {
            for (Map.Entry<String, JsonNode> e : s.properties()) {
                secondary.put(e.getKey(), number(e.getValue().get("score")));
            }
        }
        List<String> jvmArgs = new ArrayList<>();
        JsonNode a = n.get("jvmArgs");
        if (a != null) {
            a.forEach(x -> jvmArgs.add(x.asText()));
        }
        return new JmhResult(n.get("benchmark").asText(), text(n, "mode"), n.path("threads").asInt(1),
                n.path("forks").asInt(0), text(n, "jmhVersion"), text(n, "jdkVersion"), text(n, "vmName"),
                text(n, "vmVersion"), jvmArgs, n.path("warmupIterations").asInt(0), text(n, "warmupTime"),
                n.path("measurementIterations").asInt(0), text(n, "measurementTime"), params,
                number(pm.get("score")), number(pm.get("scoreError")), text(pm, "scoreUnit"), secondary);
    }

    /** JMH writes non-finite numbers as strings ({@code "NaN"}). */
    private static double number(JsonNode v) {
        if (v == null || v.isNull()) {
            return Double.NaN;
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        try {
            return Double.parseDouble(v.asText());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? "" : v.asText();
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "...";
    }
}
