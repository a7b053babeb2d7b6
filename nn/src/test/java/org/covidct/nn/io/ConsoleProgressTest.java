package org.covidct.nn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One progress bar for downloads and for epochs, in place on a terminal and line by line in a log. */
class ConsoleProgressTest {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

    private ConsoleProgress progress(boolean inPlace) {
        return new ConsoleProgress(new PrintStream(buf, true, StandardCharsets.UTF_8), inPlace);
    }

    private String printed() {
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aDownloadShowsBytesPercentAndSpeed() {
        assertEquals("w.pth [###############---------------]  50.0%  1.0/2.0 MiB  0.5 MiB/s",
                ConsoleProgress.line("w.pth", 1 << 20, 2 << 20, ConsoleProgress.bytesDetail(1 << 20, 2 << 20, 512 * 1024)));
        assertEquals("w.pth  3.0 MiB  1.0 MiB/s",
                ConsoleProgress.line("w.pth", 3 << 20, -1, ConsoleProgress.bytesDetail(3 << 20, -1, 1 << 20)));
        ConsoleProgress p = progress(true);
        p.started("w.pth", 0, 100);
        p.progress(50, 100);
        p.finished(100);
        assertTrue(printed().startsWith("\rw.pth ["), printed());
        assertTrue(printed().contains("] 100.0%  0.0/0.0 MiB  "), printed());
        assertTrue(printed().endsWith(System.lineSeparator()), printed());
    }

    /** In a log, an epoch of 20 batches takes a line at each tenth, the last one complete. */
    @Test
    void anEpochInALogPrintsATenthALine() {
        ConsoleProgress p = progress(false).begin("epoch 1/2", 20);
        for (int done = 1; done <= 20; done++) {
            p.batchesDone(done, 4L * done, 0.5);
        }
        List<String> lines = printed().lines().toList();
        assertEquals(11, lines.size(), printed());
        assertTrue(lines.get(0).startsWith("epoch 1/2 [##----------------------------] 1/20  "), lines.get(0));
        assertTrue(lines.get(10).matches("epoch 1/2 \\[#{30}\\] 20/20  \\d+\\.\\d img/s  loss 0\\.5000  ETA 0:00"),
                lines.get(10));
    }

    /** On a terminal the line is redrawn, wiped where the last one was longer, and ends with the work. */
    @Test
    void onATerminalTheLineIsRedrawnAndEndsWithTheWork() {
        ConsoleProgress p = progress(true).begin("test", 2);
        p.batchesDone(1, 8, 12.5);
        p.batchesDone(2, 9, 0.5);
        String[] draws = printed().split("\r", -1);
        assertEquals(3, draws.length, printed());
        assertTrue(draws[2].startsWith("test [" + "#".repeat(30) + "] 2/2  "), draws[2]);
        assertTrue(draws[2].endsWith(System.lineSeparator()), draws[2]);
        String last = draws[2].substring(0, draws[2].length() - System.lineSeparator().length());
        assertTrue(last.stripTrailing().endsWith("loss 0.5000  ETA 0:00"), last);
        assertTrue(last.length() >= draws[1].length(), "a shorter line wipes the longer one: " + printed());
    }

    @Test
    void timeLeftReadsAsAClock() {
        assertEquals("0:05", ConsoleProgress.clock(5));
        assertEquals("2:03", ConsoleProgress.clock(123));
        assertEquals("1:00:01", ConsoleProgress.clock(3601));
    }
}
