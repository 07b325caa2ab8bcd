package dev.panamax.nn;

import dev.panamax.ops.PoolOptions;
import dev.panamax.ops.StochasticPooling;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/**
 * Stochastic pooling (Zeiler and Fergus, 2013) of non-negative activations: in training each
 * window outputs one element drawn with probability proportional to its value; in evaluation the
 * probability-weighted average. Draws come from the layer's generator.
 */
public final class StochasticPool2d extends Module {
    private final PoolOptions options;
    private final Generator generator;

    /** A k×k window, stride k, the global generator. */
    public StochasticPool2d(int kernel) {
        this(PoolOptions.kernel(kernel), Generator.global());
    }

    public StochasticPool2d(PoolOptions options, Generator generator) {
        this.options = options;
        this.generator = generator;
    }

    public PoolOptions options() {
        return options;
    }

    @Override
    public Tensor forward(Tensor x) {
        return StochasticPooling.stochasticPool2d(x, options, isTraining(), generator);
    }

    @Override
    protected String extraRepr() {
        PoolOptions o = options;
        return Repr.window(o.kernelH(), o.kernelW(), o.strideH(), o.strideW(), o.padH(), o.padW());
    }
}
