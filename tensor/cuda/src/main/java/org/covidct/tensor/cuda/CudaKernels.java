package org.covidct.tensor.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import jcuda.CudaException;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;

/**
 * Loads the PTX of each kernel family once (from the classpath, where the cuda-kernels module
 * puts it), caches each function, and launches kernels with the grid shapes the ABI expects.
 */
final class CudaKernels {
    static final String PTX_ROOT = "org/covidct/cuda/ptx/";
    /** Threads per block of every launch but the single-thread ones. */
    static final int BLOCK = 256;
    /** Grid cap of 1-d launches; the kernels loop grid-stride over the rest. */
    static final int MAX_GRID = 65535;
    /** Blocks of sum_partials and of the losses' partial sums, and so the partial sums that one block adds. */
    static final int SUM_BLOCKS = 256;

    private final Driver driver;
    private final Map<String, CUmodule> modules = new HashMap<>();
    private final Map<Kernel, CUfunction> functions = new EnumMap<>(Kernel.class);

    CudaKernels(Driver driver) {
        this.driver = driver;
    }

    /** A grid-stride launch over {@code n} work items; nothing is launched when n is 0. */
    void launch1d(Kernel kernel, long n, KernelArgs args) {
        if (n > 0) {
            int grid = (int) Math.min(Math.ceilDiv(n, BLOCK), MAX_GRID);
            driver.launch(function(kernel), grid, BLOCK, args.pointer());
        }
    }

    /** {@code blocks} blocks of {@code threads} threads: per-channel kernels and the sum's stages. */
    void launchBlocks(Kernel kernel, int blocks, int threads, KernelArgs args) {
        if (blocks > 0) {
            driver.launch(function(kernel), blocks, threads, args.pointer());
        }
    }

    synchronized CUfunction function(Kernel kernel) {
        CUfunction f = functions.get(kernel);
        if (f == null) {
            CUmodule module = modules.computeIfAbsent(kernel.family(), this::load);
            try {
                f = driver.function(module, kernel.function());
            } catch (CudaException e) {
                throw new IllegalStateException("CUDA kernel " + kernel.function() + " not found in " + PTX_ROOT
                        + kernel.family() + ".ptx: " + e.getMessage(), e);
            }
            functions.put(kernel, f);
        }
        return f;
    }

    private CUmodule load(String family) {
        String resource = PTX_ROOT + family + ".ptx";
        byte[] text;
        try (InputStream in = CudaKernels.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("CUDA kernels: classpath resource " + resource
                        + " not found; it comes from the cuda-kernels module's jar");
            }
            text = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("CUDA kernels: cannot read " + resource, e);
        }
        try {
            return driver.loadModule(Arrays.copyOf(text, text.length + 1)); // the driver wants a C string
        } catch (CudaException e) {
            throw new IllegalStateException("CUDA kernels: loading " + resource + " failed: " + e.getMessage()
                    + " (the PTX, ISA 8.0, needs driver >= 525 and compute capability >= 7.5)", e);
        }
    }
}
