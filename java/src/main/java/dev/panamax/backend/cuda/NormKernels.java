package dev.panamax.backend.cuda;

import dev.panamax.backend.Operand;
import dev.panamax.backend.Storage;
import dev.panamax.bindings.cudnn.Cudnn;
import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Batch, row and local response normalisation over dense [N, C, S] operands. Batch norm runs on
 * cuDNN's batch-normalisation calls when the operands fit them (float types, per-channel
 * vectors of x's dtype with unit stride, more than one value per channel), LRN on cuDNN's
 * cross-channel LRN for the odd window sizes it centres as PyTorch does; everything else, and
 * the row norms behind layer, instance and group norm, runs native/src/norm.cu.
 */
final class NormKernels {
    /** The {@code Vec} struct of norm.cu: pointer, stride, dtype. */
    private static final long VEC_BYTES = 24;

    private final CudaContext ctx;
    private final CudaBackend backend;
    private final CudnnDescriptors descriptors;

    NormKernels(CudaContext ctx, CudaBackend backend, CudnnDescriptors descriptors) {
        this.ctx = ctx;
        this.backend = backend;
        this.descriptors = descriptors;
    }

    /** Appends one {@code Vec} per vector, in order (a null vector as a null pointer). */
    private static KernelArgs vecs(KernelArgs args, Operand... vectors) {
        for (Operand v : vectors) {
            args.struct(VEC_BYTES, s -> {
                if (v != null) {
                    s.set(ValueLayout.JAVA_LONG, 0, CudaStorage.address(v));
                    s.set(ValueLayout.JAVA_LONG, 8, v.strides()[0]);
                    s.set(ValueLayout.JAVA_INT, 16, v.dtype().ordinal());
                }
            });
        }
        return args;
    }

    private static MemorySegment pointer(Operand op) {
        return op == null ? MemorySegment.NULL : MemorySegment.ofAddress(CudaStorage.address(op));
    }

    /** cuDNN's batch norm takes float types and per-channel vectors of x's dtype, densely. */
    private static boolean fitsCudnn(Operand x, Operand... vectors) {
        if (x.dtype() != DType.FLOAT32 && x.dtype() != DType.FLOAT64) {
            return false;
        }
        long[] s = x.shape();
        if (s[0] * s[2] < 2) {
            return false;
        }
        for (Operand v : vectors) {
            if (v != null && (v.dtype() != x.dtype() || (v.shape()[0] > 1 && v.strides()[0] != 1))) {
                return false;
            }
        }
        return true;
    }

    /** [N, C, S] as cuDNN's 4-D NCHW [N, C, S, 1]. */
    private MemorySegment nchw(Operand op) {
        long[] s = op.shape();
        return descriptors.tensor(op.dtype(), new long[] {s[0], s[1], s[2], 1}, new long[] {s[1] * s[2], s[2], 1, 1});
    }

    private MemorySegment perChannel(Operand x) {
        long c = x.shape()[1];
        return descriptors.tensor(x.dtype(), new long[] {1, c, 1, 1}, new long[] {c, 1, 1, 1});
    }

    /** A [C] vector of x's dtype filled with value (cuDNN wants the scale and bias that the op may omit). */
    private Storage constant(Operand x, double value) {
        long c = x.shape()[1];
        Storage s = backend.allocate(x.dtype(), c);
        backend.fill(new Operand(s, x.dtype(), new long[] {c}, new long[] {1}, 0), value);
        return s;
    }

    private static Operand vector(Storage s, Operand x) {
        return new Operand(s, x.dtype(), new long[] {x.shape()[1]}, new long[] {1}, 0);
    }

    void forwardTraining(Operand x, Operand weight, Operand bias, Operand runningMean, Operand runningVar, double momentum, double eps,
                         Operand y, Operand saveMean, Operand saveInvStd) {
        if (x.numel() == 0) {
            return;
        }
        if (!fitsCudnn(x, weight, bias, runningMean, runningVar, saveMean, saveInvStd)) {
            long[] s = x.shape();
            KernelArgs args = KernelArgs.begin().operand(x).operand(y).i64(s[0]).i64(s[1]).i64(s[2]).f64(eps).f64(momentum);
            ctx.launch("pmx_norm_forward", ctx.blocksForRows(s[1]), vecs(args, weight, bias, saveMean, saveInvStd, runningMean, runningVar));
            return;
        }
        cudnnForward("cudnnBatchNormalizationForwardTraining", x, weight, bias, (handle, xd, bd, scale, shift) ->
                Cudnn.cudnnBatchNormalizationForwardTraining(handle, Cudnn.CUDNN_BATCHNORM_SPATIAL(), descriptors.one(x.dtype()),
                        descriptors.zero(x.dtype()), xd, pointer(x), xd, pointer(y), bd, scale, shift, momentum, pointer(runningMean),
                        pointer(runningVar), eps, pointer(saveMean), pointer(saveInvStd)));
    }

