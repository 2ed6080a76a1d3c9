package org.plstm.mnist.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.List;
import java.util.Locale;
import org.plstm.PhasedLstmConfig;
import org.plstm.TimeGateInit;
import org.plstm.mnist.data.EventMnist;
import org.plstm.mnist.data.FrequencyTask;
import org.plstm.optim.CosineDecay;
import org.plstm.optim.Optimizer;
import org.plstm.train.SequenceClassifier;

/**
 * Everything that defines a run of one of the paper's experiments ({@link TaskTrainer}): the task and its data
 * options, the model, the optimiser and the seed, plus the engine. Immutable and validated; stored as JSON in
 * {@code summary.json} and in every checkpoint (metadata {@code trainer}), so that {@code --resume} rebuilds the same
 * data stream and model.
 *
 * @param task         {@code freq} (frequency discrimination, paper section 4.1) or {@code event-mnist}
 * @param sampling     for {@code freq}: {@code standard}, {@code high-res} or {@code async}; for
 *                     {@code event-mnist}: {@code none}
 * @param model        {@code plstm} or {@code lstm} (time gate off, time given as an input channel)
 * @param hidden       hidden units, {@code >= 1}
 * @param epochs       total epochs, {@code >= 1}
 * @param batch        sequences per batch, {@code >= 1}
 * @param trainSamples training sequences per epoch ({@code freq}: fresh each epoch; {@code event-mnist}: the first
 *                     that many training images, {@code <= 60000}), {@code >= 1}
 * @param testSamples  test sequences scored after each epoch ({@code freq}: fresh each epoch; {@code event-mnist}:
 *                     the first that many test images, {@code <= 10000}), {@code >= 1}
 * @param threshold    {@code event-mnist}: the ink threshold in {@code [1, 255]}; {@code freq}: ignored (0)
 * @param optimizer    {@code rmsprop}, {@code adam} or {@code sgd}
 * @param learningRate in float's positive range ({@link org.plstm.optim.Optimizer#validLearningRate})
 * @param clip         global-norm gradient clipping bound, {@code 0} = off
 * @param schedule     learning-rate schedule: {@code constant}, or {@code cosine} (half a cosine from
 *                     {@code learningRate} to 0 over all the run's steps, {@link CosineDecay}); null (a checkpoint
 *                     written before schedules existed) reads as {@code constant}
 * @param weightDecay  decoupled weight decay of the weight matrices, {@code >= 0}, 0 = off
 *                     ({@link Optimizer#setWeightDecay}); absent in older checkpoints: 0
 * @param translate    {@code event-mnist}: data augmentation, each training image is moved by a random whole number
 *                     of pixels in {@code [−translate, translate]} along each axis, anew every epoch, before it
 *                     becomes events ({@link TaskData#eventMnist}); {@code 0..}{@link TrainConfig#MAX_TRANSLATE},
 *                     0 = off (absent in older checkpoints: 0); test images are never moved. {@code freq}: 0
 * @param seed         seed of the data, the initialisation and the shuffling
 * @param init         time-gate initialisation, {@code keras} or {@code paper}
 * @param engine       {@code auto}, {@code simd} or {@code reference}
 * @param threads      engine threads, {@code >= 1}
 */
