package org.plstm.mnist.train;

import java.util.ArrayList;
import java.util.List;
import org.plstm.mnist.data.EventMnist;
import org.plstm.mnist.data.FrequencyTask;
import org.plstm.mnist.data.Mnist;
import org.plstm.train.LabeledSequence;

/**
 * The data stream of one of the paper's experiments: the training and test sequences of every epoch, each a pure
 * function of the configuration and the epoch (so an epoch's data can be rebuilt on its own, and a resumed run sees
 * exactly the data of an uninterrupted one).
 */
public interface TaskData {
    /**
     * @param epoch 1-based epoch
     * @return the epoch's training sequences, {@code [trainSamples]}, labels in {@code [0, C)}
     */
    List<LabeledSequence> train(int epoch);

    /**
     * @param epoch 1-based epoch
     * @return the sequences scored after the epoch, {@code [testSamples]}
     */
    List<LabeledSequence> test(int epoch);

    /**
     * The data of a configuration.
     *
     * @param config the run's configuration
     * @param mnist  MNIST for {@code event-mnist} (ignored, may be null, for {@code freq})
     * @return {@link #frequency} or {@link #eventMnist}
     * @throws IllegalArgumentException if {@code event-mnist} gets no MNIST
     */
    static TaskData of(TaskConfig config, Mnist mnist) {
        if (config.task().equals(TaskConfig.FREQ)) {
            return frequency(config);
        }
        if (mnist == null) {
            throw new IllegalArgumentException("mnist: expected the MNIST data for event-mnist, got null");
        }
        return eventMnist(config, mnist);
    }

    /**
     * Frequency discrimination ({@link FrequencyTask}): {@code trainSamples} fresh training and {@code testSamples}
     * fresh test samples every epoch, drawn with {@link FrequencyTask#epochSeed}; the LSTM gets the time channel
     * ({@link FrequencyTask#toLabeled(FrequencyTask.Sample, boolean)}). Shorter sequences are padded behind the
     * model's back by the batch's {@code lengths} ({@link org.plstm.train.Fit#batch}): a padded step carries the
     * state unchanged, so the model's output is the state after the sequence's own last sample.
     *
     * @param config a {@code freq} configuration
     * @return the stream
     */
    static TaskData frequency(TaskConfig config) {
        FrequencyTask.Sampling sampling = FrequencyTask.Sampling.parse(config.sampling());
        return new TaskData() {
            @Override
            public List<LabeledSequence> train(int epoch) {
                return convert(FrequencyTask.generate(config.trainSamples(), sampling,
                        FrequencyTask.epochSeed(config.seed(), epoch, false)));
            }

            @Override
            public List<LabeledSequence> test(int epoch) {
                return convert(FrequencyTask.generate(config.testSamples(), sampling,
                        FrequencyTask.epochSeed(config.seed(), epoch, true)));
            }

            private List<LabeledSequence> convert(List<FrequencyTask.Sample> samples) {
                List<LabeledSequence> out = new ArrayList<>(samples.size());
                for (FrequencyTask.Sample s : samples) {
                    out.add(FrequencyTask.toLabeled(s, config.lstm()));
                }
                return out;
            }
        };
    }

    /**
     * Event-based MNIST ({@link EventMnist}): the first {@code trainSamples} training and {@code testSamples} test
     * images as event sequences; the LSTM gets the time-gap channel. The test images, and without
     * {@code translate} the training images, are the same every epoch (converted once); with it, each training image
     * is moved by its epoch's offsets ({@link MnistBatches#translation}, a pure function of the seed, the epoch and
     * the image) before it becomes events, so it gives other events every epoch.
     *
     * @param config an {@code event-mnist} configuration
     * @param mnist  the images
     * @return the stream
     */
    static TaskData eventMnist(TaskConfig config, Mnist mnist) {
        boolean gap = config.lstm();
        List<LabeledSequence> train = List.copyOf(EventMnist.firstImages(mnist.train(), config.trainSamples(),
                config.threshold(), gap));
        List<LabeledSequence> test = List.copyOf(EventMnist.firstImages(mnist.test(), config.testSamples(),
                config.threshold(), gap));
        int translate = config.translate();
        return new TaskData() {
            @Override
            public List<LabeledSequence> train(int epoch) {
                if (translate == 0) {
                    return train;
                }
                List<LabeledSequence> moved = new ArrayList<>(train.size());
                for (int i = 0; i < train.size(); i++) {
                    long offsets = MnistBatches.translation(config.seed(), epoch, i, translate);
                    moved.add(EventMnist.events(mnist.train(), i, config.threshold(), gap, (int) (offsets >> 32),
                            (int) offsets));
                }
                return moved;
            }

            @Override
            public List<LabeledSequence> test(int epoch) {
                return test;
            }
        };
    }
}
