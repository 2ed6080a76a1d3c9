package org.plstm.mnist.cli;

import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The learning-rate schedule and the weight decay, shared by {@code train}, {@code compare}, {@code freq} and
 * {@code event-mnist} (a picocli mixin).
 */
public final class ScheduleOptions {
    @Option(names = "--schedule", paramLabel = "constant|cosine", defaultValue = "constant",
            description = "Learning-rate schedule: constant, or cosine (half a cosine from --lr down to 0 over all "
                    + "the run's steps, as Keras' CosineDecay). Default: ${DEFAULT-VALUE}.")
    String schedule;

    @Option(names = "--weight-decay", paramLabel = "RATE", defaultValue = "0",
            description = "Decoupled weight decay of the weight matrices (kernels; not biases or the time gate), as "
                    + "Keras 3's weight_decay (AdamW's default is 0.004): each step first multiplies them by "
                    + "(1 - lr x RATE), lr the step's (scheduled) rate; lr x RATE must stay below 1. 0 = off. "
                    + "Default: ${DEFAULT-VALUE}.")
    double weightDecay;

    /** Creates the options (picocli fills them). */
    public ScheduleOptions() {
    }

    /**
     * @param spec the command, for errors
     * @return the schedule's name, {@code constant} or {@code cosine}
     * @throws ParameterException if it is another, or if the weight decay is negative, NaN or infinite
     */
    String validated(CommandSpec spec) {
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw ModelOptions.bad(spec, "--weight-decay: expected 0 (off) or a finite number > 0, got "
                    + weightDecay);
        }
        if (weightDecay == 0) {
            weightDecay = 0; // -0 is 0 (the configuration and a resume compare them as text)
        }
        String s = schedule.trim().toLowerCase(Locale.ROOT);
        if (!s.equals("constant") && !s.equals("cosine")) {
            throw ModelOptions.bad(spec, "--schedule: expected constant or cosine, got '" + schedule + "'");
        }
        return s;
    }

    /** @return the weight decay */
    double weightDecay() {
        return weightDecay;
    }
}
