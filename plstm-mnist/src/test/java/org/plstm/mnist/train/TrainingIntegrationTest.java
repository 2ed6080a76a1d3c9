package org.plstm.mnist.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plstm.io.Checkpoint;

/**
 * Trains the default Phased LSTM on a small real subset (row layout, 10,000 training samples, 3 epochs: a few
 * seconds) and checks that it learns and that every output file is there and consistent.
 */
class TrainingIntegrationTest {
    @TempDir
    Path dir;

    @Test
    void theDefaultPlstmLearnsMnistRowsAndWritesEveryFile() throws Exception {
        long seed = 1;
        System.out.println("TrainingIntegrationTest seed=" + seed);
        TrainConfig c = new TrainConfig(ModelKind.PLSTM, 1, 32, 3, 128, "rmsprop", 1e-3, 0, Layout.ROW, 10_000,
                2_000, seed, "keras", "sigmoid", false, "simd", 2);
        StringWriter log = new StringWriter();
        RunResult r = new MnistTrainer(c, RealMnist.get(), dir, new PrintWriter(log), false).run(null, null);
        System.out.print(log);

        // chance is 10%; this seeded run reaches about 55% test accuracy after 3 epochs
        assertThat(r.last().testAccuracy()).isGreaterThan(0.35);
        assertThat(r.epochs()).extracting(EpochStats::epoch).containsExactly(1, 2, 3);
        assertThat(r.epochs().get(2).trainLoss()).isLessThan(r.epochs().get(0).trainLoss() - 0.3);
        assertThat(log.toString()).contains("epoch 1/3: train loss", "epoch 3/3: train loss", "samples/s");

        // metrics.csv: 79 batches per epoch (10,000 / 128, the last of 16), plus a train and a test row per epoch
        List<String> csv = Files.readAllLines(dir.resolve("metrics.csv"));
        assertThat(csv.get(0)).isEqualTo(MetricsLog.HEADER);
        assertThat(csv).hasSize(1 + 3 * (79 + 2));
        assertThat(csv.get(79)).startsWith("batch,1,79,16,");
        assertThat(csv.get(80)).startsWith("train,1,79,10000,");
        assertThat(csv.get(81)).startsWith("test,1,79,2000,");
        MetricsLog back = MetricsLog.read(dir.resolve("metrics.csv"), 3);
        assertThat(back.losses(MetricsLog.Kind.BATCH)).isEqualTo(r.metrics().losses(MetricsLog.Kind.BATCH));

        JsonNode s = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertThat(s.get("test_accuracy").asDouble()).isEqualTo(r.last().testAccuracy());
        assertThat(s.get("train_accuracy").asDouble()).isEqualTo(r.last().trainAccuracy());
        assertThat(s.get("test_loss").asDouble()).isEqualTo(r.last().testLoss());
        assertThat(s.get("epoch_seconds")).hasSize(3);
        assertThat(s.get("samples_per_second").asDouble()).isPositive();
        assertThat(s.get("config").get("layout").asText()).isEqualTo("row");
        assertThat(s.get("config").get("hidden").asInt()).isEqualTo(32);
        assertThat(s.get("engine").asText()).startsWith("simd");
        assertThat(s.get("machine").get("java_version").asText()).isEqualTo(System.getProperty("java.version"));
        assertThat(s.get("data").get("pixel_mean").asDouble()).isBetween(0.1306, 0.1307);

        for (String png : List.of("accuracy.png", "loss.png")) {
            BufferedImage img = ImageIO.read(dir.resolve(png).toFile());
            assertThat(img).as(png).isNotNull();
            assertThat(img.getWidth()).isEqualTo(Charts.WIDTH);
            assertThat(img.getHeight()).isEqualTo(Charts.HEIGHT);
        }

        Checkpoint.Loaded ck = Checkpoint.load(dir.resolve(MnistTrainer.CHECKPOINT));
        assertThat(ck.epoch()).isEqualTo(3);
        assertThat(TrainConfig.fromJson(ck.trainer())).isEqualTo(c);
        assertThat(ck.optimizer().iterations()).isEqualTo(3 * 79);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("metrics.csv",
                    "summary.json", "accuracy.png", "loss.png", "checkpoint.safetensors");
        }
    }
}
