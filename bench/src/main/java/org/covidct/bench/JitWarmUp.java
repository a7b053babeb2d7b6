package org.covidct.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Runs an op until the JIT has compiled it, for a benchmark's set-up. Until C2 has compiled the
 * Vector API kernels they run many times slower, and on a busy machine compiling takes longer than
 * a fixed warm-up: after two one-second JMH warm-up iterations, a convolution's timed iterations
 * still went from 80 to 13 to 5 ms a call.
 * <p>
 * A pass is quiet when the JIT spent under a tenth of it compiling, not when it compiled nothing:
 * after the kernels, the JIT goes on compiling small methods for a few milliseconds every few
 * passes, and waiting for passes with none took 10 s of each gate fork.
 */
final class JitWarmUp {
    /** Quiet passes in a row that end the warm-up; the JIT's time counts a compile when it ends. */
    private static final int QUIET_PASSES = 3;
    /** The most of a quiet pass's time the JIT may spend compiling (summed over its threads). */
    private static final double QUIET_COMPILE_SHARE = 0.1;
    /** A pass runs the op at least this long. */
    private static final long PASS_NANOS = 300_000_000L;
    /** Gives up waiting for the JIT after this long. */
    private static final long MAX_NANOS = 60_000_000_000L;

    private JitWarmUp() {
    }

    /**
     * Has the CPU's vector kernels take over from their scalar twins ({@link org.covidct.tensor.CpuKernels}), then runs
     * {@code op} in passes until {@value #QUIET_PASSES} passes in a row are quiet.
     */
    static void untilQuiet(Runnable op) {
        Bench.awaitVectorKernels();
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean measurable = jit != null && jit.isCompilationTimeMonitoringSupported();
        long start = System.nanoTime();
        for (int quiet = 0; quiet < QUIET_PASSES && System.nanoTime() - start < MAX_NANOS; ) {
            long compiledMillis = measurable ? jit.getTotalCompilationTime() : 0;
            long passStart = System.nanoTime();
            do {
                op.run();
            } while (System.nanoTime() - passStart < PASS_NANOS);
            double passMillis = (System.nanoTime() - passStart) / 1e6;
            boolean jitIdle = !measurable
                    || jit.getTotalCompilationTime() - compiledMillis < QUIET_COMPILE_SHARE * passMillis;
            quiet = jitIdle ? quiet + 1 : 0;
        }
    }
}
