package org.plstm.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.plstm.Check;

/**
 * The classes of a classification task: label strings (as written in the data) in class-index order. Class
 * {@code c} is {@code names().get(c)}. Built from the training data with {@link #of} (sorted numerically when every
 * label is a number, else as strings, so {@code 0, 1, 2, ..., 10} and {@code cat, dog} get their natural order); saved
 * in a checkpoint so that {@code predict} writes the original names.
 */
public final class Labels {
    private final List<String> names;
    private final Map<String, Integer> index = new HashMap<>();

    /**
     * @param names the class names in index order, distinct, non-null, at least one
     * @throws IllegalArgumentException if null, empty, or holding null or duplicates
     */
    public Labels(List<String> names) {
        Check.notNull("names", names);
        if (names.isEmpty()) {
            throw new IllegalArgumentException("names: expected at least one class, got none");
        }
        for (int c = 0; c < names.size(); c++) {
            String n = Check.notNull("names[" + c + "]", names.get(c));
            if (index.put(n, c) != null) {
                throw new IllegalArgumentException("names: expected distinct classes, got '" + n + "' twice");
            }
        }
        this.names = List.copyOf(names);
    }

    /**
     * The classes seen in some labels, in natural order (numeric if every label parses as a number).
     *
     * @param labels label strings (null entries are not allowed)
     * @return the classes
     * @throws IllegalArgumentException if {@code labels} is null, empty or holds null
     */
    public static Labels of(Collection<String> labels) {
        Check.notNull("labels", labels);
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("labels: expected at least one label, got none");
        }
        boolean numeric = true;
        int i = 0;
        for (String l : labels) {
            if (l == null) { // the message is built only here: labels may be every event's
                throw new IllegalArgumentException("labels[" + i + "]: expected a value, got null");
            }
            numeric &= isNumber(l);
            i++;
        }
        TreeSet<String> set = new TreeSet<>(numeric
                ? (a, b) -> {
                    int c = Double.compare(Double.parseDouble(a), Double.parseDouble(b));
                    return c != 0 ? c : a.compareTo(b);
                }
                : String::compareTo);
        set.addAll(labels);
        return new Labels(new ArrayList<>(set));
    }

    private static boolean isNumber(String s) {
        try {
            return Double.isFinite(Double.parseDouble(s));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** @return {@code C}, the number of classes */
    public int size() {
        return names.size();
    }

    /** @return the class names in index order (unmodifiable) */
    public List<String> names() {
        return names;
    }

    /**
     * @param sequence the sequence id (for the message)
     * @param label    a label string
     * @return its class index in {@code [0, C)}
     * @throws IllegalArgumentException if the label is null or not a known class
     */
    public int index(String sequence, String label) {
        Integer c = label == null ? null : index.get(label);
        if (c == null) {
            throw new IllegalArgumentException("label of sequence '" + sequence + "': expected one of the classes "
                    + names + " (those of the training data), got " + (label == null ? "none" : "'" + label + "'"));
        }
        return c;
    }

    @Override
    public String toString() {
        return names.toString();
    }
}
