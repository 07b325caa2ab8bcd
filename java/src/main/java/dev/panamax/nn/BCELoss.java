package dev.panamax.nn;

import dev.panamax.ops.Loss;
import dev.panamax.ops.LossReduction;
import dev.panamax.tensor.Tensor;

/** Binary cross entropy of probabilities ({@link Loss#binaryCrossEntropy}), with an optional {@code weight} buffer. */
public final class BCELoss extends LossModule {
    private final Tensor weight;

    public BCELoss() {
        this(null, LossReduction.MEAN);
    }

    /** @param weight broadcast to the input's shape, or null */
    public BCELoss(Tensor weight, LossReduction reduction) {
        super(reduction);
        this.weight = weightBuffer("weight", weight);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Loss.binaryCrossEntropy(input, target, weight, reduction());
    }
}
