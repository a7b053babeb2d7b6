package org.covidct.tensor;

/** Window and stride of a 2-d max pooling without padding (PyTorch's floor output size). */
public record Pool2dSpec(int kernelH, int kernelW, int strideH, int strideW) {
    public Pool2dSpec {
        if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1) {
            throw new IllegalArgumentException("max_pool2d: invalid kernel (" + kernelH + ", " + kernelW
                    + ") or stride (" + strideH + ", " + strideW + ")");
        }
    }

    public static Pool2dSpec of(int kernel, int stride) {
        return new Pool2dSpec(kernel, kernel, stride, stride);
    }

    public int outH(int inH) {
        return (inH - kernelH) / strideH + 1;
    }

    public int outW(int inW) {
        return (inW - kernelW) / strideW + 1;
    }
}
