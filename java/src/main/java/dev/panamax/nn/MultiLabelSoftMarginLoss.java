package dev.panamax.nn;

import dev.panamax.ops.Loss;
import dev.panamax.ops.LossReduction;
import dev.panamax.tensor.Tensor;

/** Multi-label one-versus-all logistic loss ({@link Loss#multilabelSoftMarginLoss}), with an optional {@code weight} buffer. */
public final class MultiLabelSoftMarginLoss extends LossModule {
    private final Tensor weight;

    public MultiLabelSoftMarginLoss() {
        this(null, LossReduction.MEAN);
    }

    /** @param weight per-class weights, or null */
    public MultiLabelSoftMarginLoss(Tensor weight, LossReduction reduction) {
        super(reduction);
        this.weight = weightBuffer("weight", weight);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Loss.multilabelSoftMarginLoss(input, target, weight, reduction());
    }
}
