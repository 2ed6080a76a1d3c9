package org.plstm.mnist.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.List;
import java.util.Locale;
import org.plstm.GateActivation;
import org.plstm.PhasedLstmConfig;
import org.plstm.TimeGateInit;
import org.plstm.data.EventCsvReader;
import org.plstm.optim.CosineDecay;
import org.plstm.optim.Optimizer;
import org.plstm.train.SequenceClassifier;

/**
 * Everything that defines a training run on an event CSV file: the task, the columns, the split, the model, the
 * optimiser and the seed, plus the engine choice. Immutable and validated; stored as JSON in {@code summary.json} and
 * in every checkpoint (metadata {@code trainer}), so that {@code --resume}, {@code evaluate} and {@code predict}
 * rebuild the same reading of the data and the same model.
 *
 * @param task           {@code classification} (softmax over the label's classes) or {@code regression} (one value
 *                       per sequence, mean squared error)
 * @param model          {@code plstm} or {@code lstm} (time gate off)
 * @param idColumn       the sequence-id column
 * @param timeColumn     the timestamp column (any unit: the unit of the periods)
 * @param features       the feature columns, in order (resolved from the file when not given)
 * @param labelColumn    the label column
 * @param labelMode      {@code sequence} (every event carries its sequence's label) or {@code last-event}
 * @param validation     fraction of the sequences for validation, in {@code [0, 1)}
 * @param test           fraction for test, in {@code [0, 1)}, {@code validation + test < 1}
 * @param layers         stacked recurrent layers, {@code >= 1}
 * @param hidden         hidden units per layer, {@code >= 1}
 * @param epochs         total epochs, {@code >= 1}
 * @param batch          sequences per batch, {@code >= 1}
 * @param optimizer      {@code rmsprop}, {@code adam} or {@code sgd}
 * @param learningRate   in float's positive range ({@link org.plstm.optim.Optimizer#validLearningRate})
 * @param clip           global-norm clipping bound, {@code 0} = off
 * @param schedule       learning-rate schedule, {@code constant} or {@code cosine} (over all the run's steps,
 *                       {@link CosineDecay}); null (older checkpoints) reads as {@code constant}
 * @param weightDecay    decoupled weight decay of the weight matrices, {@code >= 0}, 0 = off
 *                       ({@link Optimizer#setWeightDecay})
 * @param seed           seed of the split, the initialisation and the per-epoch shuffling
 * @param init           time-gate initialisation, {@code keras} or {@code paper}
 * @param gateActivation {@code sigmoid} or {@code hard_sigmoid}
 * @param peepholes      whether the layers use peepholes
 * @param engine         {@code auto}, {@code simd} or {@code reference}
 * @param threads        engine threads, {@code >= 1}
 */
