package dev.panamax.backend.cpu;

import dev.panamax.backend.Conv2dSpec;
import dev.panamax.backend.Operand;

/**
 * One stride/padding/dilation convolution over dense NCHW float32 data as the direct kernels see
 * it, counted per group: input [n, groups·in, h, w], output [n, groups·out, p, q], each output
 * channel reading {@code taps() = in·kh·kw} weights.
 *
 * <p>The input gradient of a stride-1 convolution is itself such a convolution of the output
 * gradient ("full" convolution): padding {@code dilation·(kernel - 1) - pad} (negative when the
 * forward padding exceeds the kernel's reach) and the weights transposed per group and rotated by
 * 180 degrees, which {@code flipped} selects without copying them.
 */
record ConvProblem(int n, int groups, int in, int h, int w, int out, int kh, int kw, int p, int q,
                   int strideH, int strideW, int padTop, int padLeft, int dilationH, int dilationW, boolean flipped) {

    static ConvProblem forward(Operand x, Operand weight, Operand y, Conv2dSpec sp) {
        long[] xs = x.shape();
        long[] ws = weight.shape();
        long[] ys = y.shape();
        int groups = sp.groups();
        return new ConvProblem((int) xs[0], groups, (int) xs[1] / groups, (int) xs[2], (int) xs[3], (int) ws[0] / groups,
                (int) ws[2], (int) ws[3], (int) ys[2], (int) ys[3], sp.strideH(), sp.strideW(), sp.padTop(), sp.padLeft(),
                sp.dilationH(), sp.dilationW(), false);
    }

    /** The input gradient of this stride-1 convolution as a convolution of gy [n, K, P, Q] into gx [n, C, H, W]. */
    ConvProblem fullConvolution() {
        return new ConvProblem(n, groups, out, p, q, in, kh, kw, h, w, 1, 1, dilationH * (kh - 1) - padTop,
                dilationW * (kw - 1) - padLeft, dilationH, dilationW, true);
    }

    /** Multiply-adds that compute kept results. */
    long multiplyAdds() {
        return (long) n * groups * out * p * q * taps();
    }

    int taps() {
        return in * kh * kw;
    }

    long inputImage() {
        return (long) groups * in * h * w;
    }

    long outputImage() {
        return (long) groups * out * p * q;
    }

    /** Index into the weight tensor of output channel o (in group g) at tap t = (i·kh + r)·kw + s. */
    int weightIndex(int g, int o, int t) {
        if (!flipped) {
            return (g * out + o) * taps() + t;
        }
        int s = t % kw;
        int r = t / kw % kh;
        int i = t / (kw * kh);
        return (((g * in + i) * out + o) * kh + kh - 1 - r) * kw + kw - 1 - s;
    }
}
