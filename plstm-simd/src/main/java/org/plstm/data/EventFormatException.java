package org.plstm.data;

import java.nio.file.Path;

/**
 * A CSV file of events that cannot be read as the options describe: the message names the file, the line, the
 * column, what was expected and what was found, e.g. {@code events.csv: line 17, column 'x': expected a finite
 * number, got 'NaN'}. The message quotes at most {@link #MAX_QUOTED} characters of the problem and of the column name
 * (a cell of a million characters, or a header of a million columns, is cut, with its length given).
 */
public final class EventFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    /** How many characters of the problem, and of the column name, the message quotes at most. */
    public static final int MAX_QUOTED = 2000;

    /** The file. */
    private final transient Path file;
    /** 1-based line of the file, or 0 when the problem is not one line's. */
    private final long line;
    /** The column name, or null. */
    private final String column;

    /**
     * @param file    the file
     * @param line    1-based line number, 0 if none
     * @param column  the column's header name, or null
     * @param problem what was expected and what was found
     */
    public EventFormatException(Path file, long line, String column, String problem) {
        super(file + (line > 0 ? ": line " + line : "") + (column != null ? ", column '" + cut(column) + "'" : "")
                + ": " + cut(problem));
        this.file = file;
        this.line = line;
        this.column = column;
    }

    private static String cut(String text) {
        return text == null || text.length() <= MAX_QUOTED ? text
                : text.substring(0, MAX_QUOTED) + "... (cut; " + text.length() + " characters in all)";
    }

    /** @return the file */
    public Path file() {
        return file;
    }

    /** @return the 1-based line, 0 when not one line's problem */
    public long line() {
        return line;
    }

    /** @return the column name, or null */
    public String column() {
        return column;
    }
}
