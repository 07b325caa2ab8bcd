package dev.panamax.nn;

import dev.panamax.ops.Loss;
import dev.panamax.ops.LossReduction;
import dev.panamax.tensor.Tensor;

/** Quadratic below |x - y| = beta, linear above ({@link Loss#smoothL1Loss}); beta 1 by default. */
public final class SmoothL1Loss extends LossModule {
    private final double beta;

    public SmoothL1Loss() {
        this(LossReduction.MEAN, 1.0);
    }

    public SmoothL1Loss(LossReduction reduction, double beta) {
        super(reduction);
        this.beta = beta;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Loss.smoothL1Loss(input, target, reduction(), beta);
    }
}
