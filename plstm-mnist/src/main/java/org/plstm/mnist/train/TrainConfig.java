package org.plstm.mnist.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.List;
import java.util.Locale;
import org.plstm.GateActivation;
import org.plstm.PhasedLstmConfig;
import org.plstm.TimeGateInit;
import org.plstm.optim.CosineDecay;
import org.plstm.optim.Optimizer;
import org.plstm.train.SequenceClassifier;

/**
 * Everything that defines a sequential-MNIST training run (the model, the optimiser, the data and the seed), plus
 * the engine choice. Immutable and validated; stored as JSON in {@code summary.json} and in every checkpoint
 * (metadata {@code trainer}), so that {@code --resume} and {@code evaluate} rebuild the same run.
 *
 * @param model          {@link ModelKind#PLSTM} or the {@link ModelKind#LSTM} baseline
 * @param layers         stacked recurrent layers, {@code >= 1}
 * @param hidden         hidden units per layer, {@code >= 1}
 * @param epochs         total epochs of the run, {@code >= 1}
 * @param batch          samples per batch, {@code >= 1}
 * @param optimizer      {@code rmsprop}, {@code adam} or {@code sgd} (Keras defaults besides the learning rate)
 * @param learningRate   in float's positive range ({@link org.plstm.optim.Optimizer#validLearningRate})
 * @param clip           bound for gradient clipping by global norm, {@code 0} = off, else {@code > 0}
 * @param schedule       learning-rate schedule: {@code constant}, or {@code cosine} (half a cosine from
 *                       {@code learningRate} to 0 over all the run's steps, {@link org.plstm.optim.CosineDecay});
 *                       null (a checkpoint written before schedules existed) reads as {@code constant}
 * @param weightDecay    decoupled weight decay of the weight matrices, {@code >= 0}, 0 = off
 *                       ({@link Optimizer#setWeightDecay}); absent in older checkpoints: 0
 * @param translate      data augmentation: each training image is moved by a random number of pixels in
 *                       {@code [−translate, translate]} along each axis, anew every epoch
 *                       ({@link MnistBatches#fill(int[], int, int, int, long, int)}); {@code 0 <= translate <= 13},
 *                       0 = off (absent in older checkpoints: 0); test images are never moved
 * @param layout         how images become sequences
 * @param trainLimit     use the first {@code N} training samples, {@code >= 1} (more than available = all)
 * @param testLimit      use the first {@code N} test samples, {@code >= 1}
 * @param seed           seed of the weight initialisation and of the per-epoch shuffling
 * @param init           time-gate initialisation, {@code keras} or {@code paper} ({@link TimeGateInit})
 * @param gateActivation {@code sigmoid} or {@code hard_sigmoid} ({@link GateActivation})
 * @param peepholes      whether the layers use peephole connections
 * @param engine         {@code auto}, {@code simd} or {@code reference}
 * @param threads        engine threads, {@code >= 1}
 */
@JsonPropertyOrder({"model", "layers", "hidden", "epochs", "batch", "optimizer", "learning_rate", "clip", "schedule",
        "weight_decay", "translate", "layout", "train_limit", "test_limit", "seed", "init", "gate_activation", "peepholes", "engine", "threads"})
