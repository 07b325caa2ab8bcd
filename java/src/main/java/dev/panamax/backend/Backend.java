package dev.panamax.backend;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import java.lang.foreign.MemorySegment;

/**
 * The whole kernel set a device must provide. Ops in {@code dev.panamax.ops} check shapes and
 * types, allocate outputs and call these; a backend never sees autograd or tensors, only
 * {@link Operand}s, and may assume the checks were made:
 * <ul>
 *   <li>operands of an elementwise kernel have the output's shape (inputs already broadcast
 *       with stride 0);
 *   <li>outputs are freshly allocated and contiguous unless a method says otherwise; an output
 *       may alias an input only with the identical layout (in-place ops);
 *   <li>indices were range-checked by the op.
 * </ul>
 */
public interface Backend {
    Device device();

    /** Uninitialised memory for {@code numel} elements. */
    Storage allocate(DType dtype, long numel);

    /** Copies contiguous host bytes in {@code dst}'s dtype into {@code dst}. */
    void write(MemorySegment host, Operand dst);

    /** Copies {@code src}, in any layout, to contiguous host memory in its own dtype. */
    void read(Operand src, MemorySegment host);

    /** dst = src, converting the element type; same shape, any layouts. */
    void copy(Operand src, Operand dst);

    /** Sets every element of {@code dst} (any layout). */
    void fill(Operand dst, double value);

    /** dst[i] = start + i * step for a contiguous 1-D dst. */
    void arange(Operand dst, double start, double step);

    /**
     * Fills a contiguous {@code dst}: element {@code i} gets {@link Philox#sample} of counter
     * {@code offset + i}, so results are identical on every thread count and device.
     */
    void random(Operand dst, RandomKind kind, long seed, long offset, double p0, double p1);

    /** out = op(x). */
    void unary(UnaryOp op, Operand x, Operand out, double p0, double p1);

    /** gradIn = gradOut * op'(x) (y = op(x) is passed too; the derivative may use either). */
    void unaryBackward(UnaryOp op, Operand x, Operand y, Operand gradOut, Operand gradIn, double p0, double p1);

    /** out = op(a, b); out may alias a or b (same layout). */
    void binary(BinaryOp op, Operand a, Operand b, Operand out);

    /** out = cond ? a : b. */
    void where(Operand cond, Operand a, Operand b, Operand out);

    /**
     * Reduces {@code x} over {@code dims} into {@code out}, which has x's rank with the reduced
     * dims of size 1 (keepdim layout).
     */
    void reduce(ReduceOp op, Operand x, int[] dims, Operand out);

    /**
     * Max or min along one dim with the index where it occurs (first occurrence; NaN wins).
     * {@code values} and {@code indices} (INT64) have x's shape with {@code dim} of size 1.
     */
    void argReduce(ReduceOp op, Operand x, int dim, Operand values, Operand indices);

    /** Softmax or log-softmax along {@code dim}. */
    void softmax(Operand x, int dim, boolean log, Operand out);

    /** Gradient of softmax / log-softmax, from its output y and the upstream gradient. */
    void softmaxBackward(Operand y, Operand gradOut, int dim, boolean log, Operand gradIn);

    /**
     * Scaled dot-product attention over contiguous float32 q [B, L, E], k [B, S, E] and v [B, S, Ev]:
     * out [B, L, Ev] = softmax(scale · q kᵀ, causal: key j hidden from query i &lt; j) v, and
     * logSumExp [B, L] of each row's scaled, masked scores (-inf for a row that sees no key; its
     * output row is 0). Backends need not store the [L, S] weights.
     */
    void attention(Operand q, Operand k, Operand v, double scale, boolean causal, Operand out, Operand logSumExp);

    /** Whether {@link #attention} takes heads of these sizes (E for queries and keys, Ev for values); else ops compose it. */
    default boolean fusesAttention(long keySize, long valueSize) {
        return true;
    }

    /**
     * Gradients of {@link #attention} from its inputs, its saved out and logSumExp and gradOut
     * [B, L, Ev]: gradQ, gradK and gradV are contiguous and overwritten.
     */
    void attentionBackward(Operand q, Operand k, Operand v, Operand out, Operand logSumExp, Operand gradOut, double scale,
                           boolean causal, Operand gradQ, Operand gradK, Operand gradV);

