package org.plstm.flink.example;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The command-line conventions of plstm-flink's programs ({@link CsvPredictionJob},
 * {@link org.plstm.flink.bench.ThroughputBenchmark}), those of the project's other command lines: exit code
 * {@value #OK} on success, {@value #FAILED} when the work failed (the Flink job failed, an I/O error), {@value #USAGE}
 * on a bad command line or option value; every error one line on standard error ({@code <command>: <problem>}),
 * without a stack trace unless the system property {@code plstm.debug} is {@code true}. A program is named in its help
 * and errors by its {@code @Command} name ({@code CsvPredictionJob}), or by the system property
 * {@value #COMMAND_PROPERTY} when set (by {@code run-example.sh}: the script's path as typed, as {@code train.sh} does
 * for plstm-mnist).
 */
public final class CommandLines {
    /** Exit code of a successful run. */
    public static final int OK = 0;
    /** Exit code when the work failed. */
    public static final int FAILED = 1;
    /** Exit code of a bad command line or option value. */
    public static final int USAGE = 2;

    /** The system property that names the program in its help and errors instead of its {@code @Command} name. */
    public static final String COMMAND_PROPERTY = "plstm.command";

    private CommandLines() {
    }

    /**
     * A picocli command line for {@code command} that follows these conventions: a {@link ParameterException}
     * (picocli's, or one the command throws from its {@code call()} for a bad option value) prints one line and
     * gives {@value #USAGE}; any other exception prints one line (its message and, if it has causes, the innermost
     * cause's) and gives {@value #FAILED}. It is named by the system property {@value #COMMAND_PROPERTY} when that
     * is set.
     *
     * @param command the annotated command object
     * @param out     standard output (help, results)
     * @param err     standard error (errors)
     * @return the configured command line; {@link CommandLine#execute} runs it and returns the exit code
     */
    public static CommandLine of(Object command, PrintWriter out, PrintWriter err) {
        return of(command, System.getProperty(COMMAND_PROPERTY), out, err);
    }

    /**
     * {@link #of(Object, PrintWriter, PrintWriter)} with the name the help and the errors give the program.
     *
     * @param command the annotated command object
     * @param name    the program's name as its user typed it (e.g. {@code ./plstm-flink/run-example.sh}), or null
     *                (or blank) for the {@code @Command} name
     * @param out     standard output (help, results)
     * @param err     standard error (errors)
     * @return the configured command line
     */
    public static CommandLine of(Object command, String name, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(command);
        if (name != null && !name.isBlank()) {
            cl.setCommandName(name);
        }
        cl.setOut(out);
        cl.setErr(err);
        cl.setExitCodeExceptionMapper(t -> t instanceof ParameterException ? USAGE : FAILED);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            String hint = "";
            if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
                hint = "; did you mean " + String.join(" or ", u.getSuggestions().stream().limit(3).toList()) + "?";
            }
            String program = c.getCommandSpec().qualifiedName();
            c.getErr().println(program + ": " + firstLine(ex.getMessage()) + hint + " (see '" + program + " --help')");
            c.getErr().flush();
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            c.getErr().println(c.getCommandSpec().qualifiedName() + ": " + describe(ex));
            if (Boolean.getBoolean("plstm.debug")) {
                StringWriter sw = new StringWriter();
                ex.printStackTrace(new PrintWriter(sw));
                c.getErr().print(sw);
            }
            c.getErr().flush();
            return FAILED;
        });
        return cl;
    }

    /**
     * A {@link ParameterException} for a bad option value: {@code "<option>: expected <expected>, got <actual>"}.
     *
     * @param cl       the command line (for picocli's handler)
     * @param option   the option's name, e.g. {@code --keys}
     * @param expected what the option takes, e.g. {@code "an integer >= 1"}
     * @param actual   the value given
     * @return the exception, to throw
     */
    public static ParameterException badValue(CommandLine cl, String option, String expected, Object actual) {
        return new ParameterException(cl, option + ": expected " + expected + ", got " + actual);
    }

    /** One line: the exception's message, and the innermost cause's class and message when there is a cause. */
    static String describe(Throwable ex) {
        Throwable root = ex;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String top = firstLine(ex.getMessage() == null ? ex.toString() : ex.getMessage());
        return root == ex ? top : top + " (cause: " + firstLine(root.toString()) + ")";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "invalid command line";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }
}
