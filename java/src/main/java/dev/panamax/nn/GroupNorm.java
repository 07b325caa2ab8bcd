package dev.panamax.nn;

import dev.panamax.ops.Normalization;
import dev.panamax.tensor.Tensor;

/**
 * Group normalisation (Wu and He, 2018): the channels of [N, C, *] in {@code numGroups} groups,
 * each (sample, group) normalised with its own statistics, then a per-channel {@code weight}
 * (ones) and {@code bias} (zeros).
 */
public final class GroupNorm extends AffineNorm {
    private final int numGroups;
    private final long numChannels;

    /** PyTorch's defaults: eps 1e-5, affine. */
    public GroupNorm(int numGroups, long numChannels) {
        this(numGroups, numChannels, 1e-5, true);
    }

    public GroupNorm(int numGroups, long numChannels, double eps, boolean affine) {
        this(numGroups, numChannels, eps, affine, true);
    }

    public GroupNorm(int numGroups, long numChannels, double eps, boolean affine, boolean bias) {
        LayerChecks.positive("GroupNorm", "num_groups", numGroups);
        LayerChecks.positive("GroupNorm", "num_channels", numChannels);
        if (numChannels % numGroups != 0) {
            throw new IllegalArgumentException("GroupNorm: num_channels " + numChannels + " must be divisible by num_groups " + numGroups);
        }
        super(new long[] {numChannels}, eps, affine, bias);
        this.numGroups = numGroups;
        this.numChannels = numChannels;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Normalization.groupNorm(x, numGroups, weight(), bias(), eps());
    }

    @Override
    protected String extraRepr() {
        return numGroups + ", " + numChannels + ", eps=" + Repr.num(eps()) + ", affine=" + Repr.bool(weight() != null) + ", bias=" + Repr.bool(bias() != null);
    }
}
