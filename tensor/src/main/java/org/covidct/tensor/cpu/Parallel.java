package org.covidct.tensor.cpu;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The CPU backend's one thread pool, and a parallel loop over an index range. Work is split into
 * contiguous chunks of at least {@code grain} indices, so small ops run inline on the caller.
 *
 * <p>The calling thread takes chunks too, beside {@code threads() - 1} workers. A worker spins
 * for a short while after each loop before it parks: a training step issues thousands of loops
 * back to back, and waking a parked thread costs tens of microseconds, as much as a small GEMM.
 *
 * <p>One loop runs at a time. A loop started while another runs (from a second thread, or nested
 * inside a loop body) runs serially on its caller, so nothing ever waits on a busy pool.
 *
 * <p>The thread count is the machine's processor count unless the system property
 * {@value #THREADS_PROPERTY} says otherwise, and {@link #setThreads} changes it at run time:
 * workers are started as needed, and those above the count sit out the loops.
 */
public final class Parallel {
    /** System property: how many threads CPU ops use, the caller included. */
    public static final String THREADS_PROPERTY = "covidct.cpu.threads";
    /** How long an idle worker (or a caller waiting for the last chunk) spins before it parks. */
    private static final long SPIN_NANOS = 100_000;
    private static final AtomicBoolean BUSY = new AtomicBoolean();
    private static volatile int threads;
    private static volatile Worker[] workers = new Worker[0];
    /** The newest loop; a worker runs whatever it has not seen yet. */
    private static volatile Job current;

    static {
        setThreads(threadsFromProperty(System.getProperty(THREADS_PROPERTY),
                Runtime.getRuntime().availableProcessors()));
    }

    /** The body of a loop over [from, to). */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    private Parallel() {
    }

    /** How many threads CPU ops use, the caller included. */
    public static int threads() {
        return threads;
    }

    /**
     * Sets how many threads CPU ops use, the caller included (1: every op runs on its caller).
     * Takes effect from the next loop.
     */
    public static synchronized void setThreads(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("CPU thread count must be at least 1, got " + count);
        }
        Worker[] now = workers;
        if (now.length < count - 1) {
            Worker[] grown = Arrays.copyOf(now, count - 1);
            for (int i = now.length; i < grown.length; i++) {
                grown[i] = new Worker("covidct-cpu-" + (i + 1), i);
                grown[i].start();
            }
            workers = grown;
        }
        threads = count;
    }

    /** The thread count a value of {@value #THREADS_PROPERTY} asks for; {@code fallback} when unset. */
    static int threadsFromProperty(String value, int fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int count = Integer.parseInt(value.strip());
            if (count >= 1) {
                return count;
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        throw new IllegalArgumentException("-D" + THREADS_PROPERTY + "=" + value + ": expected a whole number >= 1");
    }

    /** Runs {@code body} over [0, n) in chunks of at least {@code grain} indices. */
    public static void forRange(int n, int grain, Range body) {
        if (n <= 0) {
            return;
        }
        int t = threads;
        int chunks = Math.min(t * 4, Math.max(1, n / Math.max(1, grain)));
        if (chunks == 1 || t == 1 || !BUSY.compareAndSet(false, true)) {
            body.run(0, n);
            return;
        }
        try {
            Job job = new Job(body, n, chunks, t - 1, Thread.currentThread());
            current = job;
            Worker[] ws = workers;
            for (int i = 0; i < t - 1; i++) {
                if (ws[i].parked) {
                    LockSupport.unpark(ws[i]);
                }
            }
            job.work();
            job.awaitDone();
            job.body = null; // every chunk is claimed: no thread reads it again, and it may hold large arrays
            job.rethrow();
        } finally {
            BUSY.set(false);
        }
    }

    /** One loop: chunks are claimed from a counter, so a thread that finishes early takes more. */
    private static final class Job {
        private Range body;
        private final int n;
        private final int chunks;
        /** Workers 0 to helpers - 1 take part; the others sit this loop out. */
        private final int helpers;
        private final Thread caller;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger remaining;
        private volatile boolean callerParked;
        private volatile Throwable error;

        Job(Range body, int n, int chunks, int helpers, Thread caller) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.helpers = helpers;
            this.caller = caller;
            this.remaining = new AtomicInteger(chunks);
        }

        void work() {
            for (int c; (c = next.getAndIncrement()) < chunks; ) {
                try {
                    body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
                } catch (Throwable t) {
                    if (error == null) {
                        error = t;
                    }
                }
                if (remaining.decrementAndGet() == 0 && callerParked) {
                    LockSupport.unpark(caller);
                }
            }
        }

        void awaitDone() {
            long start = System.nanoTime();
            while (remaining.get() > 0) {
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                    continue;
                }
                callerParked = true;
                if (remaining.get() > 0) {
                    LockSupport.park(this);
                }
            }
        }

        void rethrow() {
            Throwable t = error;
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
        }
    }

    private static final class Worker extends Thread {
        private final int index;
        volatile boolean parked;

        Worker(String name, int index) {
            super(name);
            this.index = index;
            setDaemon(true);
        }

        @Override
        public void run() {
            Job seen = null;
            while (true) {
                Job job = awaitNew(seen);
                seen = job;
                if (index < job.helpers) {
                    job.work();
                }
            }
        }

        /** Spins, then parks, until a loop other than {@code seen} is published. */
        private Job awaitNew(Job seen) {
            long start = System.nanoTime();
            while (true) {
                Job job = current;
                if (job != seen) {
                    return job;
                }
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                if (current == seen) {
                    LockSupport.park(this);
                }
                parked = false;
            }
        }
    }
}
