package dev.panamax.backend.cuda;

import dev.panamax.backend.Operand;
import dev.panamax.backend.Pool2dSpec;
import dev.panamax.bindings.cudnn.Cudnn;
import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Pooling over dense NCHW planes (native/src/pool.cu), with the CPU backend's window, tie and NaN
 * rules. Forwards that need no indices and fit cuDNN's model (floor-mode output size, no
 * dilation, no divisor override) run cudnnPoolingForward instead.
 */
final class PoolKernels {
    /** The {@code PoolGeometry} struct of pool.cu: 14 ints. */
    private static final long GEOMETRY_BYTES = 14 * 4;

    private final CudaContext ctx;
    private final CudnnDescriptors descriptors;

    PoolKernels(CudaContext ctx, CudnnDescriptors descriptors) {
        this.ctx = ctx;
        this.descriptors = descriptors;
    }

    /** Writes pool.cu's PoolGeometry: in plane (h, w), out plane (p, q), the window, adaptive flag. */
    private static KernelArgs geometry(KernelArgs args, Operand in, Operand out, Pool2dSpec s, boolean adaptive) {
        int[] g = {(int) in.shape()[2], (int) in.shape()[3], (int) out.shape()[2], (int) out.shape()[3],
            s == null ? 1 : s.kernelH(), s == null ? 1 : s.kernelW(), s == null ? 1 : s.strideH(), s == null ? 1 : s.strideW(),
            s == null ? 0 : s.padTop(), s == null ? 0 : s.padLeft(), s == null ? 1 : s.dilationH(), s == null ? 1 : s.dilationW(),
            adaptive ? 1 : 0, 0};
        return args.struct(GEOMETRY_BYTES, seg -> MemorySegment.copy(g, 0, seg, ValueLayout.JAVA_INT, 0, g.length));
    }

    private static long planes(Operand x) {
        return x.shape()[0] * x.shape()[1];
    }

    void maxPool2d(Operand x, Pool2dSpec spec, Operand y, Operand indices) {
        if (y.numel() == 0) {
            return;
        }
        if (indices == null && fitsCudnn(x, y, spec)) {
            cudnnForward(Cudnn.CUDNN_POOLING_MAX_DETERMINISTIC(), x, spec, y);
            return;
        }
        max(x, y, indices, spec, false);
    }

    void adaptiveMaxPool2d(Operand x, Operand y, Operand indices) {
        if (y.numel() > 0) {
            max(x, y, indices, null, true);
        }
    }

    private void max(Operand x, Operand y, Operand indices, Pool2dSpec spec, boolean adaptive) {
        KernelArgs args = geometry(KernelArgs.begin().operand(x).operand(y).ptr(indices), x, y, spec, adaptive).i64(planes(x));
        ctx.launch("pmx_pool_max" + ElementwiseKernels.suffix(x, y), ctx.blocksFor(y.numel()), args);
    }

    void avgPool2d(Operand x, Pool2dSpec spec, boolean countIncludePad, int divisorOverride, Operand y) {
        if (y.numel() == 0) {
            return;
        }
        if (divisorOverride == 0 && fitsCudnn(x, y, spec)) {
            cudnnForward(countIncludePad ? Cudnn.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING()
                    : Cudnn.CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING(), x, spec, y);
            return;
        }
        avg(x, y, spec, false, countIncludePad, divisorOverride);
    }

    void adaptiveAvgPool2d(Operand x, Operand y) {
        if (y.numel() > 0) {
            avg(x, y, null, true, false, 0);
        }
    }

    private void avg(Operand x, Operand y, Pool2dSpec spec, boolean adaptive, boolean includePad, int divisorOverride) {
        KernelArgs args = geometry(KernelArgs.begin().operand(x).operand(y), x, y, spec, adaptive)
                .i64(planes(x)).i32(includePad ? 1 : 0).i32(divisorOverride);
        ctx.launch("pmx_pool_avg", ctx.blocksFor(y.numel()), args);
    }

    void avgPool2dBackward(Operand gy, Pool2dSpec spec, boolean countIncludePad, int divisorOverride, Operand gx) {
        avgBackward(gy, gx, spec, false, countIncludePad, divisorOverride);
    }

    void adaptiveAvgPool2dBackward(Operand gy, Operand gx) {
        avgBackward(gy, gx, null, true, false, 0);
    }

