package org.plstm.mnist.cli;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.plstm.PhasedLstmConfig;
import org.plstm.mnist.train.Layout;
import org.plstm.mnist.train.ModelKind;
import org.plstm.mnist.train.RunSupport;
import org.plstm.mnist.train.TrainConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The options that define a training run (shared by {@code train} and {@code compare}). */
public final class ModelOptions {
    /**
     * The most stacked recurrent layers {@code --layers} takes ({@code train}, {@code compare}, {@code events train}).
     * One to four layers are the usual stacks of recurrent models: each layer keeps its activations for every step of
     * a batch for backpropagation (784 steps per image in MNIST's pixel layout), and gradients fade through depth as
     * they do through time, so a deeper stack costs memory and time without training better. 64 leaves ample room
     * above that, and a value like 100000 is refused before anything runs instead of ending out of memory after the
     * model was built.
     */
    public static final int MAX_LAYERS = 64;

    /** The {@code --layers} description, shared by the commands that take the option. */
    static final String LAYERS_DESCRIPTION = "Stacked recurrent layers, 1 to " + MAX_LAYERS + " (1 to 4 are usual: "
            + "each layer keeps its activations for every step, and gradients fade through depth as through time). "
            + "Default: ${DEFAULT-VALUE}.";

    @Option(names = "--hidden", paramLabel = "N", defaultValue = "32",
            description = "Hidden units per recurrent layer. Default: ${DEFAULT-VALUE}.")
    int hidden;

