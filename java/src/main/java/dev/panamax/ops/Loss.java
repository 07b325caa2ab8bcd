package dev.panamax.ops;

import dev.panamax.tensor.Tensor;

/**
 * Loss functions with PyTorch's names, argument order, defaults and semantics
 * ({@code torch.nn.functional}): the short overloads take PyTorch's defaults (reduction "mean",
 * no weights, ignoreIndex -100, ...). Optional tensors (weight, posWeight) may be null. Every
 * loss is differentiable with respect to its input; where PyTorch's is, also with respect to the
 * target.
 */
public final class Loss {
    /** PyTorch's default ignoreIndex: a target that is never a class. */
    public static final long DEFAULT_IGNORE_INDEX = -100;

    private Loss() {}

    // ---------------------------------------------------------------- regression

    /** Squared error (x - y)²; target broadcasts with input (a different shape is logged as a likely bug). */
    public static Tensor mseLoss(Tensor input, Tensor target) {
        return mseLoss(input, target, LossReduction.MEAN);
    }

    public static Tensor mseLoss(Tensor input, Tensor target, LossReduction reduction) {
        return RegressionLoss.mse(input, target, reduction);
    }

    /** Absolute error |x - y|. */
    public static Tensor l1Loss(Tensor input, Tensor target) {
        return l1Loss(input, target, LossReduction.MEAN);
    }

    public static Tensor l1Loss(Tensor input, Tensor target, LossReduction reduction) {
        return RegressionLoss.l1(input, target, reduction);
    }

    /** 0.5·d²/beta where |d| &lt; beta, else |d| - 0.5·beta (beta = 1). */
    public static Tensor smoothL1Loss(Tensor input, Tensor target) {
        return smoothL1Loss(input, target, LossReduction.MEAN, 1.0);
    }

    /** @param beta where the loss turns from quadratic to linear, {@code >= 0}; 0 gives the L1 loss */
    public static Tensor smoothL1Loss(Tensor input, Tensor target, LossReduction reduction, double beta) {
        return RegressionLoss.smoothL1(input, target, reduction, beta);
    }

    /** 0.5·d² where |d| &lt; delta, else delta·(|d| - 0.5·delta) (delta = 1). */
    public static Tensor huberLoss(Tensor input, Tensor target) {
        return huberLoss(input, target, LossReduction.MEAN, 1.0);
    }

    /** @param delta where the loss turns from quadratic to linear, {@code > 0} */
    public static Tensor huberLoss(Tensor input, Tensor target, LossReduction reduction, double delta) {
        return RegressionLoss.huber(input, target, reduction, delta);
    }

    // ---------------------------------------------------------------- binary and multi-label

    /** Binary cross entropy of probabilities (input in [0, 1]) against targets of the same shape. */
    public static Tensor binaryCrossEntropy(Tensor input, Tensor target) {
        return binaryCrossEntropy(input, target, null, LossReduction.MEAN);
    }

    /**
     * -weight·(y·log x + (1 - y)·log(1 - x)), each log clamped at -100 as in PyTorch, so inputs of
     * exactly 0 or 1 give finite losses and gradients.
     *
     * @param weight broadcast to the input's shape, or null
     */
    public static Tensor binaryCrossEntropy(Tensor input, Tensor target, Tensor weight, LossReduction reduction) {
        return BinaryLoss.binaryCrossEntropy(input, target, weight, reduction);
    }

