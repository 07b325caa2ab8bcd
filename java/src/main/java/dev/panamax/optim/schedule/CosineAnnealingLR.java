package dev.panamax.optim.schedule;

import dev.panamax.optim.Optimizer;

/**
 * Cosine annealing from the base rate to {@code etaMin} over {@code tMax} epochs, then back up
 * over the next {@code tMax} (without restarts): PyTorch's {@code CosineAnnealingLR} (eta_min 0),
 * in its recursive form {@code lr_t = etaMin + (lr_(t-1) - etaMin)·(1 + cos(πt/T))/(1 + cos(π(t-1)/T))}.
 */
public final class CosineAnnealingLR extends LRScheduler {
    private final int tMax;
    private final double etaMin;

    public CosineAnnealingLR(Optimizer optimizer, int tMax) {
        this(optimizer, tMax, 0);
    }

    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        if (tMax < 1) {
            throw new IllegalArgumentException("CosineAnnealingLR: T_max must be >= 1, got " + tMax);
        }
        this.tMax = tMax;
        this.etaMin = etaMin;
        super(optimizer);
    }

    @Override
    protected double[] computeLr() {
        double[] lrs = currentLrs();
        if (isInitial()) {
            return lrs;
        }
        int t = lastEpoch();
        for (int i = 0; i < lrs.length; i++) {
            if ((t - 1 - tMax) % (2 * tMax) == 0) {
                // the minimum was just passed: the recursive ratio would divide by zero there
                lrs[i] = lrs[i] + (baseLr(i) - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
            } else {
                lrs[i] = (1 + Math.cos(Math.PI * t / tMax)) / (1 + Math.cos(Math.PI * (t - 1) / tMax)) * (lrs[i] - etaMin) + etaMin;
            }
        }
        return lrs;
    }
}
