package org.plstm.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.plstm.Check;

/**
 * A seeded split of sequences into training, validation and test sets, by sequence (all events of a sequence go to
 * one set). The sequences are shuffled with a {@link SplittableRandom} of the seed; the first
 * {@code round(validation·N)} go to validation, the next {@code round(test·N)} to test, the rest to training; each
 * set keeps the file order of its sequences. The same data, fractions and seed give the same split.
 *
 * @param train      the training sequences (at least one)
 * @param validation the validation sequences (may be empty)
 * @param test       the test sequences (may be empty)
 */
public record DataSplit(List<EventSequence> train, List<EventSequence> validation, List<EventSequence> test) {
    /**
     * Copies the lists.
     *
     * @throws IllegalArgumentException if a list or a sequence is null
     */
    public DataSplit {
        train = List.copyOf(Check.noNulls("train", train));
        validation = List.copyOf(Check.noNulls("validation", validation));
        test = List.copyOf(Check.noNulls("test", test));
    }

    /**
     * @param data       the sequences
     * @param validation fraction for validation, in {@code [0, 1)}
     * @param test       fraction for test, in {@code [0, 1)}, with {@code validation + test < 1}
     * @param seed       the shuffle's seed
     * @return the split
     * @throws IllegalArgumentException if {@code data} or a sequence is null, a fraction is out of range, or the
     *     training set would be empty
     */
    public static DataSplit of(List<EventSequence> data, double validation, double test, long seed) {
        Check.noNulls("data", data);
        if (!(validation >= 0 && validation < 1) || !(test >= 0 && test < 1) || !(validation + test < 1)) {
            throw new IllegalArgumentException("validation, test: expected fractions in [0, 1) with a sum below 1, "
                    + "got " + validation + ", " + test);
        }
        int n = data.size();
        int nVal = (int) Math.round(validation * n);
        int nTest = (int) Math.round(test * n);
        if (n - nVal - nTest < 1) {
            throw new IllegalArgumentException("data: expected enough sequences for a training set, got " + n
                    + " (validation " + nVal + ", test " + nTest + ")");
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        byte[] set = new byte[n]; // 0 train, 1 validation, 2 test
        for (int i = 0; i < nVal; i++) {
            set[order[i]] = 1;
        }
        for (int i = nVal; i < nVal + nTest; i++) {
            set[order[i]] = 2;
        }
        List<EventSequence> tr = new ArrayList<>();
        List<EventSequence> va = new ArrayList<>();
        List<EventSequence> te = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            (set[i] == 0 ? tr : set[i] == 1 ? va : te).add(data.get(i));
        }
        return new DataSplit(tr, va, te);
    }
}
