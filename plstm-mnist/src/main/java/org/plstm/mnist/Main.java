package org.plstm.mnist;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.plstm.mnist.cli.PlstmMnistCommand;
import picocli.CommandLine;

/**
 * Entry point of {@code plstm-mnist.jar}: {@code java --add-modules jdk.incubator.vector -jar plstm-mnist.jar
 * <command> [options]}, commands {@code fetch}, {@code train}, {@code compare}, {@code evaluate}, {@code events}
 * ({@link PlstmMnistCommand}).
 *
 * <p>Exit codes: {@value #OK} success; {@value #FAILED} the work failed (data unavailable, I/O error, ...);
 * {@value #USAGE} a bad command line or option value. Errors are one line on standard error
 * ({@code plstm-mnist: <problem>}), without a stack trace unless the system property {@code plstm.debug} is
 * {@code true}.
 */
public final class Main {
    /** Exit code of a successful run. */
    public static final int OK = 0;
    /** Exit code when the work failed. */
    public static final int FAILED = 1;
    /** Exit code of a bad command line or option value. */
    public static final int USAGE = 2;

    private Main() {
    }

    /**
     * Runs the command line and exits the JVM with its exit code.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%6$s%n");
        }
        System.setProperty("java.awt.headless", "true");
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * Runs the command line without exiting (for tests and embedding).
     *
     * @param args the arguments
     * @param out  standard output (results, help)
     * @param err  standard error (errors)
     * @return the exit code
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        try {
            return commandLine(out, err).execute(args);
        } catch (OutOfMemoryError e) {
            // An Error passes picocli's handlers. The model, batch or data set does not fit in the heap.
            err.println("plstm-mnist: out of memory (" + e.getMessage() + ", heap limit "
                    + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB): use a smaller model or data set (--hidden, --layers, --batch, or the "
                    + "sample counts such as --train-samples), or give the JVM more heap (-Xmx)");
            err.flush();
            return FAILED;
        }
    }

    /**
     * The configured picocli command line, named {@code plstm-mnist} or, when the system property
     * {@code plstm.command} is set (by {@code train.sh}: the script's path as typed), by that name in its help and
     * usage errors.
     *
     * @param out standard output
     * @param err standard error
     * @return the command line
     */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new PlstmMnistCommand());
        String name = System.getProperty("plstm.command"); // train.sh: the script's path as typed
        if (name != null && !name.isBlank()) {
            cl.setCommandName(name);
        }
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // An empty path would be the working directory: a run's files (and a download) would land there.
        cl.registerConverter(java.nio.file.Path.class, s -> {
            if (s.isBlank()) {
                throw new CommandLine.TypeConversionException("expected a path, got an empty one");
            }
            return java.nio.file.Path.of(s);
        });
        cl.setUsageHelpWidth(110);
        cl.setExitCodeExceptionMapper(t -> t instanceof CommandLine.ParameterException ? USAGE : FAILED);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            String hint = "";
            if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
                hint = "; did you mean " + String.join(" or ", u.getSuggestions().stream().limit(3).toList()) + "?";
            }
            c.getErr().println("plstm-mnist: " + firstLine(ex.getMessage()) + hint + " (see '"
                    + c.getCommandSpec().qualifiedName() + " --help')");
            c.getErr().flush();
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            c.getErr().println("plstm-mnist: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
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

    private static String firstLine(String s) {
        if (s == null) {
            return "invalid command line";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }
}
