package dev.panamax.ops;

import dev.panamax.autograd.Autograd;
import dev.panamax.autograd.GradMode;
import dev.panamax.tensor.Tensor;

/**
 * Binary (per-element, two-class) cross entropies. Each per-element loss is one graph node whose
 * forward is computed in a numerically safe form and whose backward is PyTorch's closed-form
 * gradient, written with ops on the inputs (so it is itself differentiable); the class weights
 * are applied afterwards with an ordinary product.
 */
final class BinaryLoss {
    /** PyTorch's floor for x·(1 - x) in the gradient of binaryCrossEntropy. */
    private static final double GRADIENT_EPS = 1e-12;
    /** PyTorch clamps each log at -100, so a probability of exactly 0 or 1 gives a finite loss. */
    private static final double LOG_FLOOR = -100;

    private BinaryLoss() {}

    /** -w·(y·log(x) + (1 - y)·log(1 - x)) for probabilities x in [0, 1]. */
    static Tensor binaryCrossEntropy(Tensor input, Tensor target, Tensor weight, LossReduction reduction) {
        String op = "binaryCrossEntropy";
        LossChecks.requireReduction(op, reduction);
        OpSupport.requireFloatingPoint(op, "input", input);
        OpSupport.requireFloatingPoint(op, "target", target);
        LossChecks.requireSameShape(op, "target", input, target);
        LossChecks.requireWeightFits(op, "weight", weight, input);
        requireProbabilities(op, input);
        Tensor losses;
        try (GradMode.Guard ignored = GradMode.noGrad();
             Tensor logP = input.log(); Tensor safeLogP = logP.clampMin(LOG_FLOOR);
             Tensor oneMinusP = oneMinus(input); Tensor logQ = oneMinusP.log(); Tensor safeLogQ = logQ.clampMin(LOG_FLOOR);
             Tensor oneMinusY = oneMinus(target); Tensor a = target.mul(safeLogP); Tensor b = oneMinusY.mul(safeLogQ);
             Tensor sum = a.add(b)) {
            losses = sum.neg();
        }
        Autograd.record("BinaryCrossEntropyBackward", losses, (g, needs) -> {
            Tensor gx = null;
            Tensor gy = null;
            if (needs[0]) {
                // (x - y) / max(x·(1 - x), eps)
                try (Tensor d = input.sub(target); Tensor q = oneMinus(input); Tensor pq = input.mul(q);
                     Tensor floor = pq.clampMin(GRADIENT_EPS); Tensor r = d.div(floor)) {
                    gx = productTo(g, r, input);
                }
            }
            if (needs[1]) {
                // log(1 - x) - log(x), unclamped as in PyTorch
                try (Tensor q = oneMinus(input); Tensor lq = q.log(); Tensor lp = input.log(); Tensor r = lq.sub(lp)) {
                    gy = productTo(g, r, target);
                }
            }
            return new Tensor[] {gx, gy};
        }, input, target);
        return reduction.apply(op, weighted(losses, weight));
    }

    /**
     * The binary cross entropy of sigmoid(x) without computing it:
     * max(x, 0) - x·y + log1p(exp(-|x|)), plus (posWeight - 1)·y·softplus(-x) for a positive-class
     * weight; finite for any finite logit.
     */
    static Tensor withLogits(Tensor input, Tensor target, Tensor weight, LossReduction reduction, Tensor posWeight) {
        String op = "binaryCrossEntropyWithLogits";
        LossChecks.requireReduction(op, reduction);
        checkLogitsAndTarget(op, input, target);
        LossChecks.requireWeightFits(op, "weight", weight, input);
        LossChecks.requireWeightFits(op, "posWeight", posWeight, input);
        return reduction.apply(op, weighted(logitLosses(input, target, posWeight), weight));
    }

    /**
     * The mean over the last dim (the classes) of the per-class logistic losses, weighted by
     * {@code weight}: one loss per sample.
     */
    static Tensor multilabelSoftMargin(Tensor input, Tensor target, Tensor weight, LossReduction reduction) {
        String op = "multilabelSoftMarginLoss";
        LossChecks.requireReduction(op, reduction);
        if (input.rank() == 0) {
            throw new IllegalArgumentException(op + ": input must have a class dim ([C] or [N, C]), got a 0-d tensor");
        }
        checkLogitsAndTarget(op, input, target);
        LossChecks.requireWeightFits(op, "weight", weight, input);
        long classes = input.size(-1);
        try (Tensor losses = weighted(logitLosses(input, target, null), weight); Tensor perSample = losses.sum(-1)) {
            return reduction.apply(op, perSample.div(classes));
        }
    }

    private static void checkLogitsAndTarget(String op, Tensor input, Tensor target) {
        OpSupport.requireFloatingPoint(op, "input", input);
        OpSupport.requireFloatingPoint(op, "target", target);
        LossChecks.requireSameShape(op, "target", input, target);
    }

