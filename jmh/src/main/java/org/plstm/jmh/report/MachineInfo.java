package org.plstm.jmh.report;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.plstm.io.AtomicFiles;

/**
 * The machine and the run, as {@code jmh/report.sh} records them next to JMH's JSON ({@code machine.json}, written
 * by {@link MachineProbe}), so that a report can be judged and re-rendered from the saved files alone.
 *
 * @param mode          {@code smoke}, {@code quick} or {@code full}
 * @param command       the command line that produced the run
 * @param started       ISO-8601 time at the start of the run
 * @param finished      ISO-8601 time at the end, or null if the run did not finish
 * @param commit        the git commit of the sources ({@code +dirty} if the tree had changes), or null
 * @param cpuModel      the CPU's model name ({@code /proc/cpuinfo})
 * @param cpuId         vendor, family, model and stepping ({@code /proc/cpuinfo}), which name the
 *                      microarchitecture when the model name is vague (as in virtual machines), or null
 * @param logicalCpus   processors the JVM sees
 * @param physicalCores cores per socket × sockets from {@code /proc/cpuinfo}, 0 if unknown
 * @param cpuMhz        the first processor's clock as {@code /proc/cpuinfo} reports it, or null
 * @param cpuFlags      the SIMD-relevant CPU flags present ({@code avx2}, {@code fma}, {@code avx512f}, ...)
 * @param isaFlags      whether each of the CPU flags the levels depend on ({@code avx512f}, {@code avx512dq},
 *                      {@code avx2}, {@code fma}, {@code avx}) is in {@code /proc/cpuinfo}; empty when there is no
 *                      such file (or no flags line)
 * @param memTotalKb    {@code MemTotal} in kB, 0 if unknown
 * @param os            operating system name, version and architecture
 * @param javaVersion   {@code java.version} of the JDK that ran the benchmarks
 * @param javaVm        VM name and version
 * @param javaVendor    JDK vendor
 * @param vectorBits    the SIMD kernels' vector width in bits ({@code VectorLevel.vectorBitSize()}) in the probe
 *                      JVM, which runs with the level's JVM flags
 * @param floatLanes    float lanes per vector ({@code VectorLevel.floatLanes()})
 * @param level         the instruction level of the run, the name given to {@code jmh/report.sh --isa}
 *                      ({@link IsaLevel}), or null in a record older than the levels (read as {@code native})
 * @param jvmFlags      the JVM flags the level added to every JMH fork and to the probe, space-separated; empty for
 *                      none; null in an older record
 * @param kernelLevel   what the SIMD kernels ran at, {@code VectorLevel.name()} in the probe JVM ({@code avx512},
 *                      {@code avx2}, {@code avx}, {@code sse}, {@code arm64}, ...), or null if unknown
 * @param kernels       the same in a few words, {@code VectorLevel.describe()} (e.g. {@code AVX2, 256-bit, FMA,
 *                      tile 2x4}), or null if unknown
 * @param kernelFma     {@code VectorLevel.fma()}: whether vector {@code fma} is a hardware instruction at the level
 *                      (without it, {@code PeakFlopsBenchmark} multiplies and adds, as the kernels do), or null
 *                      if unknown
 * @param peerEnv       the environment the peers ran with at this level ({@code ONEDNN_MAX_CPU_ISA=AVX2}: TensorFlow
 *                      Java held to the level, see {@link IsaLevel#peerCpuIsa()}); empty if they ran without a cap;
 *                      null if no peer ran at this level (or in a record older than the field)
 * @param loadStart     {@code /proc/loadavg}'s 1, 5 and 15 minute load averages at the start, or null
 * @param loadEnd       the same at the end, or null
 * @param runs          the JMH invocations of the run, with their exact arguments
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MachineInfo(String mode, String command, String started, String finished, String commit,
                          String cpuModel, String cpuId, int logicalCpus, int physicalCores, String cpuMhz,
                          List<String> cpuFlags, Map<String, Boolean> isaFlags, long memTotalKb, String os,
                          String javaVersion, String javaVm, String javaVendor, int vectorBits, int floatLanes,
                          String level, String jvmFlags, String kernelLevel, String kernels, Boolean kernelFma,
                          String peerEnv, String loadStart, String loadEnd, List<Run> runs) {

    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /**
     * One JMH invocation.
     *
     * @param group the result file's name without {@code .json}, e.g. {@code simd}
     * @param args  JMH's arguments
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Run(String group, String args) {
    }

    /** Null lists and maps become empty; the map keeps its order. */
    public MachineInfo {
        cpuFlags = cpuFlags == null ? List.of() : List.copyOf(cpuFlags);
        isaFlags = isaFlags == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(isaFlags));
        runs = runs == null ? List.of() : List.copyOf(runs);
    }

    /** @return {@link #level}, or {@code native} for a record older than the levels */
    public String levelName() {
        return level == null || level.isBlank() ? IsaLevel.NATIVE.label() : level;
    }

    /** @return the float lanes per vector: {@link #floatLanes}, else {@code vectorBits / 32}, else 0 (unknown) */
    public int lanes() {
        return floatLanes > 0 ? floatLanes : Math.max(0, vectorBits / 32);
    }

    /**
     * @param finishedAt the end time
     * @param load       the load averages at the end
     * @return this record with the end of the run filled in
     */
    public MachineInfo finish(String finishedAt, String load) {
        return new MachineInfo(mode, command, started, finishedAt, commit, cpuModel, cpuId, logicalCpus,
                physicalCores, cpuMhz, cpuFlags, isaFlags, memTotalKb, os, javaVersion, javaVm, javaVendor,
                vectorBits, floatLanes, level, jvmFlags, kernelLevel, kernels, kernelFma, peerEnv, loadStart, load,
                runs);
    }

    /**
     * @param file {@code machine.json}
     * @return the record
     * @throws IOException if reading or parsing fails
     */
    public static MachineInfo read(Path file) throws IOException {
        try {
            return JSON.readValue(file.toFile(), MachineInfo.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + ": not a valid machine record: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Writes the record as indented JSON, atomically.
     *
     * @param file the target
     * @throws IOException if writing fails
     */
    public void write(Path file) throws IOException {
        AtomicFiles.writeBytes(file, JSON.writeValueAsBytes(this));
    }
}
