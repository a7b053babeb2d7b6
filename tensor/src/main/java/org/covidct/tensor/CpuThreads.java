package org.covidct.tensor;

import org.covidct.tensor.cpu.Parallel;

/**
 * How many threads the CPU backend's ops use, the caller included. The default is the machine's
 * processor count, or the system property {@value #PROPERTY} when set; {@link #set} changes it
 * at run time, from the next op on.
 */
public final class CpuThreads {
    /** System property: the CPU thread count at start-up. */
    public static final String PROPERTY = Parallel.THREADS_PROPERTY;

    private CpuThreads() {
    }

    /** The current thread count. */
    public static int count() {
        return Parallel.threads();
    }

    /** Sets the thread count; 1 runs every op on its caller. */
    public static void set(int count) {
        Parallel.setThreads(count);
    }
}
