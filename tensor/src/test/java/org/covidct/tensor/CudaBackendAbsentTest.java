package org.covidct.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** This module's tests run without tensor-cuda, as a CPU-only user's code does. */
class CudaBackendAbsentTest {
    @Test
    void cudaIsUnavailableBecauseItsBackendIsNotOnTheClassPath() {
        assertEquals(Optional.of(Device.CUDA_NOT_ON_CLASS_PATH), Device.cudaUnavailableReason());
        assertEquals("CUDA backend not on the class path (add the dependency org.covidct:tensor-cuda)",
                Device.CUDA_NOT_ON_CLASS_PATH);
    }

    @Test
    void namingACudaDeviceWorksButUsingItSaysWhy() {
        Device gpu = Device.cuda(0);
        IllegalStateException e = assertThrows(IllegalStateException.class, gpu::backend);
        assertEquals(Device.CUDA_NOT_ON_CLASS_PATH, e.getMessage());
    }

    @Test
    void theCpuWorksWithoutIt() {
        try (TensorScope scope = TensorScope.open()) {
            Tensor a = Tensor.of(new float[] {1, 2, 3}, 3);
            assertEquals(6f, Ops.sum(a).item(), 0f);
        }
    }
}
