package org.covidct.tensor;

/**
 * Stride, symmetric zero padding and channel groups of a 2-d convolution (no dilation). With
 * {@code groups} g the C input and K output channels split into g groups and output group i sees
 * only input group i: the weight is [K, C/g, R, S]. Depthwise convolution is g = C. Asymmetric
 * padding (TensorFlow's SAME at stride 2) is an explicit {@link Ops#pad2d} before the convolution.
 */
public record Conv2dSpec(int strideH, int strideW, int padH, int padW, int groups) {
    public Conv2dSpec {
        if (strideH < 1 || strideW < 1 || padH < 0 || padW < 0 || groups < 1) {
            throw new IllegalArgumentException("conv2d: invalid stride (" + strideH + ", " + strideW
                    + "), padding (" + padH + ", " + padW + ") or groups " + groups);
        }
    }

    /** An ungrouped convolution. */
    public Conv2dSpec(int strideH, int strideW, int padH, int padW) {
        this(strideH, strideW, padH, padW, 1);
    }

    public static Conv2dSpec of(int stride, int padding) {
        return new Conv2dSpec(stride, stride, padding, padding);
    }

    /** The same geometry with {@code g} groups. */
    public Conv2dSpec withGroups(int g) {
        return new Conv2dSpec(strideH, strideW, padH, padW, g);
    }

    public int outH(int inH, int kernelH) {
        return (inH + 2 * padH - kernelH) / strideH + 1;
    }

    public int outW(int inW, int kernelW) {
        return (inW + 2 * padW - kernelW) / strideW + 1;
    }
}
