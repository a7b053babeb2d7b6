package org.covidct.app;

import java.io.PrintWriter;
import org.covidct.app.analyze.AnalyzeCommand;
import org.covidct.app.cli.BenchCommand;
import org.covidct.app.cli.DataCommand;
import org.covidct.app.cli.EvaluateCommand;
import org.covidct.app.cli.PredictCommand;
import org.covidct.app.cli.TrainCommand;
import org.covidct.app.cli.WeightsCommand;
import org.covidct.app.gradcam.GradCamCommand;
import org.covidct.app.io.ErrorLine;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The COVID-19 CT classifier's command line; {@code java -jar covidct.jar} reaches it through
 * {@link org.covidct.app.launch.Launcher}.
 */
@Command(name = "covidct", mixinStandardHelpOptions = true, version = "covidct 0.1.0",
        description = "Train, evaluate and apply a VGG classifier of COVID-19 CT scans, in pure Java.",
        subcommands = {TrainCommand.class, EvaluateCommand.class, PredictCommand.class, WeightsCommand.class,
            BenchCommand.class, GradCamCommand.class, AnalyzeCommand.class, DataCommand.class})
public final class Main implements Runnable {
    static final int USAGE_ERROR = 2;
    static final int RUN_FAILED = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /**
     * Runs one command line; returns the exit code: 2 for a usage error (an option missing,
     * malformed or contradicting the weights file), 1 for a run that failed, running out of memory
     * included. Errors are one line on {@code err}, never a stack trace.
     */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        return execute(new CommandLine(new Main()), out, err, args);
    }

    /**
     * Runs one command line of {@code cli}, a command line of this program or of another built on its
     * commands, with the exit codes and one-line errors of {@link #execute(PrintWriter, PrintWriter, String...)}.
     */
    public static int execute(CommandLine cli, PrintWriter out, PrintWriter err, String... args) {
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, parsedArgs) -> {
            e.getCommandLine().getErr().println("error: " + ErrorLine.of(e));
            return USAGE_ERROR;
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof OutOfMemoryError oom) { // one a worker thread ran into, passed on
                    cmd.getErr().println(outOfMemory(cmd.getCommandName(), oom));
                    return RUN_FAILED;
                }
            }
            cmd.getErr().println("error: " + ErrorLine.of(e));
            return RUN_FAILED;
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) { // picocli hands only exceptions to the handler above; errors escape it
            err.println(outOfMemory(commandName(cli), e));
            return RUN_FAILED;
        }
    }

    private static String outOfMemory(String command, OutOfMemoryError e) {
        return "error: " + command + " ran out of memory (" + e.getMessage() + "); give the JVM more heap with -Xmx "
                + "(java -Xmx16g -jar covidct.jar ...), or lower --batch-size or --image-size";
    }

    /** The subcommand that ran, as the user typed it, or the program's name. */
    private static String commandName(CommandLine cli) {
        CommandLine.ParseResult parsed = cli.getParseResult();
        return parsed != null && parsed.hasSubcommand() ? parsed.subcommand().commandSpec().name()
                : cli.getCommandName();
    }

}
