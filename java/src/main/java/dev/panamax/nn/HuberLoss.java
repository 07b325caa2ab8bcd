package dev.panamax.nn;

import dev.panamax.ops.Loss;
import dev.panamax.ops.LossReduction;
import dev.panamax.tensor.Tensor;

/** 0.5·d² below |d| = delta, delta·(|d| - 0.5·delta) above ({@link Loss#huberLoss}); delta 1 by default. */
public final class HuberLoss extends LossModule {
    private final double delta;

    public HuberLoss() {
        this(LossReduction.MEAN, 1.0);
    }

    public HuberLoss(LossReduction reduction, double delta) {
        super(reduction);
        this.delta = delta;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Loss.huberLoss(input, target, reduction(), delta);
    }
}
