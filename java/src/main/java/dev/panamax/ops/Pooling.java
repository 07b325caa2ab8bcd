package dev.panamax.ops;

import dev.panamax.autograd.Autograd;
import dev.panamax.backend.Backend;
import dev.panamax.ops.Reduction.ValuesIndices;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;
import java.util.function.Function;

/**
 * 2-D pooling over NCHW tensors (or unbatched CHW) with PyTorch's semantics: max pooling with
 * indices and its inverse (max unpooling), average pooling, adaptive and global pooling. Indices
 * are flat positions h·W + w within each input plane, as PyTorch's. Stochastic pooling lives in
 * {@link StochasticPooling}.
 */
public final class Pooling {
    private Pooling() {}

    // ---------------------------------------------------------------- max pooling

    /** Max pooling with a k×k window, stride k. */
    public static Tensor maxPool2d(Tensor x, int kernel) {
        return maxPool2d(x, PoolOptions.kernel(kernel));
    }

    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding) {
        return maxPool2d(x, PoolOptions.kernel(kernel).stride(stride).padding(padding));
    }

    /** Max pooling (values only; the indices are computed only when a backward will need them). */
    public static Tensor maxPool2d(Tensor x, PoolOptions o) {
        if (x.rank() == 3) {
            return unbatched(x, b -> maxPool2d(b, o));
        }
        if (Autograd.willRecord(x)) {
            ValuesIndices r = maxPool2dWithIndices(x, o);
            r.indices().close();
            return r.values();
        }
        PoolGeometry g = maxGeometry("maxPool2d", x, o);
        Backend be = OpSupport.backend("maxPool2d", x);
        Tensor out = OpSupport.empty(x, g.outputShape(), x.dtype());
        try (Tensor xc = x.contiguous()) {
            be.maxPool2d(xc.operand(), g.spec(), out.operand(), null);
        }
        return out;
    }

    /**
     * Max pooling with the index (h·W + w in the input plane) of each maximum: the first in
     * row-major window order among ties, the last NaN if the window holds NaNs (as PyTorch). The
     * gradient goes to that element only.
     */
    public static ValuesIndices maxPool2dWithIndices(Tensor x, PoolOptions o) {
        if (x.rank() == 3) {
            return unbatchedPair(x, b -> maxPool2dWithIndices(b, o));
        }
        PoolGeometry g = maxGeometry("maxPool2d", x, o);
        Backend be = OpSupport.backend("maxPool2d", x);
        Tensor out = OpSupport.empty(x, g.outputShape(), x.dtype());
        Tensor indices = OpSupport.empty(x, g.outputShape(), DType.INT64);
        try (Tensor xc = x.contiguous()) {
            be.maxPool2d(xc.operand(), g.spec(), out.operand(), indices.operand());
        }
        return new ValuesIndices(recordScatterBackward("MaxPool2DWithIndicesBackward", be, x, out, indices), indices);
    }

    private static PoolGeometry maxGeometry(String op, Tensor x, PoolOptions o) {
        PoolGeometry g = PoolGeometry.of(op, x, o);
        g.requireInputInEveryWindow(op);
        return g;
    }

    /**
     * Records the backward of an op whose output element i is input element indices[i] of its
     * plane: the gradient is scattered (added) back through the indices. Returns out.
     */
    static Tensor recordScatterBackward(String name, Backend be, Tensor x, Tensor out, Tensor indices) {
        Tensor saved = Autograd.willRecord(x) ? indices.viewOf(indices.shape(), indices.strides(), indices.storageOffset()) : null;
        Autograd.record(name, out, (gy, needs) -> {
            OpSupport.noHigherOrder(name);
            try (Tensor gyc = gy.contiguous()) {
                Tensor gx = OpSupport.empty(x, x.shape(), x.dtype());
                be.maxPool2dBackward(gyc.operand(), saved.operand(), gx.operand());
                return new Tensor[] {gx};
            }
        }, x);
        return saved == null ? out : OpSupport.saveForBackward(out, saved);
    }

    /**
     * The partial inverse of max pooling: every x[n, c, i, j] goes to position indices[n, c, i, j]
     * of an outH × outW plane, the rest is zero ({@code max_unpool2d} with output_size).
     */
    public static Tensor maxUnpool2d(Tensor x, Tensor indices, int outH, int outW) {
        if (x.rank() == 3) {
            try (Tensor ib = indices.unsqueeze(0)) {
                return unbatched(x, b -> maxUnpool2d(b, ib, outH, outW));
            }
        }
        String op = "maxUnpool2d";
        PoolGeometry.requireInput(op, x);
        if (indices.dtype() != DType.INT64) {
            throw new IllegalArgumentException(op + ": indices must be int64, got " + indices.describe());
        }
        if (!indices.shape().equals(x.shape())) {
            throw new IllegalArgumentException(op + ": indices " + indices.shape() + " must have the input's shape " + x.shape());
        }
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException(op + ": output size must be positive, got " + outH + "x" + outW);
        }
        checkIndexRange(op, indices, outH, outW);
        Backend be = OpSupport.backend(op, x, indices);
        Tensor out = OpSupport.empty(x, Shape.of(x.size(0), x.size(1), outH, outW), x.dtype());
        Tensor ic = indices.contiguous();
        try (Tensor xc = x.contiguous()) {
            be.maxUnpool2d(xc.operand(), ic.operand(), out.operand());
        }
        Autograd.record("MaxUnpool2DBackward", out, (gy, needs) -> {
            OpSupport.noHigherOrder("MaxUnpool2DBackward");
            try (Tensor gyc = gy.contiguous()) {
                Tensor gx = OpSupport.empty(x, x.shape(), x.dtype());
                be.maxUnpool2dBackward(gyc.operand(), ic.operand(), gx.operand());
                return new Tensor[] {gx, null};
            }
        }, x, indices);
        return OpSupport.saveForBackward(out, ic);
    }

    /**
     * Max unpooling to PyTorch's default size for the pooling that made the indices:
     * (in - 1)·stride - 2·padding + kernel per axis.
     */
    public static Tensor maxUnpool2d(Tensor x, Tensor indices, PoolOptions o) {
        if (o.dilationH() != 1 || o.dilationW() != 1) {
            throw new IllegalArgumentException("maxUnpool2d: dilation is not supported (PyTorch's max_unpool2d has none), got "
                    + o.dilationH() + "x" + o.dilationW());
        }
        if (x.rank() < 2) {
            throw new IllegalArgumentException("maxUnpool2d: input must be [N, C, H, W] or [C, H, W], got " + x.shape());
        }
        long outH = (x.size(-2) - 1) * o.strideH() - 2L * o.padH() + o.kernelH();
        long outW = (x.size(-1) - 1) * o.strideW() - 2L * o.padW() + o.kernelW();
        return maxUnpool2d(x, indices, Math.toIntExact(outH), Math.toIntExact(outW));
    }

    private static void checkIndexRange(String op, Tensor indices, int outH, int outW) {
        if (indices.numel() == 0) {
            return;
        }
        try (Tensor lo = indices.min(); Tensor hi = indices.max()) {
            long min = (long) lo.item();
            long max = (long) hi.item();
            if (min < 0 || max >= (long) outH * outW) {
                throw new IllegalArgumentException(op + ": found an invalid max index " + (min < 0 ? min : max) + " (the output planes are "
                        + outH + "x" + outW + ")");
            }
        }
    }

    // ---------------------------------------------------------------- average pooling

    /** Average pooling with a k×k window, stride k. */
    public static Tensor avgPool2d(Tensor x, int kernel) {
        return avgPool2d(x, PoolOptions.kernel(kernel));
    }

    /** Average pooling that counts the padding in the divisor (PyTorch's default). */
    public static Tensor avgPool2d(Tensor x, PoolOptions o) {
        return average(x, o, true, 0);
    }

    public static Tensor avgPool2d(Tensor x, PoolOptions o, boolean countIncludePad) {
        return average(x, o, countIncludePad, 0);
    }

    /**
     * Average pooling divided by {@code divisorOverride} instead of the window size (non-zero,
     * as PyTorch requires). Without the override, a window's divisor is its size clipped to the
     * padded input ({@code countIncludePad}) or its number of input elements.
     */
    public static Tensor avgPool2d(Tensor x, PoolOptions o, boolean countIncludePad, int divisorOverride) {
        if (divisorOverride == 0) {
            throw new IllegalArgumentException("avgPool2d: divisorOverride must not be zero");
        }
        return average(x, o, countIncludePad, divisorOverride);
    }

    private static Tensor average(Tensor x, PoolOptions o, boolean countIncludePad, int divisorOverride) {
        if (x.rank() == 3) {
            return unbatched(x, b -> average(b, o, countIncludePad, divisorOverride));
        }
        String op = "avgPool2d";
        if (o.dilationH() != 1 || o.dilationW() != 1) {
            throw new IllegalArgumentException(op + ": dilation is not supported (PyTorch's avg_pool2d has none), got "
                    + o.dilationH() + "x" + o.dilationW());
        }
        PoolGeometry g = PoolGeometry.of(op, x, o);
        Backend be = OpSupport.backend(op, x);
        Tensor out = OpSupport.empty(x, g.outputShape(), x.dtype());
        try (Tensor xc = x.contiguous()) {
            be.avgPool2d(xc.operand(), g.spec(), countIncludePad, divisorOverride, out.operand());
        }
        return Autograd.record("AvgPool2DBackward", out, (gy, needs) -> {
            OpSupport.noHigherOrder("AvgPool2DBackward");
            try (Tensor gyc = gy.contiguous()) {
                Tensor gx = OpSupport.empty(x, x.shape(), x.dtype());
                be.avgPool2dBackward(gyc.operand(), g.spec(), countIncludePad, divisorOverride, gx.operand());
                return new Tensor[] {gx};
            }
        }, x);
    }

    // ---------------------------------------------------------------- adaptive and global pooling

    /** Average pooling to an outH × outW output: window i covers rows [floor(i·H/outH), ceil((i+1)·H/outH)). */
    public static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        if (x.rank() == 3) {
            return unbatched(x, b -> adaptiveAvgPool2d(b, outH, outW));
        }
        String op = "adaptiveAvgPool2d";
        Shape shape = adaptiveShape(op, x, outH, outW);
        Backend be = OpSupport.backend(op, x);
        Tensor out = OpSupport.empty(x, shape, x.dtype());
        try (Tensor xc = x.contiguous()) {
            be.adaptiveAvgPool2d(xc.operand(), out.operand());
        }
        return Autograd.record("AdaptiveAvgPool2DBackward", out, (gy, needs) -> {
            OpSupport.noHigherOrder("AdaptiveAvgPool2DBackward");
            try (Tensor gyc = gy.contiguous()) {
                Tensor gx = OpSupport.empty(x, x.shape(), x.dtype());
                be.adaptiveAvgPool2dBackward(gyc.operand(), gx.operand());
                return new Tensor[] {gx};
            }
        }, x);
    }

    public static Tensor adaptiveAvgPool2d(Tensor x, int size) {
        return adaptiveAvgPool2d(x, size, size);
    }

    /** Max over adaptiveAvgPool2d's windows (values only). */
    public static Tensor adaptiveMaxPool2d(Tensor x, int outH, int outW) {
        if (x.rank() == 3) {
            return unbatched(x, b -> adaptiveMaxPool2d(b, outH, outW));
        }
        if (Autograd.willRecord(x)) {
            ValuesIndices r = adaptiveMaxPool2dWithIndices(x, outH, outW);
            r.indices().close();
            return r.values();
        }
        String op = "adaptiveMaxPool2d";
        Shape shape = adaptiveShape(op, x, outH, outW);
        Backend be = OpSupport.backend(op, x);
        Tensor out = OpSupport.empty(x, shape, x.dtype());
        try (Tensor xc = x.contiguous()) {
            be.adaptiveMaxPool2d(xc.operand(), out.operand(), null);
        }
        return out;
    }

    /** Adaptive max pooling with indices chosen as in {@link #maxPool2dWithIndices}. */
    public static ValuesIndices adaptiveMaxPool2dWithIndices(Tensor x, int outH, int outW) {
        if (x.rank() == 3) {
            return unbatchedPair(x, b -> adaptiveMaxPool2dWithIndices(b, outH, outW));
        }
        String op = "adaptiveMaxPool2d";
        Shape shape = adaptiveShape(op, x, outH, outW);
        Backend be = OpSupport.backend(op, x);
        Tensor out = OpSupport.empty(x, shape, x.dtype());
        Tensor indices = OpSupport.empty(x, shape, DType.INT64);
        try (Tensor xc = x.contiguous()) {
            be.adaptiveMaxPool2d(xc.operand(), out.operand(), indices.operand());
        }
        return new ValuesIndices(recordScatterBackward("AdaptiveMaxPool2DBackward", be, x, out, indices), indices);
    }

    /** Mean of each plane, [N, C, 1, 1] (adaptive average pooling to 1×1). */
    public static Tensor globalAvgPool2d(Tensor x) {
        return adaptiveAvgPool2d(x, 1, 1);
    }

    /** Maximum of each plane, [N, C, 1, 1]. */
    public static Tensor globalMaxPool2d(Tensor x) {
        return adaptiveMaxPool2d(x, 1, 1);
    }

    private static Shape adaptiveShape(String op, Tensor x, int outH, int outW) {
        PoolGeometry.requireInput(op, x);
        if (outH < 0 || outW < 0) {
            throw new IllegalArgumentException(op + ": output size must be non-negative, got " + outH + "x" + outW);
        }
        return Shape.of(x.size(0), x.size(1), outH, outW);
    }

    // ---------------------------------------------------------------- unbatched inputs

    /** Runs a 4-D op on [C, H, W] as [1, C, H, W] and drops the batch dim again. */
    static Tensor unbatched(Tensor x, Function<Tensor, Tensor> op) {
        try (Tensor b = x.unsqueeze(0); Tensor y = op.apply(b)) {
            return y.squeeze(0);
        }
    }

    static ValuesIndices unbatchedPair(Tensor x, Function<Tensor, ValuesIndices> op) {
        try (Tensor b = x.unsqueeze(0); ValuesIndices r = op.apply(b)) {
            return new ValuesIndices(r.values().squeeze(0), r.indices().squeeze(0));
        }
    }
}
