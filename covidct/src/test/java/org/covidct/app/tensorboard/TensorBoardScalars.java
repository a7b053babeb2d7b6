package org.covidct.app.tensorboard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The scalars of a log directory as TensorBoard would show them, without wall times, for comparing runs. */
public final class TensorBoardScalars {
    private TensorBoardScalars() {
    }

    /**
     * Each folder's "tag step value" lines, its event files read in name (creation) order; a
     * damaged record fails the read.
     */
    public static Map<String, List<String>> of(Path logDir) throws IOException {
        Map<String, List<String>> byFolder = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(logDir)) {
            files = walk.filter(f -> f.getFileName().toString().contains("tfevents")).sorted().toList();
        }
        for (Path file : files) {
            List<String> lines = byFolder.computeIfAbsent(logDir.relativize(file.getParent()).toString(),
                    k -> new ArrayList<>());
            for (EventFileReader.Event e : EventFileReader.read(file)) {
                for (EventFileReader.Value v : e.values()) {
                    lines.add(String.format(Locale.ROOT, "%s %d %s", v.tag(), e.step(), v.simpleValue()));
                }
            }
        }
        return byFolder;
    }
}
