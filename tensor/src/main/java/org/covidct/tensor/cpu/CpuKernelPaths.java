package org.covidct.tensor.cpu;

/**
 * The CPU backend's choices between kernels that compute the same op, fixed when a
 * {@link CpuBackend} is built: a test reaches a path by building a backend with its own choices,
 * never by changing state that every other caller shares. Each choice is read once per op call or
 * per row of work, never per element.
 *
 * @param vectorApi           the Vector API kernels (elementwise, statistics, depthwise and Winograd
 *                            convolution) rather than scalar loops; only where the JVM has the
 *                            jdk.incubator.vector module. The GEMM micro-kernel is not a choice: its
 *                            packed layout follows the module's presence ({@link Sgemm})
 * @param winogradMinChannels 3x3 stride-1 convolutions with at least this many input and output
 *                            channels run as Winograd F(2x2, 3x3) ({@link CpuWinograd}); below it
 *                            the transforms cost more than they save
 * @param winogradWeightTiles the weight gradient goes to Winograd ({@link CpuWinogradBackwardWeight})
 *                            with twice winogradMinChannels and at least 4 times this many 2x2
 *                            output tiles: each thread sums a 16 x K x C partial, which few tiles
 *                            do not pay for
 * @param wholeBatchLimit     a convolution's batch is zero-padded whole (its images' columns laid
 *                            side by side) up to this many floats, else image by image
 */
record CpuKernelPaths(boolean vectorApi, int winogradMinChannels, int winogradWeightTiles, long wholeBatchLimit) {
    /** Whether this JVM has the jdk.incubator.vector module, without which no Vector API kernel can load. */
    static final boolean VECTOR_API_PRESENT = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    /** The fastest choices on this JVM, which the shared backend makes. */
    static final CpuKernelPaths DEFAULT = new CpuKernelPaths(VECTOR_API_PRESENT, 64, 256, 1L << 22);

    CpuKernelPaths {
        if (vectorApi && !VECTOR_API_PRESENT) {
            throw new IllegalArgumentException("CPU kernel paths: the Vector API kernels need the jdk.incubator.vector"
                    + " module, which this JVM was started without");
        }
    }
}
