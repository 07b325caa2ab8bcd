package dev.panamax.backend.cuda;

import dev.panamax.backend.AdamUpdate;
import dev.panamax.backend.Backend;
import dev.panamax.backend.BinaryOp;
import dev.panamax.backend.Conv2dSpec;
import dev.panamax.backend.FusedRecurrence;
import dev.panamax.backend.Operand;
import dev.panamax.backend.PreparedMatrix;
import dev.panamax.backend.Pool2dSpec;
import dev.panamax.backend.RandomKind;
import dev.panamax.backend.ReduceOp;
import dev.panamax.backend.RoiAlignPlan;
import dev.panamax.backend.SgdUpdate;
import dev.panamax.backend.Storage;
import dev.panamax.backend.UnaryOp;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import java.lang.foreign.MemorySegment;

/**
 * The CUDA backend of one GPU: cuBLAS for matrix products, cuDNN for convolution, batch norm,
 * LRN, the pooling forwards that fit it and whole recurrent stacks, Panamax's own kernels (panamax-native) for the rest.
 * Work is issued in order on the GPU's stream; only host reads wait for it. Each method makes the
 * GPU current on the calling thread first.
 */
final class CudaBackend implements Backend {
    private final CudaContext ctx;
    private final ElementwiseKernels elementwise;
    private final ReduceKernels reductions;
    private final BlasMatMul blas;
    private final CudnnConvolution convolution;
    private final PoolKernels pooling;
    private final RoiKernels roi;
    private final NmsKernels suppression;
    private final NormKernels norms;
    private final IndexKernels indexing;
    private final LossKernels losses;
    private final OptimizerKernels optimizers;
    private final RnnKernels rnn;
    private final CudaAttention attention;
    private final CudnnRecurrence recurrence;

    CudaBackend(CudaContext ctx) {
        this.ctx = ctx;
        CudnnDescriptors descriptors = new CudnnDescriptors();
        elementwise = new ElementwiseKernels(ctx);
        reductions = new ReduceKernels(ctx, ctx.multiprocessors());
        blas = new BlasMatMul(ctx);
        convolution = new CudnnConvolution(ctx, this, descriptors);
        pooling = new PoolKernels(ctx, descriptors);
        roi = new RoiKernels(ctx);
        suppression = new NmsKernels(ctx);
        norms = new NormKernels(ctx, this, descriptors);
        indexing = new IndexKernels(ctx);
        losses = new LossKernels(ctx);
        optimizers = new OptimizerKernels(ctx);
        rnn = new RnnKernels(ctx);
        attention = new CudaAttention(ctx, this);
        recurrence = new CudnnRecurrence(ctx, descriptors);
    }

    void synchronize() {
        ctx.makeCurrent();
        ctx.synchronize();
    }

    /** Device bytes the pool hands out now: live tensors plus scratch in flight. */
    long deviceBytesInUse() {
        return ctx.poolBytes(false);
    }

    @Override
    public Device device() {
        return Device.cuda(ctx.index());
    }

    @Override
    public Storage allocate(DType dtype, long numel) {
        return new CudaStorage(ctx, Math.multiplyExact(numel, (long) dtype.byteSize()));
    }

    @Override
    public void write(MemorySegment host, Operand dst) {
        ctx.makeCurrent();
        elementwise.write(host, dst);
    }

    @Override
    public void read(Operand src, MemorySegment host) {
        ctx.makeCurrent();
        elementwise.read(src, host, this);
    }

    @Override
    public void copy(Operand src, Operand dst) {
        ctx.makeCurrent();
        elementwise.copy(src, dst);
    }

    @Override
    public void fill(Operand dst, double value) {
        ctx.makeCurrent();
        elementwise.fill(dst, value);
    }

    @Override
    public void arange(Operand dst, double start, double step) {
        ctx.makeCurrent();
        elementwise.arange(dst, start, step);
    }

    @Override
    public void random(Operand dst, RandomKind kind, long seed, long offset, double p0, double p1) {
        ctx.makeCurrent();
        elementwise.random(dst, kind, seed, offset, p0, p1);
    }

