package org.covidct.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The tests' Spark: local mode in the test JVM, two task threads, and a task tried up to twice
 * ({@code local[2,2]}), so that a test can make a task fail once and see it retried.
 */
public final class LocalSpark {
    private LocalSpark() {
    }

    public static synchronized SparkSession session() {
        return SparkSession.builder()
                .master("local[2,2]")
                .appName("covidct-spark tests")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
    }
}
