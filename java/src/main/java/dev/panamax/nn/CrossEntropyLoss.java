package dev.panamax.nn;

import dev.panamax.ops.Loss;
import dev.panamax.ops.LossReduction;
import dev.panamax.tensor.Tensor;

/**
 * Cross entropy of logits [N, C, d...] against class indices or class probabilities
 * ({@link Loss#crossEntropy}): optional class {@code weight} buffer, ignoreIndex -100 and label
 * smoothing 0 by default.
 */
public final class CrossEntropyLoss extends LossModule {
    private final Tensor weight;
    private final long ignoreIndex;
    private final double labelSmoothing;

    public CrossEntropyLoss() {
        this(null, Loss.DEFAULT_IGNORE_INDEX, LossReduction.MEAN, 0.0);
    }

    /** @param weight per-class weights [C], or null */
    public CrossEntropyLoss(Tensor weight, long ignoreIndex, LossReduction reduction, double labelSmoothing) {
        super(reduction);
        this.weight = weightBuffer("weight", weight);
        this.ignoreIndex = ignoreIndex;
        this.labelSmoothing = labelSmoothing;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Loss.crossEntropy(input, target, weight, ignoreIndex, reduction(), labelSmoothing);
    }
}
