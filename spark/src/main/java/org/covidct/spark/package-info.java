/**
 * The COVID-CT classifier on Apache Spark: batch scoring of image archives
 * ({@link org.covidct.spark.score.CovidCtScoring}, the {@code score} command) and training sweeps,
 * one training per Spark task (the {@code sweep} command). Spark is provided by the cluster, or
 * in local mode by {@code bin/covidct-spark}.
 */
package org.covidct.spark;
