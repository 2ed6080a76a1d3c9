package org.plstm.mnist.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plstm.Tensor;
import org.plstm.io.AtomicFiles;
import org.plstm.io.Checkpoint;
import org.plstm.io.Safetensors;

/**
 * Crash consistency of a training run: a child JVM runs {@code plstm-mnist train} (the reference engine: it starts
 * fastest, and the files do not depend on the engine) and dies by {@code SIGKILL}, or by
 * {@link AtomicFiles#HALT_PROPERTY} (a halt at a chosen step inside a save: temporary file created, written, renamed),
 * at many moments; after each death every file of the run is whole, and {@code --resume} (or, with no checkpoint
 * yet, {@code --overwrite}) completes the run with files consistent with each other and final weights, optimiser
 * state and metrics bitwise equal to those of an uninterrupted run.
 */
class CrashConsistencyTest {
    private static final int EPOCHS = 2;
    private static final int TRAIN = 100;
    private static final int BATCH = 50;
    /** Files per epoch (metrics.csv, accuracy.png, loss.png, summary.json, checkpoint) x three steps each. */
    private static final int STEPS_PER_EPOCH = 5 * 3;

    @TempDir
    Path dir;

    private static List<String> trainArgs(Path out) {
        return List.of("train", "--layout", "row", "--hidden", "8", "--batch", Integer.toString(BATCH),
                "--train-limit", Integer.toString(TRAIN), "--test-limit", "50", "--epochs", Integer.toString(EPOCHS),
                "--no-progress", "--threads", "1", "--engine", "reference", "--out", out.toString());
    }

