package dev.panamax.nn;

import dev.panamax.ops.PoolOptions;
import dev.panamax.ops.Pooling;
import dev.panamax.tensor.Tensor;

/**
 * The partial inverse of {@link MaxPool2d}: each value goes back to the position its index names,
 * zeros elsewhere. It needs the pooling's indices, so it is called as
 * {@link #forward(Tensor, Tensor)}.
 */
public final class MaxUnpool2d extends Module {
    private final PoolOptions options;

    /** The inverse of a k×k max pooling with stride k. */
    public MaxUnpool2d(int kernel) {
        this(PoolOptions.kernel(kernel));
    }

    /** The inverse of the pooling with these options (kernel, stride, padding). */
    public MaxUnpool2d(PoolOptions options) {
        this.options = options;
    }

    /** Always fails: unpooling needs the indices. */
    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("MaxUnpool2d: needs the pooling's indices; call forward(input, indices)");
    }

    /** Unpools to PyTorch's default size, (in - 1)·stride - 2·padding + kernel per axis. */
    public Tensor forward(Tensor x, Tensor indices) {
        return Pooling.maxUnpool2d(x, indices, options);
    }

    /** Unpools to an outH × outW plane (PyTorch's {@code output_size}, for inputs whose size the pooling rounded down). */
    public Tensor forward(Tensor x, Tensor indices, int outH, int outW) {
        return Pooling.maxUnpool2d(x, indices, outH, outW);
    }

    @Override
    protected String extraRepr() {
        PoolOptions o = options;
        return "kernel_size=" + Repr.tuple(o.kernelH(), o.kernelW()) + ", stride=" + Repr.tuple(o.strideH(), o.strideW())
                + ", padding=" + Repr.tuple(o.padH(), o.padW());
    }
}
