package dev.panamax.nn;

import dev.panamax.ops.Loss;
import dev.panamax.ops.LossReduction;
import dev.panamax.tensor.Tensor;

/**
 * Binary cross entropy of sigmoid(input), computed stably from the logits
 * ({@link Loss#binaryCrossEntropyWithLogits}), with optional {@code weight} and {@code pos_weight} buffers.
 */
public final class BCEWithLogitsLoss extends LossModule {
    private final Tensor weight;
    private final Tensor posWeight;

    public BCEWithLogitsLoss() {
        this(null, LossReduction.MEAN, null);
    }

    /**
     * @param weight    broadcast to the input's shape, or null
     * @param posWeight the positive class's weight, broadcast to the input's shape (typically one per class), or null
     */
    public BCEWithLogitsLoss(Tensor weight, LossReduction reduction, Tensor posWeight) {
        super(reduction);
        this.weight = weightBuffer("weight", weight);
        this.posWeight = weightBuffer("pos_weight", posWeight);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Loss.binaryCrossEntropyWithLogits(input, target, weight, reduction(), posWeight);
    }
}