    /**
     * The whole-stack recurrent layers of this backend (cuDNN's RNN API on CUDA), or null when it
     * has none: ops then run each layer and direction as matrix products and the cell kernels below.
     */
    default FusedRecurrence fusedRecurrence() {
        return null;
    }

    /** out[b] = a[b] @ b[b] for a [B,M,K], b [B,K,N], out [B,M,N]; any strides (0 broadcasts). */
    void matmul(Operand a, Operand b, Operand out);

    /**
     * Prepares a right-hand matrix b [K, N] (any strides) for many {@link #matmulPrepared} products, such as
     * a recurrent weight at every step of a sequence. The default keeps b as it is.
     */
    default PreparedMatrix prepareRight(Operand b) {
        return () -> b;
    }

    /**
     * out [M, N] = a [M, K] @ b, or out += a @ b with {@code accumulate}, for b from {@link #prepareRight} of this
     * backend and the dtype of a and out; a and out have any strides, out does not overlap a or b and its
     * elements are distinct. The default is {@link #matmul} (through a temporary and an add when accumulating).
     */
    default void matmulPrepared(Operand a, PreparedMatrix b, Operand out, boolean accumulate) {
        Operand w = b.source();
        long m = out.shape()[0];
        long n = out.shape()[1];
        Operand a3 = a.asBatchOfOne();
        Operand w3 = w.asBatchOfOne();
        if (!accumulate) {
            matmul(a3, w3, out.asBatchOfOne());
            return;
        }
        Storage product = allocate(out.dtype(), m * n);
        try {
            Operand p = new Operand(product, out.dtype(), new long[] {m, n}, new long[] {n, 1}, 0);
            matmul(a3, w3, p.asBatchOfOne());
            binary(BinaryOp.ADD, out, p, out);
        } finally {
            product.release();
        }
    }

    /** out = x with {@code dim} indexed by the 1-D integer {@code index}. */
    void indexSelect(Operand x, int dim, Operand index, Operand out);

    /** target[.., index[j], ..] += src[.., j, ..] along {@code dim}, in place. */
    void indexAdd(Operand target, int dim, Operand index, Operand src);

    /** out[i][j][k] = x[i][index[i][j][k]][k] (for dim 1; likewise for any dim). */
    void gather(Operand x, int dim, Operand index, Operand out);

    /** target[i][index[i][j][k]][k] += src[i][j][k] (for dim 1), in place. */
    void scatterAdd(Operand target, int dim, Operand index, Operand src);

    // ------------------------------------------------------------ convolution (issue #4)

    /**
     * y = conv2d(x, w) + bias for x [N, C, H, W], w [K, C/groups, R, S], bias [K] or null,
     * y [N, K, P, Q] (overwritten). Cross-correlation, as every framework computes it.
     */
    void conv2d(Operand x, Operand w, Operand bias, Conv2dSpec spec, Operand y);

    /** gx = gradient of conv2d with respect to x (gx overwritten; also convTranspose2d's forward). */
    void conv2dBackwardInput(Operand gy, Operand w, Conv2dSpec spec, Operand gx);

    /** gw = gradient of conv2d with respect to w (gw overwritten). */
    void conv2dBackwardWeight(Operand x, Operand gy, Conv2dSpec spec, Operand gw);

    // ------------------------------------------------------------ pooling (issue #4)

    /**
     * Max pooling of x [N, C, H, W] into y [N, C, P, Q]. indices (INT64, y's shape; null when not
     * needed) get each maximum's flat position h·W + w in its input plane: of tied maxima the
     * first in row-major window order, of NaNs the last (PyTorch's choice). Every window holds at
     * least one input element.
     */
    void maxPool2d(Operand x, Pool2dSpec spec, Operand y, Operand indices);

    /** gx = 0, then gx[n, c][indices[n, c, i, j]] += gy[n, c, i, j]: the backward of max, adaptive max and stochastic pooling. */
    void maxPool2dBackward(Operand gy, Operand indices, Operand gx);

    /**
     * Average pooling (no dilation). A window's divisor is {@code divisorOverride} when non-zero,
     * else its size clipped to the input padded by padTop / padLeft on every side
     * ({@code countIncludePad}), else its number of input elements.
     */
    void avgPool2d(Operand x, Pool2dSpec spec, boolean countIncludePad, int divisorOverride, Operand y);

