package dev.panamax.nn;

import dev.panamax.ops.PoolOptions;
import dev.panamax.ops.Pooling;
import dev.panamax.ops.Reduction.ValuesIndices;
import dev.panamax.tensor.Tensor;

/**
 * 2-D max pooling. {@link #forwardWithIndices} is PyTorch's {@code return_indices=True}: the
 * values with the flat index (h·W + w) of each maximum, for {@link MaxUnpool2d}.
 */
public final class MaxPool2d extends Module {
    private final PoolOptions options;

    /** A k×k window, stride k. */
    public MaxPool2d(int kernel) {
        this(PoolOptions.kernel(kernel));
    }

    public MaxPool2d(int kernel, int stride, int padding) {
        this(PoolOptions.kernel(kernel).stride(stride).padding(padding));
    }

    public MaxPool2d(PoolOptions options) {
        this.options = options;
    }

    public PoolOptions options() {
        return options;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Pooling.maxPool2d(x, options);
    }

    /** The maxima and their indices. */
    public ValuesIndices forwardWithIndices(Tensor x) {
        return Pooling.maxPool2dWithIndices(x, options);
    }

    @Override
    protected String extraRepr() {
        PoolOptions o = options;
        return Repr.window(o.kernelH(), o.kernelW(), o.strideH(), o.strideW(), o.padH(), o.padW())
                + ", dilation=" + Repr.pair(o.dilationH(), o.dilationW()) + ", ceil_mode=" + Repr.bool(o.ceilMode());
    }
}