    void forwardInference(Operand x, Operand weight, Operand bias, Operand mean, Operand var, double eps, Operand y) {
        if (x.numel() == 0) {
            return;
        }
        if (!fitsCudnn(x, weight, bias, mean, var)) {
            long[] s = x.shape();
            KernelArgs args = KernelArgs.begin().operand(x).operand(y).i64(s[0]).i64(s[1]).i64(s[2]).f64(eps);
            ctx.launch("pmx_norm_apply", ctx.blocksFor(x.numel()), vecs(args, weight, bias, mean, var));
            return;
        }
        cudnnForward("cudnnBatchNormalizationForwardInference", x, weight, bias, (handle, xd, bd, scale, shift) ->
                Cudnn.cudnnBatchNormalizationForwardInference(handle, Cudnn.CUDNN_BATCHNORM_SPATIAL(), descriptors.one(x.dtype()),
                        descriptors.zero(x.dtype()), xd, pointer(x), xd, pointer(y), bd, scale, shift, pointer(mean), pointer(var), eps));
    }

    /** A cuDNN batch-norm forward call, given x's NCHW descriptor, the per-channel one, and the scale and shift pointers. */
    @FunctionalInterface
    private interface CudnnForward {
        int run(MemorySegment handle, MemorySegment xd, MemorySegment bd, MemorySegment scale, MemorySegment shift);
    }

    /** Runs a cuDNN batch-norm forward, with ones and zeros standing in for the weight and bias the op may omit. */
    private void cudnnForward(String function, Operand x, Operand weight, Operand bias, CudnnForward call) {
        Storage ones = weight == null ? constant(x, 1) : null;
        Storage zeros = bias == null ? constant(x, 0) : null;
        try {
            MemorySegment scale = pointer(weight == null ? vector(ones, x) : weight);
            MemorySegment shift = pointer(bias == null ? vector(zeros, x) : bias);
            MemorySegment handle = ctx.cudnn();
            synchronized (ctx.libraryLock) {
                descriptors.trim();
                MemorySegment xd = nchw(x);
                MemorySegment bd = perChannel(x);
                Status.cudnn(function, () -> call.run(handle, xd, bd, scale, shift));
            }
        } finally {
            release(ones, zeros);
        }
    }

    /** With batch statistics (training) on cuDNN when it fits; otherwise, and for fixed statistics, native. */
    void backward(Operand x, Operand gy, Operand weight, Operand mean, Operand invStd, boolean training,
                  Operand gx, Operand gWeight, Operand gBias) {
        if (x.numel() == 0) {
            return;
        }
        if (!training || !fitsCudnn(x, weight, mean, invStd, gWeight, gBias) || gy.dtype() != x.dtype() || (gx != null && gx.dtype() != x.dtype())) {
            nativeBackward(x, gy, weight, mean, invStd, training, gx, gWeight, gBias);
            return;
        }
        long c = x.shape()[1];
        Storage ones = weight == null ? constant(x, 1) : null;
        Storage gxTmp = gx == null ? backend.allocate(x.dtype(), x.numel()) : null;
        Storage gwTmp = gWeight == null ? backend.allocate(x.dtype(), c) : null;
        Storage gbTmp = gBias == null ? backend.allocate(x.dtype(), c) : null;
        try {
            MemorySegment scale = pointer(weight == null ? vector(ones, x) : weight);
            MemorySegment dx = gx == null ? MemorySegment.ofAddress(((CudaStorage) gxTmp).address()) : pointer(gx);
            MemorySegment dw = pointer(gWeight == null ? vector(gwTmp, x) : gWeight);
            MemorySegment db = pointer(gBias == null ? vector(gbTmp, x) : gBias);
            MemorySegment handle = ctx.cudnn();
            DType t = x.dtype();
            synchronized (ctx.libraryLock) {
                descriptors.trim();
                MemorySegment xd = nchw(x);
                MemorySegment bd = perChannel(x);
                // epsilon is only used when no saved statistics are passed; these always are
                Status.cudnn("cudnnBatchNormalizationBackward", () -> Cudnn.cudnnBatchNormalizationBackward(handle,
                        Cudnn.CUDNN_BATCHNORM_SPATIAL(), descriptors.one(t), descriptors.zero(t), descriptors.one(t), descriptors.zero(t),
                        xd, pointer(x), xd, pointer(gy), xd, dx, bd, scale, dw, db, 1e-5, pointer(mean), pointer(invStd)));
            }
        } finally {
            release(ones, gxTmp, gwTmp, gbTmp);
        }
    }

    private void nativeBackward(Operand x, Operand gy, Operand weight, Operand mean, Operand invStd, boolean training,
                                Operand gx, Operand gWeight, Operand gBias) {
        long[] s = x.shape();
        KernelArgs args = KernelArgs.begin().operand(x).operand(gy).ptr(gx).i32(gx == null ? 0 : gx.dtype().ordinal())
                .i64(s[0]).i64(s[1]).i64(s[2]).i32(training ? 1 : 0);
        ctx.launch("pmx_norm_backward", ctx.blocksForRows(s[1]), vecs(args, weight, mean, invStd, gWeight, gBias));
    }

