package dev.panamax.nn;

import dev.panamax.ops.Loss;
import dev.panamax.ops.LossReduction;
import dev.panamax.tensor.Tensor;

/** Negative log-likelihood of log-probabilities at class indices ({@link Loss#nllLoss}), with an optional class {@code weight} buffer. */
public final class NLLLoss extends LossModule {
    private final Tensor weight;
    private final long ignoreIndex;

    public NLLLoss() {
        this(null, Loss.DEFAULT_IGNORE_INDEX, LossReduction.MEAN);
    }

    /** @param weight per-class weights [C], or null */
    public NLLLoss(Tensor weight, long ignoreIndex, LossReduction reduction) {
        super(reduction);
        this.weight = weightBuffer("weight", weight);
        this.ignoreIndex = ignoreIndex;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Loss.nllLoss(input, target, weight, ignoreIndex, reduction());
    }
}