    /** gx = gradient of avgPool2d (gx overwritten). */
    void avgPool2dBackward(Operand gy, Pool2dSpec spec, boolean countIncludePad, int divisorOverride, Operand gx);

    /** Output (i, j) averages rows [floor(i·H/P), ceil((i+1)·H/P)) and likewise columns. */
    void adaptiveAvgPool2d(Operand x, Operand y);

    /** gx = gradient of adaptiveAvgPool2d (gx overwritten). */
    void adaptiveAvgPool2dBackward(Operand gy, Operand gx);

    /** Max over adaptiveAvgPool2d's windows, with indices as in {@link #maxPool2d} (null when not needed). */
    void adaptiveMaxPool2d(Operand x, Operand y, Operand indices);

    /** y = 0, then y[n, c][indices[n, c, i, j]] = x[n, c, i, j]; indices were range-checked. */
    void maxUnpool2d(Operand x, Operand indices, Operand y);

    /** gx[n, c, i, j] = gy[n, c][indices[n, c, i, j]]. */
    void maxUnpool2dBackward(Operand gy, Operand indices, Operand gx);

    /**
     * Stochastic pooling, training mode, of non-negative x: each window outputs one of its input
     * elements, drawn with probability proportional to its value using {@link Philox} counter
     * {@code offset + flat output index}; an all-zero window draws uniformly. indices as in
     * {@link #maxPool2d}.
     */
    void stochasticPool2d(Operand x, Pool2dSpec spec, long seed, long offset, Operand y, Operand indices);

    /**
     * torchvision's roi_pool: boxes [K, 5] (batch index, x1, y1, x2, y2) in x's dtype, batch
     * indices checked; y [K, C, PH, PW]; argmax (INT64, y's shape) the flat position of each
     * bin's maximum, -1 for an empty bin.
     */
    void roiPool(Operand x, Operand boxes, double spatialScale, Operand y, Operand argmax);

    /** gx = gradient of roiPool (gx overwritten). */
    void roiPoolBackward(Operand gy, Operand boxes, Operand argmax, Operand gx);

    /**
     * torchvision's roi_align, prepared once for a call's forward and backward: boxes as in {@link #roiPool}, inputs
     * of shape inputShape [N, C, H, W] pooled to outH × outW bins; samplingRatio <= 0 means adaptive. The default
     * keeps the arguments.
     */
    default RoiAlignPlan prepareRoiAlign(Operand boxes, long[] inputShape, int outH, int outW, double spatialScale, int samplingRatio,
                                         boolean aligned) {
        return new RoiAlignPlan.Arguments(boxes, spatialScale, samplingRatio, aligned);
    }

    /** y [K, C, outH, outW] = roi_align of x with a plan from {@link #prepareRoiAlign} of this backend. */
    void roiAlign(Operand x, RoiAlignPlan plan, Operand y);

    /** gx = gradient of roiAlign with respect to x, with the forward's plan (gx overwritten). */
    void roiAlignBackward(Operand gy, RoiAlignPlan plan, Operand gx);

    /**
     * torchvision's nms: boxes dense [N, 4] float32 (x1, y1, x2, y2), scores dense [N] float32.
     * Visits the boxes in {@link Suppression#order} and keeps each one unless a box kept before it
     * has IoU inter / (area_i + area_j - inter), computed in float as torchvision's kernel, greater
     * than iouThreshold (a NaN IoU suppresses nothing). Writes the kept indices to keep[0, K)
     * (dense int64 [N]) and returns K.
     */
    int nms(Operand boxes, Operand scores, double iouThreshold, Operand keep);

    // ------------------------------------------------------------ normalisation (issue #4)

    /**
     * Batch normalisation with batch statistics (cudnnBatchNormalizationForwardTraining). x and y
     * are dense [N, C, S] (S: the spatial dims flattened); weight, bias, runningMean, runningVar
     * [C] or null. Per channel: mean and biased variance over its N·S elements,
     * y = (x - mean) / sqrt(var + eps) * weight + bias, saveMean = mean and saveInvStd =
     * 1 / sqrt(var + eps) ([C], for the backward). When given, the running statistics are
     * updated in place: r = (1 - momentum)·r + momentum·batch, with the unbiased variance
     * (cuDNN's exponentialAverageFactor is momentum).
     */
    void batchNormForwardTraining(Operand x, Operand weight, Operand bias, Operand runningMean, Operand runningVar,
                                  double momentum, double eps, Operand y, Operand saveMean, Operand saveInvStd);

