package org.covidct.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;
import org.covidct.tensor.testing.CudaRequirement;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where only cuDNN 8 is installed, the backend loads the JCudnn native built for cuDNN 8 and
 * convolves as on the CPU: {@link Cudnn8Probe} runs in a JVM whose library path holds the CUDA
 * stand-in's cuDNN 8 build (its {@code cudnn8} folder) and no cuDNN 9. A JVM's library path is fixed
 * when it starts, hence the second JVM.
 */
class Cudnn8Test {
    @TempDir
    Path tmp;

    /** The stand-in's folder on this JVM's library path, if any. */
    private static Optional<Path> standin() {
        String path = System.getenv().getOrDefault("LD_LIBRARY_PATH", "");
        return Arrays.stream(path.split(":")).filter(p -> !p.isEmpty()).map(Path::of)
                .filter(p -> Files.isRegularFile(p.resolve("cudnn8/libcudnn.so.8"))).findFirst();
    }

    /** Whether device 0 is the stand-in rather than a GPU. */
    private static boolean onTheStandIn() {
        byte[] name = new byte[256];
        JCudaDriver.cuDeviceGetName(name, name.length, new CUdevice());
        return new String(name, StandardCharsets.US_ASCII).contains("stand-in");
    }

    @Test
    void onlyCudnn8OnTheLibraryPath() throws IOException, InterruptedException {
        CudaRequirement.assumeCuda();
        Assumptions.assumeTrue(onTheStandIn(), "needs the CUDA stand-in, which builds a cuDNN 8; this is a GPU");
        Optional<Path> standin = standin();
        if (standin.isEmpty()) {
            fail("the CUDA stand-in is in use, but its cudnn8 folder is not on LD_LIBRARY_PATH");
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(List.of(java.toString(), "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-Djava.io.tmpdir=" + tmp, "-cp",
                System.getProperty("java.class.path"), Cudnn8Probe.class.getName()));
        pb.environment().put("LD_LIBRARY_PATH", standin.get().resolve("cudnn8").toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("cuDNN 8907,"), out);
        assertTrue(Files.isRegularFile(tmp.resolve(CudnnNative.nativeFileName())), "the cuDNN 8 native was placed");
    }
}