    @Override
    public void unary(UnaryOp op, Operand x, Operand out, double p0, double p1) {
        ctx.makeCurrent();
        elementwise.unary(op, x, out, p0, p1);
    }

    @Override
    public void unaryBackward(UnaryOp op, Operand x, Operand y, Operand gradOut, Operand gradIn, double p0, double p1) {
        ctx.makeCurrent();
        elementwise.unaryBackward(op, x, y, gradOut, gradIn, p0, p1);
    }

    @Override
    public void binary(BinaryOp op, Operand a, Operand b, Operand out) {
        ctx.makeCurrent();
        elementwise.binary(op, a, b, out);
    }

    @Override
    public void where(Operand cond, Operand a, Operand b, Operand out) {
        ctx.makeCurrent();
        elementwise.where(cond, a, b, out);
    }

    @Override
    public void reduce(ReduceOp op, Operand x, int[] dims, Operand out) {
        ctx.makeCurrent();
        reductions.reduce(op, x, dims, out, elementwise);
    }

    @Override
    public void argReduce(ReduceOp op, Operand x, int dim, Operand values, Operand indices) {
        ctx.makeCurrent();
        reductions.argReduce(op, x, dim, values, indices);
    }

    @Override
    public void softmax(Operand x, int dim, boolean log, Operand out) {
        ctx.makeCurrent();
        reductions.softmax(x, dim, log, out);
    }

    @Override
    public void softmaxBackward(Operand y, Operand gradOut, int dim, boolean log, Operand gradIn) {
        ctx.makeCurrent();
        reductions.softmaxBackward(y, gradOut, dim, log, gradIn);
    }

    @Override
    public void attention(Operand q, Operand k, Operand v, double scale, boolean causal, Operand out, Operand logSumExp) {
        ctx.makeCurrent();
        attention.forward(q, k, v, scale, causal, out, logSumExp);
    }

    @Override
    public boolean fusesAttention(long keySize, long valueSize) {
        return FlashPlan.fits(keySize, valueSize);
    }

    @Override
    public void attentionBackward(Operand q, Operand k, Operand v, Operand out, Operand logSumExp, Operand gradOut, double scale,
                                  boolean causal, Operand gradQ, Operand gradK, Operand gradV) {
        ctx.makeCurrent();
        attention.backward(q, k, v, out, logSumExp, gradOut, scale, causal, gradQ, gradK, gradV);
    }

    @Override
    public void matmul(Operand a, Operand b, Operand out) {
        ctx.makeCurrent();
        blas.matmul(a, b, out, this);
    }

    @Override
    public void matmulPrepared(Operand a, PreparedMatrix b, Operand out, boolean accumulate) {
        ctx.makeCurrent();
        blas.matmul(a.asBatchOfOne(), b.source().asBatchOfOne(), out.asBatchOfOne(), accumulate, this);
    }

    @Override
    public void indexSelect(Operand x, int dim, Operand index, Operand out) {
        ctx.makeCurrent();
        indexing.indexSelect(x, dim, index, out);
    }

    @Override
    public void indexAdd(Operand target, int dim, Operand index, Operand src) {
        ctx.makeCurrent();
        indexing.indexAdd(target, dim, index, src);
    }

    @Override
    public void gather(Operand x, int dim, Operand index, Operand out) {
        ctx.makeCurrent();
        indexing.gather(x, dim, index, out);
    }

    @Override
    public void scatterAdd(Operand target, int dim, Operand index, Operand src) {
        ctx.makeCurrent();
        indexing.scatterAdd(target, dim, index, src);
    }

    // ------------------------------------------------------------ convolution (issue #4)

    @Override
    public void conv2d(Operand x, Operand w, Operand bias, Conv2dSpec spec, Operand y) {
        ctx.makeCurrent();
        convolution.forward(x, w, bias, spec, y);
    }

    @Override
    public void conv2dBackwardInput(Operand gy, Operand w, Conv2dSpec spec, Operand gx) {
        ctx.makeCurrent();
        convolution.backwardData(gy, w, spec, gx);
    }

