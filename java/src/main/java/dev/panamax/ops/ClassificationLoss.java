package dev.panamax.ops;

import dev.panamax.autograd.Autograd;
import dev.panamax.autograd.GradMode;
import dev.panamax.backend.Backend;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;
import java.util.Arrays;

/**
 * Losses over class scores with the classes on dim 1 ([N, C, d...], or [C] unbatched):
 * nllLoss and crossEntropy with class-index targets run the fused {@link Backend#nllLoss}
 * kernel (a gather of one log-probability per target, with class weights and ignoreIndex);
 * class-probability targets and label smoothing compose ops, following PyTorch's definitions.
 */
final class ClassificationLoss {
    private ClassificationLoss() {}

    static Tensor nllLoss(Tensor input, Tensor target, Tensor weight, long ignoreIndex, LossReduction reduction) {
        String op = "nllLoss";
        LossChecks.requireReduction(op, reduction);
        long classes = classCount(op, input);
        checkClassWeight(op, weight, classes);
        requireConstantWeight(op, weight);
        checkIndexTarget(op, input, target, false);
        checkTargetRange(op, target, classes, ignoreIndex);
        try (Tensor w = sameType(weight, input); PerSample nll = perSample(op, input, target, w, ignoreIndex, reduction)) {
            return reduce(nll.losses, nll, reduction);
        }
    }

