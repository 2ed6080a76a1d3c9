package org.plstm.mnist.cli;

import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.plstm.Engine;
import org.plstm.data.EventData;
import org.plstm.engine.Backend;
import org.plstm.io.AtomicFiles;
import org.plstm.mnist.train.EventTrainer;
import org.plstm.optim.Sgd;
import org.plstm.train.ClassifierTrainer;
import org.plstm.train.SequenceClassifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code events predict}: writes a checkpoint's predictions for every sequence of an event CSV file. */
@Command(name = "predict", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {"Predict every sequence of an event CSV file with a checkpoint of events train and write the "
                + "predictions as CSV (atomically), one row per sequence in order of first appearance:",
            "classification: <id>,predicted,p_<class>... (the class names of the training data); regression: "
                    + "<id>,prediction (in the label's unit). The label column may be absent; if present it is "
                    + "ignored."})
public final class EventsPredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", paramLabel = "FILE", required = true,
            description = "A checkpoint.safetensors written by events train.")
    Path checkpoint;

    @Option(names = "--data", paramLabel = "FILE", required = true,
            description = "An event CSV file with the checkpoint's id, time and feature columns.")
    Path data;

    @Option(names = "--out", paramLabel = "FILE", required = true,
            description = "The predictions CSV to write (atomically; a file already there is replaced).")
    Path out;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "64",
            description = "Sequences per batch. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--max-memory", paramLabel = "SIZE", defaultValue = "25%",
            description = "The most memory the data may take (as events train). Default: ${DEFAULT-VALUE}.")
    String maxMemory;

    @Mixin
    EngineOptions engine;

    /** Creates the command (picocli instantiates it). */
    public EventsPredictCommand() {
    }

    @Override
    public Integer call() throws Exception {
        ModelOptions.positive(spec, "--batch", batch);
        if (java.nio.file.Files.isDirectory(out)) {
            throw ModelOptions.bad(spec, "--out: expected a file, got the directory " + out);
        }
        String engineName = engine.engine(spec);
        int threads = engine.threads(spec);
        long maxBytes = EventsCommand.memory(spec, "--max-memory", maxMemory);
        EventsCheckpoint ck = EventsCheckpoint.load(spec, "--checkpoint", checkpoint);
        EventData events = EventsCommand.read(spec,
                ck.config().reader(maxBytes, EventsCommand.CHECKPOINT_OPTIONS).label(null), data);
        EventTrainer.Part part = EventTrainer.part(events.sequences(), ck.stats(), ck.labels(), false);
        float[] p;
        try (Engine e = Backend.named(engineName).newEngine(threads)) {
            ClassifierTrainer t = new ClassifierTrainer(e, SequenceClassifier.of(ck.loaded().weights()),
                    new Sgd(1e-3), 0); // never stepped
            p = EventTrainer.predict(t, part, batch, ck.stats());
        }
        CsvSchema.Builder schema = CsvSchema.builder().addColumn(ck.config().idColumn());
        int k = ck.labels() == null ? 1 : ck.labels().size();
        if (ck.labels() == null) {
            schema.addColumn("prediction");
        } else {
            schema.addColumn("predicted");
            for (String c : ck.labels().names()) {
                schema.addColumn("p_" + c);
            }
        }
        CsvMapper mapper = new CsvMapper();
        AtomicFiles.write(out, os -> {
            Writer w = new OutputStreamWriter(os, StandardCharsets.UTF_8);
            try (CsvGenerator g = mapper.getFactory().createGenerator(w)) {
                g.setSchema(schema.build().withHeader());
                g.disable(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                for (int i = 0; i < part.size(); i++) {
                    g.writeStartArray();
                    g.writeString(part.ids().get(i));
                    if (ck.labels() == null) {
                        g.writeNumber(p[i]);
                    } else {
                        g.writeString(ck.labels().names().get(org.plstm.Softmax.argmax(p, i * k, k)));
                        for (int c = 0; c < k; c++) {
                            g.writeNumber(p[i * k + c]);
                        }
                    }
                    g.writeEndArray();
                }
            }
            w.flush();
        });
        spec.commandLine().getOut().printf(Locale.ROOT, "wrote %s: %d predictions (%s)%n", out, part.size(),
                ck.labels() == null ? "values" : "classes " + ck.labels());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
