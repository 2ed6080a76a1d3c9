package org.plstm.data;

import java.nio.file.Path;
import java.util.List;
import org.plstm.Check;
import org.plstm.train.LabeledSequence;

/**
 * What {@link EventCsvReader#read} returns: the sequences of a file and the names of its feature columns.
 *
 * @param file         the file read
 * @param featureNames the feature columns, in the order of each event's {@code I} features
 * @param sequences    the sequences in order of their first row in the file, each sorted by time
 * @param events       the number of event rows read
 */
public record EventData(Path file, List<String> featureNames, List<EventSequence> sequences, long events) {
    /**
     * Copies the lists.
     *
     * @throws IllegalArgumentException if a list or an element of it is null
     */
    public EventData {
        featureNames = List.copyOf(Check.noNulls("featureNames", featureNames));
        sequences = List.copyOf(Check.noNulls("sequences", sequences));
    }

    /** @return {@code I}, the features per event */
    public int inputSize() {
        return featureNames.size();
    }

    /**
     * The sequences as {@link org.plstm.train.Fit}'s data, with class indices.
     *
     * @param labels the class map
     * @return one {@link LabeledSequence} per sequence, same order, sharing the arrays
     * @throws IllegalArgumentException if a label is missing or not a class of {@code labels}
     */
    public List<LabeledSequence> toLabeled(Labels labels) {
        return sequences.stream().map(s -> s.toLabeled(labels)).toList();
    }
}
