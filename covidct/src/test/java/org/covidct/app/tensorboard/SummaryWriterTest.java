package org.covidct.app.tensorboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tutorial's TensorBoard logging against the log directory of
 * scripts/metrics/make_tfevents_fixture.py, which follows torch's SummaryWriter and encodes with
 * Google's protobuf library.
 */
class SummaryWriterTest {
    private static final List<String> RUNS = List.of(
            "Losses_Train loss", "Losses_Validation_loss", "Accuracies_Train Accuracy", "Accuracies_Valid Accuracy");

    private static Path fixtureRun() throws URISyntaxException {
        return Path.of(SummaryWriterTest.class.getResource("/metrics/tfevents/tutorial_run").toURI());
    }

    private static JsonNode manifest() throws IOException {
        try (InputStream in = SummaryWriterTest.class.getResourceAsStream("/metrics/tfevents/tutorial_run.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static Map<String, Double> values(JsonNode node) {
        Map<String, Double> m = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asDouble()));
        return m;
    }

    /** Relative path to contents, for every file under {@code root}. */
    private static Map<String, byte[]> tree(Path root) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        return files;
    }

    @Test
    void tutorialLoggingMatchesTheReferenceDirectoryByteForByte(@TempDir Path tmp) throws Exception {
        JsonNode m = manifest();
        double clock = m.get("clock").asDouble();
        Path logDir = tmp.resolve("logs");
        try (SummaryWriter w = new SummaryWriter(logDir, () -> clock, m.get("host").asText())) {
            for (JsonNode epoch : m.get("epochs")) {
                long step = epoch.get("step").asLong();
                double wall = epoch.get("walltime").asDouble();
                w.addScalars("Losses", values(epoch.get("Losses")), step, wall);
                w.addScalars("Accuracies", values(epoch.get("Accuracies")), step, wall);
            }
        }
        Map<String, byte[]> expected = tree(fixtureRun());
        Map<String, byte[]> actual = tree(logDir);
        assertEquals(expected.keySet(), actual.keySet());
        assertEquals(5, expected.size());
        for (String name : expected.keySet()) {
            assertArrayEquals(expected.get(name), actual.get(name), name);
        }
    }

    @Test
    void readerParsesTheReferenceDirectory() throws Exception {
        JsonNode m = manifest();
        Path root = fixtureRun();
        String fileName = "events.out.tfevents.1585000000.fixture-host";
        List<EventFileReader.Event> top = EventFileReader.read(root.resolve(fileName));
        assertEquals(1, top.size());
        assertEquals("brain.Event:2", top.get(0).fileVersion());
        for (String run : RUNS) {
            String mainTag = run.substring(0, run.indexOf('_'));
            String key = run.substring(run.indexOf('_') + 1);
            List<EventFileReader.Event> events = EventFileReader.read(root.resolve(run).resolve(fileName));
            assertEquals(1 + m.get("epochs").size(), events.size(), run);
            assertEquals("brain.Event:2", events.get(0).fileVersion());
            assertEquals(m.get("clock").asDouble(), events.get(0).wallTime());
            for (int i = 0; i < m.get("epochs").size(); i++) {
                JsonNode epoch = m.get("epochs").get(i);
                EventFileReader.Event e = events.get(i + 1);
                assertTrue(e.hasSummary());
                assertEquals(epoch.get("step").asLong(), e.step());
                assertEquals(epoch.get("walltime").asDouble(), e.wallTime());
                assertEquals(List.of(new EventFileReader.Value(mainTag, (float) epoch.get(mainTag).get(key).asDouble())),
                        e.values());
            }
        }
    }

    @Test
    void tutorialScalarsRoundTripOnTheSystemClock(@TempDir Path tmp) throws IOException {
        double before = System.currentTimeMillis() / 1000.0;
        List<Map<String, Double>> losses = new ArrayList<>();
        List<Map<String, Double>> accuracies = new ArrayList<>();
        try (SummaryWriter w = new SummaryWriter(tmp)) {
            for (int epoch = 0; epoch < 6; epoch++) {
                Map<String, Double> l = new LinkedHashMap<>();
                l.put("Train loss", 0.7 / (epoch + 1));
                l.put("Validation_loss", 0.65 / (epoch + 1) + 0.01);
                Map<String, Double> a = new LinkedHashMap<>();
                a.put("Train Accuracy", 100.0 * (200 + 30 * epoch) / 425);
                a.put("Valid Accuracy", 100.0 * (70 + epoch) / 118);
                w.addScalars("Losses", l, epoch);
                w.addScalars("Accuracies", a, epoch);
                losses.add(l);
                accuracies.add(a);
            }
            w.addScalar("Learning rate", 0.01, 0);
        }
        double after = System.currentTimeMillis() / 1000.0 + 1;

        try (Stream<Path> dirs = Files.list(tmp)) {
            assertEquals(new java.util.TreeSet<>(RUNS),
                    new java.util.TreeSet<>(dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).toList()));
        }
        for (String run : RUNS) {
            String mainTag = run.substring(0, run.indexOf('_'));
            String key = run.substring(run.indexOf('_') + 1);
            List<Path> files;
            try (Stream<Path> s = Files.list(tmp.resolve(run))) {
                files = s.toList();
            }
            assertEquals(1, files.size());
            assertTrue(files.get(0).getFileName().toString().matches("events\\.out\\.tfevents\\.\\d{10}\\..+"));
            List<EventFileReader.Event> events = EventFileReader.read(files.get(0));
            assertEquals(7, events.size());
            for (int epoch = 0; epoch < 6; epoch++) {
                EventFileReader.Event e = events.get(epoch + 1);
                double expected = (mainTag.equals("Losses") ? losses : accuracies).get(epoch).get(key);
                assertEquals(List.of(new EventFileReader.Value(mainTag, (float) expected)), e.values());
                assertEquals(epoch, e.step());
                assertTrue(e.wallTime() >= before && e.wallTime() <= after);
            }
        }
        List<Path> top;
        try (Stream<Path> s = Files.list(tmp)) {
            top = s.filter(Files::isRegularFile).toList();
        }
        List<EventFileReader.Event> events = EventFileReader.read(top.get(0));
        assertEquals(List.of(new EventFileReader.Value("Learning rate", 0.01f)), events.get(1).values());
    }

    @Test
    void mainTagSlashesBecomeUnderscoresInTheFolderOnly(@TempDir Path tmp) throws IOException {
        try (SummaryWriter w = new SummaryWriter(tmp, () -> 1e9, "h")) {
            w.addScalars("val/metrics", Map.of("auc", 0.9), 4);
        }
        List<EventFileReader.Event> events = EventFileReader.read(tmp.resolve("val_metrics_auc/events.out.tfevents.1000000000.h"));
        assertEquals(List.of(new EventFileReader.Value("val/metrics", 0.9f)), events.get(1).values());
    }

    @Test
    void anyCorruptedByteIsCaughtByACrc() throws Exception {
        byte[] good = Files.readAllBytes(fixtureRun().resolve("Losses_Train loss/events.out.tfevents.1585000000.fixture-host"));
        assertEquals(4, EventFileReader.records(good).size());
        for (int i = 0; i < good.length; i++) {
            for (int flip : new int[] {0x01, 0x80, 0xFF}) {
                byte[] bad = good.clone();
                bad[i] ^= (byte) flip;
                int at = i;
                assertThrows(EventFileReader.CorruptRecordException.class, () -> EventFileReader.records(bad),
                        "flip " + flip + " at byte " + at);
            }
        }
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 1);
        assertThrows(EventFileReader.CorruptRecordException.class, () -> EventFileReader.records(truncated));
    }
}