    /** Starts {@code Main} in a child JVM of this JDK with this test's class path. */
    private static Process start(List<String> jvmArgs, List<String> args, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin",
                "java").toString()));
        cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", "-Djava.awt.headless=true",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path")));
        cmd.addAll(jvmArgs);
        cmd.add("org.plstm.mnist.Main");
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private int run(List<String> jvmArgs, List<String> args) throws Exception {
        Path log = Files.createTempFile(dir, "child", ".log");
        Process p = start(jvmArgs, args, log);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child finished").isTrue();
        int code = p.exitValue();
        if (code != 0 && code != AtomicFiles.HALT_STATUS) {
            throw new AssertionError("child exited with " + code + ": " + Files.readString(log));
        }
        return code;
    }

    @Test
    void killedAtAnyMomentTheRunResumesToTheSameBits() throws Exception {
        RealMnist.get(); // the default cache holds MNIST before the children read it
        Path reference = dir.resolve("reference");
        assertThat(run(List.of(), trainArgs(reference))).isZero();
        assertConsistent(reference, EPOCHS);
        List<String> kills = new ArrayList<>();
        // inside the first save of epoch 1 (no checkpoint yet), every step of every save of epoch 2 (the last one)
        kills.add("halt:2");
        for (int step = STEPS_PER_EPOCH + 1; step <= 2 * STEPS_PER_EPOCH; step++) {
            kills.add("halt:" + step);
        }
        long seed = Long.getLong("crash.seed", System.nanoTime());
        System.out.println("CrashConsistencyTest seed=" + seed + " (SIGKILL delays; replay with -Dcrash.seed=" + seed
                + ")");
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 2; i++) {
            kills.add("sigkill:" + (500 + random.nextInt(3000)));
        }
        // two children at a time (each is single-threaded)
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < kills.size(); i++) {
                String kill = kills.get(i);
                Path out = dir.resolve("run" + i);
                done.add(pool.submit(() -> {
                    killThenResume(kill, out, reference);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw (Exception) e.getCause();
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void killThenResume(String kill, Path out, Path reference) throws Exception {
        String[] k = kill.split(":");
        if (k[0].equals("halt")) {
            int code = run(List.of("-D" + AtomicFiles.HALT_PROPERTY + "=" + k[1]), trainArgs(out));
            assertThat(code).as(kill).isEqualTo(AtomicFiles.HALT_STATUS);
        } else {
            Process p = start(List.of(), trainArgs(out), Files.createTempFile(dir, "child", ".log"));
            p.waitFor(Long.parseLong(k[1]), TimeUnit.MILLISECONDS);
            p.destroyForcibly().waitFor(); // SIGKILL (or a run that already finished)
        }
        int completed = assertWhole(out, kill);
        List<String> again = new ArrayList<>(trainArgs(out));
        if (completed > 0) {
            again.addAll(List.of("--resume", out.resolve(MnistTrainer.CHECKPOINT).toString()));
        } else {
            again.add("--overwrite");
        }
        if (completed < EPOCHS) {
            assertThat(run(List.of(), again)).as(kill).isZero();
        }
        assertConsistent(out, EPOCHS);
        assertSameBits(reference, out, kill);
    }

    /**
     * Right after a death: every file present is whole, reports are at most one epoch ahead of the checkpoint.
     *
     * @return the checkpoint's completed epochs, 0 if there is none
     */
    private static int assertWhole(Path out, String kill) throws Exception {
        Path ck = out.resolve(MnistTrainer.CHECKPOINT);
        int epoch = Files.exists(ck) ? (int) Checkpoint.load(ck).epoch() : 0;
        Path metrics = out.resolve("metrics.csv");
        if (Files.exists(metrics)) {
            MetricsLog m = MetricsLog.read(metrics, Integer.MAX_VALUE);
            int last = m.size() == 0 ? 0 : m.epoch(m.size() - 1);
            assertThat(last).as(kill + ": metrics epochs").isBetween(epoch, epoch + 1);
        }
        if (Files.exists(out.resolve("summary.json"))) {
            int s = new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("epochs_completed").asInt();
            assertThat(s).as(kill + ": summary epochs").isBetween(epoch, epoch + 1);
        }
        for (String png : List.of("accuracy.png", "loss.png")) {
            if (Files.exists(out.resolve(png))) {
                assertThat(ImageIO.read(out.resolve(png).toFile())).as(kill + ": " + png).isNotNull();
            }
        }
        return epoch;
    }

    /** A finished run: checkpoint, metrics and summary of the same epochs; no temporary file left. */
    private static void assertConsistent(Path out, int epochs) throws Exception {
        Checkpoint.Loaded ck = Checkpoint.load(out.resolve(MnistTrainer.CHECKPOINT));
        assertThat(ck.verified()).isTrue();
        assertThat(ck.epoch()).isEqualTo(epochs);
        MetricsLog m = MetricsLog.read(out.resolve("metrics.csv"), Integer.MAX_VALUE);
        int batches = (TRAIN + BATCH - 1) / BATCH;
        assertThat(m.size()).isEqualTo(epochs * (batches + 2));
        assertThat(m.missingEpochs(epochs)).isEmpty();
        long it = 0;
        for (int r = 0; r < m.size(); r++) {
            assertThat(m.epoch(r)).isEqualTo(r / (batches + 2) + 1);
            if (m.kind(r) == MetricsLog.Kind.BATCH) {
                assertThat(m.iteration(r)).as("row %d", r).isEqualTo(++it);
            }
        }
        JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertThat(s.get("epochs_completed").asInt()).isEqualTo(epochs);
        assertThat(s.get("epochs")).hasSize(epochs);
        assertThat(s.get("test_accuracy").asDouble()).isEqualTo(m.accuracies(MetricsLog.Kind.TEST)[epochs - 1]);
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(f -> f.endsWith(".tmp"));
        }
    }

    /** The same weights and optimiser state (every tensor, bit for bit) and the same loss and accuracy curves. */
    private static void assertSameBits(Path reference, Path out, String kill) throws Exception {
        Map<String, Tensor> a = Safetensors.read(reference.resolve(MnistTrainer.CHECKPOINT)).tensors();
        Map<String, Tensor> b = Safetensors.read(out.resolve(MnistTrainer.CHECKPOINT)).tensors();
        assertThat(b.keySet()).isEqualTo(a.keySet());
        for (String name : a.keySet()) {
            float[] x = a.get(name).data();
            float[] y = b.get(name).data();
            assertThat(y).as(kill + ": " + name).hasSameSizeAs(x);
            for (int i = 0; i < x.length; i++) {
                if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) {
                    throw new AssertionError(kill + ": " + name + "[" + i + "] is " + y[i] + ", uninterrupted "
                            + x[i]);
                }
            }
        }
        MetricsLog ma = MetricsLog.read(reference.resolve("metrics.csv"), Integer.MAX_VALUE);
        MetricsLog mb = MetricsLog.read(out.resolve("metrics.csv"), Integer.MAX_VALUE);
        for (MetricsLog.Kind k : MetricsLog.Kind.values()) {
            assertThat(mb.losses(k)).as(kill + ": " + k + " losses").containsExactly(ma.losses(k));
            assertThat(mb.accuracies(k)).as(kill + ": " + k + " accuracies").containsExactly(ma.accuracies(k));
        }
        assertThat(Files.readString(reference.resolve("metrics.csv"), StandardCharsets.UTF_8).lines().count())
                .isEqualTo(Files.readString(out.resolve("metrics.csv"), StandardCharsets.UTF_8).lines().count());
    }
}
