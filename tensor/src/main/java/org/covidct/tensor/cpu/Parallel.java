package org.covidct.tensor.cpu;

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
 */
public final class Parallel {
    private static final int THREADS = Runtime.getRuntime().availableProcessors();
    /** How long an idle worker (or a caller waiting for the last chunk) spins before it parks. */
    private static final long SPIN_NANOS = 100_000;
    private static final AtomicBoolean BUSY = new AtomicBoolean();
    private static final Worker[] WORKERS = new Worker[THREADS - 1];
    /** The newest loop; a worker runs whatever it has not seen yet. */
    private static volatile Job current;

    static {
        for (int i = 0; i < WORKERS.length; i++) {
            WORKERS[i] = new Worker("covidct-cpu-" + (i + 1));
            WORKERS[i].start();
        }
    }

    /** The body of a loop over [from, to). */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    private Parallel() {
    }

    public static int threads() {
        return THREADS;
    }

    /** Runs {@code body} over [0, n) in chunks of at least {@code grain} indices. */
    public static void forRange(int n, int grain, Range body) {
        if (n <= 0) {
            return;
        }
        int chunks = Math.min(THREADS * 4, Math.max(1, n / Math.max(1, grain)));
        if (chunks == 1 || THREADS == 1 || !BUSY.compareAndSet(false, true)) {
            body.run(0, n);
            return;
        }
        try {
            Job job = new Job(body, n, chunks, Thread.currentThread());
            current = job;
            for (Worker w : WORKERS) {
                if (w.parked) {
                    LockSupport.unpark(w);
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
        private final Thread caller;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger remaining;
        private volatile boolean callerParked;
        private volatile Throwable error;

        Job(Range body, int n, int chunks, Thread caller) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
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
        volatile boolean parked;

        Worker(String name) {
            super(name);
            setDaemon(true);
        }

        @Override
        public void run() {
            Job seen = null;
            while (true) {
                Job job = awaitNew(seen);
                seen = job;
                job.work();
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
