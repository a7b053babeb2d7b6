package org.covidct.app.tensorboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A resumed run's log: each step once, whatever the interrupted attempt had logged after its checkpoint. */
class EventTruncationTest {
    @TempDir
    Path dir;

    @Test
    void aResumedRunLogsEveryStepOnce() throws IOException {
        double[] clock = {1000};
        try (SummaryWriter first = new SummaryWriter(dir, () -> clock[0]++, "host")) {
            for (int epoch = 0; epoch < 4; epoch++) {
                first.addScalars("Losses", Map.of("Train loss", epoch), epoch);
            }
        }
        // Killed mid-write: half a record at the end of one file.
        Path someFile = eventFiles().getFirst();
        byte[] torn = Arrays.copyOf(TfRecord.frame(EventProto.scalar(1, 4, "Losses", 4f)), 20);
        Files.write(someFile, torn, StandardOpenOption.APPEND);

        EventTruncation.truncate(dir, 2); // the last checkpoint was written after epoch index 1
        try (SummaryWriter resumed = new SummaryWriter(dir, () -> clock[0]++, "host")) {
            for (int epoch = 2; epoch < 5; epoch++) {
                resumed.addScalars("Losses", Map.of("Train loss", epoch), epoch);
            }
        }

        Map<String, List<Long>> steps = new TreeMap<>();
        for (Path file : eventFiles()) {
            for (EventFileReader.Event e : EventFileReader.read(file)) { // also checks every CRC
                if (e.hasSummary()) {
                    steps.computeIfAbsent(dir.relativize(file).getParent() + "", k -> new ArrayList<>()).add(e.step());
                }
            }
        }
        assertEquals(Map.of("Losses_Train loss", List.of(0L, 1L, 2L, 3L, 4L)), steps);
    }

    @Test
    void aLogWithNothingToCutIsLeftAsItIs() throws IOException {
        try (SummaryWriter writer = new SummaryWriter(dir, () -> 5.0, "host")) {
            writer.addScalar("loss", 1, 0);
            writer.addScalar("loss", 2, 1);
        }
        Path file = eventFiles().getFirst();
        byte[] before = Files.readAllBytes(file);
        EventTruncation.truncate(dir, 2);
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    private List<Path> eventFiles() throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(f -> f.getFileName().toString().contains("tfevents")).sorted().toList();
        }
    }
}
