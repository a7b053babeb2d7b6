package org.covidct.app;

import org.covidct.tensor.Device;
import org.covidct.tensor.cuda.CudaBackend;
import org.covidct.tensor.testing.CudaRequirement;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For tests that compare CUDA with the CPU: each test skips (or fails, where CI requires CUDA) when
 * CUDA is unusable, and runs with TF32 off, so that results differ from the CPU's only in summation
 * order; the backend's TF32 settings are put back after it. Use with {@code @ExtendWith}.
 */
public final class StrictFp32Cuda implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(StrictFp32Cuda.class);

    /** The backend's settings before the test. */
    private record Saved(CudaBackend cuda, boolean tf32, boolean matmulTf32) {
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        CudaRequirement.assumeCuda();
        CudaBackend cuda = (CudaBackend) Device.cuda(0).backend();
        context.getStore(NAMESPACE).put(Saved.class, new Saved(cuda, cuda.isTf32(), cuda.isMatmulTf32()));
        cuda.setTf32(false);
        cuda.setMatmulTf32(false);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Saved saved = context.getStore(NAMESPACE).remove(Saved.class, Saved.class);
        if (saved != null) {
            saved.cuda().setTf32(saved.tf32());
            saved.cuda().setMatmulTf32(saved.matmulTf32());
        }
    }
}
