package dev.panamax.ops;

import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;

/** Hinge losses on ±1 labels, composed of elementwise ops (inputs and target broadcast, as in PyTorch). */
final class MarginLoss {
    private MarginLoss() {}

    /** max(0, -y·(x1 - x2) + margin): x1 should rank above x2 where y = 1, below where y = -1. */
    static Tensor marginRanking(Tensor input1, Tensor input2, Tensor target, double margin, LossReduction reduction) {
        String op = "marginRankingLoss";
        LossChecks.requireReduction(op, reduction);
        OpSupport.requireFloatingPoint(op, "input1", input1);
        OpSupport.requireFloatingPoint(op, "input2", input2);
        OpSupport.requireFloatingPoint(op, "target", target);
        if (input1.rank() != input2.rank() || input1.rank() != target.rank()) {
            throw new IllegalArgumentException(op + ": input1, input2 and target must have the same number of dims, got shapes "
                    + input1.shape() + ", " + input2.shape() + " and " + target.shape());
        }
        try {
            Shape.broadcast(op, Shape.broadcast(op, input1.shape(), input2.shape()), target.shape());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(op + ": input1 " + input1.shape() + ", input2 " + input2.shape() + " and target "
                    + target.shape() + " cannot be broadcast together", e);
        }
        try (Tensor d = input1.sub(input2); Tensor flipped = target.neg(); Tensor p = flipped.mul(d); Tensor shifted = p.add(margin)) {
            return reduction.apply(op, shifted.clampMin(0));
        }
    }

    /**
     * x where y = 1 and max(0, margin - x) where y = -1 (PyTorch's definition: other labels get
     * the sum of both terms).
     */
    static Tensor hingeEmbedding(Tensor input, Tensor target, double margin, LossReduction reduction) {
        String op = "hingeEmbeddingLoss";
        LossChecks.requireReduction(op, reduction);
        OpSupport.requireFloatingPoint(op, "input", input);
        LossChecks.broadcast(op, "target", input, target);
        try (Tensor n = input.neg(); Tensor m = n.add(margin); Tensor hinge = m.clampMin(0);
             Tensor zero = Tensor.full(Shape.scalar(), 0, input.dtype(), input.device());
             Tensor notPositive = target.ne(1); Tensor notNegative = target.ne(-1);
             Tensor negativePart = Pointwise.where(notPositive, hinge, zero); Tensor positivePart = Pointwise.where(notNegative, input, zero)) {
            return reduction.apply(op, negativePart.add(positivePart));
        }
    }
}