    /** Per-element logistic losses of logits against targets in [0, 1]. */
    private static Tensor logitLosses(Tensor input, Tensor target, Tensor posWeight) {
        Tensor losses;
        try (GradMode.Guard ignored = GradMode.noGrad();
             Tensor relu = input.relu(); Tensor xy = input.mul(target); Tensor margin = relu.sub(xy);
             Tensor tail = logOnePlusExpMinusAbs(input); Tensor base = margin.add(tail)) {
            if (posWeight == null) {
                losses = base.alias();
            } else {
                try (Tensor sp = softplusOfNegative(input, tail); Tensor extra = extraPositiveWeight(posWeight, target)) {
                    try (Tensor e = extra.mul(sp)) {
                        losses = base.add(e);
                    }
                }
            }
        }
        return Autograd.record("BinaryCrossEntropyWithLogitsBackward", losses, (g, needs) -> {
            // with lw = 1 + (p - 1)·y: d/dx = lw·sigmoid(x) - p·y, d/dy = -x + (p - 1)·softplus(-x), d/dp = y·softplus(-x)
            Tensor gx = null;
            Tensor gy = null;
            Tensor gp = null;
            if (needs[0]) {
                try (Tensor s = input.sigmoid()) {
                    if (posWeight == null) {
                        try (Tensor d = s.sub(target)) {
                            gx = productTo(g, d, input);
                        }
                    } else {
                        try (Tensor extra = extraPositiveWeight(posWeight, target); Tensor lw = extra.add(1.0); Tensor a = lw.mul(s);
                             Tensor py = posWeight.mul(target); Tensor d = a.sub(py)) {
                            gx = productTo(g, d, input);
                        }
                    }
                }
            }
            if (needs[1]) {
                if (posWeight == null) {
                    try (Tensor d = input.neg()) {
                        gy = productTo(g, d, target);
                    }
                } else {
                    try (Tensor sp = softplusOfNegative(input, null); Tensor pm1 = posWeight.sub(1.0); Tensor e = pm1.mul(sp);
                         Tensor d = e.sub(input)) {
                        gy = productTo(g, d, target);
                    }
                }
            }
            if (needs[2]) {
                try (Tensor sp = softplusOfNegative(input, null); Tensor d = target.mul(sp)) {
                    gp = productTo(g, d, posWeight);
                }
            }
            return new Tensor[] {gx, gy, gp};
        }, input, target, posWeight);
    }

    /** log1p(exp(-|x|)), in (0, log 2]: never overflows. */
    private static Tensor logOnePlusExpMinusAbs(Tensor x) {
        try (Tensor a = x.abs(); Tensor n = a.neg(); Tensor e = n.exp()) {
            return e.log1p();
        }
    }

    /** softplus(-x) = -log(sigmoid(x)) = max(-x, 0) + log1p(exp(-|x|)); {@code tail} is the second term when known. */
    private static Tensor softplusOfNegative(Tensor x, Tensor tail) {
        try (Tensor n = x.neg(); Tensor r = n.relu(); Tensor t = tail == null ? logOnePlusExpMinusAbs(x) : tail.alias()) {
            return r.add(t);
        }
    }

    /** (posWeight - 1)·y: how much more a positive target counts. */
    private static Tensor extraPositiveWeight(Tensor posWeight, Tensor target) {
        try (Tensor pm1 = posWeight.sub(1.0)) {
            return pm1.mul(target);
        }
    }

    /** g·factor summed and converted to the shape and dtype of {@code input}. */
    private static Tensor productTo(Tensor g, Tensor factor, Tensor input) {
        try (Tensor p = g.mul(factor)) {
            return OpSupport.reduceTo(p, input);
        }
    }

    private static Tensor oneMinus(Tensor x) {
        try (Tensor n = x.neg()) {
            return n.add(1.0);
        }
    }

    /** losses·weight (taking ownership of losses); losses as is without a weight. */
    private static Tensor weighted(Tensor losses, Tensor weight) {
        if (weight == null) {
            return losses;
        }
        try (losses) {
            return losses.mul(weight);
        }
    }

    /** PyTorch rejects probabilities outside [0, 1] (NaN included). */
    private static void requireProbabilities(String op, Tensor input) {
        if (input.numel() == 0) {
            return;
        }
        try (GradMode.Guard ignored = GradMode.noGrad(); Tensor lo = input.min(); Tensor hi = input.max()) {
            double min = lo.item();
            double max = hi.item();
            if (!(min >= 0 && max <= 1)) {
                double bad = !(min >= 0) ? min : max;
                throw new IllegalArgumentException(op + ": input values must be probabilities in [0, 1], got " + bad + " in "
                        + input.describe());
            }
        }
    }
}
