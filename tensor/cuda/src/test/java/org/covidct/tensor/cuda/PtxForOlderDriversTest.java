package org.covidct.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Stream;
import jcuda.nvptxcompiler.JNvPTXCompiler;
import jcuda.nvptxcompiler.nvPTXCompileResult;
import jcuda.nvptxcompiler.nvPTXCompilerHandle;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The committed PTX must load on CUDA 12 drivers, not only on the CUDA 13 ones whose nvcc wrote
 * it: a driver's JIT refuses a PTX ISA newer than its own release. JCuda's natives carry NVIDIA's
 * nvPTXCompiler (a static library inside the JNI binding, so it runs without a GPU or libcuda); the
 * one in JCuda 12.6 reports CUDA 12.0 and accepts up to ISA 8.0, as the oldest CUDA 12 drivers do.
 * Every kernel family is assembled for the lowest architecture the PTX targets (sm_75) and for
 * Hopper (sm_90).
 */
@DisplayName("PTX assembles with CUDA 12's PTX compiler")
class PtxForOlderDriversTest {
    private static final String[] GPUS = {"sm_75", "sm_90"};
    /** Why the compiler binding cannot run here, or empty. */
    private static final Optional<String> UNAVAILABLE = loadCompiler();

    private static Optional<String> loadCompiler() {
        try {
            JNvPTXCompiler.setExceptionsEnabled(false); // result codes, so the error log can be read
            compilerVersion();
            return Optional.empty();
        } catch (LinkageError e) {
            return Optional.of("JCuda's nvPTXCompiler binding does not load on this platform: " + e);
        }
    }

    private static int[] compilerVersion() {
        int[] major = {0};
        int[] minor = {0};
        check(JNvPTXCompiler.nvPTXCompilerGetVersion(major, minor), "nvPTXCompilerGetVersion");
        return new int[] {major[0], minor[0]};
    }

    @BeforeEach
    void requireCompiler() {
        assumeTrue(UNAVAILABLE.isEmpty(), UNAVAILABLE.orElse(""));
    }

    /** A CUDA 13 compiler would accept the PTX that CUDA 12 drivers refuse, and this test would prove nothing. */
    @Test
    @DisplayName("the compiler is CUDA 12's")
    void compilerIsCuda12s() {
        int[] version = compilerVersion();
        assertEquals(12, version[0], "nvPTXCompiler in JCuda's natives is CUDA " + version[0] + "." + version[1]
                + "; this test needs CUDA 12's to show that CUDA 12 drivers load the PTX");
    }

    static Stream<Arguments> familiesAndGpus() {
        return Arrays.stream(Kernel.values()).map(Kernel::family).distinct().sorted()
                .flatMap(family -> Arrays.stream(GPUS).map(gpu -> Arguments.of(family, gpu)));
    }

    @ParameterizedTest(name = "{0}.ptx for {1}")
    @MethodSource("familiesAndGpus")
    void assembles(String family, String gpu) throws IOException {
        String resource = CudaKernels.PTX_ROOT + family + ".ptx";
        byte[] ptx;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(resource)) {
            assertNotNull(in, "classpath resource " + resource + " not found; it comes from the cuda-kernels module");
            ptx = in.readAllBytes();
        }
        int[] version = compilerVersion();
        nvPTXCompilerHandle compiler = new nvPTXCompilerHandle();
        byte[] cString = Arrays.copyOf(ptx, ptx.length + 1); // NUL-terminated, as the backend hands it to the driver
        check(JNvPTXCompiler.nvPTXCompilerCreate(compiler, ptx.length, cString), "nvPTXCompilerCreate");
        try {
            int result = JNvPTXCompiler.nvPTXCompilerCompile(compiler, 1, new String[] {"--gpu-name=" + gpu});
            if (result != nvPTXCompileResult.NVPTXCOMPILE_SUCCESS) {
                throw new AssertionError(resource + " does not assemble for " + gpu + " with nvPTXCompiler "
                        + version[0] + "." + version[1] + ", so a CUDA " + version[0] + "." + version[1]
                        + " driver refuses it too: "
                        + nvPTXCompileResult.stringFor(result) + "\n" + errorLog(compiler));
            }
        } finally {
            JNvPTXCompiler.nvPTXCompilerDestroy(compiler);
        }
    }

    private static String errorLog(nvPTXCompilerHandle compiler) {
        long[] size = {0};
        check(JNvPTXCompiler.nvPTXCompilerGetErrorLogSize(compiler, size), "nvPTXCompilerGetErrorLogSize");
        byte[] log = new byte[(int) size[0] + 1];
        check(JNvPTXCompiler.nvPTXCompilerGetErrorLog(compiler, log), "nvPTXCompilerGetErrorLog");
        return new String(log, 0, (int) size[0], StandardCharsets.UTF_8).replace("\0", "").strip();
    }

    private static void check(int result, String call) {
        if (result != nvPTXCompileResult.NVPTXCOMPILE_SUCCESS) {
            throw new IllegalStateException(call + " failed: " + nvPTXCompileResult.stringFor(result));
        }
    }
}
