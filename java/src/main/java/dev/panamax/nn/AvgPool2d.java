package dev.panamax.nn;

import dev.panamax.ops.PoolOptions;
import dev.panamax.ops.Pooling;
import dev.panamax.tensor.Tensor;

/**
 * 2-D average pooling. By default (as PyTorch) the padding counts in each window's divisor;
 * {@code countIncludePad = false} divides by the input elements only, and a non-zero
 * {@code divisorOverride} replaces the divisor.
 */
public final class AvgPool2d extends Module {
    private final PoolOptions options;
    private final boolean countIncludePad;
    private final int divisorOverride;

    /** A k×k window, stride k. */
    public AvgPool2d(int kernel) {
        this(PoolOptions.kernel(kernel));
    }

    public AvgPool2d(int kernel, int stride, int padding) {
        this(PoolOptions.kernel(kernel).stride(stride).padding(padding));
    }

    public AvgPool2d(PoolOptions options) {
        this(options, true, 0);
    }

    /** @param divisorOverride 0 for none (PyTorch's None) */
    public AvgPool2d(PoolOptions options, boolean countIncludePad, int divisorOverride) {
        this.options = options;
        this.countIncludePad = countIncludePad;
        this.divisorOverride = divisorOverride;
    }

    public PoolOptions options() {
        return options;
    }

    @Override
    public Tensor forward(Tensor x) {
        return divisorOverride == 0
                ? Pooling.avgPool2d(x, options, countIncludePad)
                : Pooling.avgPool2d(x, options, countIncludePad, divisorOverride);
    }

    @Override
    protected String extraRepr() {
        PoolOptions o = options;
        return Repr.window(o.kernelH(), o.kernelW(), o.strideH(), o.strideW(), o.padH(), o.padW());
    }
}