    @Option(names = "--layers", paramLabel = "N", defaultValue = "1", description = LAYERS_DESCRIPTION)
    int layers;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "2",
            description = "Total epochs of the run (for train --resume: the total to reach, counting the "
                    + "checkpoint's). Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "128",
            description = "Samples per batch. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--optimizer", paramLabel = "rmsprop|adam|sgd", defaultValue = "rmsprop",
            description = "Optimiser, with Keras' defaults besides the learning rate (RMSprop rho 0.9, Adam betas 0.9 "
                    + "and 0.999, eps 1e-7). Default: ${DEFAULT-VALUE}.")
    String optimizer;

    @Option(names = "--lr", paramLabel = "RATE", defaultValue = "0.001",
            description = "Learning rate. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--clip", paramLabel = "NORM", defaultValue = "0",
            description = "Clip gradients by global norm to NORM; 0 = no clipping. Default: ${DEFAULT-VALUE}.")
    double clip;

    @Mixin
    ScheduleOptions schedule;

    @Option(names = "--translate", paramLabel = "PIXELS", defaultValue = "0",
            description = "Data augmentation: move each training image by a random whole number of pixels in "
                    + "[-PIXELS, PIXELS] along each axis, anew every epoch (as Keras' RandomTranslation, in pixels; "
                    + "background fills the vacated pixels); test images are never moved. 0 to "
                    + TrainConfig.MAX_TRANSLATE + "; 0 = off. Default: ${DEFAULT-VALUE}.")
    int translate;

    @Option(names = "--layout", paramLabel = "pixel|row", defaultValue = "pixel",
            description = "pixel: 784 steps of 1 pixel (timestamps 1..784); row: 28 steps of 28 pixels "
                    + "(timestamps 1..28). Default: ${DEFAULT-VALUE}.")
    String layout;

    @Option(names = "--train-limit", paramLabel = "N", defaultValue = "60000",
            description = "Use the first N training samples (all of them where N is larger). "
                    + "Default: ${DEFAULT-VALUE} (all).")
    int trainLimit;

    @Option(names = "--test-limit", paramLabel = "N", defaultValue = "10000",
            description = "Use the first N test samples (all of them where N is larger). "
                    + "Default: ${DEFAULT-VALUE} (all).")
    int testLimit;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the weight initialisation and of the per-epoch shuffling. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--init", paramLabel = "keras|paper", defaultValue = "keras",
            description = "Time-gate initialisation: keras (period U(10,100), shift U(0,1000), ratio_on 0.05, as the "
                    + "seed) or paper (period exp(U(1,6)), shift U(0,period)). Default: ${DEFAULT-VALUE}.")
    String init;

    @Option(names = "--gate-activation", paramLabel = "sigmoid|hard_sigmoid", defaultValue = "sigmoid",
            description = "Activation of the i, f, o gates (the seed used hard_sigmoid). Default: ${DEFAULT-VALUE}.")
    String gateActivation;

    @Option(names = "--peepholes", negatable = true, defaultValue = "false", fallbackValue = "true",
            description = "Use peephole connections. Default: ${DEFAULT-VALUE}.")
    boolean peepholes;

    /** Creates the options (picocli fills them). */
    public ModelOptions() {
    }

    /**
     * Validates the values and builds the configuration.
     *
     * @param spec    the command, for errors
     * @param model   the model kind
     * @param engine  engine name
     * @param threads engine threads
     * @return the configuration
     * @throws ParameterException naming the option, the expectation and the value
     */
    TrainConfig toConfig(CommandSpec spec, ModelKind model, String engine, int threads) {
        positive(spec, "--hidden", hidden);
        layers(spec, layers);
        positive(spec, "--epochs", epochs);
        positive(spec, "--batch", batch);
        positive(spec, "--train-limit", trainLimit);
        positive(spec, "--test-limit", testLimit);
        String opt = optimizer.trim().toLowerCase(Locale.ROOT);
        if (!opt.equals("rmsprop") && !opt.equals("adam") && !opt.equals("sgd")) {
            throw bad(spec, "--optimizer: expected rmsprop, adam or sgd, got '" + optimizer + "'");
        }
        if (!org.plstm.optim.Optimizer.validLearningRate(lr)) {
            throw bad(spec, "--lr: expected a number in " + org.plstm.optim.Optimizer.LEARNING_RATES + ", got " + lr);
        }
        if (!(clip >= 0) || Double.isInfinite(clip)) {
            throw bad(spec, "--clip: expected 0 (off) or a finite number > 0, got " + clip);
        }
        String sched = schedule.validated(spec);
        try {
            RunSupport.translate("--translate", translate);
        } catch (IllegalArgumentException e) {
            throw bad(spec, e.getMessage());
        }
        Layout lay;
        try {
            lay = Layout.parse(layout);
        } catch (IllegalArgumentException e) {
            throw bad(spec, "--layout: expected pixel or row, got '" + layout + "'");
        }
        try {
            PhasedLstmConfig.builder(Math.max(lay.inputSize(), hidden), hidden).build(); // do the weights fit?
        } catch (IllegalArgumentException e) {
            throw bad(spec, "--hidden: " + hidden + " is too large: " + e.getMessage());
        }
        String in = init.trim().toLowerCase(Locale.ROOT);
        if (!in.equals("keras") && !in.equals("paper")) {
            throw bad(spec, "--init: expected keras or paper, got '" + init + "'");
        }
        String act = gateActivation.trim().toLowerCase(Locale.ROOT);
        if (!act.equals("sigmoid") && !act.equals("hard_sigmoid")) {
            throw bad(spec, "--gate-activation: expected sigmoid or hard_sigmoid, got '" + gateActivation + "'");
        }
        try {
            return new TrainConfig(model, layers, hidden, epochs, batch, opt, lr, clip, sched, schedule.weightDecay(), translate, lay,
                    trainLimit,
                    testLimit, seed, in, act, peepholes, engine, threads);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw bad(spec, m.startsWith("weight_decay:") ? "--weight-decay" + m.substring("weight_decay".length())
                    : m);
        }
    }

    /**
     * For {@code --resume}: the options that define the model and data must not contradict the checkpoint. Options
     * given explicitly with another value than the checkpoint's are an error; the rest come from the checkpoint.
     *
     * @param spec  the command
     * @param saved the checkpoint's configuration
     * @param model the model kind given on the command line, or null if not given
     * @throws ParameterException on a contradiction
     */
    void requireConsistent(CommandSpec spec, TrainConfig saved, ModelKind model) {
        Map<String, Object[]> pairs = new LinkedHashMap<>();
        pairs.put("--model", new Object[] {model, saved.model()});
        pairs.put("--hidden", new Object[] {hidden, saved.hidden()});
        pairs.put("--layers", new Object[] {layers, saved.layers()});
        pairs.put("--batch", new Object[] {batch, saved.batch()});
        pairs.put("--optimizer", new Object[] {optimizer.trim().toLowerCase(Locale.ROOT), saved.optimizer()});
        pairs.put("--lr", new Object[] {lr, saved.learningRate()});
        pairs.put("--clip", new Object[] {clip, saved.clip()});
        pairs.put("--schedule", new Object[] {schedule.schedule.trim().toLowerCase(Locale.ROOT), saved.schedule()});
        pairs.put("--weight-decay", new Object[] {schedule.weightDecay(), saved.weightDecay()});
        pairs.put("--translate", new Object[] {translate, saved.translate()});
        pairs.put("--layout", new Object[] {layout.trim().toLowerCase(Locale.ROOT), saved.layout().toString()});
        pairs.put("--train-limit", new Object[] {trainLimit, saved.trainLimit()});
        pairs.put("--seed", new Object[] {seed, saved.seed()});
        pairs.put("--init", new Object[] {init.trim().toLowerCase(Locale.ROOT), saved.init()});
        pairs.put("--gate-activation", new Object[] {gateActivation.trim().toLowerCase(Locale.ROOT),
            saved.gateActivation()});
        pairs.put("--peepholes", new Object[] {peepholes, saved.peepholes()});
        for (Map.Entry<String, Object[]> e : pairs.entrySet()) {
            boolean given = spec.commandLine().getParseResult().hasMatchedOption(e.getKey())
                    || (e.getKey().equals("--peepholes")
                    && spec.commandLine().getParseResult().hasMatchedOption("--no-peepholes"));
            Object cli = e.getValue()[0];
            Object ckpt = e.getValue()[1];
            if (given && cli != null && !Objects.equals(cli.toString(), ckpt.toString())) {
                throw bad(spec, e.getKey() + ": the checkpoint was trained with " + ckpt + ", got " + cli
                        + " (omit the option to resume)");
            }
        }
    }

    /**
     * With {@code --resume}: the total epochs to reach, {@code --epochs} if given, else the checkpoint's run's own
     * total. A cosine schedule spans its run's epochs, so its total cannot change. The total must lie above the
     * epochs the checkpoint has completed.
     *
     * @param spec          the command (to see whether --epochs was given)
     * @param epochs        the --epochs value
     * @param savedEpochs   the checkpoint's run's total
     * @param savedSchedule the checkpoint's schedule
     * @param completed     the epochs the checkpoint has completed, or -1 not to check (compare keeps a finished
     *                      model as it is)
     * @return the total
     * @throws ParameterException if a cosine run's total would change, or nothing is left to train
     */
    static int resumeEpochs(CommandSpec spec, int epochs, int savedEpochs, String savedSchedule, long completed) {
        boolean given = spec.commandLine().getParseResult().hasMatchedOption("--epochs");
        int total = given ? epochs : savedEpochs;
        boolean cosine = savedSchedule.equals("cosine");
        boolean finished = completed >= savedEpochs;
        if (!given && finished) {
            throw bad(spec, "--resume: the run is complete (epoch " + completed + " of " + savedEpochs + "); "
                    + (cosine ? "its cosine schedule cannot be lengthened: start a new run to train longer"
                    : "pass --epochs above " + completed + " to train on"));
        }
        if (cosine && total != savedEpochs) {
            throw bad(spec, "--epochs: the checkpoint's cosine schedule spans its run's " + savedEpochs
                    + " epochs, got " + total + (finished ? " (the run is complete; a longer schedule needs a new run)"
                    : " (omit --epochs to finish that run; a longer schedule needs a new run)"));
        }
        if (completed >= total) {
            throw bad(spec, "--epochs: the checkpoint has completed " + completed + " epoch" + (completed == 1 ? ""
                    : "s") + "; expected a total above that, got " + total);
        }
        return total;
    }

    static void positive(CommandSpec spec, String name, int value) {
        if (value < 1) {
            throw bad(spec, name + ": expected an integer >= 1, got " + value);
        }
    }

    /**
     * Validates a {@code --layers} value.
     *
     * @param spec  the command, for errors
     * @param value the value
     * @throws ParameterException unless {@code 1 <= value <= }{@link #MAX_LAYERS}
     */
    static void layers(CommandSpec spec, int value) {
        if (value < 1 || value > MAX_LAYERS) {
            throw bad(spec, "--layers: expected an integer in [1, " + MAX_LAYERS + "], got " + value);
        }
    }

    static ParameterException bad(CommandSpec spec, String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
