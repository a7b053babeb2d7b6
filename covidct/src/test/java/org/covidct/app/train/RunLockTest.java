package org.covidct.app.train;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run directory has one writing process at a time, and a dead one releases it. */
class RunLockTest {
    @TempDir
    Path dir;

    @Test
    void aSecondProcessIsRefusedNamingTheHolderUntilTheHolderDies() throws Exception {
        Process holder = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Holder.class.getName(), dir.toString()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("claimed", out.readLine());

            IOException e = assertThrows(IOException.class, () -> new RunDirectory(dir).claim());
            assertEquals(dir + ": in use by process " + holder.pid() + " on ", e.getMessage().substring(0,
                    e.getMessage().indexOf(" on ") + 4));
            assertTrue(e.getMessage().endsWith("; wait for it to end or choose another --out"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
        } finally {
            holder.destroyForcibly().waitFor();
        }
        assertDoesNotThrow(() -> new RunDirectory(dir).claim(), "a killed holder's lock is released");
        assertTrue(Files.readString(dir.resolve(RunLock.FILE_NAME)).startsWith(
                "process " + ProcessHandle.current().pid() + " on "));
    }

    @Test
    void theProcessThatHoldsItMayClaimItAgain() throws IOException {
        RunDirectory run = new RunDirectory(dir.resolve("run"));
        run.create();
        assertDoesNotThrow(run::claim);
    }

    /** Another process: claims the directory named by its argument, says so, and waits to be killed. */
    public static final class Holder {
        public static void main(String[] args) throws IOException, InterruptedException {
            new RunDirectory(Path.of(args[0])).claim();
            System.out.println("claimed");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
