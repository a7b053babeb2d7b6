package org.covidct.tensor.cuda;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which JCudnn native goes where JCudnn's loader looks, for each cuDNN a machine may have. */
class CudnnNativeTest {
    @TempDir
    Path dir;

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = CudnnNativeTest.class.getClassLoader().getResourceAsStream(name)) {
            assertTrue(in != null, "classpath resource " + name);
            return in.readAllBytes();
        }
    }

    private static byte[] cudnn9Native() throws IOException {
        return resource("lib/" + CudnnNative.nativeFileName());
    }

    private static byte[] cudnn8Native() throws IOException {
        return resource(CudnnNative.CUDNN8_RESOURCE_FOLDER + CudnnNative.nativeFileName());
    }

    @Test
    void theTwoNativesLinkDifferentCudnns() throws IOException {
        assertFalse(Arrays.equals(cudnn9Native(), cudnn8Native()));
        assertTrue(new String(cudnn9Native(), ISO_8859_1).contains("libcudnn.so.9"));
        assertTrue(new String(cudnn8Native(), ISO_8859_1).contains("libcudnn.so.8"));
    }

    @Test
    void cudnn9WinsAndReplacesAStaleCudnn8Native() throws IOException {
        Path placed = dir.resolve(CudnnNative.nativeFileName());
        Files.write(placed, cudnn8Native());
        assertEquals(Optional.empty(), CudnnNative.choose(Set.of(CudnnNative.CUDNN9, CudnnNative.CUDNN8)::contains, dir));
        assertArrayEquals(cudnn9Native(), Files.readAllBytes(placed));
    }

    @Test
    void onlyCudnn8GetsTheCudnn8Native() throws IOException {
        assertEquals(Optional.empty(), CudnnNative.choose(Set.of(CudnnNative.CUDNN8)::contains, dir));
        assertArrayEquals(cudnn8Native(), Files.readAllBytes(dir.resolve(CudnnNative.nativeFileName())));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
    }

    @Test
    void withoutCudnnItSaysWhatIsMissing() {
        assertEquals(Optional.of("cuDNN: neither libcudnn.so.9 (cuDNN 9) nor libcudnn.so.8 (cuDNN 8) found on the"
                + " library path"), CudnnNative.choose(name -> false, dir));
    }
}
