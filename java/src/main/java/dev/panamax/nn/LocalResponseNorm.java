package dev.panamax.nn;

import dev.panamax.ops.Normalization;
import dev.panamax.tensor.Tensor;

/**
 * Local response normalisation across channels (Krizhevsky et al., 2012, as in AlexNet):
 * y = x / (k + alpha/size · sum of x² over {@code size} neighbouring channels)^beta.
 */
public final class LocalResponseNorm extends Module {
    private final int size;
    private final double alpha;
    private final double beta;
    private final double k;

    /** PyTorch's defaults: alpha 1e-4, beta 0.75, k 1. */
    public LocalResponseNorm(int size) {
        this(size, 1e-4, 0.75, 1.0);
    }

    public LocalResponseNorm(int size, double alpha, double beta, double k) {
        LayerChecks.positive("LocalResponseNorm", "size", size);
        this.size = size;
        this.alpha = alpha;
        this.beta = beta;
        this.k = k;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Normalization.localResponseNorm(x, size, alpha, beta, k);
    }

    @Override
    protected String extraRepr() {
        return size + ", alpha=" + Repr.num(alpha) + ", beta=" + Repr.num(beta) + ", k=" + Repr.num(k);
    }
}
