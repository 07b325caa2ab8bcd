package dev.panamax.nn;

import dev.panamax.autograd.GradMode;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;

/**
 * What batch and instance normalisation layers share (PyTorch's {@code _NormBase}): per-channel
 * {@code weight} (ones) and {@code bias} (zeros) when affine (the bias unless {@code bias} is
 * false, PyTorch 2.13's keyword), and when tracking running statistics
 * the buffers {@code running_mean} (zeros), {@code running_var} (ones) and
 * {@code num_batches_tracked} (an int64 scalar).
 *
 * <p>A forward in training mode updates the running statistics, so one layer must not run it on two
 * threads at once; in evaluation mode it only reads them and threads may share the layer.
 */
public abstract class RunningStatsNorm extends AffineNorm {
    private final long numFeatures;
    private final Double momentum;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final Tensor numBatchesTracked;

    /**
     * @param momentum weight of the newest batch in the running statistics, or null for their
     *                 cumulative average (PyTorch's {@code momentum=None})
     */
    protected RunningStatsNorm(String layer, long numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats,
                               boolean bias) {
        LayerChecks.positive(layer, "num_features", numFeatures);
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException(layer + ": eps must be finite and non-negative, got " + eps);
        }
        if (momentum != null && !(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException(layer + ": momentum must be in [0, 1] or null (cumulative average), got " + momentum);
        }
        super(new long[] {numFeatures}, eps, affine, bias);
        this.numFeatures = numFeatures;
        this.momentum = momentum;
        this.runningMean = trackRunningStats ? registerBuffer("running_mean", Tensor.zeros(numFeatures)) : null;
        this.runningVar = trackRunningStats ? registerBuffer("running_var", Tensor.ones(numFeatures)) : null;
        this.numBatchesTracked = trackRunningStats ? registerBuffer("num_batches_tracked", Tensor.zeros(DType.INT64)) : null;
    }

    public long numFeatures() {
        return numFeatures;
    }

    /** The momentum, or null for a cumulative average. */
    public Double momentum() {
        return momentum;
    }

    /** The running mean buffer, or null when the layer does not track running statistics. */
    public Tensor runningMean() {
        return runningMean;
    }

    public Tensor runningVar() {
        return runningVar;
    }

    /** How many training batches have updated the running statistics (0 when not tracking). */
    public long numBatchesTracked() {
        return numBatchesTracked == null ? 0 : numBatchesTracked.toLongArray()[0];
    }

    /** Running statistics back to mean 0, variance 1, no batches seen. */
    public void resetRunningStats() {
        if (runningMean != null) {
            runningMean.zero_();
            runningVar.fill_(1);
            numBatchesTracked.zero_();
        }
    }

    /** Counts one more training batch; used by layers whose PyTorch counterpart does. */
    protected void countBatch() {
        if (isTraining() && numBatchesTracked != null) {
            try (GradMode.Guard ignored = GradMode.noGrad()) {
                numBatchesTracked.add_(1);
            }
        }
    }

    /**
     * The weight of this batch in the running statistics: the momentum, or 1 / batches seen for a
     * cumulative average (call after {@link #countBatch()}).
     */
    protected double averagingFactor() {
        if (momentum != null) {
            return momentum;
        }
        long n = numBatchesTracked();
        return n == 0 ? 0.0 : 1.0 / n;
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + Repr.num(eps()) + ", momentum=" + (momentum == null ? "None" : Repr.num(momentum))
                + ", affine=" + Repr.bool(weight() != null) + ", bias=" + Repr.bool(bias() != null) + ", track_running_stats=" + Repr.bool(runningMean != null);
    }
}
