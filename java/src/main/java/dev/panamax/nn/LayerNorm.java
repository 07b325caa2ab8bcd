package dev.panamax.nn;

import dev.panamax.ops.Normalization;
import dev.panamax.tensor.Tensor;
import java.util.Arrays;

/**
 * Layer normalisation (Ba et al., 2016) over the trailing dims {@code normalizedShape}, with an
 * elementwise {@code weight} (ones) and {@code bias} (zeros) of that shape.
 */
public final class LayerNorm extends AffineNorm {
    private final long[] normalizedShape;

    /** PyTorch's defaults: eps 1e-5, elementwise affine with bias. */
    public LayerNorm(long... normalizedShape) {
        this(normalizedShape, 1e-5, true, true);
    }

    public LayerNorm(long[] normalizedShape, double eps, boolean elementwiseAffine, boolean bias) {
        if (normalizedShape.length == 0 || Arrays.stream(normalizedShape).anyMatch(d -> d <= 0)) {
            throw new IllegalArgumentException("LayerNorm: normalized_shape must be non-empty with positive sizes, got "
                    + Arrays.toString(normalizedShape));
        }
        super(normalizedShape, eps, elementwiseAffine, bias);
        this.normalizedShape = normalizedShape.clone();
    }

    @Override
    public Tensor forward(Tensor x) {
        return Normalization.layerNorm(x, normalizedShape, weight(), bias(), eps());
    }

    @Override
    protected String extraRepr() {
        return Repr.tuple(normalizedShape) + ", eps=" + Repr.num(eps()) + ", elementwise_affine=" + Repr.bool(weight() != null) + ", bias=" + Repr.bool(bias() != null);
    }
}