    /**
     * Batch normalisation with given statistics (cudnnBatchNormalizationForwardInference):
     * y = (x - mean) / sqrt(var + eps) * weight + bias over dense [N, C, S]; weight, bias [C] or null.
     */
    void batchNormForwardInference(Operand x, Operand weight, Operand bias, Operand mean, Operand var, double eps, Operand y);

    /**
     * Gradients of batch normalisation from the statistics it used (cudnnBatchNormalizationBackward
     * when {@code training}): x, gy, gx dense [N, C, S]; mean and invStd [C]. With
     * {@code training} they are the batch's own statistics, which depend on x, and gx is the full
     * formula weight·invStd·(gy - mean(gy) - xhat·mean(gy·xhat)); otherwise they are constants and
     * gx = gy·weight·invStd. gWeight = sum of gy·xhat and gBias = sum of gy per channel. weight
     * may be null (ones); gx, gWeight and gBias are null when not wanted.
     */
    void batchNormBackward(Operand x, Operand gy, Operand weight, Operand mean, Operand invStd, boolean training,
                           Operand gx, Operand gWeight, Operand gBias);

    /**
     * Normalises each row of a dense x [R, D] to zero mean and unit (biased) variance:
     * y = (x - mean) / sqrt(var + eps), saving mean and invStd [R]. The kernel of layer,
     * instance and group norm (their affine part is applied by the op).
     */
    void rowNorm(Operand x, double eps, Operand y, Operand mean, Operand invStd);

    /** gx = invStd·(gy - mean(gy) - xhat·mean(gy·xhat)) per row, for {@link #rowNorm}'s saved statistics. */
    void rowNormBackward(Operand x, Operand gy, Operand mean, Operand invStd, Operand gx);

    /**
     * Cross-channel local response normalisation of a dense x [N, C, S] as PyTorch defines it:
     * y = x / (k + alpha/size · sum of x² over channels [c - size/2, c + (size-1)/2])^beta, channels
     * outside [0, C) counting as zero. (cuDNN's cross-channel LRN centres even windows the other
     * way.)
     */
    void localResponseNorm(Operand x, int size, double alpha, double beta, double k, Operand y);

    /** Gradient of {@link #localResponseNorm} from x, its output y and gy (all dense [N, C, S]), as cudnnLRNCrossChannelBackward. */
    void localResponseNormBackward(Operand x, Operand y, Operand gy, int size, double alpha, double beta, double k, Operand gx);

    // ------------------------------------------------------------ losses (issue #4)

    /**
     * Negative log-likelihood of integer class targets: for logProbs [N, C, d...] and target
     * [N, d...], losses[i] = -w[t]·logProbs[n, t, d...] with t = target[i] and w = weight [C] (1
     * when null), and, when {@code weights} is not null, weights[i] = w[t]; both are 0 where
     * t == ignoreIndex. Every other target lies in [0, C) (checked by the op). losses and weights
     * have the target's shape.
     */
    void nllLoss(Operand logProbs, Operand target, Operand weight, long ignoreIndex, Operand losses, Operand weights);

    /**
     * Gradient of {@link #nllLoss}: gradLogProbs [N, C, d...] (overwritten) is zero except at each
     * non-ignored target, where it is -w[t]·gradLosses[i].
     */
    void nllLossBackward(Operand gradLosses, Operand target, Operand weight, long ignoreIndex, Operand gradLogProbs);

    // ------------------------------------------------------------ optimizer updates (issue #7)

    /**
     * One SGD step in place ({@link SgdUpdate} gives the rule): param and momentumBuffer (null
     * without momentum) are updated, grad is read. All contiguous, of one float dtype and size.
     */
    void sgdUpdate(Operand param, Operand grad, Operand momentumBuffer, SgdUpdate update);

    /**
     * One Adam, AdamW or NAdam step in place ({@link AdamUpdate} gives the rule): param, expAvg,
     * expAvgSq and maxExpAvgSq (null without AMSGrad) are updated, grad is read. All contiguous,
     * of one float dtype and size.
     */
    void adamUpdate(Operand param, Operand grad, Operand expAvg, Operand expAvgSq, Operand maxExpAvgSq, AdamUpdate update);

    // ------------------------------------------------------------ recurrent cells (issue #8)

