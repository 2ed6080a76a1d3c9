package org.plstm.jmh.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One instruction level's results ({@link IsaLevel}): the JMH JSON files and {@code machine.json} of one
 * subdirectory of the results directory, e.g. {@code docs/perf/avx2/}.
 *
 * <p>Layout read by {@link #readAll(Path)}: every subdirectory of the results directory that holds at least one JMH
 * result file is a level, named after the subdirectory, in {@link IsaLevel#order()}. The peers
 * ({@code PeerLstmBenchmark}: native libraries, which the JVM flags do not reach) run at the {@code native} level,
 * TensorFlow Java also at the levels oneDNN can hold it to ({@link IsaLevel#peerCpuIsa()}) and ONNX Runtime at those
 * {@link IsaLevel#onnxIsa()} names; a level is compared against its own results of a peer where it has them, else
 * against the {@code native} level's. A results directory without level subdirectories but with JMH files of its own
 * (the layout before the levels) is read as one level, {@code native}.
 *
 * @param name         the level's name, the subdirectory's ({@code native}, {@code avx2}, {@code 128},
 *                     {@code nofma}, or another name)
 * @param dir          its directory, or null if not read from disk
 * @param flat         true if the level is the results directory itself (the layout before the levels, read as
 *                     {@code native}), false for a level subdirectory
 * @param data         its results, with the {@code native} level's results of the peers it did not run itself
 *                     ({@link PerformanceData#borrowedPeers()})
 * @param peersLevel   the level the borrowed peer results come from ({@code native}); this level's own name if
 *                     every peer result is its own; null if there are none
 * @param peersMachine the machine record of that level's run, or null
 */
public record LevelRun(String name, Path dir, boolean flat, PerformanceData data, String peersLevel,
                       MachineInfo peersMachine) {

    /**
     * A single level, not read from disk (for rendering one data set).
     *
     * @param name its name
     * @param data its results
     * @return the level, its peers its own
     */
    public static LevelRun of(String name, PerformanceData data) {
        return new LevelRun(name, null, true, data, data.peersRan() ? name : null, data.machine());
    }

    /** @return the level, if its name is one of {@link IsaLevel}'s */
    public Optional<IsaLevel> isa() {
        return IsaLevel.of(name);
    }

    /** @return the machine record, or null */
    public MachineInfo machine() {
        return data.machine();
    }

    /**
     * Reads every level of a results directory (see the class comment).
     *
     * @param results the results directory, e.g. {@code docs/perf}
     * @return the levels, in the report's order
     * @throws IOException if a file cannot be read or parsed, or there are no JMH results at all
     */
    public static List<LevelRun> readAll(Path results) throws IOException {
        if (!Files.isDirectory(results)) {
            throw new IOException("no results directory: " + results);
        }
        List<Path> dirs;
        try (Stream<Path> s = Files.list(results)) {
            dirs = s.filter(Files::isDirectory).toList();
        }
        record Raw(String name, Path dir, boolean flat, List<JmhResult> results, MachineInfo machine) {
        }
        List<Raw> raws = new ArrayList<>();
        for (Path d : dirs) {
            List<JmhResult> r = JmhResult.readAll(d);
            if (!r.isEmpty()) {
                raws.add(new Raw(d.getFileName().toString(), d, false, r, machine(d)));
            }
        }
        if (raws.isEmpty()) {
            List<JmhResult> flat = JmhResult.readAll(results);
            if (flat.isEmpty()) {
                throw new IOException("no JMH results (*.json arrays) in " + results + " or its level "
                        + "subdirectories (" + IsaLevel.names() + ")");
            }
            raws.add(new Raw(IsaLevel.NATIVE.label(), results, true, flat, machine(results)));
        }
        raws.sort(Comparator.comparing(Raw::name, IsaLevel.order()));
        // The peers as a user runs them: the native level's (another level may hold TensorFlow Java to itself).
        Raw nativePeers = raws.stream().filter(r -> r.name().equals(IsaLevel.NATIVE.label()))
                .filter(r -> r.results().stream().anyMatch(PerformanceData::isPeer)).findFirst().orElse(null);
        List<LevelRun> out = new ArrayList<>();
        for (Raw r : raws) {
            boolean own = r.results().stream().anyMatch(PerformanceData::isPeer);
            List<JmhResult> borrowable = nativePeers == null || nativePeers == r ? List.of()
                    : nativePeers.results().stream().filter(PerformanceData::isPeer).toList();
            PerformanceData data = PerformanceData.of(r.results(), borrowable, r.machine());
            if (data.peersBorrowed()) {
                out.add(new LevelRun(r.name(), r.dir(), r.flat(), data, nativePeers.name(), nativePeers.machine()));
            } else {
                out.add(new LevelRun(r.name(), r.dir(), r.flat(), data, own ? r.name() : null,
                        own ? r.machine() : null));
            }
        }
        return List.copyOf(out);
    }

    private static MachineInfo machine(Path dir) throws IOException {
        Path f = dir.resolve("machine.json");
        if (!Files.isRegularFile(f)) {
            return null;
        }
        JsonNode n = JmhResult.tree(f);
        if (n == null || !n.isObject()) {
            throw new IOException(f + ": not a machine record (expected a JSON object)");
        }
        return MachineInfo.read(f);
    }
}
