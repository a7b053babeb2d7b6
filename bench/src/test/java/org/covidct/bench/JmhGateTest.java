package org.covidct.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;

class JmhGateTest {
    private static final List<String> PASSES = List.of("forward", "backwardData", "backwardWeight");
    /** 2 * 8*128*28*28*128*9: one pass of 128-128-28 at batch 8. */
    private static final double CONV_FLOPS = 1_849_688_064.0;
    /** 2 * 976^3: its sgemm. */
    private static final double SGEMM_FLOPS = 1_859_428_352.0;
    /** 2 * 2*32*28*28*32*9: the direct loop's shape, 32-32-28 at batch 2. */
    private static final double DIRECT_FLOPS = 28_901_376.0;

    /** ms per call of 128-128-28 x8's sgemm, forward, backwardData, backwardWeight, then the direct loop's. */
    private static List<JmhResults.Score> run(double sgemm, double forward, double backwardData,
                                              double backwardWeight, double direct) {
        return run("out/1.json", sgemm, forward, backwardData, backwardWeight, direct);
    }

    /** The same, as read from the result file {@code file}. */
    private static List<JmhResults.Score> run(String file, double sgemm, double forward, double backwardData,
                                              double backwardWeight, double direct) {
        String json = JmhJson.array(List.of(
                JmhJson.sample("direct", "32-32-28", 2, direct),
                JmhJson.sample("backwardData", "128-128-28", 8, backwardData),
                JmhJson.sample("backwardWeight", "128-128-28", 8, backwardWeight),
                JmhJson.sample("forward", "128-128-28", 8, forward),
                JmhJson.sample("sgemm", "128-128-28", 8, sgemm)));
        return JmhResults.parse(json, file);
    }

