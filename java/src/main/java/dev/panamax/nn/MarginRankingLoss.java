package dev.panamax.nn;

import dev.panamax.ops.Loss;
import dev.panamax.ops.LossReduction;
import dev.panamax.tensor.Tensor;

/**
 * max(0, -target·(input1 - input2) + margin) for targets of 1 or -1 ({@link Loss#marginRankingLoss});
 * it compares two inputs, so it is called as {@link #forward(Tensor, Tensor, Tensor)}.
 */
public final class MarginRankingLoss extends Module {
    private final double margin;
    private final LossReduction reduction;

    public MarginRankingLoss() {
        this(0.0, LossReduction.MEAN);
    }

    public MarginRankingLoss(double margin, LossReduction reduction) {
        this.margin = margin;
        this.reduction = reduction;
    }

    /** Always fails: the loss needs two inputs and a target. */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("MarginRankingLoss: needs two inputs and a target; call forward(input1, input2, target)");
    }

    public Tensor forward(Tensor input1, Tensor input2, Tensor target) {
        return Loss.marginRankingLoss(input1, input2, target, margin, reduction);
    }
}
