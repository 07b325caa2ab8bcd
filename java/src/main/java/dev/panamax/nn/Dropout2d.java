package dev.panamax.nn;

import dev.panamax.ops.Regularization;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/**
 * Channel dropout (Tompson et al., 2015): in training, zeroes whole channels of [N, C, H, W] (or
 * [C, H, W]) with probability p and scales the rest by 1 / (1 - p); the identity in evaluation.
 */
public final class Dropout2d extends Module {
    private final double p;
    private final Generator generator;

    /** p = 0.5, the global generator. */
    public Dropout2d() {
        this(0.5, Generator.global());
    }

    public Dropout2d(double p) {
        this(p, Generator.global());
    }

    public Dropout2d(double p, Generator generator) {
        LayerChecks.probability("Dropout2d", p);
        this.p = p;
        this.generator = generator;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Regularization.dropout2d(x, p, isTraining(), generator);
    }

    @Override
    protected String extraRepr() {
        return "p=" + Repr.num(p) + ", inplace=False";
    }
}