public record EventConfig(String task, String model, String idColumn, String timeColumn, List<String> features,
                          String labelColumn, String labelMode, double validation, double test, int layers,
                          int hidden, int epochs, int batch, String optimizer, double learningRate, double clip,
                          String schedule, double weightDecay, long seed, String init, String gateActivation, boolean peepholes, String engine,
                          int threads) {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /**
     * Validates every field.
     *
     * @throws IllegalArgumentException naming the first invalid field, what it expects and what it got
     */
    public EventConfig {
        task = RunSupport.oneOf("task", task, "classification", "regression");
        model = RunSupport.oneOf("model", model, "plstm", "lstm");
        labelMode = RunSupport.oneOf("label_mode", labelMode, "sequence", "last-event");
        for (String[] c : new String[][] {{"id_column", idColumn}, {"time_column", timeColumn},
            {"label_column", labelColumn}}) {
            if (c[1] == null || c[1].isBlank()) {
                throw new IllegalArgumentException(c[0] + ": expected a column name, got " + c[1]);
            }
        }
        if (timeColumn.equals(idColumn)) {
            throw new IllegalArgumentException("time_column: expected a column other than the id column, got '"
                    + timeColumn + "' for both");
        }
        if (labelColumn.equals(idColumn) || labelColumn.equals(timeColumn)) {
            throw new IllegalArgumentException("label_column: expected a column other than the "
                    + (labelColumn.equals(idColumn) ? "id" : "time") + " column, got '" + labelColumn + "' for both");
        }
        features = List.copyOf(features == null ? List.of() : features);
        for (int f = 0; f < features.size(); f++) {
            if (features.indexOf(features.get(f)) != f) {
                throw new IllegalArgumentException("features: expected distinct columns, got '" + features.get(f)
                        + "' twice");
            }
        }
        if (!(validation >= 0 && validation < 1) || !(test >= 0 && test < 1) || !(validation + test < 1)) {
            throw new IllegalArgumentException("validation, test: expected fractions in [0, 1) with a sum below 1, "
                    + "got " + validation + ", " + test);
        }
        RunSupport.atLeastOne("layers", layers);
        RunSupport.atLeastOne("hidden", hidden);
        RunSupport.atLeastOne("epochs", epochs);
        RunSupport.atLeastOne("batch", batch);
        RunSupport.atLeastOne("threads", threads);
        optimizer = RunSupport.oneOf("optimizer", optimizer, "rmsprop", "adam", "sgd");
        if (!org.plstm.optim.Optimizer.validLearningRate(learningRate)) {
            throw new IllegalArgumentException("learning_rate: expected a value in "
                    + org.plstm.optim.Optimizer.LEARNING_RATES + ", got " + learningRate);
        }
        if (!(clip >= 0) || Double.isInfinite(clip)) {
            throw new IllegalArgumentException("clip: expected 0 (off) or a finite value > 0, got " + clip);
        }
        schedule = RunSupport.oneOf("schedule", schedule == null ? "constant" : schedule, "constant", "cosine");
        weightDecay = RunSupport.weightDecay("weight_decay", learningRate, weightDecay);
        clip = clip == 0 ? 0 : clip; // -0 is 0
        init = RunSupport.oneOf("init", init, "keras", "paper");
        gateActivation = GateActivation.fromKerasName(gateActivation).kerasName();
        engine = RunSupport.oneOf("engine", engine, "auto", "simd", "reference");
    }



    /** @return whether the task is regression */
    public boolean regression() {
        return task.equals("regression");
    }

    /** @return {@code rmse} for regression, else {@code accuracy}: the name of the metric of the reports */
    public String metric() {
        return regression() ? "rmse" : "accuracy";
    }

    /**
     * @param maxMemoryBytes the reader's memory bound
     * @param settings       what the reader's messages call its settings (the options of the command)
     * @return a reader of this configuration's columns
     */
    public EventCsvReader reader(long maxMemoryBytes, EventCsvReader.SettingNames settings) {
        return new EventCsvReader().settingNames(settings).id(idColumn).time(timeColumn).features(features)
                .label(labelColumn)
                .labelMode(labelMode.equals("sequence") ? EventCsvReader.LabelMode.SEQUENCE
                        : EventCsvReader.LabelMode.LAST_EVENT)
                .numericLabels(regression()).maxMemoryBytes(maxMemoryBytes);
    }

    /**
     * @param inputSize {@code I}, the data's features per event
     * @return the layer configurations, bottom first
     */
    public List<PhasedLstmConfig> layerConfigs(int inputSize) {
        PhasedLstmConfig first = PhasedLstmConfig.builder(inputSize, hidden).peepholes(peepholes)
                .gateActivation(GateActivation.fromKerasName(gateActivation)).timeGate(model.equals("plstm")).build();
        return SequenceClassifier.stack(first, layers);
    }

    /**
     * @param inputSize {@code I}
     * @param outputs   {@code C} classes, or {@code 1} for regression
     * @return a freshly initialised model of this configuration (seeded)
     */
    public SequenceClassifier newModel(int inputSize, int outputs) {
        return SequenceClassifier.initialize(layerConfigs(inputSize), outputs,
                TimeGateInit.valueOf(init.toUpperCase(Locale.ROOT)), seed);
    }

    /** @return a fresh optimiser of this configuration */
    public Optimizer newOptimizer() {
        Optimizer o = Optimizer.create(optimizer, learningRate);
        o.setWeightDecay(weightDecay);
        return o;
    }

    /**
     * @param trainCount training sequences per epoch (the steps per epoch follow from the batch size)
     * @return the cosine decay over all the run's steps, or null for a constant rate
     */
    public CosineDecay learningRateSchedule(int trainCount) {
        long perEpoch = (trainCount + batch - 1) / batch;
        return schedule.equals("cosine") ? new CosineDecay(learningRate, perEpoch * epochs, 0) : null;
    }

    /**
     * @param resolved the feature columns read from the file
     * @return this configuration with those features
     */
    public EventConfig withFeatures(List<String> resolved) {
        return new EventConfig(task, model, idColumn, timeColumn, resolved, labelColumn, labelMode, validation, test,
                layers, hidden, epochs, batch, optimizer, learningRate, clip, schedule, weightDecay, seed, init,
                gateActivation, peepholes, engine, threads);
    }

    /**
     * @param total the epochs to reach
     * @param name  engine name
     * @param count engine threads
     * @return this configuration with other epochs and engine (what {@code --resume} may change)
     */
    public EventConfig withRun(int total, String name, int count) {
        return new EventConfig(task, model, idColumn, timeColumn, features, labelColumn, labelMode, validation, test,
                layers, hidden, total, batch, optimizer, learningRate, clip, schedule, weightDecay, seed, init,
                gateActivation, peepholes, name, count);
    }

    /** @return the configuration as one-line JSON */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param json JSON written by {@link #toJson()}
     * @return the configuration
     * @throws IllegalArgumentException if the JSON is malformed or a value is invalid
     */
    public static EventConfig fromJson(String json) {
        return RunSupport.readConfig(json, EventConfig.class, "an event training configuration");
    }
}