    /** Binary cross entropy of sigmoid(input), computed stably from the logits. */
    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target) {
        return binaryCrossEntropyWithLogits(input, target, null, LossReduction.MEAN, null);
    }

    /**
     * @param weight    broadcast to the input's shape, or null
     * @param posWeight weight of the positive class, broadcast to the input's shape (typically
     *                  [C]: one per class), or null
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor weight, LossReduction reduction,
                                                      Tensor posWeight) {
        return BinaryLoss.withLogits(input, target, weight, reduction, posWeight);
    }

    /** Multi-label one-versus-all logistic loss over the last dim of [N, C] (or [C]) logits. */
    public static Tensor multilabelSoftMarginLoss(Tensor input, Tensor target) {
        return multilabelSoftMarginLoss(input, target, null, LossReduction.MEAN);
    }

    /**
     * Mean over the classes (the last dim) of weight·(binary cross entropy with logits): one loss
     * per sample before the reduction.
     *
     * @param weight per-class weights broadcast to the input's shape, or null
     */
    public static Tensor multilabelSoftMarginLoss(Tensor input, Tensor target, Tensor weight, LossReduction reduction) {
        return BinaryLoss.multilabelSoftMargin(input, target, weight, reduction);
    }

    // ---------------------------------------------------------------- multi-class

    /** Cross entropy of logits [N, C, d...] (or [C]) against class indices or probabilities. */
    public static Tensor crossEntropy(Tensor input, Tensor target) {
        return crossEntropy(input, target, null, DEFAULT_IGNORE_INDEX, LossReduction.MEAN, 0.0);
    }

    /**
     * log-softmax over dim 1 (dim 0 unbatched) followed by the negative log-likelihood.
     *
     * @param target         class indices (an integer tensor [N, d...], the input without dim 1)
     *                       or class probabilities (a float tensor of the input's shape)
     * @param weight         per-class weights [C] or null; with class indices the mean divides
     *                       by the summed weights of the non-ignored targets
     * @param ignoreIndex    a class-index target that contributes neither loss nor weight
     * @param labelSmoothing ε in [0, 1]: the target becomes (1 - ε)·target + ε/C (uniform)
     */
    public static Tensor crossEntropy(Tensor input, Tensor target, Tensor weight, long ignoreIndex, LossReduction reduction,
                                      double labelSmoothing) {
        return ClassificationLoss.crossEntropy(input, target, weight, ignoreIndex, reduction, labelSmoothing);
    }

    /** Negative log-likelihood of log-probabilities [N, C, d...] (or [C]) at class indices [N, d...]. */
    public static Tensor nllLoss(Tensor input, Tensor target) {
        return nllLoss(input, target, null, DEFAULT_IGNORE_INDEX, LossReduction.MEAN);
    }

    /** -weight[t]·input[n, t] per target t; the mean divides by the summed weights of the non-ignored targets. */
    public static Tensor nllLoss(Tensor input, Tensor target, Tensor weight, long ignoreIndex, LossReduction reduction) {
        return ClassificationLoss.nllLoss(input, target, weight, ignoreIndex, reduction);
    }

    /** KL divergence with input holding log-probabilities and target probabilities (reduction "mean"). */
    public static Tensor klDiv(Tensor input, Tensor target) {
        return klDiv(input, target, LossReduction.MEAN, false);
    }

    /**
     * Pointwise target·(log target - input), summed and reduced. As in PyTorch, MEAN averages over
     * every element; BATCHMEAN (sum / batch size) is the true KL divergence per sample.
     *
     * @param logTarget the target holds log-probabilities too
     */
    public static Tensor klDiv(Tensor input, Tensor target, LossReduction reduction, boolean logTarget) {
        return DivergenceLoss.klDiv(input, target, reduction, logTarget);
    }

    // ---------------------------------------------------------------- margins

    /** max(0, -target·(input1 - input2) + margin) with margin 0; target holds 1 or -1. */
    public static Tensor marginRankingLoss(Tensor input1, Tensor input2, Tensor target) {
        return marginRankingLoss(input1, input2, target, 0.0, LossReduction.MEAN);
    }

    public static Tensor marginRankingLoss(Tensor input1, Tensor input2, Tensor target, double margin, LossReduction reduction) {
        return MarginLoss.marginRanking(input1, input2, target, margin, reduction);
    }

    /** input where target is 1, max(0, margin - input) where it is -1 (margin 1). */
    public static Tensor hingeEmbeddingLoss(Tensor input, Tensor target) {
        return hingeEmbeddingLoss(input, target, 1.0, LossReduction.MEAN);
    }

    public static Tensor hingeEmbeddingLoss(Tensor input, Tensor target, double margin, LossReduction reduction) {
        return MarginLoss.hingeEmbedding(input, target, margin, reduction);
    }
}
