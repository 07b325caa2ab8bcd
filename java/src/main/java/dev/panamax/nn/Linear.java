package dev.panamax.nn;

import dev.panamax.ops.LinearAlgebra;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/** y = x Wᵀ + b, with weight [out, in] and PyTorch's default initialisation. */
public final class Linear extends Module {
    private final long inFeatures;
    private final long outFeatures;
    private final Tensor weight;
    private final Tensor bias;

    public Linear(long inFeatures, long outFeatures) {
        this(inFeatures, outFeatures, true, Generator.global());
    }

    public Linear(long inFeatures, long outFeatures, boolean bias, Generator gen) {
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("Linear: feature counts must be positive, got in=" + inFeatures + " out=" + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = registerParameter("weight", Tensor.empty(DType.FLOAT32, outFeatures, inFeatures));
        this.bias = bias ? registerParameter("bias", Tensor.empty(DType.FLOAT32, outFeatures)) : null;
        Init.pytorchDefault(weight, this.bias, gen);
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() == 0 || x.size(-1) != inFeatures) {
            throw new IllegalArgumentException("Linear(in_features=" + inFeatures + "): input's last dim must be " + inFeatures
                    + ", got shape " + x.shape());
        }
        return LinearAlgebra.linear(x, weight, bias);
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + Repr.bool(bias != null);
    }
}
