package dev.panamax.ops;

import dev.panamax.tensor.Tensor;

/** The Kullback-Leibler divergence, composed of elementwise ops (target broadcasts, as in PyTorch). */
final class DivergenceLoss {
    private DivergenceLoss() {}

    /**
     * KL divergence of the target distribution from the input's, pointwise target·(log target -
     * input) with input holding log-probabilities (0 where target is 0), or exp(target)·(target -
     * input) when the target holds log-probabilities too.
     */
    static Tensor klDiv(Tensor input, Tensor target, LossReduction reduction, boolean logTarget) {
        String op = "klDiv";
        if (reduction == null) {
            throw new IllegalArgumentException(op + ": reduction must not be null");
        }
        OpSupport.requireFloatingPoint(op, "input", input);
        OpSupport.requireFloatingPoint(op, "target", target);
        LossChecks.broadcast(op, "target", input, target);
        Tensor pointwise;
        if (logTarget) {
            try (Tensor p = target.exp(); Tensor d = target.sub(input)) {
                pointwise = p.mul(d);
            }
        } else {
            // xlogy(t, t): log of 1 where t is 0, so 0·log 0 counts as 0 and its gradient stays finite
            try (Tensor zero = target.eq(0); Tensor safe = target.maskedFill(zero, 1); Tensor log = safe.log();
                 Tensor entropy = target.mul(log); Tensor cross = target.mul(input)) {
                pointwise = entropy.sub(cross);
            }
        }
        if (reduction != LossReduction.BATCHMEAN) {
            return reduction.apply(op, pointwise);
        }
        try (pointwise; Tensor sum = pointwise.sum()) {
            return input.rank() == 0 ? sum.alias() : sum.div(input.size(0));
        }
    }
}
