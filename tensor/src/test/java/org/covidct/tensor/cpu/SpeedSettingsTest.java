package org.covidct.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.covidct.tensor.CpuThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a library user controls about CPU speed: the thread count, and the warning on scalar kernels. */
class SpeedSettingsTest {
    private final int threadsBefore = CpuThreads.count();

    @AfterEach
    void restoreThreads() {
        CpuThreads.set(threadsBefore);
    }

    /** The threads that ran a loop of n indices, each index checked to run once. */
    private static Set<Thread> threadsOfALoop(int n) {
        Set<Thread> ran = ConcurrentHashMap.newKeySet();
        AtomicIntegerArray hits = new AtomicIntegerArray(n);
        Parallel.forRange(n, 1, (from, to) -> {
            ran.add(Thread.currentThread());
            for (int i = from; i < to; i++) {
                hits.incrementAndGet(i);
                Thread.onSpinWait();
            }
        });
        for (int i = 0; i < n; i++) {
            assertEquals(1, hits.get(i), "index " + i);
        }
        return ran;
    }

    @Test
    void oneThreadRunsEveryLoopOnItsCaller() {
        CpuThreads.set(1);
        assertEquals(1, CpuThreads.count());
        for (int k = 0; k < 20; k++) {
            assertEquals(Set.of(Thread.currentThread()), threadsOfALoop(4000));
        }
    }

    @Test
    void moreThreadsThanProcessorsStartMoreWorkersAndNoMoreThanAsked() {
        CpuThreads.set(3);
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        for (int k = 0; k < 50; k++) {
            Set<Thread> ran = threadsOfALoop(20_000);
            assertTrue(ran.size() <= 3, "a loop ran on " + ran);
            seen.addAll(ran);
        }
        assertTrue(seen.size() <= 3, "loops ran on " + seen);
        CpuThreads.set(2);
        for (int k = 0; k < 20; k++) {
            Set<Thread> ran = threadsOfALoop(20_000);
            assertTrue(ran.size() <= 2, "after going back to 2, a loop ran on " + ran);
        }
    }

    @Test
    void aWorkerAboveTheCountSitsOutEvenWhileAwake() {
        for (int k = 0; k < 10; k++) {
            CpuThreads.set(3);
            // Both workers take part, and spin for a while after it.
            Parallel.forRange(3 * 4, 1, (from, to) -> Thread.onSpinWait());
            CpuThreads.set(2);
            Set<Thread> entered = ConcurrentHashMap.newKeySet();
            Parallel.forRange(8, 1, (from, to) -> {
                entered.add(Thread.currentThread());
                long end = System.nanoTime() + 5_000_000;
                while (entered.size() < 3 && System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
            });
            assertTrue(entered.size() <= 2, "a loop with 2 threads ran on " + entered);
        }
    }

    @Test
    void theSystemPropertyIsReadAndCheckedWithAOneLineError() {
        assertEquals(8, Parallel.threadsFromProperty(null, 8));
        assertEquals(3, Parallel.threadsFromProperty(" 3 ", 8));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Parallel.threadsFromProperty("0", 8));
        assertEquals("-Dcovidct.cpu.threads=0: expected a whole number >= 1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Parallel.threadsFromProperty("two", 8));
        assertThrows(IllegalArgumentException.class, () -> CpuThreads.set(0));
    }

    @Test
    void withoutTheVectorApiTheScalarKernelsRunAndSaySo() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                ScalarKernelsProbe.class.getName())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("4.0"), out);
        assertTrue(out.contains("start java with --add-modules jdk.incubator.vector"), out);
        assertEquals(1, out.lines().filter(l -> l.contains("jdk.incubator.vector module is not in this JVM")).count(),
                "said once: " + out);
    }
}
