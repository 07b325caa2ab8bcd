package dev.panamax.ops;

import dev.panamax.backend.Pool2dSpec;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;

/**
 * Checked sizes of one 2-D pooling: input [n, c, h, w], output [n, c, p, q], with PyTorch's
 * rules (positive kernel, stride and dilation; padding at most half the kernel; output size
 * rounded down, or up in ceil mode without a window that starts in the right padding).
 */
record PoolGeometry(long n, long c, long h, long w, long p, long q, Pool2dSpec spec) {
    Shape outputShape() {
        return Shape.of(n, c, p, q);
    }

    static PoolGeometry of(String op, Tensor x, PoolOptions o) {
        requireInput(op, x);
        if (o.kernelH() < 1 || o.kernelW() < 1) {
            throw new IllegalArgumentException(op + ": kernel size must be positive, got " + o.kernelH() + "x" + o.kernelW());
        }
        if (o.strideH() < 1 || o.strideW() < 1) {
            throw new IllegalArgumentException(op + ": stride must be positive, got " + o.strideH() + "x" + o.strideW());
        }
        if (o.dilationH() < 1 || o.dilationW() < 1) {
            throw new IllegalArgumentException(op + ": dilation must be positive, got " + o.dilationH() + "x" + o.dilationW());
        }
        if (o.padH() < 0 || o.padW() < 0 || o.padH() > o.kernelH() / 2 || o.padW() > o.kernelW() / 2) {
            throw new IllegalArgumentException(op + ": padding " + o.padH() + "x" + o.padW() + " must be non-negative and at most half"
                    + " the kernel " + o.kernelH() + "x" + o.kernelW() + " (PyTorch's rule)");
        }
        long h = x.size(2);
        long w = x.size(3);
        long p = outputSize(h, o.kernelH(), o.strideH(), o.padH(), o.dilationH(), o.ceilMode());
        long q = outputSize(w, o.kernelW(), o.strideW(), o.padW(), o.dilationW(), o.ceilMode());
        if (p < 1 || q < 1) {
            throw new IllegalArgumentException(op + ": input " + x.shape() + " is too small for " + o + ": the output would be "
                    + p + "x" + q);
        }
        Pool2dSpec spec = new Pool2dSpec(o.kernelH(), o.kernelW(), o.strideH(), o.strideW(), o.padH(), o.padW(), o.dilationH(), o.dilationW());
        return new PoolGeometry(x.size(0), x.size(1), h, w, p, q, spec);
    }

    /**
     * PyTorch's pooling_output_shape: floor((in + 2·pad - dilation·(k - 1) - 1) / stride) + 1, or
     * with ceil; in ceil mode a last window starting at or past in + pad is dropped.
     */
    static long outputSize(long in, int k, int stride, int pad, int dilation, boolean ceil) {
        long span = in + 2L * pad - (long) dilation * (k - 1) - 1 + (ceil ? stride - 1 : 0);
        long out = Math.floorDiv(span, stride) + 1;
        if (ceil && (out - 1) * stride >= in + pad) {
            out--;
        }
        return out;
    }

    /** x must be a floating-point [N, C, H, W] tensor with non-empty planes (N may be 0). */
    static void requireInput(String op, Tensor x) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException(op + ": input must be [N, C, H, W] or [C, H, W], got " + x.shape());
        }
        OpSupport.requireFloatingPoint(op, "input", x);
        if (x.size(1) == 0 || x.size(2) == 0 || x.size(3) == 0) {
            throw new IllegalArgumentException(op + ": input " + x.shape() + " must have non-zero channels, height and width");
        }
        if (x.size(2) * x.size(3) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": input planes of " + x.size(2) + "x" + x.size(3) + " exceed 2^31 elements");
        }
    }

    /**
     * Fails when some window has no tap inside the input (possible only with dilation): its
     * maximum and index would be undefined. PyTorch returns -inf and an out-of-range index there.
     */
    void requireInputInEveryWindow(String op) {
        checkAxis(op, "row", h, p, spec.kernelH(), spec.strideH(), spec.padTop(), spec.dilationH());
        checkAxis(op, "column", w, q, spec.kernelW(), spec.strideW(), spec.padLeft(), spec.dilationW());
    }

    private static void checkAxis(String op, String axis, long in, long out, int k, int stride, int pad, int dilation) {
        for (long o = 0; o < out; o++) {
            long start = o * stride - pad;
            long firstInside = start >= 0 ? start : start + (-start + dilation - 1) / dilation * dilation;
            if (firstInside >= in || firstInside > start + (long) (k - 1) * dilation) {
                throw new IllegalArgumentException(op + ": the window of output " + axis + " " + o + " (input " + axis + "s " + start
                        + " to " + (start + (long) (k - 1) * dilation) + " in steps of " + dilation + ") holds no input element"
                        + " (input size " + in + "); reduce the padding or dilation");
            }
        }
    }
}
