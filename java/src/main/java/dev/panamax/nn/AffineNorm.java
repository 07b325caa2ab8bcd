package dev.panamax.nn;

import dev.panamax.tensor.Tensor;

/**
 * What the normalisation layers with a learned affine part share: {@code weight} (ones) and
 * {@code bias} (zeros) of the affine shape, registered in that order when affine (the bias unless
 * {@code bias} is false), and the eps added to the variance.
 */
public abstract class AffineNorm extends Module {
    private final double eps;
    private final Tensor weight;
    private final Tensor bias;

    protected AffineNorm(long[] affineShape, double eps, boolean affine, boolean bias) {
        this.eps = eps;
        this.weight = affine ? registerParameter("weight", Tensor.ones(affineShape)) : null;
        this.bias = affine && bias ? registerParameter("bias", Tensor.zeros(affineShape)) : null;
    }

    public double eps() {
        return eps;
    }

    /** The weight, or null when not affine. */
    public Tensor weight() {
        return weight;
    }

    /** The bias, or null when not affine or built without one. */
    public Tensor bias() {
        return bias;
    }
}
