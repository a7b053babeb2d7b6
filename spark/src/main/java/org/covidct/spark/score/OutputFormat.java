package org.covidct.spark.score;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * How {@code score} writes its table: Parquet, or CSV part files each with a header line. Spark's
 * file commit protocol publishes each task's file only when the task succeeds, so a retried task
 * leaves neither a duplicate nor a missing row.
 */
public enum OutputFormat {
    parquet, csv;

    /** Writes {@code scored} as a new directory {@code output}; one that exists already is refused. */
    public void write(Dataset<Row> scored, String output) {
        scored.write().mode(SaveMode.ErrorIfExists).format(name()).option("header", "true").save(output);
    }

    /** Reads back what {@link #write} wrote. */
    public Dataset<Row> read(SparkSession spark, String output) {
        return spark.read().format(name()).option("header", "true").schema(CovidCtScoring.SCHEMA).load(output);
    }
}
