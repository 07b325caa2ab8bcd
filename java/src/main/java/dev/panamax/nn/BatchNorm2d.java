package dev.panamax.nn;

/** Batch normalisation of [N, C, H, W] inputs; see {@link BatchNorm}. */
public final class BatchNorm2d extends BatchNorm {
    /** PyTorch's defaults: eps 1e-5, momentum 0.1, affine, tracking running statistics. */
    public BatchNorm2d(long numFeatures) {
        this(numFeatures, 1e-5, 0.1, true, true);
    }

    /** @param momentum null for a cumulative average of the batches' statistics */
    public BatchNorm2d(long numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        this(numFeatures, eps, momentum, affine, trackRunningStats, true);
    }

    public BatchNorm2d(long numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats, boolean bias) {
        super("BatchNorm2d", new int[] {4}, numFeatures, eps, momentum, affine, trackRunningStats, bias);
    }
}
