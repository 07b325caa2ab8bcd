package dev.panamax.nn;

import dev.panamax.ops.Loss;
import dev.panamax.ops.LossReduction;
import dev.panamax.tensor.Tensor;

/** Absolute error |x - y| ({@link Loss#l1Loss}). */
public final class L1Loss extends LossModule {
    public L1Loss() {
        this(LossReduction.MEAN);
    }

    public L1Loss(LossReduction reduction) {
        super(reduction);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Loss.l1Loss(input, target, reduction());
    }
}
