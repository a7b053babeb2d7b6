package org.covidct.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JmhResultsTest {
    @Test
    void sampleModeGivesTheMedianInSecondsAndTheParameters() {
        List<JmhResults.Score> scores = JmhResults.parse(JmhJson.array(List.of(
                JmhJson.sample("forward", "128-128-28", 8, 4.5),
                JmhJson.sample("direct", "32-32-28", 2, 9.25))), "t.json");
        assertEquals(2, scores.size());
        assertEquals("t", scores.get(0).run());
        assertEquals("forward", scores.get(0).benchmark());
        assertEquals(Map.of("batch", "8", "shape", "128-128-28"), scores.get(0).params());
        assertEquals(4.5e-3, scores.get(0).seconds(), 1e-15);
        assertEquals(9.25e-3, scores.get(1).seconds(), 1e-15);
    }

    @Test
    void otherModesGiveTheScore() {
        List<JmhResults.Score> scores = JmhResults.parse(JmhJson.array(List.of(
                JmhJson.average("sgemm", "128-128-28", 8, 2500, "us/op"))), "t.json");
        assertEquals(2.5e-3, scores.get(0).seconds(), 1e-15);
    }

    @Test
    void timePerOpAndOpsPerTimeUnitsBecomeSecondsPerCall() {
        assertEquals(2.5, JmhResults.seconds(2.5, "s/op", "x"), 1e-15);
        assertEquals(2.5e-3, JmhResults.seconds(2.5, "ms/op", "x"), 1e-15);
        assertEquals(2.5e-6, JmhResults.seconds(2.5, "us/op", "x"), 1e-18);
        assertEquals(2.5e-9, JmhResults.seconds(2.5, "ns/op", "x"), 1e-21);
        assertEquals(0.25e-3, JmhResults.seconds(4, "ops/ms", "x"), 1e-15);
        assertEquals(0.5, JmhResults.seconds(2, "ops/s", "x"), 1e-15);
    }

    @Test
    void anUnknownUnitIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JmhResults.parse(JmhJson.array(List.of(
                        JmhJson.average("sgemm", "128-128-28", 8, 1, "MB/sec"))), "t.json"));
        assertEquals("t.json org.covidct.bench.ConvGateBenchmark.sgemm: unit MB/sec is neither time/op nor ops/time",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JmhResults.seconds(1, "h/op", "x"));
    }

    @Test
    void aFileThatIsNotJmhJsonIsRefusedNamingTheFile() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JmhResults.parse("[{", "r.json"))
                .getMessage().startsWith("r.json: not JSON: "));
        assertEquals("r.json: expected JMH's JSON result array",
                assertThrows(IllegalArgumentException.class, () -> JmhResults.parse("{}", "r.json")).getMessage());
        assertEquals("r.json: expected JMH's JSON result array",
                assertThrows(IllegalArgumentException.class, () -> JmhResults.parse("", "r.json")).getMessage());
        assertEquals("r.json: no text field benchmark",
                assertThrows(IllegalArgumentException.class, () -> JmhResults.parse("[{}]", "r.json")).getMessage());
    }

    @Test
    void aScoreThatIsNotAPositiveNumberIsRefused() {
        String zero = JmhJson.average("forward", "128-128-28", 8, 0, "ms/op");
        assertEquals("r.json org.covidct.bench.ConvGateBenchmark.forward: score is not a positive number: 0.0",
                assertThrows(IllegalArgumentException.class, () -> JmhResults.parse(JmhJson.array(List.of(zero)),
                        "r.json")).getMessage());
        String noMedian = JmhJson.sample("forward", "128-128-28", 8, 1).replace("\"50.0\"", "\"60.0\"");
        assertEquals("r.json org.covidct.bench.ConvGateBenchmark.forward: no 50.0",
                assertThrows(IllegalArgumentException.class, () -> JmhResults.parse(JmhJson.array(List.of(noMedian)),
                        "r.json")).getMessage());
    }

    @Test
    void theRunIsTheFileNameLessJson() {
        String json = JmhJson.array(List.of(JmhJson.sample("forward", "128-128-28", 8, 1)));
        assertEquals("2-128-128-28", JmhResults.parse(json, "bench/target/conv-gate/2-128-128-28.json").get(0).run());
        assertEquals("results", JmhResults.parse(json, "results").get(0).run());
    }

    @Test
    void aMissingParameterIsNamed() {
        JmhResults.Score s = new JmhResults.Score("t", "forward", Map.of("batch", "8"), 1);
        assertEquals("JMH result for forward has no parameter shape (has [batch])",
                assertThrows(IllegalArgumentException.class, () -> s.param("shape")).getMessage());
    }
}
