package org.covidct.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code --master}, and the Spark session a command runs in. */
public final class SparkOptions {
    @Option(names = "--master", paramLabel = "URL", description = "Spark master: local[N] runs here with N task "
            + "threads, yarn or k8s://https://HOST:PORT a cluster (default: what spark-submit was given)")
    String master;

    /**
     * The session to run {@code app} in: a new one, which {@link Session#close} stops, or the one
     * already running in this JVM (a program that calls the command itself), which it leaves running.
     */
    public Session open(CommandSpec spec, String app) {
        if (SparkSession.getDefaultSession().isDefined()) {
            return new Session(SparkSession.getDefaultSession().get(), false);
        }
        if (master == null && !new SparkConf().contains("spark.master")) {
            throw new ParameterException(spec.commandLine(), "no Spark master: give --master local[N] to run here, or "
                    + "submit the jar with spark-submit --master URL");
        }
        SparkSession.Builder builder = SparkSession.builder().appName(app);
        if (master != null) {
            builder.master(master);
        }
        return new Session(builder.getOrCreate(), true);
    }

    /** A command's Spark session; closing it stops the session if the command started it. */
    public record Session(SparkSession spark, boolean started) implements AutoCloseable {
        @Override
        public void close() {
            if (started) {
                spark.stop();
            }
        }
    }
}
