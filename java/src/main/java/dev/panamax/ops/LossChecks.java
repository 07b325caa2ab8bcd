package dev.panamax.ops;

import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Argument checks shared by the losses; every message names the loss and the shapes at fault. */
final class LossChecks {
    private static final Logger LOG = LoggerFactory.getLogger(Loss.class);
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private LossChecks() {}

    static void requireReduction(String op, LossReduction reduction) {
        if (reduction == null) {
            throw new IllegalArgumentException(op + ": reduction must be NONE, MEAN or SUM, got null");
        }
        if (reduction == LossReduction.BATCHMEAN) {
            throw reduction.unsupported(op);
        }
    }

    /**
     * Checks that target broadcasts with input, as PyTorch's regression losses allow; a target
     * of another shape is almost always a bug ([N, 1] against [N] gives an [N, N] loss), so it is
     * reported once per loss, as PyTorch's warning.
     */
    static void requireBroadcastable(String op, Tensor input, Tensor target) {
        Shape out = broadcast(op, "target", input, target);
        if (!target.shape().equals(input.shape()) && WARNED.add(op)) {
            LOG.warn("{}: target shape {} differs from input shape {}; broadcasting gives {}, which is likely not intended",
                    op, target.shape(), input.shape(), out);
        }
    }

    static Shape broadcast(String op, String what, Tensor input, Tensor other) {
        try {
            return Shape.broadcast(op, input.shape(), other.shape());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(op + ": " + what + " shape " + other.shape() + " cannot be broadcast with input shape "
                    + input.shape(), e);
        }
    }

    /** {@code other} must have exactly the input's shape. */
    static void requireSameShape(String op, String what, Tensor input, Tensor other) {
        if (!other.shape().equals(input.shape())) {
            throw new IllegalArgumentException(op + ": " + what + " shape " + other.shape() + " must match the input shape " + input.shape());
        }
    }

    /** An optional weight must broadcast to the input's shape without enlarging it. */
    static void requireWeightFits(String op, String what, Tensor weight, Tensor input) {
        if (weight == null) {
            return;
        }
        OpSupport.requireFloatingPoint(op, what, weight);
        if (!broadcast(op, what, input, weight).equals(input.shape())) {
            throw new IllegalArgumentException(op + ": " + what + " shape " + weight.shape() + " must broadcast to the input shape "
                    + input.shape() + " without enlarging it");
        }
    }
}
