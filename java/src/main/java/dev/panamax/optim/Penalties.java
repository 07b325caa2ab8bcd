package dev.panamax.optim;

import dev.panamax.tensor.Tensor;
import java.util.List;

/**
 * Weight penalties to add to a loss (differentiable 0-d tensors). {@code λ·l2(params)} has the
 * gradient {@code λ·p}, the same as an optimizer's {@code weight_decay = λ}; {@code λ·l1(params)}
 * has {@code λ·sign(p)} and drives weights to exactly zero.
 */
public final class Penalties {
    private Penalties() {}

    /** Σ |p| over every element of every parameter. */
    public static Tensor l1(List<Tensor> params) {
        return total("l1", params, p -> p.abs());
    }

    /** ½ Σ p² over every element of every parameter. */
    public static Tensor l2(List<Tensor> params) {
        try (Tensor sum = total("l2", params, p -> p.square())) {
            return sum.mul(0.5);
        }
    }

    private static Tensor total(String name, List<Tensor> params, java.util.function.UnaryOperator<Tensor> elementwise) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException(name + ": no parameters to penalise");
        }
        Tensor total = null;
        for (Tensor p : params) {
            try (Tensor e = elementwise.apply(p); Tensor s = e.sum()) {
                if (total == null) {
                    total = s.alias();
                } else {
                    Tensor next = total.add(s);
                    total.close();
                    total = next;
                }
            }
        }
        return total;
    }
}
