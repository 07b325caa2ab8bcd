package dev.panamax.detection;

import dev.panamax.nn.Module;
import dev.panamax.tensor.Tensor;

/**
 * Batch normalisation with fixed statistics and affine terms, as torchvision's
 * {@code FrozenBatchNorm2d}: {@code weight}, {@code bias}, {@code running_mean} and
 * {@code running_var} are buffers (loaded from a pretrained backbone, never learned), so a detector
 * trained on small batches keeps the backbone's ImageNet statistics.
 */
public final class FrozenBatchNorm2d extends Module {
    /** torchvision's default. */
    public static final double EPS = 1e-5;

    private final long numFeatures;
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor runningMean;
    private final Tensor runningVar;

    public FrozenBatchNorm2d(long numFeatures) {
        this.numFeatures = numFeatures;
        weight = registerBuffer("weight", Tensor.ones(numFeatures));
        bias = registerBuffer("bias", Tensor.zeros(numFeatures));
        runningMean = registerBuffer("running_mean", Tensor.zeros(numFeatures));
        runningVar = registerBuffer("running_var", Tensor.ones(numFeatures));
    }

    /** x · scale + shift with scale = weight / √(running_var + eps), shift = bias - running_mean · scale. */
    @Override
    public Tensor forward(Tensor x) {
        requireRank("FrozenBatchNorm2d", x, 4);
        try (Tensor variance = runningVar.add(EPS); Tensor inverseStd = variance.rsqrt(); Tensor scale = weight.mul(inverseStd);
             Tensor meanScaled = runningMean.mul(scale); Tensor shift = bias.sub(meanScaled);
             Tensor scale4 = scale.view(1, numFeatures, 1, 1); Tensor shift4 = shift.view(1, numFeatures, 1, 1);
             Tensor scaled = x.mul(scale4)) {
            return scaled.add(shift4);
        }
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + EPS;
    }
}