    @Override
    public void conv2dBackwardWeight(Operand x, Operand gy, Conv2dSpec spec, Operand gw) {
        ctx.makeCurrent();
        convolution.backwardFilter(x, gy, spec, gw);
    }

    // ------------------------------------------------------------ pooling (issue #4)

    @Override
    public void maxPool2d(Operand x, Pool2dSpec spec, Operand y, Operand indices) {
        ctx.makeCurrent();
        pooling.maxPool2d(x, spec, y, indices);
    }

    @Override
    public void maxPool2dBackward(Operand gy, Operand indices, Operand gx) {
        ctx.makeCurrent();
        pooling.maxPool2dBackward(gy, indices, gx);
    }

    @Override
    public void avgPool2d(Operand x, Pool2dSpec spec, boolean countIncludePad, int divisorOverride, Operand y) {
        ctx.makeCurrent();
        pooling.avgPool2d(x, spec, countIncludePad, divisorOverride, y);
    }

    @Override
    public void avgPool2dBackward(Operand gy, Pool2dSpec spec, boolean countIncludePad, int divisorOverride, Operand gx) {
        ctx.makeCurrent();
        pooling.avgPool2dBackward(gy, spec, countIncludePad, divisorOverride, gx);
    }

    @Override
    public void adaptiveAvgPool2d(Operand x, Operand y) {
        ctx.makeCurrent();
        pooling.adaptiveAvgPool2d(x, y);
    }

    @Override
    public void adaptiveAvgPool2dBackward(Operand gy, Operand gx) {
        ctx.makeCurrent();
        pooling.adaptiveAvgPool2dBackward(gy, gx);
    }

    @Override
    public void adaptiveMaxPool2d(Operand x, Operand y, Operand indices) {
        ctx.makeCurrent();
        pooling.adaptiveMaxPool2d(x, y, indices);
    }

    @Override
    public void maxUnpool2d(Operand x, Operand indices, Operand y) {
        ctx.makeCurrent();
        pooling.maxUnpool2d(x, indices, y);
    }

    @Override
    public void maxUnpool2dBackward(Operand gy, Operand indices, Operand gx) {
        ctx.makeCurrent();
        pooling.maxUnpool2dBackward(gy, indices, gx);
    }

    @Override
    public void stochasticPool2d(Operand x, Pool2dSpec spec, long seed, long offset, Operand y, Operand indices) {
        ctx.makeCurrent();
        pooling.stochasticPool2d(x, spec, seed, offset, y, indices);
    }

    @Override
    public void roiPool(Operand x, Operand boxes, double spatialScale, Operand y, Operand argmax) {
        ctx.makeCurrent();
        roi.roiPool(x, boxes, spatialScale, y, argmax);
    }

    @Override
    public void roiPoolBackward(Operand gy, Operand boxes, Operand argmax, Operand gx) {
        ctx.makeCurrent();
        roi.roiPoolBackward(gy, boxes, argmax, gx);
    }

    @Override
    public void roiAlign(Operand x, RoiAlignPlan plan, Operand y) {
        ctx.makeCurrent();
        roi.roiAlign(x, plan.boxes(), plan.spatialScale(), plan.samplingRatio(), plan.aligned(), y);
    }

    @Override
    public void roiAlignBackward(Operand gy, RoiAlignPlan plan, Operand gx) {
        ctx.makeCurrent();
        roi.roiAlignBackward(gy, plan.boxes(), plan.spatialScale(), plan.samplingRatio(), plan.aligned(), gx);
    }

    @Override
    public int nms(Operand boxes, Operand scores, double iouThreshold, Operand keep) {
        ctx.makeCurrent();
        return suppression.nms(boxes, scores, iouThreshold, keep);
    }

    // ------------------------------------------------------------ normalisation (issue #4)

    @Override
    public void batchNormForwardTraining(Operand x, Operand weight, Operand bias, Operand runningMean, Operand runningVar,
                                         double momentum, double eps, Operand y, Operand saveMean, Operand saveInvStd) {
        ctx.makeCurrent();
        norms.forwardTraining(x, weight, bias, runningMean, runningVar, momentum, eps, y, saveMean, saveInvStd);
    }

