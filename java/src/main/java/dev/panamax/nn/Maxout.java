package dev.panamax.nn;

import dev.panamax.ops.Regularization;
import dev.panamax.tensor.Tensor;

/**
 * Maxout (Goodfellow et al., 2013): the features of {@code dim} in groups of {@code pieces}
 * consecutive ones, each group replaced by its maximum. PyTorch has no such layer; a Linear or
 * Conv2d with pieces·k outputs followed by {@code Maxout(pieces)} is a k-unit maxout layer.
 */
public final class Maxout extends Module {
    private final int pieces;
    private final int dim;

    /** Groups along dim 1 (features of [N, F], channels of [N, C, H, W]). */
    public Maxout(int pieces) {
        this(pieces, 1);
    }

    public Maxout(int pieces, int dim) {
        LayerChecks.positive("Maxout", "pieces", pieces);
        this.pieces = pieces;
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Regularization.maxout(x, pieces, dim);
    }

    @Override
    protected String extraRepr() {
        return "pieces=" + pieces + ", dim=" + dim;
    }
}