    private static JmhGate.Row row(JmhGate.Verdict v, String name) {
        return v.rows().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void theSgemmHasAboutThePassFlopsAndAMultipleOf16() {
        assertEquals(976, ConvGateBenchmark.sgemmSize(new int[] {128, 128, 28}, 8));
        assertEquals(SGEMM_FLOPS, ConvGateBenchmark.sgemmFlops(new int[] {128, 128, 28}, 8));
        assertEquals(CONV_FLOPS, Bench.convFlops(8, 128, 128, 28));
        for (String shape : List.of("64-64-56", "128-128-28", "256-256-14", "512-512-14", "3-64-224")) {
            int[] s = ConvGateBenchmark.parseShape(shape);
            int n = ConvGateBenchmark.sgemmSize(s, 8);
            double ratio = ConvGateBenchmark.sgemmFlops(s, 8) / Bench.convFlops(8, s[0], s[1], s[2]);
            assertEquals(0, n % 16, shape);
            assertTrue(ratio > 0.9 && ratio < 1.1, shape + ": sgemm flops / pass flops " + ratio);
        }
    }

    @Test
    void ratiosAreFlopRatesAgainstTheShapesSgemmAndTheDirectLoop() {
        JmhGate.Verdict v = JmhGate.judge(run(5.0, 4.0, 4.5, 5.0, 9.0), 0.8, 8);
        assertTrue(v.passed(), v.failures().toString());
        assertEquals(List.of("forward", "backwardData", "backwardWeight", "direct"),
                v.rows().stream().map(JmhGate.Row::name).toList());
        double sgemm = SGEMM_FLOPS / 5.0e-3 / 1e9, direct = DIRECT_FLOPS / 9.0e-3 / 1e9;
        assertEquals(direct, row(v, "direct").gflops(), 1e-9);
        JmhGate.Row forward = row(v, "forward");
        assertEquals("128-128-28 x8", forward.layer());
        assertEquals("1", forward.run());
        assertEquals(4.0e-3, forward.seconds(), 1e-15);
        assertEquals(sgemm, forward.sgemm(), 1e-9);
        assertEquals(CONV_FLOPS / 4.0e-3 / 1e9, forward.gflops(), 1e-9);
        assertEquals(CONV_FLOPS / 4.0e-3 / 1e9 / sgemm, forward.toSgemm(), 1e-12);
        assertEquals(CONV_FLOPS / 4.0e-3 / 1e9 / direct, forward.toDirect(), 1e-9);
        assertEquals(CONV_FLOPS / 5.0e-3 / 1e9 / sgemm, row(v, "backwardWeight").toSgemm(), 1e-12);
    }

    @Test
    void aPassBelowTheSgemmFloorFailsNamingItAndItsRatio() {
        JmhGate.Verdict v = JmhGate.judge(run(5.0, 4.0, 4.5, 8.0, 9.0), 0.8, 8);
        assertFalse(v.passed());
        assertEquals(List.of("128-128-28 x8 backwardWeight at 0.62x the sgemm's GFLOP/s, below 0.80x"), v.failures());
        String report = JmhGate.report(v, 0.8, 8);
        assertTrue(report.contains("JmhGate: minimum 0.80x sgemm and 8.0x direct loop: FAIL"), report);
        assertTrue(report.endsWith("JmhGate: FAIL: 128-128-28 x8 backwardWeight at 0.62x the sgemm's GFLOP/s, below 0.80x"
                + System.lineSeparator()), report);
    }

    @Test
    void passesBelowTheDirectLoopFloorFailNamingThem() {
        // The direct loop at 72 GFLOP/s: forward (462) is 6.4 times that, below 8.
        JmhGate.Verdict v = JmhGate.judge(run(5.0, 4.0, 4.5, 5.0, 0.4), 0.8, 8);
        assertEquals(List.of(
                "128-128-28 x8 forward at 6.4x the direct loop's GFLOP/s, below 8.0x",
                "128-128-28 x8 backwardData at 5.7x the direct loop's GFLOP/s, below 8.0x",
                "128-128-28 x8 backwardWeight at 5.1x the direct loop's GFLOP/s, below 8.0x"), v.failures());
        assertTrue(JmhGate.judge(run(5.0, 4.0, 4.5, 5.0, 0.4), 0.8, 5).passed());
    }

    @Test
    void theTableHasOneLinePerBenchmarkThenTheVerdict() {
        String report = JmhGate.report(JmhGate.judge(run(5.0, 4.0, 4.5, 5.0, 9.0), 0.8, 8), 0.8, 8);
        String[] lines = report.split(System.lineSeparator());
        assertEquals(6, lines.length, report);
        assertEquals("shape          pass                   ms   GFLOP/s     sgemm  x sgemm  x direct  run", lines[0]);
        assertEquals("128-128-28 x8  forward             4.000     462.4     371.9     1.24     144.0  1", lines[1]);
        assertEquals("32-32-28 x2    direct              9.000       3.2                               1", lines[4]);
        assertEquals("JmhGate: minimum 0.80x sgemm and 8.0x direct loop: PASS", lines[5]);
    }

    @Test
    void aMissingBenchmarkFailsNamingIt() {
        List<JmhResults.Score> all = run(5.0, 4.0, 4.5, 5.0, 9.0);
        for (String name : List.of("sgemm", "forward", "backwardData", "backwardWeight", "direct")) {
            List<JmhResults.Score> some = all.stream().filter(s -> !s.benchmark().equals(name)).toList();
            JmhGate.Verdict v = JmhGate.judge(some, 0.8, 8);
            List<String> expected = switch (name) {
                case "sgemm" -> PASSES.stream().map(p -> "128-128-28 x8 " + p + ": no sgemm result in its run").toList();
                case "direct" -> List.of("no result for the direct loop");
                default -> List.of("128-128-28 x8 " + name + ": no result");
            };
            assertEquals(expected, v.failures());
        }
        assertEquals(List.of("no convolution results"),
                JmhGate.judge(all.stream().filter(s -> s.benchmark().equals("direct")).toList(), 0.8, 8).failures());
    }

    @Test
    void aPassMeasuredInTwoRunsCountsAtItsBestRatioWithinARun() {
        List<JmhResults.Score> scores = new ArrayList<>(run("1.json", 5.0, 4.0, 4.5, 8.0, 9.0)); // 0.62x: fails
        // A busy second run: everything slower, but backwardWeight's ratio to this run's sgemm is 1.24x.
        scores.addAll(run("2.json", 10.0, 9.0, 9.0, 8.0, 18.0));
        JmhGate.Verdict v = JmhGate.judge(scores, 0.8, 8);
        assertTrue(v.passed(), v.failures().toString());
        assertEquals("1", row(v, "forward").run());
        assertEquals("2", row(v, "backwardWeight").run());
        assertEquals(CONV_FLOPS / 8.0 / (SGEMM_FLOPS / 10.0), row(v, "backwardWeight").toSgemm(), 1e-12);
        assertEquals(9.0e-3, row(v, "direct").seconds(), 1e-15);
        assertEquals(4, v.rows().size());
    }

    @Test
    void aPassIsNotSetAgainstAnotherRunsSgemm() {
        // Run 2's sgemm caught a quiet moment its passes did not: the passes count against run 1's.
        List<JmhResults.Score> scores = new ArrayList<>(run("1.json", 10.0, 8.0, 8.0, 8.0, 9.0));
        scores.addAll(run("2.json", 5.0, 9.0, 9.0, 9.0, 9.0));
        JmhGate.Verdict v = JmhGate.judge(scores, 0.8, 8);
        assertTrue(v.passed(), v.failures().toString());
        assertEquals(CONV_FLOPS / 8.0 / (SGEMM_FLOPS / 10.0), row(v, "forward").toSgemm(), 1e-12);
        // The same results as one run would fail: 8 ms against 5 ms is 0.62x.
        assertFalse(JmhGate.judge(run(5.0, 8.0, 8.0, 8.0, 9.0), 0.8, 8).passed());
    }

    @Test
    void twoResultsForOneBenchmarkInOneRunAreRefused() {
        List<JmhResults.Score> scores = new ArrayList<>(run(5.0, 4.0, 4.5, 5.0, 9.0));
        scores.addAll(run(5.0, 4.0, 4.5, 5.0, 9.0));
        assertEquals("two results for 128-128-28 x8 backwardData in 1",
                assertThrows(IllegalArgumentException.class, () -> JmhGate.judge(scores, 0.8, 8)).getMessage());
    }

    @Test
    void resultsOfAnotherBenchmarkAreRefused() {
        List<JmhResults.Score> scores = List.of(new JmhResults.Score("r", "matmul", Map.of("n", "1024"), 1e-3));
        assertEquals("JMH result for matmul, which is not a ConvGateBenchmark benchmark",
                assertThrows(IllegalArgumentException.class, () -> JmhGate.judge(scores, 0.8, 8)).getMessage());
    }

    /** A machine that is uniformly faster or slower changes no ratio, so no verdict. */
    @Property(tries = 200)
    void machineSpeedCancelsOut(@ForAll @DoubleRange(min = 0.01, max = 100) double speed,
                                @ForAll @DoubleRange(min = 1, max = 20) double sgemm,
                                @ForAll @DoubleRange(min = 1, max = 20) double forward,
                                @ForAll @DoubleRange(min = 1, max = 20) double direct) {
        JmhGate.Verdict base = JmhGate.judge(run(sgemm, forward, 4.5, 5.0, direct * 20), 0.8, 8);
        JmhGate.Verdict scaled = JmhGate.judge(
                run(sgemm * speed, forward * speed, 4.5 * speed, 5.0 * speed, direct * 20 * speed), 0.8, 8);
        double ratio = row(base, "forward").toSgemm();
        Assume.that(Math.abs(ratio / 0.8 - 1) > 1e-9);
        assertEquals(base.passed(), scaled.passed());
        assertEquals(ratio, row(scaled, "forward").toSgemm(), 1e-9 * ratio);
        assertEquals(row(base, "forward").toDirect(), row(scaled, "forward").toDirect(),
                1e-9 * row(base, "forward").toDirect());
    }

    /** A pass slowed by a factor fails exactly when its ratio falls below the floor. */
    @Property(tries = 200)
    void aSlowedPassFailsOnceItsRatioFallsBelowTheFloor(@ForAll @DoubleRange(min = 1, max = 4) double slowdown) {
        double ratio = CONV_FLOPS / 4.0 / (SGEMM_FLOPS / 5.0); // backwardWeight at 4 ms against the sgemm at 5
        Assume.that(Math.abs(ratio / slowdown / 0.8 - 1) > 1e-9);
        JmhGate.Verdict v = JmhGate.judge(run(5.0, 4.0, 4.0, 4.0 * slowdown, 9.0), 0.8, 8);
        assertEquals(ratio / slowdown >= 0.8, v.passed(), "slowdown " + slowdown);
        if (!v.passed()) {
            assertEquals(1, v.failures().size());
            assertTrue(v.failures().get(0).startsWith("128-128-28 x8 backwardWeight at "), v.failures().get(0));
        }
    }

    /**
     * Result files of real runs of scripts/ci/conv_gate.sh (less JMH's raw histograms and secondary
     * metrics), on two cores at a load average of 9: the committed kernels pass at the first attempt;
     * with the Winograd weight gradient computed twice, both attempts fail, on that pass alone.
     */
    @Test
    void aRealRunPassesAndARunWithASlowedWeightGradientFails() throws IOException, URISyntaxException {
        JmhGate.Verdict pass = JmhGate.judge(readAll("conv-gate-pass"), 0.8, 8);
        assertTrue(pass.passed(), pass.failures().toString());
        assertEquals(7, pass.rows().size());
        assertEquals(1.00, row(pass, "backwardWeight").toSgemm(), 0.005); // 128-128-28 comes first
        JmhGate.Verdict fail = JmhGate.judge(readAll("conv-gate-slow-backward-weight"), 0.8, 8);
        assertEquals(List.of(
                "128-128-28 x8 backwardWeight at 0.54x the sgemm's GFLOP/s, below 0.80x",
                "256-256-14 x8 backwardWeight at 0.50x the sgemm's GFLOP/s, below 0.80x"), fail.failures());
        assertEquals("2-128-128-28", row(fail, "backwardWeight").run());
    }

    private static List<JmhResults.Score> readAll(String dir) throws IOException, URISyntaxException {
        List<JmhResults.Score> scores = new ArrayList<>();
        try (var files = Files.list(Path.of(JmhGateTest.class.getResource(dir).toURI()))) {
            for (Path f : files.sorted().toList()) {
                scores.addAll(JmhResults.read(f));
            }
        }
        return scores;
    }
}
