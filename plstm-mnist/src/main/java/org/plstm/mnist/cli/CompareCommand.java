package org.plstm.mnist.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.plstm.mnist.data.Mnist;
import org.plstm.mnist.train.Charts;
import org.plstm.mnist.train.MnistTrainer;
import org.plstm.mnist.train.ModelKind;
import org.plstm.mnist.train.RunResult;
import org.plstm.mnist.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code compare}: PLSTM and LSTM with identical settings, both curves on one chart. */
@Command(name = "compare", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {"Train the Phased LSTM and the plain LSTM with identical settings (same seed, data, "
                + "optimiser; the LSTM is the same layer with the time gate off) and chart both, like the Keras "
                + "seed's two comparison PNGs.",
            "Writes plstm/ and lstm/ (each as 'train' does) and accuracy.png, loss.png, summary.json into --out."})
public final class CompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions options;

    @Mixin
    RuntimeOptions runtime;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Output directory. Default: runs/<yyyyMMdd-HHmmss> (a new one per run, made atomically). "
                    + "A directory that already holds a run is refused unless --overwrite is given.")
    Path out;

    @Option(names = "--overwrite",
            description = "Let --out name a directory that already holds a run: its files are replaced. Default: "
                    + "refuse.")
    boolean overwrite;

    /** Creates the command (picocli instantiates it). */
    public CompareCommand() {
    }

    @Override
    public Integer call() throws Exception {
        String engine = runtime.engine(spec);
        int threads = runtime.threads(spec);
        TrainConfig base = options.toConfig(spec, ModelKind.PLSTM, engine, threads);
        Path dir = TrainCommand.outDir(spec, out, overwrite, null, false); // refused before the data is loaded
        Mnist mnist = runtime.load();
        var outW = spec.commandLine().getOut();
        outW.println("output: " + dir);
        ObjectNode summary = MnistTrainer.newObject();
        RunResult[] results = new RunResult[2];
        ModelKind[] kinds = {ModelKind.PLSTM, ModelKind.LSTM};
        for (int i = 0; i < 2; i++) {
            TrainConfig c = base.withModel(kinds[i]);
            MnistTrainer t = new MnistTrainer(c, mnist, dir.resolve(kinds[i].toString()), outW, runtime.progressBar());
            results[i] = t.run(null, null);
            summary.set(kinds[i].toString(), MnistTrainer.summary(results[i], t.pixelStats()));
        }
        Charts.write(dir, MnistTrainer.title(base) + ", PLSTM vs LSTM",
                List.of(new Charts.Run("PLSTM", results[0].metrics()), new Charts.Run("LSTM", results[1].metrics())));
        MnistTrainer.writeJson(dir.resolve("summary.json"), summary);
        for (int i = 0; i < 2; i++) {
            outW.printf(Locale.ROOT, "%-5s test accuracy %.4f, test loss %.4f, %.0f samples/s%n",
                    kinds[i].toString().toUpperCase(Locale.ROOT), results[i].last().testAccuracy(),
                    results[i].last().testLoss(), summary.get(kinds[i].toString()).get("samples_per_second")
                            .asDouble());
        }
        outW.println("charts: " + dir.resolve("accuracy.png").toAbsolutePath() + ", "
                + dir.resolve("loss.png").toAbsolutePath());
        outW.flush();
        return 0;
    }
}
