package org.covidct.tensor.cpu;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether the vector kernels that have scalar twins may run yet. Until C2 compiles a Vector API
 * kernel, each vector it makes is an object on the heap: in a fresh JVM the first MobileNetV2
 * forward pass took 3.8 s and 1.2 GB of resident memory on the vector kernels, against 0.7 s and
 * 0.25 GB on scalar loops. So those kernels run their scalar twins, which compute the same bits,
 * until a background thread has driven each vector kernel, on small inputs, to where its calls
 * allocate (next to) nothing: only compiled code does that.
 *
 * <p>The drills start once the twins have done {@link #TWIN_WORK_BEFORE_DRILLS} of work: a job
 * that small (one image through MobileNetV2 is a third of it) ends sooner on the twins than the
 * drills would take to compile the vector kernels, about 2 s of one core, while a larger one soon
 * runs at the vector kernels' speed, some 40 times the twins'. The drills give up after
 * {@link #PATIENCE_NANOS}: the vector kernels are right either way, only slower while
 * interpreted. The system property {@value #SKIP_PROPERTY} runs the vector kernels from the first
 * call.
 */
public final class VectorWarmUp {
    /** System property: true runs the vector kernels from the first call, compiled or not. */
    static final String SKIP_PROPERTY = "covidct.cpu.skipVectorWarmUp";
    /** Floating-point operations the twins do before the drills start: about 0.3 s of one core. */
    static final long TWIN_WORK_BEFORE_DRILLS = 1L << 30;
    /** How long the drills may take before the vector kernels run regardless. */
    private static final long PATIENCE_NANOS = 30_000_000_000L;
    /** Calls per drill round, and calls measured after it. */
    private static final int ROUND = 200, MEASURED = 20;
    /**
     * A drill counts as compiled once it allocates at most this fraction of what it allocated at
     * first: nothing, for most kernels; the few vectors that cross a call the JIT did not inline,
     * for {@link SimdGemm#dots}.
     */
    private static final int COMPILED_SHARE = 8;

    private static volatile boolean compiled;
    private static final AtomicLong TWIN_WORK = new AtomicLong();
    private static final AtomicBoolean DRILLS_STARTED = new AtomicBoolean();
    /** Whether every drill got to its compiled allocation, rather than the patience running out. */
    private static volatile boolean allDrillsCompiled;

    static {
        compiled = !CpuKernelPaths.VECTOR_API_PRESENT || Boolean.getBoolean(SKIP_PROPERTY);
    }

    private VectorWarmUp() {
    }

    /** Whether the vector kernels run now, rather than their scalar twins. */
    static boolean compiled() {
        return compiled;
    }

    /** Whether the drills are over and each ended compiled (false while they run, or after the patience ran out). */
    static boolean allDrillsCompiled() {
        return allDrillsCompiled;
    }

    /** Counts {@code flops} of work a scalar twin did, and starts the drills once there has been enough. */
    static void twinWork(long flops) {
        if (compiled) { // no drills to start: done, skipped, or no Vector API to drill
            return;
        }
        if (TWIN_WORK.addAndGet(flops) >= TWIN_WORK_BEFORE_DRILLS) {
            startDrills();
        }
    }

    private static void startDrills() {
        if (!compiled && DRILLS_STARTED.compareAndSet(false, true)) {
            Thread drills = new Thread(VectorWarmUp::drillUntilCompiled, "covidct-vector-warm-up");
            drills.setDaemon(true);
            drills.start();
        }
    }

    /**
     * Starts the drills unless they have started, and waits at most {@code timeout} for the vector
     * kernels to run; returns whether they do.
     */
    public static boolean awaitCompiled(Duration timeout) throws InterruptedException {
        startDrills();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!compiled && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return compiled;
    }

    private static void drillUntilCompiled() {
        try {
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            Map<Runnable, Long> interpreted = new HashMap<>();
            List<Runnable> pending = new ArrayList<>(VectorKernelDrills.all());
            long deadline = System.nanoTime() + PATIENCE_NANOS;
            while (!pending.isEmpty() && System.nanoTime() < deadline) {
                pending.removeIf(drill -> {
                    long allocated = allocationOf(drill, threads);
                    long first = interpreted.computeIfAbsent(drill, d -> allocated);
                    for (int i = 0; i < ROUND; i++) {
                        drill.run();
                    }
                    return allocated * COMPILED_SHARE <= first;
                });
            }
            allDrillsCompiled = pending.isEmpty();
        } finally {
            compiled = true;
        }
    }

    /** Bytes that MEASURED calls of drill allocate on this thread. */
    private static long allocationOf(Runnable drill, com.sun.management.ThreadMXBean threads) {
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < MEASURED; i++) {
            drill.run();
        }
        return threads.getCurrentThreadAllocatedBytes() - before;
    }
}
