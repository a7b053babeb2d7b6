package org.covidct.spark;

import java.io.PrintWriter;
import org.covidct.app.Main;
import org.covidct.spark.score.ScoreCommand;
import org.covidct.spark.sweep.SweepCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command line that {@code spark-submit --class org.covidct.spark.SparkMain covidct-spark.jar}
 * and {@code bin/covidct-spark} run.
 */
@Command(name = "covidct-spark", mixinStandardHelpOptions = true, version = "covidct-spark 0.1.0",
        description = "The COVID-19 CT classifier on Apache Spark: batch scoring and training sweeps.",
        subcommands = {ScoreCommand.class, SweepCommand.class})
public final class SparkMain implements Runnable {
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
     * Runs one command line; returns the exit code: 0 on success, 2 for a usage error, 1 for a run
     * that failed. Errors are one line on {@code err}.
     */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        return Main.execute(new CommandLine(new SparkMain()), out, err, args);
    }
}
