package org.covidct.app.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoryTest {
    @TempDir
    Path dir;

    @Test
    void aResumeDeletesTheTemporaryFilesOfKilledWritesAndNothingElse() throws IOException {
        RunDirectory run = new RunDirectory(dir);
        run.create();
        Files.writeString(run.checkpoints().resolve(".last.safetensors.3f9a61c2d4e5b7a8.tmp"), "half a checkpoint");
        Files.writeString(dir.resolve(".metrics.json.0123456789abcdef.tmp"), "{\"epochs\": [");
        Files.writeString(run.lastCheckpoint(), "checkpoint");
        Files.writeString(dir.resolve("notes.tmp"), "a user's file");
        Files.writeString(dir.resolve("split.csv8123974501.tmp"), "path,label,split\n"); // CsvManifest.write's
        Files.writeString(run.split(), "path,label,split\n");

        run.removeStaleTemporaryFiles();

        try (Stream<Path> files = Files.walk(dir)) {
            assertEquals(List.of(".lock", "checkpoints/last.safetensors", "notes.tmp", "split.csv"),
                    files.filter(Files::isRegularFile).map(f -> dir.relativize(f).toString()).sorted().toList());
        }
    }
}
