package org.covidct.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ParallelTest {
    @Property(tries = 200)
    void everyIndexRunsExactlyOnce(@ForAll @IntRange(min = 0, max = 5000) int n,
                                   @ForAll @IntRange(min = 1, max = 700) int grain) {
        AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(n, 1));
        Parallel.forRange(n, grain, (from, to) -> {
            for (int i = from; i < to; i++) {
                hits.incrementAndGet(i);
            }
        });
        for (int i = 0; i < n; i++) {
            assertEquals(1, hits.get(i), "index " + i + " of " + n);
        }
    }

    @Test
    void nestedLoopsRunSeriallyAndComplete() {
        AtomicIntegerArray hits = new AtomicIntegerArray(64 * 64);
        Parallel.forRange(64, 1, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                int row = i;
                Parallel.forRange(64, 1, (j0, j1) -> {
                    for (int j = j0; j < j1; j++) {
                        hits.incrementAndGet(row * 64 + j);
                    }
                });
            }
        });
        for (int i = 0; i < hits.length(); i++) {
            assertEquals(1, hits.get(i), "cell " + i);
        }
    }

    @Test
    void anExceptionInAChunkReachesTheCallerAndThePoolStaysUsable() {
        IllegalArgumentException boom = new IllegalArgumentException("chunk failed");
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                () -> Parallel.forRange(1000, 1, (from, to) -> {
                    if (to == 1000) {
                        throw boom;
                    }
                }));
        assertSame(boom, thrown);
        everyIndexRunsExactlyOnce(1000, 1);
    }

    @Test
    void loopsFromSeveralThreadsAtOnceAllComplete() throws InterruptedException {
        int callers = 4, n = 20_000;
        long[] sums = new long[callers];
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < callers; t++) {
            int id = t;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int rep = 0; rep < 50; rep++) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(n);
                    Parallel.forRange(n, 100, (from, to) -> {
                        for (int i = from; i < to; i++) {
                            hits.incrementAndGet(i);
                        }
                    });
                    for (int i = 0; i < n; i++) {
                        sums[id] += hits.get(i);
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        for (int t = 0; t < callers; t++) {
            assertEquals(50L * n, sums[t], "caller " + t);
        }
    }
}
