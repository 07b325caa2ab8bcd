package dev.panamax.nn;

import dev.panamax.ops.Normalization;
import dev.panamax.tensor.Tensor;

/**
 * Instance normalisation (Ulyanov et al., 2016): each (sample, channel) plane of [N, C, H, W] (or
 * an unbatched [C, H, W]) normalised with its own statistics. Defaults as PyTorch: no affine part,
 * no running statistics; when tracking them, evaluation uses them (and, as in PyTorch,
 * {@code num_batches_tracked} stays 0 and a null momentum means 0).
 */
public final class InstanceNorm2d extends RunningStatsNorm {
    public InstanceNorm2d(long numFeatures) {
        this(numFeatures, 1e-5, 0.1, false, false);
    }

    public InstanceNorm2d(long numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        this(numFeatures, eps, momentum, affine, trackRunningStats, true);
    }

    public InstanceNorm2d(long numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats, boolean bias) {
        super("InstanceNorm2d", numFeatures, eps, momentum, affine, trackRunningStats, bias);
    }

    @Override
    public Tensor forward(Tensor x) {
        requireRank("InstanceNorm2d", x, 3, 4);
        if (x.rank() == 3) {
            try (Tensor batched = x.unsqueeze(0); Tensor y = forward(batched)) {
                return y.squeeze(0);
            }
        }
        if (x.size(1) != numFeatures() && weight() != null) {
            throw new IllegalArgumentException("InstanceNorm2d: expected input's size at dim=1 to match num_features (" + numFeatures()
                    + "), but got input of shape " + x.shape());
        }
        boolean useInputStats = isTraining() || runningMean() == null;
        double factor = momentum() == null ? 0.0 : momentum();
        return Normalization.instanceNorm(x, runningMean(), runningVar(), weight(), bias(), useInputStats, factor, eps());
    }
}
