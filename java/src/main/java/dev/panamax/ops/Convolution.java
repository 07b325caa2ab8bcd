package dev.panamax.ops;

import dev.panamax.autograd.Autograd;
import dev.panamax.autograd.GradMode;
import dev.panamax.backend.Backend;
import dev.panamax.backend.Conv2dSpec;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;

/**
 * Convolutions over NCHW (and NCL) tensors with PyTorch's argument semantics: conv2d, conv1d
 * and convTranspose2d, with stride, padding (numbers, "same", "valid"), dilation and groups.
 */
public final class Convolution {
    private Convolution() {}

    /** conv2d with stride 1, no padding. */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias) {
        return conv2d(x, weight, bias, ConvOptions.DEFAULT);
    }

    /**
     * @param x      [N, C, H, W] (or [C, H, W], unbatched)
     * @param weight [K, C/groups, R, S]
     * @param bias   [K] or null
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, ConvOptions o) {
        if (x.rank() == 3) {
            try (Tensor batched = x.unsqueeze(0); Tensor y = conv2d(batched, weight, bias, o)) {
                return y.squeeze(0);
            }
        }
        Geometry g = Geometry.forConv("conv2d", x, weight, bias, o);
        Backend be = OpSupport.backend("conv2d", x, weight, bias);
        Tensor xc = denseCopyOutsideGraph(x);
        Tensor wc = denseCopyOutsideGraph(weight);
        Tensor out = OpSupport.empty(x, Shape.of(g.n, g.k, g.p, g.q), x.dtype());
        be.conv2d(xc.operand(), wc.operand(), bias == null ? null : bias.operand(), g.spec, out.operand());
        Autograd.record("ConvolutionBackward", out, (gy, needs) -> {
            OpSupport.noHigherOrder("ConvolutionBackward");
            try (Tensor gyc = gy.contiguous()) {
                Tensor gx = null;
                Tensor gw = null;
                if (needs[0]) {
                    gx = OpSupport.empty(x, x.shape(), x.dtype());
                    be.conv2dBackwardInput(gyc.operand(), wc.operand(), g.spec, gx.operand());
                }
                if (needs[1]) {
                    gw = OpSupport.empty(weight, weight.shape(), weight.dtype());
                    be.conv2dBackwardWeight(xc.operand(), gyc.operand(), g.spec, gw.operand());
                }
                Tensor gb = needs[2] ? gyc.sum(new int[] {0, 2, 3}, false) : null;
                return new Tensor[] {gx, gw, gb};
            }
        }, x, weight, bias);
        return OpSupport.saveForBackward(out, xc, wc);
    }

    /**
     * 1-D convolution: x [N, C, L] (or [C, L]), weight [K, C/groups, S]; options' width entries
     * apply (stride(s), padding(p) set both).
     */
    public static Tensor conv1d(Tensor x, Tensor weight, Tensor bias, ConvOptions o) {
        if (x.rank() != 2 && x.rank() != 3) {
            throw new IllegalArgumentException("conv1d: input must be [N, C, L] or [C, L], got " + x.shape());
        }
        if (weight.rank() != 3) {
            throw new IllegalArgumentException("conv1d: weight must be [K, C/groups, S], got " + weight.shape());
        }
        ConvOptions o2 = o.padMode() == null
                ? new ConvOptions(1, o.strideW(), 0, o.padW(), null, 1, o.dilationW(), o.groups(), 0, o.outputPadW())
                : new ConvOptions(1, o.strideW(), 0, 0, o.padMode(), 1, o.dilationW(), o.groups(), 0, o.outputPadW());
        try (Tensor x4 = x.unsqueeze(-2); Tensor w4 = weight.unsqueeze(-2); Tensor y = conv2d(x4, w4, bias, o2)) {
            return y.squeeze(-2);
        }
    }

    /**
     * Transposed convolution (the gradient of conv2d with respect to its input, as a layer):
     * x [N, Cin, H, W], weight [Cin, Cout/groups, R, S], output
     * (H - 1)·stride - 2·padding + dilation·(R - 1) + outputPadding + 1 rows.
     */
    public static Tensor convTranspose2d(Tensor x, Tensor weight, Tensor bias, ConvOptions o) {
        if (x.rank() == 3) {
            try (Tensor batched = x.unsqueeze(0); Tensor y = convTranspose2d(batched, weight, bias, o)) {
                return y.squeeze(0);
            }
        }
        Geometry g = Geometry.forTranspose(x, weight, bias, o);
        Backend be = OpSupport.backend("convTranspose2d", x, weight, bias);
        Tensor xc = denseCopyOutsideGraph(x);
        Tensor wc = denseCopyOutsideGraph(weight);
        // as a convolution, the output y is the "input" and x the "output"
        Tensor out = OpSupport.empty(x, Shape.of(g.n, g.c, g.h, g.w), x.dtype());
        be.conv2dBackwardInput(xc.operand(), wc.operand(), g.spec, out.operand());
        if (bias != null) {
            try (Tensor b = bias.view(1, -1, 1, 1)) {
                Pointwise.inPlace(dev.panamax.backend.BinaryOp.ADD, out, b);
            }
        }
        Autograd.record("ConvolutionBackward", out, (gy, needs) -> {
            OpSupport.noHigherOrder("ConvolutionBackward");
            try (Tensor gyc = gy.contiguous()) {
                Tensor gx = null;
                Tensor gw = null;
                if (needs[0]) {
                    gx = OpSupport.empty(x, x.shape(), x.dtype());
                    be.conv2d(gyc.operand(), wc.operand(), null, g.spec, gx.operand());
                }
                if (needs[1]) {
                    gw = OpSupport.empty(weight, weight.shape(), weight.dtype());
                    be.conv2dBackwardWeight(gyc.operand(), xc.operand(), g.spec, gw.operand());
                }
                Tensor gb = needs[2] ? gyc.sum(new int[] {0, 2, 3}, false) : null;
                return new Tensor[] {gx, gw, gb};
            }
        }, x, weight, bias);
        return OpSupport.saveForBackward(out, xc, wc);
    }

    /** A dense version of t for the kernels (the op's own node carries the gradient, so no graph is recorded here). */
    private static Tensor denseCopyOutsideGraph(Tensor t) {
        try (GradMode.Guard ignored = GradMode.noGrad()) {
            return t.contiguous();
        }
    }

    /**
     * Checked sizes of one convolution in conv2d's terms: input [n, c, h, w], weight [k, c/g, r, s],
     * output [n, k, p, q].
     */
    private record Geometry(long n, long c, long h, long w, long k, long r, long s, long p, long q, Conv2dSpec spec) {
        static Geometry forConv(String op, Tensor x, Tensor weight, Tensor bias, ConvOptions o) {
            checkCommon(op, x, weight, bias, o);
            long n = x.size(0);
            long c = x.size(1);
            long h = x.size(2);
            long w = x.size(3);
            long k = weight.size(0);
            long r = weight.size(2);
            long s = weight.size(3);
            int groups = o.groups();
            if (c % groups != 0 || k % groups != 0) {
                throw new IllegalArgumentException(op + ": input channels " + c + " and output channels " + k
                        + " must both be divisible by groups " + groups);
            }
            if (weight.size(1) != c / groups) {
                throw new IllegalArgumentException(op + ": weight " + weight.shape() + " expects " + weight.size(1) * groups
                        + " input channels (weight.size(1) * groups), but the input " + x.shape() + " has " + c);
            }
            if (bias != null && (bias.rank() != 1 || bias.size(0) != k)) {
                throw new IllegalArgumentException(op + ": bias must be 1-D of size " + k + " (out channels), got " + bias.shape());
            }
            long effR = (long) o.dilationH() * (r - 1) + 1;
            long effS = (long) o.dilationW() * (s - 1) + 1;
            long padTop;
            long padBottom;
            long padLeft;
            long padRight;
            if ("same".equals(o.padMode())) {
                if (o.strideH() != 1 || o.strideW() != 1) {
                    throw new IllegalArgumentException(op + ": padding=\"same\" is not supported for strided convolutions (stride "
                            + o.strideH() + "x" + o.strideW() + ")");
                }
                padTop = (effR - 1) / 2;
                padBottom = effR - 1 - padTop;
                padLeft = (effS - 1) / 2;
                padRight = effS - 1 - padLeft;
            } else if ("valid".equals(o.padMode())) {
                padTop = padBottom = padLeft = padRight = 0;
            } else {
                padTop = padBottom = o.padH();
                padLeft = padRight = o.padW();
            }
            if (h + padTop + padBottom < effR || w + padLeft + padRight < effS) {
                throw new IllegalArgumentException(op + ": kernel " + effR + "x" + effS + " (after dilation) is larger than the padded input "
                        + (h + padTop + padBottom) + "x" + (w + padLeft + padRight) + " (input " + x.shape() + ")");
            }
            long p = (h + padTop + padBottom - effR) / o.strideH() + 1;
            long q = (w + padLeft + padRight - effS) / o.strideW() + 1;
            Conv2dSpec spec = new Conv2dSpec(o.strideH(), o.strideW(), (int) padTop, (int) padLeft, o.dilationH(), o.dilationW(), groups);
            return new Geometry(n, c, h, w, k, r, s, p, q, spec);
        }

        /** The transposed convolution of x as conv2d's backward: conv input = its output. */
        static Geometry forTranspose(Tensor x, Tensor weight, Tensor bias, ConvOptions o) {
            String op = "convTranspose2d";
            checkCommon(op, x, weight, bias, o);
            if (o.padMode() != null) {
                throw new IllegalArgumentException(op + ": padding must be a number, not \"" + o.padMode() + "\"");
            }
            int groups = o.groups();
            long n = x.size(0);
            long cin = x.size(1);
            if (weight.size(0) != cin) {
                throw new IllegalArgumentException(op + ": weight " + weight.shape() + " expects " + weight.size(0)
                        + " input channels (weight.size(0)), but the input " + x.shape() + " has " + cin);
            }
            if (cin % groups != 0) {
                throw new IllegalArgumentException(op + ": input channels " + cin + " must be divisible by groups " + groups);
            }
            long cout = weight.size(1) * groups;
            if (bias != null && (bias.rank() != 1 || bias.size(0) != cout)) {
                throw new IllegalArgumentException(op + ": bias must be 1-D of size " + cout + " (out channels), got " + bias.shape());
            }
            if (o.outputPadH() < 0 || o.outputPadW() < 0
                    || (o.outputPadH() >= o.strideH() && o.outputPadH() >= o.dilationH())
                    || (o.outputPadW() >= o.strideW() && o.outputPadW() >= o.dilationW())) {
                throw new IllegalArgumentException(op + ": output padding " + o.outputPadH() + "x" + o.outputPadW()
                        + " must be smaller than either stride or dilation (" + o.strideH() + "x" + o.strideW() + ", "
                        + o.dilationH() + "x" + o.dilationW() + ")");
            }
            long r = weight.size(2);
            long s = weight.size(3);
            long hOut = (x.size(2) - 1) * o.strideH() - 2L * o.padH() + (long) o.dilationH() * (r - 1) + o.outputPadH() + 1;
            long wOut = (x.size(3) - 1) * o.strideW() - 2L * o.padW() + (long) o.dilationW() * (s - 1) + o.outputPadW() + 1;
            if (hOut <= 0 || wOut <= 0) {
                throw new IllegalArgumentException(op + ": the output would be " + hOut + "x" + wOut + " for input " + x.shape());
            }
            Conv2dSpec spec = new Conv2dSpec(o.strideH(), o.strideW(), o.padH(), o.padW(), o.dilationH(), o.dilationW(), groups);
            // conv2d view: input [n, cout, hOut, wOut], weight [cin, cout/g, r, s], output [n, cin, h, w]
            return new Geometry(n, cout, hOut, wOut, cin, r, s, x.size(2), x.size(3), spec);
        }

        private static void checkCommon(String op, Tensor x, Tensor weight, Tensor bias, ConvOptions o) {
            if (x.rank() != 4) {
                throw new IllegalArgumentException(op + ": input must be [N, C, H, W] (or [C, H, W]), got " + x.shape());
            }
            if (weight.rank() != 4) {
                throw new IllegalArgumentException(op + ": weight must be 4-D, got " + weight.shape());
            }
            OpSupport.requireFloatingPoint(op, "input", x);
            if (weight.dtype() != x.dtype() || (bias != null && bias.dtype() != x.dtype())) {
                throw new IllegalArgumentException(op + ": input, weight and bias must have one dtype, got " + x.dtype().pyName()
                        + ", " + weight.dtype().pyName() + (bias == null ? "" : ", " + bias.dtype().pyName()));
            }
            if (o.strideH() < 1 || o.strideW() < 1) {
                throw new IllegalArgumentException(op + ": stride must be positive, got " + o.strideH() + "x" + o.strideW());
            }
            if (o.dilationH() < 1 || o.dilationW() < 1) {
                throw new IllegalArgumentException(op + ": dilation must be positive, got " + o.dilationH() + "x" + o.dilationW());
            }
            if (o.padH() < 0 || o.padW() < 0) {
                throw new IllegalArgumentException(op + ": padding must be non-negative, got " + o.padH() + "x" + o.padW());
            }
            if (o.groups() < 1) {
                throw new IllegalArgumentException(op + ": groups must be positive, got " + o.groups());
            }
        }
    }
}