    /**
     * log-softmax over the classes, then the NLL of class indices, or the cross entropy
     * -sum(p·log q) of class probabilities (a float target of the input's shape).
     */
    static Tensor crossEntropy(Tensor input, Tensor target, Tensor weight, long ignoreIndex, LossReduction reduction,
                               double labelSmoothing) {
        String op = "crossEntropy";
        LossChecks.requireReduction(op, reduction);
        long classes = classCount(op, input);
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException(op + ": labelSmoothing must be between 0.0 and 1.0, got " + labelSmoothing);
        }
        checkClassWeight(op, weight, classes);
        int classDim = input.rank() == 1 ? 0 : 1;
        if (target.dtype().isFloatingPoint() && target.shape().equals(input.shape())) {
            if (ignoreIndex >= 0) {
                throw new IllegalArgumentException(op + ": ignoreIndex " + ignoreIndex + " is not supported with class-probability"
                        + " targets (a float target of the input's shape " + input.shape() + ")");
            }
            try (Tensor w = sameType(weight, input)) {
                return probabilityTargets(input, target, w, classDim, classes, reduction, labelSmoothing);
            }
        }
        requireConstantWeight(op, weight);
        checkIndexTarget(op, input, target, true);
        checkTargetRange(op, target, classes, ignoreIndex);
        try (Tensor w = sameType(weight, input); Tensor logProbs = input.logSoftmax(classDim);
             PerSample nll = perSample(op, logProbs, target, w, ignoreIndex, reduction)) {
            if (labelSmoothing == 0) {
                return reduce(nll.losses, nll, reduction);
            }
            try (Tensor losses = smoothed(logProbs, nll, target, w, classDim, ignoreIndex, labelSmoothing)) {
                return reduce(losses, nll, reduction);
            }
        }
    }

    // ---------------------------------------------------------------- class-index targets

    /** Per-target losses (in the graph) and, for the mean, the targets' class weights (constants). */
    private record PerSample(Tensor losses, Tensor weights) implements AutoCloseable {
        @Override
        public void close() {
            losses.close();
            if (weights != null) {
                weights.close();
            }
        }
    }

    private static PerSample perSample(String op, Tensor logProbs, Tensor target, Tensor weight, long ignoreIndex,
                                       LossReduction reduction) {
        if (logProbs.rank() == 1) {
            try (Tensor lp = logProbs.unsqueeze(0); Tensor t = target.unsqueeze(0);
                 PerSample batched = perSample(op, lp, t, weight, ignoreIndex, reduction)) {
                return new PerSample(batched.losses.reshape(), batched.weights == null ? null : batched.weights.reshape());
            }
        }
        Backend be = OpSupport.backend(op, logProbs, target, weight);
        Tensor losses = OpSupport.empty(logProbs, target.shape(), logProbs.dtype());
        Tensor weights = reduction == LossReduction.MEAN ? OpSupport.empty(logProbs, target.shape(), logProbs.dtype()) : null;
        be.nllLoss(logProbs.operand(), target.operand(), weight == null ? null : weight.operand(), ignoreIndex, losses.operand(),
                weights == null ? null : weights.operand());
        Autograd.record("NllLossBackward", losses, (g, needs) -> {
            OpSupport.noHigherOrder("NllLossBackward");
            Tensor gx = OpSupport.empty(logProbs, logProbs.shape(), logProbs.dtype());
            be.nllLossBackward(g.operand(), target.operand(), weight == null ? null : weight.operand(), ignoreIndex, gx.operand());
            return new Tensor[] {gx, null, null};
        }, logProbs, target, weight);
        return new PerSample(losses, weights);
    }

    /**
     * PyTorch's label smoothing of class indices, per target: (1 - ε)·nll + ε/C·smooth with
     * smooth = -sum over c of w[c]·log q[c], zero at ignored targets. (The mean then divides both
     * terms by the summed weights of the kept targets.)
     */
    private static Tensor smoothed(Tensor logProbs, PerSample nll, Tensor target, Tensor weight, int classDim, long ignoreIndex,
                                   double labelSmoothing) {
        long classes = logProbs.size(classDim);
        try (Tensor wc = classView(weight, logProbs.rank(), classDim); Tensor weighted = wc == null ? logProbs.alias() : logProbs.mul(wc);
             Tensor summed = weighted.sum(new int[] {classDim}, false); Tensor ignored = target.eq(ignoreIndex);
             Tensor kept = summed.maskedFill(ignored, 0); Tensor smooth = kept.mul(-labelSmoothing / classes);
             Tensor hard = nll.losses.mul(1 - labelSmoothing)) {
            return hard.add(smooth);
        }
    }

    /** The mean divides by the summed class weights of the non-ignored targets (their count without weights). */
    private static Tensor reduce(Tensor losses, PerSample nll, LossReduction reduction) {
        return switch (reduction) {
            case NONE -> losses.alias();
            case SUM -> losses.sum();
            default -> {
                try (Tensor total = losses.sum(); Tensor weightSum = nll.weights.sum()) {
                    yield total.div(weightSum);
                }
            }
        };
    }

    private static void checkIndexTarget(String op, Tensor input, Tensor target, boolean probabilitiesAllowed) {
        long[] expected = input.shape().toArray();
        if (input.rank() == 1) {
            expected = new long[0];
        } else {
            System.arraycopy(expected, 2, expected, 1, expected.length - 2);
            expected = Arrays.copyOf(expected, expected.length - 1);
        }
        String probabilities = probabilitiesAllowed ? "; class probabilities are a float tensor of the input's shape" : "";
        if (!target.dtype().isIntegral() || target.dtype() == DType.BOOL) {
            throw new IllegalArgumentException(op + ": target must hold class indices as an integer tensor of shape " + Shape.of(expected)
                    + probabilities + ", got " + target.describe() + " for input " + input.shape());
        }
        if (!target.shape().equals(Shape.of(expected))) {
            throw new IllegalArgumentException(op + ": target shape " + target.shape() + " does not fit the input shape " + input.shape()
                    + ": class indices have shape " + Shape.of(expected) + " (the input without its class dim "
                    + (input.rank() == 1 ? 0 : 1) + ")" + probabilities);
        }
    }

    /** Every target lies in [0, classes) or equals ignoreIndex; two reductions in the common case. */
    private static void checkTargetRange(String op, Tensor target, long classes, long ignoreIndex) {
        if (target.numel() == 0) {
            return;
        }
        try (GradMode.Guard ignored = GradMode.noGrad()) {
            try (Tensor lo = target.min(); Tensor hi = target.max()) {
                if (lo.item() >= 0 && hi.item() < classes) {
                    return;
                }
            }
            try (Tensor skip = target.eq(ignoreIndex); Tensor kept = target.maskedFill(skip, 0); Tensor lo = kept.min();
                 Tensor hi = kept.max()) {
                long min = (long) lo.item();
                long max = (long) hi.item();
                if (min < 0 || max >= classes) {
                    throw new IndexOutOfBoundsException(op + ": target " + (min < 0 ? min : max) + " is out of bounds for " + classes
                            + " classes (targets must lie in [0, " + (classes - 1) + "] or equal ignoreIndex " + ignoreIndex + ")");
                }
            }
        }
    }

    // ---------------------------------------------------------------- class-probability targets

    /**
     * -sum over classes of w[c]·p[c]·log q[c], with p smoothed to p·(1 - ε) + ε/C; the mean divides
     * by the number of samples (not by the weights).
     */
    private static Tensor probabilityTargets(Tensor input, Tensor target, Tensor weight, int classDim, long classes,
                                             LossReduction reduction, double labelSmoothing) {
        try (Tensor logProbs = input.logSoftmax(classDim); Tensor p = smoothedProbabilities(target, classes, labelSmoothing);
             Tensor product = logProbs.mul(p); Tensor wc = classView(weight, input.rank(), classDim);
             Tensor weighted = wc == null ? product.alias() : product.mul(wc)) {
            if (reduction == LossReduction.NONE) {
                try (Tensor s = weighted.sum(new int[] {classDim}, false)) {
                    return s.neg();
                }
            }
            try (Tensor s = weighted.sum()) {
                long samples = input.numel() / classes;
                return reduction == LossReduction.SUM ? s.neg() : s.div(-(double) samples);
            }
        }
    }

    private static Tensor smoothedProbabilities(Tensor target, long classes, double labelSmoothing) {
        if (labelSmoothing == 0) {
            return target.alias();
        }
        try (Tensor scaled = target.mul(1 - labelSmoothing)) {
            return scaled.add(labelSmoothing / classes);
        }
    }

    // ---------------------------------------------------------------- shared checks

    /** Size of the class dim (1, or 0 for an unbatched [C] input); the input must be floating point. */
    private static long classCount(String op, Tensor input) {
        OpSupport.requireFloatingPoint(op, "input", input);
        if (input.rank() == 0) {
            throw new IllegalArgumentException(op + ": input must be [N, C, d...] or [C] (unbatched), got a 0-d tensor");
        }
        long classes = input.size(input.rank() == 1 ? 0 : 1);
        if (classes == 0) {
            throw new IllegalArgumentException(op + ": input " + input.shape() + " has no classes (its class dim has size 0)");
        }
        return classes;
    }

    private static void checkClassWeight(String op, Tensor weight, long classes) {
        if (weight == null) {
            return;
        }
        OpSupport.requireFloatingPoint(op, "weight", weight);
        if (weight.rank() != 1 || weight.size(0) != classes) {
            throw new IllegalArgumentException(op + ": weight must be 1-D with one entry per class (" + classes + "), got shape "
                    + weight.shape());
        }
    }

    /** The NLL kernel gives class weights no gradient; PyTorch refuses weights that ask for one. */
    private static void requireConstantWeight(String op, Tensor weight) {
        if (weight != null && weight.requiresGrad() && GradMode.isEnabled()) {
            throw new IllegalArgumentException(op + ": weight " + weight.describe() + " requires grad, but with class-index targets"
                    + " the class weights get no gradient (as in PyTorch); pass weight.detach()");
        }
    }

    /** The class weights in the input's dtype (a new tensor object to close; null stays null). */
    private static Tensor sameType(Tensor weight, Tensor input) {
        return weight == null ? null : weight.to(input.dtype());
    }

    /** weight [C] as [1, C, 1, ...] (or [C]), to broadcast against an input with the classes on classDim; null stays null. */
    private static Tensor classView(Tensor weight, int rank, int classDim) {
        if (weight == null) {
            return null;
        }
        long[] shape = new long[rank];
        Arrays.fill(shape, 1);
        shape[classDim] = weight.size(0);
        return weight.reshape(shape);
    }
}
