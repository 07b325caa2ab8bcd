package dev.panamax.backend.cpu;

import dev.panamax.backend.AdamUpdate;
import dev.panamax.backend.Backend;
import dev.panamax.backend.BinaryOp;
import dev.panamax.backend.Conv2dSpec;
import dev.panamax.backend.Operand;
import dev.panamax.backend.Philox;
import dev.panamax.backend.Pool2dSpec;
import dev.panamax.backend.PreparedMatrix;
import dev.panamax.backend.RandomKind;
import dev.panamax.backend.ReduceOp;
import dev.panamax.backend.RoiAlignPlan;
import dev.panamax.backend.SgdUpdate;
import dev.panamax.backend.Storage;
import dev.panamax.backend.UnaryOp;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import java.lang.foreign.MemorySegment;

/** The CPU backend: Vector API kernels on pooled native memory, split over {@link Parallel}. */
public final class CpuBackend implements Backend {
    private static final long DEFAULT_POOL_BYTES = 1L << 31;
    private static final CpuBackend INSTANCE = new CpuBackend();

    private final CpuMemoryPool pool = new CpuMemoryPool(Long.getLong("panamax.cpu.poolBytes", DEFAULT_POOL_BYTES));

    private CpuBackend() {}

    public static CpuBackend instance() {
        return INSTANCE;
    }

    /** Bytes of freed tensor memory kept for reuse. */
    public long pooledBytes() {
        return pool.cachedBytes();
    }

    /** Gives pooled memory back to the OS. */
    public void trimPool() {
        pool.trim();
    }

    static MemorySegment segment(Operand op) {
        return ((CpuStorage) op.storage()).segment();
    }

