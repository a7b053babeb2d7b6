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

        run.removeStaleTemporaryFiles();

        try (Stream<Path> files = Files.walk(dir)) {
            assertEquals(List.of(".lock", "checkpoints/last.safetensors", "notes.tmp"),
                    files.filter(Files::isRegularFile).map(f -> dir.relativize(f).toString()).sorted().toList());
        }
    }
}
