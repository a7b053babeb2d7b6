package org.covidct.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.concurrent.atomic.AtomicReference;
import jcuda.driver.CUcontext;
import jcuda.driver.JCudaDriver;
import org.covidct.tensor.Device;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.testing.CudaRequirement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The backend works from any thread, whatever context the thread has current: a CUDA context is
 * current per thread, and a driver call on a thread without it fails (CUDA_ERROR_INVALID_CONTEXT).
 */
class CudaFromOtherThreadsTest {
    private Device gpu;

    @BeforeEach
    void createTheBackendOnThisThread() {
        CudaRequirement.assumeCuda();
        gpu = Device.cuda(0);
        gpu.backend();
    }

    /** Upload, an op and a download; the result or the failure. */
    private float[] scaleOnDevice() {
        try (Tensor x = Tensor.of(gpu, new float[] {1, -2, 3}, 3); Tensor y = Ops.scale(x, 2f)) {
            return y.toArray();
        }
    }

    @Test
    void aNewThreadGetsTheContext() throws InterruptedException {
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                outcome.set(scaleOnDevice());
            } catch (RuntimeException e) {
                outcome.set(e);
            }
        });
        t.join();
        if (outcome.get() instanceof RuntimeException e) {
            throw new AssertionError("CUDA from a new thread failed: " + e.getMessage(), e);
        }
        assertArrayEquals(new float[] {2, -4, 6}, (float[]) outcome.get());
    }

    @Test
    void aThreadWhoseContextWasChangedGetsItBack() {
        scaleOnDevice();
        // Something else on this thread (another library, another device) leaves no context current.
        JCudaDriver.cuCtxSetCurrent(new CUcontext());
        assertArrayEquals(new float[] {2, -4, 6}, scaleOnDevice());
    }
}
