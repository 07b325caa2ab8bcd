package dev.panamax.backend.cpu;

import dev.panamax.backend.Conv2dSpec;
import dev.panamax.backend.Operand;
import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The CPU convolution passes, each choosing its algorithm by dtype and shape:
 * <ul>
 *   <li>float32 3×3 stride-1 forward with enough channels and pixels: Winograd's minimal filtering
 *       ({@link WinogradConv}); its input gradient, a convolution of the same kind, too;</li>
 *   <li>float32 forward otherwise: direct convolution over zero-padded input bands, with output pixels in
 *       the vector lanes ({@link RowVectorConv}, wide rows) or output channels in the lanes
 *       ({@link ChannelVectorConv}, narrow rows and 16+ channels), whichever is faster by wasted
 *       lanes and kernel speed;</li>
 *   <li>float32 input gradient: weight × output-gradient vectors folded back onto the input
 *       ({@link FoldedInputGradient}, any stride, no work on padding), or for stride 1 the
 *       forward algorithms on the "full" convolution of the output gradient with the rotated
 *       weights ({@link ConvProblem#fullConvolution}), whichever spends fewer multiply-add lanes;</li>
 *   <li>float32 weight gradient: dot products with pixels in the lanes
 *       ({@link RowVectorConv#weightGradient}, few channels) or outer products with channels in
 *       the lanes ({@link ChannelVectorConv#weightGradient}), whichever wastes fewer lanes;</li>
 *   <li>1×1 stride-1 unpadded convolutions (a plain matrix product), float64, and the input
 *       gradient of strided convolutions too large to fold: im2col and GEMM ({@link Im2colConv}).</li>
 * </ul>
 * Every operand is dense NCHW (the op makes it so); the bias may be strided.
 */
final class ConvKernels {
    /** The float32 algorithms besides im2col; FOLDED only computes input gradients, WINOGRAD no weight gradients. */
    enum Direct { ROW_VECTORS, CHANNEL_VECTORS, FOLDED, WINOGRAD }

    /**
     * Multiply-adds per second of the channel-vector forward kernel relative to the row-vector one:
     * 12 gathered broadcasts per weight vector against 6 packed broadcasts per 4 input vectors
     * (measured on Zen 4: c64 56x56 and the 7x7 stem run 1.45x faster by rows at equal waste).
     */
    private static final double CHANNEL_FORWARD_SPEED = 0.7;

    private ConvKernels() {}

    static void forward(Operand x, Operand w, Operand bias, Conv2dSpec spec, Operand y) {
        ConvProblem pr = ConvProblem.forward(x, w, y, spec);
        Direct how = forwardAlgorithm(x, pr);
        if (how == null) {
            Im2colConv.forward(x, w, bias, spec, y);
            return;
        }
        run(pr, how, x, weights(w), biases(bias), y);
    }

    /** The forward algorithm for pr over x's dtype; null: im2col and GEMM. */
    static Direct forwardAlgorithm(Operand x, ConvProblem pr) {
        return direct(x, pr) ? choose(pr) : null;
    }

    static void backwardInput(Operand gy, Operand w, Conv2dSpec spec, Operand gx) {
        ConvProblem pr = ConvProblem.forward(gx, w, gy, spec);
        Direct how = direct(gy, pr) ? chooseInputGradient(pr) : null;
        if (how == null) {
            Im2colConv.backwardInput(gy, w, spec, gx);
        } else if (how == Direct.FOLDED) {
            FoldedInputGradient.run(pr, CpuBackend.segment(gy), gy.offset(), weights(w), CpuBackend.segment(gx), gx.offset());
        } else {
            run(pr.fullConvolution(), how, gy, weights(w), null, gx);
        }
    }

    static void backwardWeight(Operand x, Operand gy, Conv2dSpec spec, Operand gw) {
        ConvProblem pr = ConvProblem.forward(x, gw, gy, spec);
        if (!direct(x, pr)) {
            Im2colConv.backwardWeight(x, gy, spec, gw);
            return;
        }
        float[] grad = new float[Math.toIntExact(gw.numel())];
        MemorySegment xs = CpuBackend.segment(x);
        MemorySegment gys = CpuBackend.segment(gy);
        switch (chooseWeightGradient(pr)) {
            case ROW_VECTORS -> RowVectorConv.weightGradient(pr, xs, x.offset(), gys, gy.offset(), grad);
            case CHANNEL_VECTORS -> ChannelVectorConv.weightGradient(pr, xs, x.offset(), gys, gy.offset(), grad);
        }
        MemorySegment.copy(grad, 0, CpuBackend.segment(gw), ValueLayout.JAVA_FLOAT, gw.offset() * Float.BYTES, grad.length);
    }

    /** The direct kernels take float32 convolutions that are not plain matrix products. */
    private static boolean direct(Operand x, ConvProblem pr) {
        boolean pointwise = pr.kh() == 1 && pr.kw() == 1 && pr.strideH() == 1 && pr.strideW() == 1
                && pr.padTop() == 0 && pr.padLeft() == 0 && pr.p() == pr.h() && pr.q() == pr.w();
        return x.dtype() == DType.FLOAT32 && !pointwise && pr.n() > 0 && pr.in() > 0 && pr.out() > 0;
    }

    /**
     * The forward algorithm that takes less time on this problem, by the multiply-add lanes each
     * spends (wasted lanes, kernel speed, and for Winograd its transforms).
     */
    static Direct choose(ConvProblem pr) {
        Direct direct = RowVectorConv.efficiency(pr) >= ChannelVectorConv.efficiency(pr) * CHANNEL_FORWARD_SPEED
                ? Direct.ROW_VECTORS : Direct.CHANNEL_VECTORS;
        return WinogradConv.applies(pr) && WinogradConv.lanes(pr) < lanes(pr, direct) ? Direct.WINOGRAD : direct;
    }

    /** Multiply-add lanes at the row-vector kernel's speed that a forward algorithm spends on pr. */
    private static double lanes(ConvProblem pr, Direct way) {
        return switch (way) {
            case ROW_VECTORS -> pr.multiplyAdds() / RowVectorConv.efficiency(pr);
            case CHANNEL_VECTORS -> pr.multiplyAdds() / (ChannelVectorConv.efficiency(pr) * CHANNEL_FORWARD_SPEED);
            case WINOGRAD -> WinogradConv.lanes(pr);
            case FOLDED -> throw new IllegalArgumentException("folding is no forward algorithm");
        };
    }

    /**
     * How to compute the input gradient of pr: FOLDED, or (stride 1) the full convolution's
     * algorithm, whichever spends fewer multiply-add lanes; null (im2col) for a strided
     * convolution whose image is too large to fold in one buffer.
     */
    static Direct chooseInputGradient(ConvProblem pr) {
        boolean stride1 = pr.strideH() == 1 && pr.strideW() == 1;
        if (!FoldedInputGradient.fits(pr)) {
            return stride1 ? choose(pr.fullConvolution()) : null;
        }
        if (!stride1) {
            return Direct.FOLDED;
        }
        ConvProblem full = pr.fullConvolution();
        Direct fullWay = choose(full);
        return pr.multiplyAdds() * FoldedInputGradient.cost(pr) <= lanes(full, fullWay) ? Direct.FOLDED : fullWay;
    }

    /** The direct weight-gradient algorithm that wastes fewer vector lanes on this problem. */
    static Direct chooseWeightGradient(ConvProblem pr) {
        return RowVectorConv.weightGradientEfficiency(pr) >= ChannelVectorConv.weightGradientEfficiency(pr)
                ? Direct.ROW_VECTORS : Direct.CHANNEL_VECTORS;
    }

    private static void run(ConvProblem pr, Direct how, Operand x, float[] weights, float[] bias, Operand y) {
        MemorySegment xs = CpuBackend.segment(x);
        MemorySegment ys = CpuBackend.segment(y);
        switch (how) {
            case ROW_VECTORS -> RowVectorConv.run(pr, xs, x.offset(), weights, bias, ys, y.offset());
            case CHANNEL_VECTORS -> ChannelVectorConv.run(pr, xs, x.offset(), weights, bias, ys, y.offset());
            case WINOGRAD -> WinogradConv.run(pr, xs, x.offset(), weights, bias, ys, y.offset());
        }
    }

    private static float[] weights(Operand w) {
        float[] a = new float[Math.toIntExact(w.numel())];
        MemorySegment.copy(CpuBackend.segment(w), ValueLayout.JAVA_FLOAT, w.offset() * Float.BYTES, a, 0, a.length);
        return a;
    }

    private static float[] biases(Operand bias) {
        if (bias == null) {
            return null;
        }
        MemorySegment s = CpuBackend.segment(bias);
        float[] b = new float[(int) bias.shape()[0]];
        for (int k = 0; k < b.length; k++) {
            b[k] = s.getAtIndex(ValueLayout.JAVA_FLOAT, bias.offset() + k * bias.strides()[0]);
        }
        return b;
    }
}
