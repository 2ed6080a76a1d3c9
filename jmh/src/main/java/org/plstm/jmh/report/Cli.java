package org.plstm.jmh.report;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * The picocli setup shared by {@link MachineProbe} and {@link PerformanceReport}: exit code {@value #OK} on
 * success, {@value #FAILED} when the work fails (an I/O error, say), {@value #USAGE} on a bad command line. Errors
 * are one line on standard error ({@code <name>: <problem>}); a usage error names the option and points to
 * {@code --help}. A stack trace follows only with the system property {@code plstm.debug=true}.
 */
final class Cli {
    /** Exit code of a successful run. */
    static final int OK = 0;
    /** Exit code when the work failed. */
    static final int FAILED = 1;
    /** Exit code of a bad command line. */
    static final int USAGE = 2;

    private Cli() {
    }

    /**
     * Parses and runs a command.
     *
     * @param command the annotated command object
     * @param args    the arguments
     * @param out     standard output (help, results)
     * @param err     standard error (errors)
     * @return the exit code
     */
    static int run(Object command, String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(command);
        cl.setOut(out);
        cl.setErr(err);
        cl.setUsageHelpWidth(110);
        // As the hand-written parsers did: a repeated option takes its last value.
        cl.setOverwrittenOptionsAllowed(true);
        cl.setExitCodeExceptionMapper(t -> t instanceof CommandLine.ParameterException ? USAGE : FAILED);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println(c.getCommandSpec().root().name() + ": " + firstLine(ex.getMessage()) + " (see '"
                    + c.getCommandSpec().qualifiedName() + " --help')");
            c.getErr().flush();
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            c.getErr().println(c.getCommandSpec().root().name() + ": "
                    + (ex.getMessage() == null ? ex.toString() : firstLine(ex.getMessage())));
            if (Boolean.getBoolean("plstm.debug")) {
                StringWriter sw = new StringWriter();
                ex.printStackTrace(new PrintWriter(sw));
                c.getErr().print(sw);
            }
            c.getErr().flush();
            return FAILED;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "invalid command line";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }
}
