package dev.panamax.nn;

import dev.panamax.ops.Loss;
import dev.panamax.ops.LossReduction;
import dev.panamax.tensor.Tensor;

/**
 * KL divergence of a target distribution from log-probabilities ({@link Loss#klDiv}); as in
 * PyTorch, the default reduction "mean" averages over elements, and "batchmean" is the true KL
 * divergence per sample.
 */
public final class KLDivLoss extends LossModule {
    private final boolean logTarget;

    public KLDivLoss() {
        this(LossReduction.MEAN, false);
    }

    public KLDivLoss(LossReduction reduction, boolean logTarget) {
        super(reduction);
        this.logTarget = logTarget;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Loss.klDiv(input, target, reduction(), logTarget);
    }
}