    private static void release(Storage... storages) {
        for (Storage s : storages) {
            if (s != null) {
                s.release();
            }
        }
    }

    /** A dense [R, D] operand as [1, R, D]: rows are channels of one image. */
    private static Operand asChannels(Operand rows) {
        if (rows == null) {
            return null;
        }
        long r = rows.shape()[0];
        long d = rows.shape()[1];
        return rows.withLayout(new long[] {1, r, d}, new long[] {r * d, d, 1}, rows.offset());
    }

    void rowNorm(Operand x, double eps, Operand y, Operand mean, Operand invStd) {
        Operand xc = asChannels(x);
        if (x.numel() == 0) {
            return;
        }
        KernelArgs args = KernelArgs.begin().operand(xc).operand(asChannels(y)).i64(1).i64(x.shape()[0]).i64(x.shape()[1]).f64(eps).f64(0);
        ctx.launch("pmx_norm_forward", ctx.blocksForRows(x.shape()[0]), vecs(args, null, null, mean, invStd, null, null));
    }

    void rowNormBackward(Operand x, Operand gy, Operand mean, Operand invStd, Operand gx) {
        if (x.numel() > 0) {
            nativeBackward(asChannels(x), asChannels(gy), null, mean, invStd, true, asChannels(gx), null, null);
        }
    }

    // ---------------------------------------------------------------- local response normalisation

    /** cuDNN centres a window like PyTorch only for odd sizes, and takes sizes 1..16, k >= 1e-5, beta >= 0.01. */
    private static boolean lrnFitsCudnn(Operand x, int size, double beta, double k) {
        return (x.dtype() == DType.FLOAT32 || x.dtype() == DType.FLOAT64) && size % 2 == 1
                && size >= Cudnn.CUDNN_LRN_MIN_N() && size <= Cudnn.CUDNN_LRN_MAX_N()
                && k >= Cudnn.CUDNN_LRN_MIN_K() && beta >= Cudnn.CUDNN_LRN_MIN_BETA();
    }

    void lrnForward(Operand x, int size, double alpha, double beta, double k, Operand y) {
        if (x.numel() == 0) {
            return;
        }
        if (lrnFitsCudnn(x, size, beta, k) && y.dtype() == x.dtype()) {
            MemorySegment handle = ctx.cudnn();
            synchronized (ctx.libraryLock) {
                descriptors.trim();
                MemorySegment desc = descriptors.lrn(size, alpha, beta, k);
                MemorySegment xd = nchw(x);
                Status.cudnn("cudnnLRNCrossChannelForward", () -> Cudnn.cudnnLRNCrossChannelForward(handle, desc,
                        Cudnn.CUDNN_LRN_CROSS_CHANNEL_DIM1(), descriptors.one(x.dtype()), xd, pointer(x), descriptors.zero(x.dtype()), xd, pointer(y)));
            }
            return;
        }
        long[] s = x.shape();
        ctx.launch("pmx_lrn_forward", ctx.blocksFor(x.numel()), KernelArgs.begin().operand(x).operand(y).i64(s[0]).i64(s[1]).i64(s[2])
                .i32(size).f64(alpha).f64(beta).f64(k));
    }

    void lrnBackward(Operand x, Operand y, Operand gy, int size, double alpha, double beta, double k, Operand gx) {
        long total = x.numel();
        if (total == 0) {
            return;
        }
        if (lrnFitsCudnn(x, size, beta, k) && y.dtype() == x.dtype() && gy.dtype() == x.dtype() && gx.dtype() == x.dtype()) {
            MemorySegment handle = ctx.cudnn();
            DType t = x.dtype();
            synchronized (ctx.libraryLock) {
                descriptors.trim();
                MemorySegment desc = descriptors.lrn(size, alpha, beta, k);
                MemorySegment xd = nchw(x);
                Status.cudnn("cudnnLRNCrossChannelBackward", () -> Cudnn.cudnnLRNCrossChannelBackward(handle, desc,
                        Cudnn.CUDNN_LRN_CROSS_CHANNEL_DIM1(), descriptors.one(t), xd, pointer(y), xd, pointer(gy), xd, pointer(x),
                        descriptors.zero(t), xd, pointer(gx)));
            }
            return;
        }
        long[] s = x.shape();
        try (CudaContext.Scratch terms = ctx.scratch(2 * 8 * total)) {
            ctx.launch("pmx_lrn_backward_terms", ctx.blocksFor(total), KernelArgs.begin().operand(x).operand(y).operand(gy)
                    .ptr(terms.address()).i64(s[0]).i64(s[1]).i64(s[2]).i32(size).f64(alpha).f64(beta).f64(k));
            ctx.launch("pmx_lrn_backward", ctx.blocksFor(total), KernelArgs.begin().operand(x).operand(gy).operand(gx)
                    .ptr(terms.address()).i64(s[0]).i64(s[1]).i64(s[2]).i32(size).f64(alpha).f64(beta));
        }
    }
}
