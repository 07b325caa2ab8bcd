package dev.panamax.nn;

import dev.panamax.ops.Loss;
import dev.panamax.ops.LossReduction;
import dev.panamax.tensor.Tensor;

/** Squared error (x - y)², reduced by the mean unless told otherwise ({@link Loss#mseLoss}). */
public final class MSELoss extends LossModule {
    public MSELoss() {
        this(LossReduction.MEAN);
    }

    public MSELoss(LossReduction reduction) {
        super(reduction);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Loss.mseLoss(input, target, reduction());
    }
}
