package org.covidct.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.covidct.app.analyze.AnalyzeCommand;
import org.covidct.app.cli.BenchCommand;
import org.covidct.app.cli.EvaluateCommand;
import org.covidct.app.cli.PredictCommand;
import org.covidct.app.cli.TrainCommand;
import org.covidct.app.cli.WeightsCommand;
import org.covidct.app.gradcam.GradCamCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar covidct.jar}: the COVID-19 CT classifier's command line. */
@Command(name = "covidct", mixinStandardHelpOptions = true, version = "covidct 0.1.0",
        description = "Train, evaluate and apply a VGG classifier of COVID-19 CT scans, in pure Java.",
        subcommands = {TrainCommand.class, EvaluateCommand.class, PredictCommand.class, WeightsCommand.class,
            BenchCommand.class, GradCamCommand.class, AnalyzeCommand.class})
public final class Main implements Runnable {
    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final String RELAUNCHED = "COVIDCT_RELAUNCHED";
    static final int USAGE_ERROR = 2;
    static final int RUN_FAILED = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty() && System.getenv(RELAUNCHED) == null) {
            System.exit(relaunch(args));
        }
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /**
     * Runs one command line; returns the exit code: 2 for a usage error (an option missing,
     * malformed or contradicting the weights file), 1 for a run that failed. Errors are one line on
     * {@code err}, never a stack trace.
     */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, parsedArgs) -> {
            e.getCommandLine().getErr().println("error: " + oneLine(e));
            return USAGE_ERROR;
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("error: " + oneLine(e));
            return RUN_FAILED;
        });
        return cli.execute(args);
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (e instanceof OutOfMemoryError) {
            m = "out of memory (" + m + "); give the JVM more heap with -Xmx, or lower --batch-size or --image-size";
        } else if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        return m.replaceAll("\\s*\\R\\s*", " ");
    }

    /**
     * The CPU kernels need the Vector API module, which only a command-line flag can add: start the
     * same JVM again with it, with native access for the CUDA bindings, and with a heap of most of
     * the machine's memory and a small young generation unless those were set.
     */
    private static int relaunch(String[] args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin",
                "java").toString()));
        List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
        command.addAll(jvmArgs);
        if (jvmArgs.stream().noneMatch(a -> a.startsWith("-Xmx") || a.startsWith("-XX:MaxRAMPercentage"))) {
            command.add("-XX:MaxRAMPercentage=75");
        }
        // Until the JIT has compiled them, Vector API kernels allocate every intermediate vector: GBs
        // of short-lived garbage in the first steps, for which G1 would grow the heap (and the peak
        // resident set) by GBs. Large tensors are pooled, so a small young generation costs nothing.
        if (jvmArgs.stream().noneMatch(a -> a.startsWith("-Xmn") || a.contains("NewSize"))) {
            command.add("-Xmn256m");
        }
        command.add("--add-modules=" + VECTOR_MODULE);
        // What the jar's manifest grants, which a -cp launch does not read: JCuda's JNI libraries.
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment().put(RELAUNCHED, "1");
        try {
            Process p = pb.start();
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
            return p.waitFor();
        } catch (IOException e) {
            System.err.println("error: cannot start the JVM with " + VECTOR_MODULE + ": " + oneLine(e));
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }
}
