package org.covidct.tensor;

/** Stride and zero padding of a 2-d convolution, per spatial axis (no dilation, no groups yet). */
public record Conv2dSpec(int strideH, int strideW, int padH, int padW) {
    public Conv2dSpec {
        if (strideH < 1 || strideW < 1 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("conv2d: invalid stride (" + strideH + ", " + strideW
                    + ") or padding (" + padH + ", " + padW + ")");
        }
    }

    public static Conv2dSpec of(int stride, int padding) {
        return new Conv2dSpec(stride, stride, padding, padding);
    }

    public int outH(int inH, int kernelH) {
        return (inH + 2 * padH - kernelH) / strideH + 1;
    }

    public int outW(int inW, int kernelW) {
        return (inW + 2 * padW - kernelW) / strideW + 1;
    }
}