public record TrainConfig(
        @JsonProperty("model") ModelKind model,
        @JsonProperty("layers") int layers,
        @JsonProperty("hidden") int hidden,
        @JsonProperty("epochs") int epochs,
        @JsonProperty("batch") int batch,
        @JsonProperty("optimizer") String optimizer,
        @JsonProperty("learning_rate") double learningRate,
        @JsonProperty("clip") double clip,
        @JsonProperty("schedule") String schedule,
        @JsonProperty("weight_decay") double weightDecay,
        @JsonProperty("translate") int translate,
        @JsonProperty("layout") Layout layout,
        @JsonProperty("train_limit") int trainLimit,
        @JsonProperty("test_limit") int testLimit,
        @JsonProperty("seed") long seed,
        @JsonProperty("init") String init,
        @JsonProperty("gate_activation") String gateActivation,
        @JsonProperty("peepholes") boolean peepholes,
        @JsonProperty("engine") String engine,
        @JsonProperty("threads") int threads) {

    /** The largest {@code translate}: half of MNIST's 28-pixel side less one. */
    public static final int MAX_TRANSLATE = 13;

    /** Number of MNIST classes. */
    public static final int CLASSES = 10;

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /**
     * Validates every field.
     *
     * @throws IllegalArgumentException naming the first invalid field, what it expects and what it got
     */
    @JsonCreator
    public TrainConfig {
        if (model == null) {
            throw new IllegalArgumentException("model: expected plstm or lstm, got null");
        }
        if (layout == null) {
            throw new IllegalArgumentException("layout: expected pixel or row, got null");
        }
        atLeast("layers", layers, 1);
        atLeast("hidden", hidden, 1);
        atLeast("epochs", epochs, 1);
        atLeast("batch", batch, 1);
        atLeast("train_limit", trainLimit, 1);
        atLeast("test_limit", testLimit, 1);
        atLeast("threads", threads, 1);
        optimizer = lower(optimizer);
        if (!List.of("rmsprop", "adam", "sgd").contains(optimizer)) {
            throw new IllegalArgumentException("optimizer: expected rmsprop, adam or sgd, got " + optimizer);
        }
        if (!org.plstm.optim.Optimizer.validLearningRate(learningRate)) {
            throw new IllegalArgumentException("learning_rate: expected a value in "
                    + org.plstm.optim.Optimizer.LEARNING_RATES + ", got " + learningRate);
        }
        if (!(clip >= 0) || Double.isInfinite(clip)) {
            throw new IllegalArgumentException("clip: expected 0 (off) or a finite value > 0, got " + clip);
        }
        schedule = schedule == null ? "constant" : lower(schedule);
        if (!List.of("constant", "cosine").contains(schedule)) {
            throw new IllegalArgumentException("schedule: expected constant or cosine, got " + schedule);
        }
        weightDecay = RunSupport.weightDecay("weight_decay", learningRate, weightDecay);
        clip = clip == 0 ? 0 : clip; // -0 is 0
        RunSupport.translate("translate", translate);
        init = lower(init);
        if (!List.of("keras", "paper").contains(init)) {
            throw new IllegalArgumentException("init: expected keras or paper, got " + init);
        }
        gateActivation = GateActivation.fromKerasName(gateActivation).kerasName();
        engine = lower(engine);
        if (!List.of("auto", "simd", "reference").contains(engine)) {
            throw new IllegalArgumentException("engine: expected auto, simd or reference, got " + engine);
        }
    }

    /**
     * A run with a constant learning rate (the configuration before schedules existed): the canonical constructor
     * with {@code schedule = "constant"}, {@code weightDecay = 0} and {@code translate = 0}.
     *
     * @param model          the record component {@code model}
     * @param layers         the record component {@code layers}
     * @param hidden         the record component {@code hidden}
     * @param epochs         the record component {@code epochs}
     * @param batch          the record component {@code batch}
     * @param optimizer      the record component {@code optimizer}
     * @param learningRate   the record component {@code learningRate}
     * @param clip           the record component {@code clip}
     * @param layout         the record component {@code layout}
     * @param trainLimit     the record component {@code trainLimit}
     * @param testLimit      the record component {@code testLimit}
     * @param seed           the record component {@code seed}
     * @param init           the record component {@code init}
     * @param gateActivation the record component {@code gateActivation}
     * @param peepholes      the record component {@code peepholes}
     * @param engine         the record component {@code engine}
     * @param threads        the record component {@code threads}
     * @throws IllegalArgumentException naming the first invalid field, what it expects and what it got
     */
    public TrainConfig(ModelKind model, int layers, int hidden, int epochs, int batch, String optimizer,
                       double learningRate, double clip, Layout layout, int trainLimit, int testLimit, long seed,
                       String init, String gateActivation, boolean peepholes, String engine, int threads) {
        this(model, layers, hidden, epochs, batch, optimizer, learningRate, clip, "constant", 0, 0, layout, trainLimit,
                testLimit, seed, init, gateActivation, peepholes, engine, threads);
    }

    private static void atLeast(String name, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(name + ": expected >= " + min + ", got " + value);
        }
    }

    private static String lower(String s) {
        return s == null ? null : s.trim().toLowerCase(Locale.ROOT);
    }

    /**
     * The seed's defaults: PLSTM, 1 layer of 32, 2 epochs, batch 128, RMSprop 1e-3, no clipping, pixel layout,
     * all of MNIST, seed 1, Keras time-gate init, sigmoid gates, no peepholes, auto engine, all processors.
     *
     * @return the default configuration
     */
    public static TrainConfig defaults() {
        return new TrainConfig(ModelKind.PLSTM, 1, 32, 2, 128, "rmsprop", 1e-3, 0, "constant", 0, 0, Layout.PIXEL, 60_000, 10_000, 1,
                "keras", "sigmoid", false, "auto", Runtime.getRuntime().availableProcessors());
    }

    /** @return the time-gate initialisation as the enum */
    public TimeGateInit timeGateInit() {
        return TimeGateInit.valueOf(init.toUpperCase(Locale.ROOT));
    }

    /** @return the layer configurations, bottom first ({@code I} from the layout, time gate off for LSTM) */
    public List<PhasedLstmConfig> layerConfigs() {
        PhasedLstmConfig first = PhasedLstmConfig.builder(layout.inputSize(), hidden).peepholes(peepholes)
                .gateActivation(GateActivation.fromKerasName(gateActivation)).timeGate(model == ModelKind.PLSTM)
                .build();
        return SequenceClassifier.stack(first, layers);
    }

    /** @return a freshly initialised classifier for this configuration and seed */
    public SequenceClassifier newModel() {
        return SequenceClassifier.initialize(layerConfigs(), CLASSES, timeGateInit(), seed);
    }

    /** @return a fresh optimiser of this configuration */
    public Optimizer newOptimizer() {
        Optimizer o = Optimizer.create(optimizer, learningRate);
        o.setWeightDecay(weightDecay);
        return o;
    }

    /**
     * The learning-rate schedule of this run, or null for a constant rate.
     *
     * @param trainSamples training samples per epoch (the steps per epoch follow from the batch size)
     * @return a cosine decay over all {@link #epochs()} of the run, or null if {@code schedule} is {@code constant}
     */
    public CosineDecay learningRateSchedule(int trainSamples) {
        if (!schedule.equals("cosine")) {
            return null;
        }
        long perEpoch = (trainSamples + batch - 1) / batch;
        return new CosineDecay(learningRate, perEpoch * epochs, 0);
    }

    /**
     * @param kind the model kind
     * @return a copy with another model kind
     */
    public TrainConfig withModel(ModelKind kind) {
        return new TrainConfig(kind, layers, hidden, epochs, batch, optimizer, learningRate, clip, schedule,
                weightDecay, translate, layout, trainLimit, testLimit, seed, init, gateActivation, peepholes, engine, threads);
    }

    /**
     * @param total total epochs
     * @return a copy with another epoch count
     */
    public TrainConfig withEpochs(int total) {
        return new TrainConfig(model, layers, hidden, total, batch, optimizer, learningRate, clip, schedule,
                weightDecay, translate, layout, trainLimit, testLimit, seed, init, gateActivation, peepholes, engine, threads);
    }

    /**
     * @param name   {@code auto}, {@code simd} or {@code reference}
     * @param count  threads
     * @return a copy with another engine choice
     */
    public TrainConfig withEngine(String name, int count) {
        return new TrainConfig(model, layers, hidden, epochs, batch, optimizer, learningRate, clip, schedule,
                weightDecay, translate, layout, trainLimit, testLimit, seed, init, gateActivation, peepholes, name, count);
    }

    /**
     * @param limit test samples
     * @return a copy with another test limit
     */
    public TrainConfig withTestLimit(int limit) {
        return new TrainConfig(model, layers, hidden, epochs, batch, optimizer, learningRate, clip, schedule,
                weightDecay, translate, layout, trainLimit, limit, seed, init, gateActivation, peepholes, engine, threads);
    }

    /**
     * @param pixels largest translation of the training images, {@code 0..}{@link #MAX_TRANSLATE}
     * @return a copy with another augmentation
     */
    public TrainConfig withTranslate(int pixels) {
        return new TrainConfig(model, layers, hidden, epochs, batch, optimizer, learningRate, clip, schedule,
                weightDecay, pixels, layout, trainLimit, testLimit, seed, init, gateActivation, peepholes, engine,
                threads);
    }

    /** @return this configuration as a JSON object (snake_case keys) */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Parses {@link #toJson()}'s format.
     *
     * @param json the JSON text
     * @return the configuration
     * @throws IllegalArgumentException if the JSON is malformed or a value is invalid
     */
    public static TrainConfig fromJson(String json) {
        String from = RunSupport.trainerCommand(json);
        if (from != null && !from.equals("train")) {
            throw new IllegalArgumentException("training configuration: expected one of sequential MNIST's train, "
                    + "got one of '" + from + "' (resume it with that command)");
        }
        try {
            TrainConfig c = JSON.readValue(json, TrainConfig.class);
            if (c == null) {
                throw new IllegalArgumentException("training configuration: expected a JSON object, got " + json);
            }
            return c;
        } catch (JsonProcessingException e) {
            Throwable c = e.getCause();
            if (c instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalArgumentException("training configuration: " + e.getOriginalMessage(), e);
        }
    }
}