    /**
     * The pointwise part of an LSTM step. From the gate pre-activations gates [B, 4H] (PyTorch's
     * order i, f, g, o) and the cell state c [B, H]: act [B, 4H] = (σ(i), σ(f), tanh(g), σ(o)),
     * cNew = σ(f)·c + σ(i)·tanh(g), tanhC = tanh(cNew) and h = σ(o)·tanhC ([B, H] each). Every
     * operand is contiguous, of one float dtype; h and cNew may be parts of one allocation, and act
     * may be gates itself (the activations then replace the pre-activations).
     */
    void lstmCell(Operand gates, Operand c, Operand h, Operand cNew, Operand act, Operand tanhC);

    /**
     * One LSTM step of a sequence: gates [B, 4H] = xw + bias + h @ w, then {@link #lstmCell}(gates, c, hOut,
     * cOut, gates, tanhC), so gates ends holding the activations. w comes from {@link #prepareRight} of W_hhᵀ
     * [H, 4H]; xw [B, 4H] and h [B, H] have any layout, bias is [B, 4H] (a broadcast row) or null; the rest
     * are contiguous, as for lstmCell, and do not overlap h, xw or bias. The default runs those three kernels;
     * a backend may fuse them if the results stay the same.
     */
    default void lstmStep(Operand h, PreparedMatrix w, Operand xw, Operand bias, Operand c, Operand hOut, Operand cOut, Operand gates,
                          Operand tanhC) {
        if (bias == null) {
            copy(xw, gates);
        } else {
            binary(BinaryOp.ADD, xw, bias, gates);
        }
        matmulPrepared(h, w, gates, true);
        lstmCell(gates, c, hOut, cOut, gates, tanhC);
    }

    /**
     * Gradients of {@link #lstmCell} from its saved act, c and tanhC and the gradients gradH and
     * gradC of h and cNew (gradC null: zero): gradGates [B, 4H] and gradCPrev [B, H] (the
     * gradient of c), each null when not wanted; gradCPrev may be gradC itself. All contiguous,
     * of one float dtype.
     */
    void lstmCellBackward(Operand act, Operand c, Operand tanhC, Operand gradH, Operand gradC, Operand gradGates, Operand gradCPrev);

    /**
     * One step of backpropagation through time for {@link #lstmStep}: with the gradients gradY and gradCY [B, H]
     * that reach h and cNew from outside the recurrence, and dh, dc [B, H] those carried back from the next step,
     * {@link #lstmCellBackward}(act, c, tanhC, gradY + dh, gradCY + dc) into gradGates and dc (replacing it), then
     * dh = gradGates @ w, where w comes from {@link #prepareRight} of W_hh [4H, H]. All contiguous, of one float
     * dtype; gradY and gradCY overlap nothing written. The default runs those four kernels, the sums in place in dh
     * and dc; a backend may fuse them if the results stay the same.
     */
    default void lstmStepBackward(Operand act, Operand c, Operand tanhC, Operand gradY, Operand gradCY, PreparedMatrix w, Operand dh,
                                  Operand dc, Operand gradGates) {
        binary(BinaryOp.ADD, gradY, dh, dh);
        binary(BinaryOp.ADD, gradCY, dc, dc);
        lstmCellBackward(act, c, tanhC, dh, dc, gradGates, dc);
        matmulPrepared(gradGates, w, dh, false);
    }

    /**
     * The pointwise part of a GRU step. From xw = x W_ihᵀ + b_ih and hw = h W_hhᵀ + b_hh ([B, 3H],
     * order r, z, n) and h [B, H]: r = σ(xr + hr), z = σ(xz + hz), n = tanh(xn + r·hn),
     * hNew = n + z·(h − n) (= (1 − z)·n + z·h), and act [B, 3H] = (r, z, n). All contiguous, of
     * one float dtype.
     */
    void gruCell(Operand xw, Operand hw, Operand h, Operand hNew, Operand act);

    /**
     * Gradients of {@link #gruCell} from its saved act, hw and h and the gradient gradHNew of hNew:
     * gradXw, gradHw [B, 3H] and gradH [B, H], each null when not wanted. All contiguous, of one
     * float dtype.
     */
    void gruCellBackward(Operand act, Operand hw, Operand h, Operand gradHNew, Operand gradXw, Operand gradHw, Operand gradH);
}
