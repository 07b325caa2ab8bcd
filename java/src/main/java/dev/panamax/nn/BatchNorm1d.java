package dev.panamax.nn;

/** Batch normalisation of [N, C] or [N, C, L] inputs; see {@link BatchNorm}. */
public final class BatchNorm1d extends BatchNorm {
    /** PyTorch's defaults: eps 1e-5, momentum 0.1, affine, tracking running statistics. */
    public BatchNorm1d(long numFeatures) {
        this(numFeatures, 1e-5, 0.1, true, true);
    }

    /** @param momentum null for a cumulative average of the batches' statistics */
    public BatchNorm1d(long numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        this(numFeatures, eps, momentum, affine, trackRunningStats, true);
    }

    public BatchNorm1d(long numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats, boolean bias) {
        super("BatchNorm1d", new int[] {2, 3}, numFeatures, eps, momentum, affine, trackRunningStats, bias);
    }
}
