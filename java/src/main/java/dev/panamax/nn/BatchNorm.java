package dev.panamax.nn;

import dev.panamax.ops.Normalization;
import dev.panamax.tensor.Tensor;

/**
 * Batch normalisation (Ioffe and Szegedy, 2015) per channel of [N, C, *]. In training it
 * normalises with the batch's statistics and, when tracking, updates the running ones and counts
 * the batch in {@code num_batches_tracked}; in evaluation it uses the running statistics (or the
 * batch's when it does not track them), exactly as PyTorch's {@code _BatchNorm}.
 */
public abstract class BatchNorm extends RunningStatsNorm {
    private final String layer;
    private final int[] ranks;

    protected BatchNorm(String layer, int[] ranks, long numFeatures, double eps, Double momentum, boolean affine,
                        boolean trackRunningStats, boolean bias) {
        super(layer, numFeatures, eps, momentum, affine, trackRunningStats, bias);
        this.layer = layer;
        this.ranks = ranks.clone();
    }

    @Override
    public Tensor forward(Tensor x) {
        requireRank(layer, x, ranks);
        countBatch();
        boolean batchStatistics = isTraining() || runningMean() == null;
        return Normalization.batchNorm(x, runningMean(), runningVar(), weight(), bias(), batchStatistics, averagingFactor(), eps());
    }
}