    @Override
    public void batchNormForwardInference(Operand x, Operand weight, Operand bias, Operand mean, Operand var, double eps, Operand y) {
        ctx.makeCurrent();
        norms.forwardInference(x, weight, bias, mean, var, eps, y);
    }

    @Override
    public void batchNormBackward(Operand x, Operand gy, Operand weight, Operand mean, Operand invStd, boolean training,
                                  Operand gx, Operand gWeight, Operand gBias) {
        ctx.makeCurrent();
        norms.backward(x, gy, weight, mean, invStd, training, gx, gWeight, gBias);
    }

    @Override
    public void rowNorm(Operand x, double eps, Operand y, Operand mean, Operand invStd) {
        ctx.makeCurrent();
        norms.rowNorm(x, eps, y, mean, invStd);
    }

    @Override
    public void rowNormBackward(Operand x, Operand gy, Operand mean, Operand invStd, Operand gx) {
        ctx.makeCurrent();
        norms.rowNormBackward(x, gy, mean, invStd, gx);
    }

    @Override
    public void localResponseNorm(Operand x, int size, double alpha, double beta, double k, Operand y) {
        ctx.makeCurrent();
        norms.lrnForward(x, size, alpha, beta, k, y);
    }

    @Override
    public void localResponseNormBackward(Operand x, Operand y, Operand gy, int size, double alpha, double beta, double k, Operand gx) {
        ctx.makeCurrent();
        norms.lrnBackward(x, y, gy, size, alpha, beta, k, gx);
    }

    // ------------------------------------------------------------ losses (issue #4)

    @Override
    public void nllLoss(Operand logProbs, Operand target, Operand weight, long ignoreIndex, Operand lossValues, Operand weights) {
        ctx.makeCurrent();
        losses.nllLoss(logProbs, target, weight, ignoreIndex, lossValues, weights);
    }

    @Override
    public void nllLossBackward(Operand gradLosses, Operand target, Operand weight, long ignoreIndex, Operand gradLogProbs) {
        ctx.makeCurrent();
        losses.nllLossBackward(gradLosses, target, weight, ignoreIndex, gradLogProbs);
    }

    // ------------------------------------------------------------ optimizer updates (issue #7)

    @Override
    public void sgdUpdate(Operand param, Operand grad, Operand momentumBuffer, SgdUpdate update) {
        ctx.makeCurrent();
        optimizers.sgd(param, grad, momentumBuffer, update);
    }

    @Override
    public void adamUpdate(Operand param, Operand grad, Operand expAvg, Operand expAvgSq, Operand maxExpAvgSq, AdamUpdate update) {
        ctx.makeCurrent();
        optimizers.adam(param, grad, expAvg, expAvgSq, maxExpAvgSq, update);
    }

    // ------------------------------------------------------------ recurrent cells (issue #8)

    @Override
    public FusedRecurrence fusedRecurrence() {
        return recurrence;
    }

    @Override
    public void lstmCell(Operand gates, Operand c, Operand h, Operand cNew, Operand act, Operand tanhC) {
        ctx.makeCurrent();
        rnn.lstmCell(gates, c, h, cNew, act, tanhC);
    }

    @Override
    public void lstmCellBackward(Operand act, Operand c, Operand tanhC, Operand gradH, Operand gradC, Operand gradGates,
                                 Operand gradCPrev) {
        ctx.makeCurrent();
        rnn.lstmCellBackward(act, c, tanhC, gradH, gradC, gradGates, gradCPrev);
    }

    @Override
    public void gruCell(Operand xw, Operand hw, Operand h, Operand hNew, Operand act) {
        ctx.makeCurrent();
        rnn.gruCell(xw, hw, h, hNew, act);
    }

    @Override
    public void gruCellBackward(Operand act, Operand hw, Operand h, Operand gradHNew, Operand gradXw, Operand gradHw, Operand gradH) {
        ctx.makeCurrent();
        rnn.gruCellBackward(act, hw, h, gradHNew, gradXw, gradHw, gradH);
    }
}
