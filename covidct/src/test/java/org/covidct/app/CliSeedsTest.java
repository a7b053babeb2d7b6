package org.covidct.app;

import static org.covidct.app.CliRun.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train --seeds: a run per seed, their summary, and the same command again resuming them. */
class CliSeedsTest {
    @TempDir
    Path dir;

    private CliRun train(Path data, Path out, String... options) {
        List<String> args = new ArrayList<>(List.of("train", "--device", "cpu", "--data", data.toString(), "--arch",
                "vgg11_bn", "--weights", "none", "--image-size", "32", "--epochs", "1", "--batch-size", "4",
                "--out", out.toString(), "--workers", "2", "--no-analyze"));
        args.addAll(List.of(options));
        return cli(args.toArray(String[]::new));
    }

    @Test
    void eachSeedIsARunAndTheSummaryHasTheirMeanAndSpread() throws IOException {
        Path data = TinyCovidCt.create(dir.resolve("data"), Map.of("train", 4, "val", 2, "test", 2), 40, 2);
        Path out = dir.resolve("seeds");
        CliRun r = train(data, out, "--seeds", "3,5");
        assertEquals(0, r.code(), r.err());
        ObjectMapper json = new ObjectMapper();
        for (long seed : new long[] {3, 5}) {
            JsonNode config = json.readTree(out.resolve("seed-" + seed + "/config.json").toFile());
            assertEquals(seed, config.get("seed").asLong());
            assertTrue(Files.isRegularFile(out.resolve("seed-" + seed + "/test_metrics.json")));
        }
        String csv = Files.readString(out.resolve("summary.csv"));
        assertTrue(csv.lines().anyMatch(l -> l.startsWith("test.accuracy,2,")), csv);
        assertTrue(Files.isRegularFile(out.resolve("summary.html")));
        assertTrue(Files.isRegularFile(out.resolve("summary.json")));

        CliRun again = train(data, out, "--seeds", "3,5");
        assertEquals(0, again.code(), again.err());
        assertEquals(csv, Files.readString(out.resolve("summary.csv")), "the resumed runs end as they did");

        CliRun changed = train(data, out, "--seeds", "3,5", "--lr", "0.5");
        assertEquals(1, changed.code(), changed.out());
        assertTrue(changed.err().contains("2 of 2 seeds failed"), changed.err());
        assertTrue(Files.readString(out.resolve("summary.json")).contains("holds a run started with other settings"));
    }

    @Test
    void seedsAreDistinctAndReplaceSeed() {
        String data = dir.toString();
        CliRun twice = train(Path.of(data), dir.resolve("x"), "--seeds", "1,2,1");
        assertEquals(2, twice.code(), twice.err());
        assertTrue(twice.err().contains("--seeds 1,2,1: 1 is given more than once"), twice.err());
        CliRun both = train(Path.of(data), dir.resolve("y"), "--seeds", "1,2", "--seed", "4");
        assertEquals(2, both.code(), both.err());
        assertTrue(both.err().contains("--seed cannot be given with --seeds"), both.err());
    }
}