    /** The compute type of a float kernel: float32 unless some operand needs more. */
    private static DType computeType(Operand... ops) {
        for (Operand op : ops) {
            if (op.dtype() != DType.FLOAT32) {
                return DType.FLOAT64;
            }
        }
        return DType.FLOAT32;
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public Storage allocate(DType dtype, long numel) {
        return new CpuStorage(pool, Math.multiplyExact(numel, (long) dtype.byteSize()));
    }

    @Override
    public void write(MemorySegment host, Operand dst) {
        MemorySegment.copy(host, 0, segment(dst), dst.offset() * dst.dtype().byteSize(), dst.numel() * dst.dtype().byteSize());
    }

    @Override
    public void read(Operand src, MemorySegment host) {
        if (src.numel() == 0) {
            // nothing to read; and Operand.isContiguous() is false for some empty shapes (e.g. [3, 0] with strides [1, 1]),
            // so the copy below would recurse forever
            return;
        }
        if (src.isContiguous()) {
            MemorySegment.copy(segment(src), src.offset() * src.dtype().byteSize(), host, 0, src.numel() * src.dtype().byteSize());
            return;
        }
        Operand dense = new Operand(src.storage(), src.dtype(), src.shape(), src.strides(), src.offset());
        Storage tmp = allocate(src.dtype(), src.numel());
        try {
            Operand dst = new Operand(tmp, src.dtype(), src.shape(), dev.panamax.tensor.Shape.of(src.shape()).contiguousStrides(), 0);
            copy(dense, dst);
            read(dst, host);
        } finally {
            tmp.release();
        }
    }

    @Override
    public void copy(Operand src, Operand dst) {
        if (src.numel() == 0) {
            return; // an empty part may sit at an offset past the end of an empty storage (cat of [0, k] slices)
        }
        if (src.dtype() == dst.dtype() && src.isContiguous() && dst.isContiguous()) {
            long bytes = src.numel() * src.dtype().byteSize();
            MemorySegment.copy(segment(src), src.offset() * src.dtype().byteSize(), segment(dst), dst.offset() * dst.dtype().byteSize(), bytes);
            return;
        }
        if (src.dtype() == dst.dtype() && src.dtype().byteSize() != 4) {
            copyBits(src, dst);
            return;
        }
        DType ct = integral(src, dst) ? DType.INT64
                : src.dtype() == DType.FLOAT32 || dst.dtype() == DType.FLOAT32 ? DType.FLOAT32 : DType.FLOAT64;
        int bytes = ct.byteSize();
        Elementwise.run(ct, dst, new Operand[] {src}, (s, o, n) -> MemorySegment.copy(s[0], o[0], s[1], o[1], (long) n * bytes));
    }

    /** Exact strided copy for same-dtype operands that a float tile could not hold exactly (int64, float64, bytes). */
    private static void copyBits(Operand src, Operand dst) {
        MemorySegment ss = segment(src);
        MemorySegment ds = segment(dst);
        int size = src.dtype().byteSize();
        long[][] strides = {src.strides(), dst.strides()};
        Parallel.forRange(dst.numel(), 65_536, (from, to) -> {
            Odometer it = new Odometer(dst.shape(), strides, new long[] {src.offset(), dst.offset()}, from);
            for (long i = from; i < to; i++) {
                Elements.copyBits(ss, it.offset(0), ds, it.offset(1), size);
                it.next();
            }
        });
    }

    /** True when every operand is an integer or bool tensor: the exact int64 path ({@link IntegerKernels}). */
    private static boolean integral(Operand... ops) {
        for (Operand op : ops) {
            if (!op.dtype().isIntegral()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void fill(Operand dst, double value) {
        if (dst.dtype() == DType.FLOAT32) {
            Elementwise.run(DType.FLOAT32, dst, new Operand[0], (s, o, n) -> FloatKernels.fill((float) value, s, o, n));
        } else if (dst.dtype().isFloatingPoint()) {
            Elementwise.run(DType.FLOAT64, dst, new Operand[0], (s, o, n) -> DoubleKernels.fill(value, s, o, n));
        } else if (Math.abs(value) < 0x1p53) {
            long v = dst.dtype() == DType.BOOL ? (value != 0 ? 1 : 0) : (long) value;
            Elementwise.run(DType.INT64, dst, new Operand[0], (s, o, n) -> IntegerKernels.fill(v, s, o, n));
        } else {
            throw new IllegalArgumentException("fill: " + value + " is not exactly representable in " + dst.dtype().pyName());
        }
    }

    @Override
    public void arange(Operand dst, double start, double step) {
        MemorySegment s = segment(dst);
        Parallel.forRange(dst.numel(), 65_536, (from, to) -> {
            for (long i = from; i < to; i++) {
                Elements.write(s, dst.dtype(), dst.offset() + i, start + i * step);
            }
        });
    }

    @Override
    public void random(Operand dst, RandomKind kind, long seed, long offset, double p0, double p1) {
        MemorySegment s = segment(dst);
        Parallel.forRange(dst.numel(), 16_384, (from, to) -> {
            int[] block = new int[4];
            for (long i = from; i < to; i++) {
                Elements.write(s, dst.dtype(), dst.offset() + i, Philox.sample(kind, seed, offset + i, p0, p1, block));
            }
        });
    }

    @Override
    public void unary(UnaryOp op, Operand x, Operand out, double p0, double p1) {
        if (integral(x, out) && IntegerKernels.handles(op)) {
            // (long) saturates: an infinite clamp bound is Long.MIN_VALUE or MAX_VALUE
            Elementwise.run(DType.INT64, out, new Operand[] {x}, (s, o, n) -> IntegerKernels.unary(op, (long) p0, (long) p1, s, o, n));
        } else if (computeType(x, out) == DType.FLOAT32) {
            Elementwise.run(DType.FLOAT32, out, new Operand[] {x}, (s, o, n) -> FloatKernels.unary(op, (float) p0, (float) p1, s, o, n));
        } else {
            Elementwise.run(DType.FLOAT64, out, new Operand[] {x}, (s, o, n) -> DoubleKernels.unary(op, p0, p1, s, o, n));
        }
    }

    @Override
    public void unaryBackward(UnaryOp op, Operand x, Operand y, Operand gradOut, Operand gradIn, double p0, double p1) {
        Operand[] ins = {x, y, gradOut};
        if (computeType(x, y, gradOut, gradIn) == DType.FLOAT32) {
            Elementwise.run(DType.FLOAT32, gradIn, ins, (s, o, n) -> FloatKernels.unaryBackward(op, (float) p0, (float) p1, s, o, n));
        } else {
            Elementwise.run(DType.FLOAT64, gradIn, ins, (s, o, n) -> DoubleKernels.unaryBackward(op, p0, p1, s, o, n));
        }
    }

    @Override
    public void binary(BinaryOp op, Operand a, Operand b, Operand out) {
        Operand[] ins = {a, b};
        boolean floats = a.dtype() == DType.FLOAT32 && b.dtype() == DType.FLOAT32
                && (out.dtype() == DType.FLOAT32 || (op.isComparison() && out.dtype() == DType.BOOL));
        if (floats) {
            Elementwise.run(DType.FLOAT32, out, ins, (s, o, n) -> FloatKernels.binary(op, s, o, n));
        } else if (integral(a, b, out) && IntegerKernels.handles(op)) {
            Elementwise.run(DType.INT64, out, ins, (s, o, n) -> IntegerKernels.binary(op, out.dtype(), s, o, n));
        } else {
            Elementwise.run(DType.FLOAT64, out, ins, (s, o, n) -> DoubleKernels.binary(op, s, o, n));
        }
    }

    @Override
    public void where(Operand cond, Operand a, Operand b, Operand out) {
        Operand[] ins = {cond, a, b};
        if (computeType(a, b, out) == DType.FLOAT32) {
            Elementwise.run(DType.FLOAT32, out, ins, FloatKernels::where);
        } else if (integral(a, b, out)) {
            Elementwise.run(DType.INT64, out, ins, (s, o, n) -> IntegerKernels.where(out.dtype(), s, o, n));
        } else {
            Elementwise.run(DType.FLOAT64, out, ins, DoubleKernels::where);
        }
    }

    @Override
    public void reduce(ReduceOp op, Operand x, int[] dims, Operand out) {
        Reductions.reduce(op, x, dims, out);
    }

    @Override
    public void argReduce(ReduceOp op, Operand x, int dim, Operand values, Operand indices) {
        Reductions.argReduce(op, x, dim, values, indices);
    }

    @Override
    public void softmax(Operand x, int dim, boolean log, Operand out) {
        SoftmaxKernels.forward(x, dim, log, out);
    }

    @Override
    public void attention(Operand q, Operand k, Operand v, double scale, boolean causal, Operand out, Operand logSumExp) {
        AttentionKernels.forward(q, k, v, scale, causal, out, logSumExp);
    }

    @Override
    public void attentionBackward(Operand q, Operand k, Operand v, Operand out, Operand logSumExp, Operand gradOut, double scale,
                                  boolean causal, Operand gradQ, Operand gradK, Operand gradV) {
        AttentionKernels.backward(q, k, v, out, logSumExp, gradOut, scale, causal, gradQ, gradK, gradV);
    }

    @Override
    public void softmaxBackward(Operand y, Operand gradOut, int dim, boolean log, Operand gradIn) {
        SoftmaxKernels.backward(y, gradOut, dim, log, gradIn);
    }

    @Override
    public void matmul(Operand a, Operand b, Operand out) {
        MatMulKernels.matmul(a, b, out);
    }

    @Override
    public PreparedMatrix prepareRight(Operand b) {
        return MatMulKernels.prepareRight(b);
    }

    @Override
    public void matmulPrepared(Operand a, PreparedMatrix b, Operand out, boolean accumulate) {
        MatMulKernels.matmulPrepared(a, b, out, accumulate);
    }

    @Override
    public void indexSelect(Operand x, int dim, Operand index, Operand out) {
        IndexKernels.indexSelect(x, dim, index, out);
    }

    @Override
    public void indexAdd(Operand target, int dim, Operand index, Operand src) {
        IndexKernels.indexAdd(target, dim, index, src);
    }

    @Override
    public void gather(Operand x, int dim, Operand index, Operand out) {
        IndexKernels.gather(x, dim, index, out);
    }

    @Override
    public void scatterAdd(Operand target, int dim, Operand index, Operand src) {
        IndexKernels.scatterAdd(target, dim, index, src);
    }

    // ------------------------------------------------------------ convolution (issue #4)

    @Override
    public void conv2d(Operand x, Operand w, Operand bias, Conv2dSpec spec, Operand y) {
        ConvKernels.forward(x, w, bias, spec, y);
    }

    @Override
    public void conv2dBackwardInput(Operand gy, Operand w, Conv2dSpec spec, Operand gx) {
        ConvKernels.backwardInput(gy, w, spec, gx);
    }

    @Override
    public void conv2dBackwardWeight(Operand x, Operand gy, Conv2dSpec spec, Operand gw) {
        ConvKernels.backwardWeight(x, gy, spec, gw);
    }

    // ------------------------------------------------------------ pooling (issue #4)

    @Override
    public void maxPool2d(Operand x, Pool2dSpec spec, Operand y, Operand indices) {
        PoolKernels.maxPool2d(x, spec, y, indices);
    }

    @Override
    public void maxPool2dBackward(Operand gy, Operand indices, Operand gx) {
        PoolKernels.maxPool2dBackward(gy, indices, gx);
    }

    @Override
    public void avgPool2d(Operand x, Pool2dSpec spec, boolean countIncludePad, int divisorOverride, Operand y) {
        PoolKernels.avgPool2d(x, spec, countIncludePad, divisorOverride, y);
    }

    @Override
    public void avgPool2dBackward(Operand gy, Pool2dSpec spec, boolean countIncludePad, int divisorOverride, Operand gx) {
        PoolKernels.avgPool2dBackward(gy, spec, countIncludePad, divisorOverride, gx);
    }

    @Override
    public void adaptiveAvgPool2d(Operand x, Operand y) {
        PoolKernels.adaptiveAvgPool2d(x, y);
    }

    @Override
    public void adaptiveAvgPool2dBackward(Operand gy, Operand gx) {
        PoolKernels.adaptiveAvgPool2dBackward(gy, gx);
    }

    @Override
    public void adaptiveMaxPool2d(Operand x, Operand y, Operand indices) {
        PoolKernels.adaptiveMaxPool2d(x, y, indices);
    }

    @Override
    public void maxUnpool2d(Operand x, Operand indices, Operand y) {
        PoolKernels.maxUnpool2d(x, indices, y);
    }

    @Override
    public void maxUnpool2dBackward(Operand gy, Operand indices, Operand gx) {
        PoolKernels.maxUnpool2dBackward(gy, indices, gx);
    }

    @Override
    public void stochasticPool2d(Operand x, Pool2dSpec spec, long seed, long offset, Operand y, Operand indices) {
        PoolKernels.stochasticPool2d(x, spec, seed, offset, y, indices);
    }

    @Override
    public void roiPool(Operand x, Operand boxes, double spatialScale, Operand y, Operand argmax) {
        RoiKernels.roiPool(x, boxes, spatialScale, y, argmax);
    }

    @Override
    public void roiPoolBackward(Operand gy, Operand boxes, Operand argmax, Operand gx) {
        RoiKernels.roiPoolBackward(gy, boxes, argmax, gx);
    }

    @Override
    public RoiAlignPlan prepareRoiAlign(Operand boxes, long[] inputShape, int outH, int outW, double spatialScale, int samplingRatio,
                                        boolean aligned) {
        return new RoiKernels.AlignPlan(boxes, inputShape, outH, outW, spatialScale, samplingRatio, aligned);
    }

    @Override
    public void roiAlign(Operand x, RoiAlignPlan plan, Operand y) {
        RoiKernels.roiAlign(x, plan, y);
    }

    @Override
    public void roiAlignBackward(Operand gy, RoiAlignPlan plan, Operand gx) {
        RoiKernels.roiAlignBackward(gy, plan, gx);
    }

    @Override
    public int nms(Operand boxes, Operand scores, double iouThreshold, Operand keep) {
        return NmsKernel.nms(boxes, scores, iouThreshold, keep);
    }

    // ------------------------------------------------------------ normalisation (issue #4)

    @Override
    public void batchNormForwardTraining(Operand x, Operand weight, Operand bias, Operand runningMean, Operand runningVar,
                                         double momentum, double eps, Operand y, Operand saveMean, Operand saveInvStd) {
        NormKernels.forwardTraining(x, weight, bias, runningMean, runningVar, momentum, eps, y, saveMean, saveInvStd);
    }

    @Override
    public void batchNormForwardInference(Operand x, Operand weight, Operand bias, Operand mean, Operand var, double eps, Operand y) {
        NormKernels.forwardInference(x, weight, bias, mean, var, eps, y);
    }

    @Override
    public void batchNormBackward(Operand x, Operand gy, Operand weight, Operand mean, Operand invStd, boolean training,
                                  Operand gx, Operand gWeight, Operand gBias) {
        NormKernels.backward(x, gy, weight, mean, invStd, training, gx, gWeight, gBias);
    }

    @Override
    public void rowNorm(Operand x, double eps, Operand y, Operand mean, Operand invStd) {
        NormKernels.rowNorm(x, eps, y, mean, invStd);
    }

    @Override
    public void rowNormBackward(Operand x, Operand gy, Operand mean, Operand invStd, Operand gx) {
        NormKernels.rowNormBackward(x, gy, mean, invStd, gx);
    }

    @Override
    public void localResponseNorm(Operand x, int size, double alpha, double beta, double k, Operand y) {
        LrnKernels.forward(x, size, alpha, beta, k, y);
    }

    @Override
    public void localResponseNormBackward(Operand x, Operand y, Operand gy, int size, double alpha, double beta, double k, Operand gx) {
        LrnKernels.backward(x, y, gy, size, alpha, beta, k, gx);
    }

    // ------------------------------------------------------------ losses (issue #4)

    @Override
    public void nllLoss(Operand logProbs, Operand target, Operand weight, long ignoreIndex, Operand losses, Operand weights) {
        LossKernels.nllLoss(logProbs, target, weight, ignoreIndex, losses, weights);
    }

    @Override
    public void nllLossBackward(Operand gradLosses, Operand target, Operand weight, long ignoreIndex, Operand gradLogProbs) {
        LossKernels.nllLossBackward(gradLosses, target, weight, ignoreIndex, gradLogProbs);
    }

    // ------------------------------------------------------------ optimizer updates (issue #7)

    @Override
    public void sgdUpdate(Operand param, Operand grad, Operand momentumBuffer, SgdUpdate update) {
        OptimizerKernels.sgd(param, grad, momentumBuffer, update);
    }

    @Override
    public void adamUpdate(Operand param, Operand grad, Operand expAvg, Operand expAvgSq, Operand maxExpAvgSq, AdamUpdate update) {
        OptimizerKernels.adam(param, grad, expAvg, expAvgSq, maxExpAvgSq, update);
    }

    // ------------------------------------------------------------ recurrent cells (issue #8)

    @Override
    public void lstmCell(Operand gates, Operand c, Operand h, Operand cNew, Operand act, Operand tanhC) {
        RnnKernels.lstmCell(gates, c, h, cNew, act, tanhC);
    }

    @Override
    public void lstmStep(Operand h, PreparedMatrix w, Operand xw, Operand bias, Operand c, Operand hOut, Operand cOut, Operand gates,
                         Operand tanhC) {
        if (!RnnKernels.lstmStep(h, MatMulKernels.panels(w), xw, bias, c, hOut, cOut, gates, tanhC)) {
            Backend.super.lstmStep(h, w, xw, bias, c, hOut, cOut, gates, tanhC);
        }
    }

    @Override
    public void lstmCellBackward(Operand act, Operand c, Operand tanhC, Operand gradH, Operand gradC, Operand gradGates,
                                 Operand gradCPrev) {
        RnnKernels.lstmCellBackward(act, c, tanhC, gradH, null, gradC, null, gradGates, gradCPrev);
    }

    /** The sums gradY + dh and gradCY + dc are taken inside the cell kernel's pass, not by passes of their own. */
    @Override
    public void lstmStepBackward(Operand act, Operand c, Operand tanhC, Operand gradY, Operand gradCY, PreparedMatrix w, Operand dh,
                                 Operand dc, Operand gradGates) {
        RnnKernels.lstmCellBackward(act, c, tanhC, gradY, dh, gradCY, dc, gradGates, dc);
        matmulPrepared(gradGates, w, dh, false);
    }

    @Override
    public void gruCell(Operand xw, Operand hw, Operand h, Operand hNew, Operand act) {
        RnnKernels.gruCell(xw, hw, h, hNew, act);
    }

    @Override
    public void gruCellBackward(Operand act, Operand hw, Operand h, Operand gradHNew, Operand gradXw, Operand gradHw, Operand gradH) {
        RnnKernels.gruCellBackward(act, hw, h, gradHNew, gradXw, gradHw, gradH);
    }
}
