package org.plstm.data;

import java.util.List;
import org.plstm.Check;

/** {@link List#copyOf} that names a null list or element ({@code "name[i]: expected a value, got null"}). */
final class Lists {
    private Lists() {
    }

    /**
     * @param name the argument's name for the message
     * @param list the list
     * @param <T>  its element type
     * @return an unmodifiable copy
     * @throws IllegalArgumentException if {@code list} or an element is null
     */
    static <T> List<T> copyOf(String name, List<T> list) {
        notNulls(name, list);
        return List.copyOf(list);
    }

    /**
     * @param name the argument's name for the message
     * @param list the list
     * @throws IllegalArgumentException if {@code list} or an element is null
     */
    static void notNulls(String name, List<?> list) {
        Check.notNull(name, list);
        for (int i = 0; i < list.size(); i++) {
            Check.notNull(name + "[" + i + "]", list.get(i));
        }
    }
}
