package org.plstm.mnist.train;

import java.util.Locale;

/**
 * Training diverged: a batch's loss or gradients were not finite, or the parameters left their valid range
 * (NaN/Inf, a period {@code <= 0}). Nothing of the diverged epoch is saved: the checkpoint and {@code metrics.csv}
 * stay those of the last good epoch (a resumed run rewrote {@code summary.json} and the charts from the checkpoint's
 * history when it started, so they describe that history, with the test score the run before recorded, under the
 * resumed run's configuration). The message names the epoch and batch, the last good checkpoint, and suggests a
 * smaller learning rate.
 */
public final class DivergedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** 1-based epoch in which training diverged. */
    private final int epoch;
    /** 1-based batch of that epoch. */
    private final int batch;

    /**
     * @param epoch        1-based epoch
     * @param batch        1-based batch within the epoch
     * @param what         what was seen, e.g. {@code "the loss is NaN"}
     * @param learningRate the run's learning rate
     * @param lastGood     the last good checkpoint and its epoch, or a sentence saying there is none
     */
    public DivergedException(int epoch, int batch, String what, double learningRate, String lastGood) {
        super(String.format(Locale.ROOT, "training diverged at epoch %d, batch %d: %s. Nothing of epoch %d was "
                + "saved; last good checkpoint: %s. Try a smaller learning rate (--lr, now %s) or gradient clipping "
                + "(--clip).", epoch, batch, what, epoch, lastGood, learningRate));
        this.epoch = epoch;
        this.batch = batch;
    }

    /** @return the 1-based epoch in which training diverged */
    public int epoch() {
        return epoch;
    }

    /** @return the 1-based batch of that epoch */
    public int batch() {
        return batch;
    }
}
