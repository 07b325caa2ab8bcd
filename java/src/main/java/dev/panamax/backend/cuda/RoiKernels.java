package dev.panamax.backend.cuda;

import dev.panamax.backend.Operand;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** torchvision's roi_pool and roi_align over dense operands (native/src/roi.cu). */
final class RoiKernels {
    /** roi.cu's RoiSizes: x [n, c, h, w], output [k, c, ph, pw], and padding. */
    private static final long SIZES_BYTES = 8 * 4;

    private final CudaContext ctx;

    RoiKernels(CudaContext ctx) {
        this.ctx = ctx;
    }

    private static KernelArgs sizes(KernelArgs args, Operand x, Operand y) {
        long[] a = x.shape();
        long[] b = y.shape();
        int[] s = {(int) a[0], (int) a[1], (int) a[2], (int) a[3], (int) b[0], (int) b[2], (int) b[3], 0};
        return args.struct(SIZES_BYTES, seg -> MemorySegment.copy(s, 0, seg, ValueLayout.JAVA_INT, 0, s.length));
    }

    private static String type(Operand x) {
        return ElementwiseKernels.suffix(x);
    }

    void roiPool(Operand x, Operand boxes, double spatialScale, Operand y, Operand argmax) {
        if (y.numel() > 0) {
            ctx.launch("pmx_roi_pool" + type(x), ctx.blocksFor(y.numel()),
                    sizes(KernelArgs.begin().ptr(x).ptr(boxes).f64(spatialScale).ptr(y).ptr(argmax), x, y));
        }
    }

    /** One thread per (image, channel) plane visits its image's boxes in order. */
    void roiPoolBackward(Operand gy, Operand boxes, Operand argmax, Operand gx) {
        ctx.memset(CudaStorage.address(gx), gx.numel() * gx.dtype().byteSize());
        if (gy.numel() > 0 && gx.numel() > 0) {
            ctx.launch("pmx_roi_pool_backward" + type(gx), ctx.blocksFor(gx.shape()[0] * gx.shape()[1]),
                    sizes(KernelArgs.begin().ptr(gy).ptr(boxes).ptr(argmax).ptr(gx), gx, gy));
        }
    }

    void roiAlign(Operand x, Operand boxes, double spatialScale, int samplingRatio, boolean aligned, Operand y) {
        if (y.numel() > 0) {
            ctx.launch("pmx_roi_align" + type(x), ctx.blocksFor(y.numel()), sizes(KernelArgs.begin().ptr(x).ptr(boxes).f64(spatialScale)
                    .i32(samplingRatio).i32(aligned ? 1 : 0).ptr(y), x, y));
        }
    }

    void roiAlignBackward(Operand gy, Operand boxes, double spatialScale, int samplingRatio, boolean aligned, Operand gx) {
        ctx.memset(CudaStorage.address(gx), gx.numel() * gx.dtype().byteSize());
        if (gy.numel() > 0 && gx.numel() > 0) {
            ctx.launch("pmx_roi_align_backward" + type(gx), ctx.blocksFor(gx.shape()[0] * gx.shape()[1]), sizes(KernelArgs.begin().ptr(gy)
                    .ptr(boxes).f64(spatialScale).i32(samplingRatio).i32(aligned ? 1 : 0).ptr(gx), gx, gy));
        }
    }
}
