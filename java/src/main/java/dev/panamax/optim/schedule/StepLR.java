package dev.panamax.optim.schedule;

import dev.panamax.optim.Optimizer;

/** Multiplies the rates by {@code gamma} every {@code stepSize} epochs: PyTorch's {@code StepLR} (gamma 0.1). */
public final class StepLR extends LRScheduler {
    private final int stepSize;
    private final double gamma;

    public StepLR(Optimizer optimizer, int stepSize) {
        this(optimizer, stepSize, 0.1);
    }

    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        if (stepSize < 1) {
            throw new IllegalArgumentException("StepLR: step_size must be >= 1, got " + stepSize);
        }
        this.stepSize = stepSize;
        this.gamma = gamma;
        super(optimizer);
    }

    @Override
    protected double[] computeLr() {
        if (lastEpoch() == 0 || lastEpoch() % stepSize != 0) {
            return currentLrs();
        }
        return currentLrsTimes(gamma);
    }
}
