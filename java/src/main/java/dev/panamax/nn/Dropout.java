package dev.panamax.nn;

import dev.panamax.ops.Regularization;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/**
 * Dropout (Srivastava et al., 2014): in training, zeroes each element with probability p and
 * scales the rest by 1 / (1 - p); the identity in evaluation. Masks come from the layer's
 * generator, so a seeded generator gives the same masks on every run and thread count.
 */
public final class Dropout extends Module {
    private final double p;
    private final Generator generator;

    /** p = 0.5, the global generator. */
    public Dropout() {
        this(0.5, Generator.global());
    }

    public Dropout(double p) {
        this(p, Generator.global());
    }

    public Dropout(double p, Generator generator) {
        LayerChecks.probability("Dropout", p);
        this.p = p;
        this.generator = generator;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Regularization.dropout(x, p, isTraining(), generator);
    }

    @Override
    protected String extraRepr() {
        return "p=" + Repr.num(p) + ", inplace=False";
    }
}
