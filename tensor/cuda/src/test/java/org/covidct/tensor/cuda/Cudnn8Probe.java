package org.covidct.tensor.cuda;

import java.util.SplittableRandom;
import jcuda.jcudnn.JCudnn;
import org.covidct.tensor.Conv2dSpec;
import org.covidct.tensor.Device;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Tensor;

/**
 * Run by {@link Cudnn8Test} in a JVM whose library path has only cuDNN 8: prints the cuDNN
 * version the backend loaded and a convolution's error against the CPU, and exits 1 when CUDA is
 * unusable or the error exceeds strict FP32's 1e-5.
 */
public final class Cudnn8Probe {
    private Cudnn8Probe() {
    }

    public static void main(String[] args) {
        var reason = Device.cudaUnavailableReason();
        if (reason.isPresent()) {
            System.out.println("unavailable: " + reason.get());
            System.exit(1);
        }
        Device gpu = Device.cuda(0);
        ((CudaBackend) gpu.backend()).setTf32(false);
        SplittableRandom random = new SplittableRandom(8);
        float[] x = uniform(random, 2 * 3 * 9 * 9);
        float[] w = uniform(random, 4 * 3 * 3 * 3);
        Conv2dSpec spec = Conv2dSpec.of(1, 1);
        float[] cpu = Ops.conv2d(Tensor.of(Device.CPU, x, 2, 3, 9, 9), Tensor.of(Device.CPU, w, 4, 3, 3, 3), null,
                spec).toArray();
        float[] cuda = Ops.conv2d(Tensor.of(gpu, x, 2, 3, 9, 9), Tensor.of(gpu, w, 4, 3, 3, 3), null, spec).toArray();
        double diff = 0, norm = 0;
        for (int i = 0; i < cpu.length; i++) {
            diff += (cpu[i] - (double) cuda[i]) * (cpu[i] - (double) cuda[i]);
            norm += (double) cpu[i] * cpu[i];
        }
        double error = Math.sqrt(diff / norm);
        System.out.println("cuDNN " + JCudnn.cudnnGetVersion() + ", convolution error " + error);
        System.exit(error <= 1e-5 ? 0 : 1);
    }

    private static float[] uniform(SplittableRandom random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextDouble(-1, 1);
        }
        return v;
    }
}
