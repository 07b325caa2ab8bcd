package dev.panamax.ops;

import dev.panamax.autograd.GradMode;
import dev.panamax.backend.Backend;
import dev.panamax.ops.Reduction.ValuesIndices;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/**
 * Stochastic pooling (Zeiler and Fergus, "Stochastic Pooling for Regularization of Deep
 * Convolutional Neural Networks", ICLR 2013) over non-negative activations (after a ReLU).
 *
 * <p>Training: each window outputs one of its elements a_i, drawn with probability
 * a_i / sum(a), and the gradient flows to that element only. A window of zeros draws uniformly
 * among its input elements (its output is 0 either way; the choice keeps every index valid, so
 * maxUnpool2d accepts them). Draws come from the generator's Philox counters, one per output,
 * so they do not depend on the thread count. Evaluation: the probability-weighted average
 * sum(a_i²) / sum(a_i), 0 for a window of zeros, with its exact gradient (0 at zero windows).
 * Padding adds zeros, which are never drawn; dilation is not supported.
 */
public final class StochasticPooling {
    private StochasticPooling() {}

    /** Training ({@code training}) or evaluation output; the generator is used only in training. */
    public static Tensor stochasticPool2d(Tensor x, PoolOptions o, boolean training, Generator gen) {
        if (!training) {
            return expectation(x, o);
        }
        ValuesIndices r = stochasticPool2dWithIndices(x, o, gen);
        r.indices().close();
        return r.values();
    }

    /** Training mode, with the index (h·W + w in the input plane) of each drawn element. */
    public static ValuesIndices stochasticPool2dWithIndices(Tensor x, PoolOptions o, Generator gen) {
        if (x.rank() == 3) {
            return Pooling.unbatchedPair(x, b -> stochasticPool2dWithIndices(b, o, gen));
        }
        String op = "stochasticPool2d";
        PoolGeometry g = geometry(op, x, o);
        Backend be = OpSupport.backend(op, x);
        Tensor out = OpSupport.empty(x, g.outputShape(), x.dtype());
        Tensor indices = OpSupport.empty(x, g.outputShape(), DType.INT64);
        try (Tensor xc = x.contiguous()) {
            long offset = gen.reserve(out.numel());
            be.stochasticPool2d(xc.operand(), g.spec(), gen.seed(), offset, out.operand(), indices.operand());
        }
        return new ValuesIndices(Pooling.recordScatterBackward("StochasticPool2DBackward", be, x, out, indices), indices);
    }

    /** sum(a²) / sum(a) per window, from two window sums (avgPool2d with divisor 1). */
    private static Tensor expectation(Tensor x, PoolOptions o) {
        if (x.rank() == 3) {
            return Pooling.unbatched(x, b -> expectation(b, o));
        }
        geometry("stochasticPool2d", x, o);
        try (Tensor squares = x.mul(x);
             Tensor num = Pooling.avgPool2d(squares, o, true, 1);
             Tensor den = Pooling.avgPool2d(x, o, true, 1);
             Tensor zero = den.eq(0);
             Tensor safe = den.maskedFill(zero, 1)) {
            return num.div(safe);
        }
    }

    private static PoolGeometry geometry(String op, Tensor x, PoolOptions o) {
        PoolGeometry g = PoolGeometry.of(op, x, o);
        if (o.dilationH() != 1 || o.dilationW() != 1) {
            throw new IllegalArgumentException(op + ": dilation is not supported, got " + o.dilationH() + "x" + o.dilationW());
        }
        if (x.numel() > 0) {
            // a no-grad check: it must not record a node that holds x
            try (GradMode.Guard ignored = GradMode.noGrad(); Tensor min = x.min()) {
                double m = min.item();
                if (!(m >= 0)) {
                    throw new IllegalArgumentException(op + ": activations must be non-negative (apply a ReLU first), but the input "
                            + x.describe() + " holds " + m);
                }
            }
        }
        return g;
    }
}
