package dev.panamax.ops;

import dev.panamax.tensor.Tensor;

/**
 * Distances between a prediction and a target, composed of elementwise ops (gradients flow to
 * both; target broadcasts with input, as in PyTorch).
 */
final class RegressionLoss {
    private RegressionLoss() {}

    static Tensor mse(Tensor input, Tensor target, LossReduction reduction) {
        check("mseLoss", input, target, reduction);
        try (Tensor d = input.sub(target)) {
            return reduction.apply("mseLoss", d.pow(2));
        }
    }

    static Tensor l1(Tensor input, Tensor target, LossReduction reduction) {
        check("l1Loss", input, target, reduction);
        try (Tensor d = input.sub(target)) {
            return reduction.apply("l1Loss", d.abs());
        }
    }

    /** 0.5·d²/beta where |d| &lt; beta, else |d| - 0.5·beta; beta = 0 is the L1 loss. */
    static Tensor smoothL1(Tensor input, Tensor target, LossReduction reduction, double beta) {
        if (!(beta >= 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("smoothL1Loss: beta must be finite and non-negative, got " + beta);
        }
        check("smoothL1Loss", input, target, reduction);
        if (beta == 0) {
            // the quadratic piece would divide by zero; its limit is |d|
            return l1(input, target, reduction);
        }
        return reduction.apply("smoothL1Loss", quadraticNearZero(input, target, beta, 1 / beta, 1));
    }

    /** 0.5·d² where |d| &lt; delta, else delta·(|d| - 0.5·delta): smoothL1 scaled by delta. */
    static Tensor huber(Tensor input, Tensor target, LossReduction reduction, double delta) {
        if (!(delta > 0) || Double.isInfinite(delta)) {
            throw new IllegalArgumentException("huberLoss: delta must be finite and positive, got " + delta);
        }
        check("huberLoss", input, target, reduction);
        return reduction.apply("huberLoss", quadraticNearZero(input, target, delta, 1, delta));
    }

    /**
     * quadraticScale·0.5·d² where |d| &lt; threshold, else linearScale·(|d| - 0.5·threshold). At
     * |d| = threshold the linear piece is taken; both pieces have the same slope there.
     */
    private static Tensor quadraticNearZero(Tensor input, Tensor target, double threshold, double quadraticScale, double linearScale) {
        try (Tensor d = input.sub(target); Tensor a = d.abs(); Tensor near = a.lt(threshold);
             Tensor sq = d.pow(2); Tensor quadratic = sq.mul(0.5 * quadraticScale);
             Tensor shifted = a.sub(0.5 * threshold); Tensor linear = shifted.mul(linearScale)) {
            return Pointwise.where(near, quadratic, linear);
        }
    }

    private static void check(String op, Tensor input, Tensor target, LossReduction reduction) {
        LossChecks.requireReduction(op, reduction);
        OpSupport.requireFloatingPoint(op, "input", input);
        LossChecks.requireBroadcastable(op, input, target);
    }
}
