package dev.panamax.ops;

/**
 * Window of a 2-D pooling op: kernel, stride (PyTorch's default: the kernel), padding per side,
 * dilation and ceil mode. Immutable; each wither returns a copy:
 * {@code PoolOptions.kernel(3).stride(2).padding(1)}.
 *
 * @param ceilMode round the output size up, as PyTorch's {@code ceil_mode}: an extra window that
 *                 still starts inside the input or its left/top padding
 */
public record PoolOptions(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, int dilationH, int dilationW,
                          boolean ceilMode) {
    /** A k×k window with stride k, no padding. */
    public static PoolOptions kernel(int k) {
        return kernel(k, k);
    }

    public static PoolOptions kernel(int kh, int kw) {
        return new PoolOptions(kh, kw, kh, kw, 0, 0, 1, 1, false);
    }

    public PoolOptions stride(int s) {
        return stride(s, s);
    }

    public PoolOptions stride(int sh, int sw) {
        return new PoolOptions(kernelH, kernelW, sh, sw, padH, padW, dilationH, dilationW, ceilMode);
    }

    public PoolOptions padding(int p) {
        return padding(p, p);
    }

    public PoolOptions padding(int ph, int pw) {
        return new PoolOptions(kernelH, kernelW, strideH, strideW, ph, pw, dilationH, dilationW, ceilMode);
    }

    public PoolOptions dilation(int d) {
        return dilation(d, d);
    }

    public PoolOptions dilation(int dh, int dw) {
        return new PoolOptions(kernelH, kernelW, strideH, strideW, padH, padW, dh, dw, ceilMode);
    }

    public PoolOptions ceilMode(boolean ceil) {
        return new PoolOptions(kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, ceil);
    }

    @Override
    public String toString() {
        return "kernel " + kernelH + "x" + kernelW + ", stride " + strideH + "x" + strideW + ", padding " + padH + "x" + padW
                + ", dilation " + dilationH + "x" + dilationW + (ceilMode ? ", ceil mode" : "");
    }
}
