package dev.panamax.optim.schedule;

import dev.panamax.optim.Optimizer;

/** Multiplies the rates by {@code gamma} every epoch: PyTorch's {@code ExponentialLR}. */
public final class ExponentialLR extends LRScheduler {
    private final double gamma;

    public ExponentialLR(Optimizer optimizer, double gamma) {
        this.gamma = gamma;
        super(optimizer);
    }

    @Override
    protected double[] computeLr() {
        return isInitial() ? currentLrs() : currentLrsTimes(gamma);
    }
}