public record TaskConfig(String task, String sampling, String model, int hidden, int epochs, int batch,
                         int trainSamples, int testSamples, int threshold, String optimizer, double learningRate,
                         double clip, String schedule, double weightDecay, int translate, long seed, String init,
                         String engine, int threads) {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /** The task name of the frequency-discrimination experiment. */
    public static final String FREQ = "freq";
    /** The task name of event-based sequential MNIST. */
    public static final String EVENT_MNIST = "event-mnist";

    /**
     * Validates every field.
     *
     * @throws IllegalArgumentException naming the first invalid field, what it expects and what it got
     */
    @JsonCreator
    public TaskConfig {
        task = RunSupport.oneOf("task", task, FREQ, EVENT_MNIST);
        if (task.equals(FREQ)) {
            sampling = FrequencyTask.Sampling.parse(sampling).toString();
            threshold = 0;
            if (translate != 0) {
                throw new IllegalArgumentException("translate: expected 0 for freq (it moves MNIST images), got "
                        + translate);
            }
        } else {
            sampling = "none";
            EventMnist.checkThreshold(threshold);
            RunSupport.translate("translate", translate);
            if (trainSamples > 60_000 || testSamples > 10_000) {
                throw new IllegalArgumentException("train_samples, test_samples: expected at most 60000 and 10000 "
                        + "MNIST images, got " + trainSamples + ", " + testSamples);
            }
        }
        model = RunSupport.oneOf("model", model, "plstm", "lstm");
        RunSupport.atLeastOne("hidden", hidden);
        RunSupport.atLeastOne("epochs", epochs);
        RunSupport.atLeastOne("batch", batch);
        RunSupport.atLeastOne("train_samples", trainSamples);
        RunSupport.atLeastOne("test_samples", testSamples);
        RunSupport.atLeastOne("threads", threads);
        optimizer = RunSupport.oneOf("optimizer", optimizer, "rmsprop", "adam", "sgd");
        if (!org.plstm.optim.Optimizer.validLearningRate(learningRate)) {
            throw new IllegalArgumentException("learning_rate: expected a value in "
                    + org.plstm.optim.Optimizer.LEARNING_RATES + ", got " + learningRate);
        }
        if (!(clip >= 0) || Double.isInfinite(clip)) {
            throw new IllegalArgumentException("clip: expected 0 (off) or a finite value > 0, got " + clip);
        }
        weightDecay = RunSupport.weightDecay("weightDecay", learningRate, weightDecay);
        clip = clip == 0 ? 0 : clip; // -0 is 0
        schedule = RunSupport.oneOf("schedule", schedule == null ? "constant" : schedule, "constant", "cosine");
        init = RunSupport.oneOf("init", init, "keras", "paper");
        engine = RunSupport.oneOf("engine", engine, "auto", "simd", "reference");
    }

    /**
     * A run with a constant learning rate (the configuration before schedules existed): the canonical constructor
     * with {@code schedule = "constant"}, {@code weightDecay = 0} and {@code translate = 0}.
     *
     * @param task         the record component {@code task}
     * @param sampling     the record component {@code sampling}
     * @param model        the record component {@code model}
     * @param hidden       the record component {@code hidden}
     * @param epochs       the record component {@code epochs}
     * @param batch        the record component {@code batch}
     * @param trainSamples the record component {@code trainSamples}
     * @param testSamples  the record component {@code testSamples}
     * @param threshold    the record component {@code threshold}
     * @param optimizer    the record component {@code optimizer}
     * @param learningRate the record component {@code learningRate}
     * @param clip         the record component {@code clip}
     * @param seed         the record component {@code seed}
     * @param init         the record component {@code init}
     * @param engine       the record component {@code engine}
     * @param threads      the record component {@code threads}
     * @throws IllegalArgumentException naming the first invalid field, what it expects and what it got
     */
    public TaskConfig(String task, String sampling, String model, int hidden, int epochs, int batch,
                      int trainSamples, int testSamples, int threshold, String optimizer, double learningRate,
                      double clip, long seed, String init, String engine, int threads) {
        this(task, sampling, model, hidden, epochs, batch, trainSamples, testSamples, threshold, optimizer,
                learningRate, clip, "constant", 0, 0, seed, init, engine, threads);
    }



    /** @return whether the model is the plain LSTM baseline (which receives time as an input channel) */
    public boolean lstm() {
        return model.equals("lstm");
    }

    /** @return {@code I}: 1 for the Phased LSTM, 2 for the LSTM (the time channel) */
    public int inputSize() {
        return lstm() ? 2 : 1;
    }

    /** @return {@code C}: 2 for {@code freq}, 10 for {@code event-mnist} */
    public int classes() {
        return task.equals(FREQ) ? 2 : 10;
    }

    /** @return a short name for titles and directories, e.g. {@code freq-async} or {@code event-mnist} */
    public String name() {
        return task.equals(FREQ) ? FREQ + "-" + sampling : task;
    }

    /** @return the layer configuration: {@code I -> H}, time gate on for {@code plstm} */
    public PhasedLstmConfig layerConfig() {
        return PhasedLstmConfig.builder(inputSize(), hidden).timeGate(!lstm()).build();
    }

    /** @return a freshly initialised model (seeded): one recurrent layer, last step, dense, softmax */
    public SequenceClassifier newModel() {
        return SequenceClassifier.initialize(List.of(layerConfig()), classes(),
                TimeGateInit.valueOf(init.toUpperCase(Locale.ROOT)), seed);
    }

    /** @return a fresh optimiser of this configuration */
    public Optimizer newOptimizer() {
        Optimizer o = Optimizer.create(optimizer, learningRate);
        o.setWeightDecay(weightDecay);
        return o;
    }

    /**
     * @return the multiple of steps each batch is padded to ({@link TaskTrainer#batch}): 160 for the high-resolution
     *     sampling (150 to 1,250 steps: 8 shapes, about 11 % padded steps on average), else 1 (each batch to its
     *     longest sequence, at most 125 steps)
     */
    public int padMultiple() {
        return sampling.equals("high-res") ? 160 : 1;
    }

    /** @return the optimiser steps of one epoch: {@code ceil(trainSamples / batch)} */
    public long stepsPerEpoch() {
        return (trainSamples + batch - 1) / batch;
    }

    /** @return the run's learning-rate schedule over all its steps, or null for a constant rate */
    public CosineDecay learningRateSchedule() {
        return schedule.equals("cosine") ? new CosineDecay(learningRate, stepsPerEpoch() * epochs, 0) : null;
    }

    /**
     * @param m the model to use instead
     * @return this configuration with another model (what {@code compare} varies)
     */
    public TaskConfig withModel(String m) {
        return new TaskConfig(task, sampling, m, hidden, epochs, batch, trainSamples, testSamples, threshold,
                optimizer, learningRate, clip, schedule, weightDecay, translate, seed, init, engine, threads);
    }

    /**
     * @param total the epochs to reach
     * @param name  engine name
     * @param count engine threads
     * @return this configuration with other epochs and engine (what {@code --resume} may change)
     */
    public TaskConfig withRun(int total, String name, int count) {
        return new TaskConfig(task, sampling, model, hidden, total, batch, trainSamples, testSamples, threshold,
                optimizer, learningRate, clip, schedule, weightDecay, translate, seed, init, name, count);
    }

    /**
     * @param other another configuration
     * @return whether both define the same run up to the epochs and the engine (a checkpoint of one continues as the
     *     other)
     */
    public boolean sameRun(TaskConfig other) {
        return withRun(1, "auto", 1).equals(other.withRun(1, "auto", 1));
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
    public static TaskConfig fromJson(String json) {
        return RunSupport.readConfig(json, TaskConfig.class, "a configuration of freq or event-mnist");
    }
}
