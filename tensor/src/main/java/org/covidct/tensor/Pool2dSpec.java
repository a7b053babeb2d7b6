package org.covidct.tensor;

/**
 * Window, stride and zero-based padding of a 2-d pooling, with PyTorch's floor output size
 * (ceil_mode=False). Padding adds cells on both sides of each axis, at most half the window as
 * PyTorch requires: a max pooling never picks one, an average pooling counts them as zeros
 * (count_include_pad=True).
 */
public record Pool2dSpec(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {
    public Pool2dSpec {
        if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("pool2d: invalid kernel (" + kernelH + ", " + kernelW + "), stride ("
                    + strideH + ", " + strideW + ") or padding (" + padH + ", " + padW + ")");
        }
        if (padH > kernelH / 2 || padW > kernelW / 2) {
            throw new IllegalArgumentException("pool2d: padding (" + padH + ", " + padW
                    + ") is more than half the kernel (" + kernelH + ", " + kernelW + ")");
        }
    }

    /** Without padding. */
    public Pool2dSpec(int kernelH, int kernelW, int strideH, int strideW) {
        this(kernelH, kernelW, strideH, strideW, 0, 0);
    }

    /** A square window without padding. */
    public static Pool2dSpec of(int kernel, int stride) {
        return new Pool2dSpec(kernel, kernel, stride, stride);
    }

    /** A square window, the same stride and padding on both axes. */
    public static Pool2dSpec of(int kernel, int stride, int padding) {
        return new Pool2dSpec(kernel, kernel, stride, stride, padding, padding);
    }

    public int outH(int inH) {
        return (inH + 2 * padH - kernelH) / strideH + 1;
    }

    public int outW(int inW) {
        return (inW + 2 * padW - kernelW) / strideW + 1;
    }
}
