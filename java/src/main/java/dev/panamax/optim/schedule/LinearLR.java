package dev.panamax.optim.schedule;

import dev.panamax.optim.Optimizer;

/**
 * Linear warm-up (or decay): the rate moves from {@code startFactor·base} to {@code endFactor·base}
 * over {@code totalIters} steps and stays there: PyTorch's {@code LinearLR} (start 1/3, end 1,
 * 5 iterations).
 */
public final class LinearLR extends LRScheduler {
    private final double startFactor;
    private final double endFactor;
    private final int totalIters;

    public LinearLR(Optimizer optimizer) {
        this(optimizer, 1.0 / 3, 1.0, 5);
    }

    public LinearLR(Optimizer optimizer, double startFactor, double endFactor, int totalIters) {
        if (!(startFactor > 0 && startFactor <= 1)) {
            throw new IllegalArgumentException("LinearLR: start_factor must be in (0, 1], got " + startFactor);
        }
        if (!(endFactor >= 0 && endFactor <= 1)) {
            throw new IllegalArgumentException("LinearLR: end_factor must be in [0, 1], got " + endFactor);
        }
        if (totalIters < 1) {
            throw new IllegalArgumentException("LinearLR: total_iters must be >= 1, got " + totalIters);
        }
        this.startFactor = startFactor;
        this.endFactor = endFactor;
        this.totalIters = totalIters;
        super(optimizer);
    }

    @Override
    protected double[] computeLr() {
        if (lastEpoch() == 0) {
            return currentLrsTimes(startFactor);
        }
        if (isInitial() || lastEpoch() > totalIters) {
            return currentLrs();
        }
        return currentLrsTimes(1.0 + (endFactor - startFactor)
                / (totalIters * startFactor + (lastEpoch() - 1) * (endFactor - startFactor)));
    }
}
