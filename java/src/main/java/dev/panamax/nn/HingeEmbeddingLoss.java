package dev.panamax.nn;

import dev.panamax.ops.Loss;
import dev.panamax.ops.LossReduction;
import dev.panamax.tensor.Tensor;

/** input where the target is 1, max(0, margin - input) where it is -1 ({@link Loss#hingeEmbeddingLoss}); margin 1 by default. */
public final class HingeEmbeddingLoss extends LossModule {
    private final double margin;

    public HingeEmbeddingLoss() {
        this(1.0, LossReduction.MEAN);
    }

    public HingeEmbeddingLoss(double margin, LossReduction reduction) {
        super(reduction);
        this.margin = margin;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Loss.hingeEmbeddingLoss(input, target, margin, reduction());
    }
}
