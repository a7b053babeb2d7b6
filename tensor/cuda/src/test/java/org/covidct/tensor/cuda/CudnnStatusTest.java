package org.covidct.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** cuDNN 9's status codes get their names; cuDNN 8's keep JCudnn's. */
class CudnnStatusTest {
    @Test
    void cudnn9CodesAreNamed() {
        assertEquals("CUDNN_STATUS_BAD_PARAM", CudnnStatus.name(2000));
        assertEquals("CUDNN_STATUS_BAD_PARAM_SIZE_INSUFFICIENT", CudnnStatus.name(2006));
        assertEquals("CUDNN_STATUS_NOT_SUPPORTED", CudnnStatus.name(3000));
        assertEquals("CUDNN_STATUS_EXECUTION_FAILED_CUDA_DRIVER", CudnnStatus.name(5001));
    }

    @Test
    void unknownCudnn9CodesAreNamedByTheirFamily() {
        assertEquals("CUDNN_STATUS_NOT_SUPPORTED (3999)", CudnnStatus.name(3999));
        assertEquals("cuDNN status 9000", CudnnStatus.name(9000));
    }

    @Test
    void cudnn8CodesKeepJcudnnsNames() {
        assertEquals("CUDNN_STATUS_SUCCESS", CudnnStatus.name(0));
        assertEquals("CUDNN_STATUS_BAD_PARAM", CudnnStatus.name(3));
    }
}