    /** One thread per input element gathers from the windows holding it (no atomics). */
    private void avgBackward(Operand gy, Operand gx, Pool2dSpec spec, boolean adaptive, boolean includePad, int divisorOverride) {
        if (gx.numel() == 0) {
            return;
        }
        KernelArgs args = geometry(KernelArgs.begin().operand(gy).operand(gx), gx, gy, spec, adaptive)
                .i64(planes(gx)).i32(includePad ? 1 : 0).i32(divisorOverride);
        ctx.launch("pmx_pool_avg_backward", ctx.blocksFor(gx.numel()), args);
    }

    /** gx = 0, then gx[plane][indices[i]] += gy[i]: atomically, or one plane per thread in order when deterministic. */
    void maxPool2dBackward(Operand gy, Operand indices, Operand gx) {
        scatter(gy, indices, gx, true);
    }

    /** y = 0, then y[plane][indices[i]] = x[i], one plane per thread in index order (the last repeat wins, as on the CPU). */
    void maxUnpool2d(Operand x, Operand indices, Operand y) {
        scatter(x, indices, y, false);
    }

    private void scatter(Operand src, Operand indices, Operand dst, boolean accumulate) {
        ctx.memset(CudaStorage.address(dst), dst.numel() * dst.dtype().byteSize());
        long planes = planes(dst);
        long inPlane = dst.shape()[2] * dst.shape()[3];
        long outPlane = src.shape()[2] * src.shape()[3];
        if (planes * outPlane == 0) {
            return;
        }
        if (accumulate && !CudaOptions.deterministic()) {
            ctx.launch("pmx_pool_scatter_atomic", ctx.blocksFor(planes * outPlane),
                    KernelArgs.begin().operand(src).ptr(indices).operand(dst).i64(planes).i64(inPlane).i64(outPlane));
        } else {
            ctx.launch("pmx_pool_scatter_ordered", ctx.blocksFor(planes),
                    KernelArgs.begin().operand(src).ptr(indices).operand(dst).i64(planes).i64(inPlane).i64(outPlane).i32(accumulate ? 1 : 0));
        }
    }

    void maxUnpool2dBackward(Operand gy, Operand indices, Operand gx) {
        long planes = planes(gx);
        long gxPlane = gx.shape()[2] * gx.shape()[3];
        if (planes * gxPlane > 0) {
            ctx.launch("pmx_unpool_backward", ctx.blocksFor(planes * gxPlane), KernelArgs.begin().ptr(gy).ptr(indices).ptr(gx)
                    .i64(planes).i64(gy.shape()[2] * gy.shape()[3]).i64(gxPlane).i32(gx.dtype().byteSize()));
        }
    }

    void stochasticPool2d(Operand x, Pool2dSpec spec, long seed, long offset, Operand y, Operand indices) {
        if (y.numel() == 0) {
            return;
        }
        KernelArgs args = geometry(KernelArgs.begin().operand(x).ptr(y).ptr(indices), x, y, spec, false)
                .i64(planes(x)).i64(seed).i64(offset).i32(x.dtype().byteSize());
        ctx.launch("pmx_pool_stochastic", ctx.blocksFor(y.numel()), args);
    }

    // ---------------------------------------------------------------- cuDNN

    /** cuDNN pools float types with symmetric padding smaller than the window, no dilation, and floor-mode output sizes. */
    private static boolean fitsCudnn(Operand x, Operand y, Pool2dSpec s) {
        return (x.dtype() == DType.FLOAT32 || x.dtype() == DType.FLOAT64) && s.dilationH() == 1 && s.dilationW() == 1
                && s.padTop() < s.kernelH() && s.padLeft() < s.kernelW()
                && y.shape()[2] == (x.shape()[2] + 2L * s.padTop() - s.kernelH()) / s.strideH() + 1
                && y.shape()[3] == (x.shape()[3] + 2L * s.padLeft() - s.kernelW()) / s.strideW() + 1;
    }

    private void cudnnForward(int mode, Operand x, Pool2dSpec s, Operand y) {
        MemorySegment handle = ctx.cudnn();
        synchronized (ctx.libraryLock) {
            descriptors.trim();
            MemorySegment pool = descriptors.pooling(mode, s);
            MemorySegment xd = descriptors.tensor(x.dtype(), x.shape(), x.strides());
            MemorySegment yd = descriptors.tensor(y.dtype(), y.shape(), y.strides());
            Status.cudnn("cudnnPoolingForward", () -> Cudnn.cudnnPoolingForward(handle, pool, descriptors.one(x.dtype()), xd,
                    MemorySegment.ofAddress(CudaStorage.address(x)), descriptors.zero(x.dtype()), yd,
                    MemorySegment.ofAddress(CudaStorage.address(y))));
        }
    }
}
