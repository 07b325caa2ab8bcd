package dev.panamax.optim.schedule;

import dev.panamax.optim.Optimizer;
import java.util.Arrays;

/**
 * Multiplies the rates by {@code gamma} at each milestone epoch (by gamma^k for a milestone
 * listed k times): PyTorch's {@code MultiStepLR} (gamma 0.1).
 */
public final class MultiStepLR extends LRScheduler {
    private final int[] milestones;
    private final double gamma;

    public MultiStepLR(Optimizer optimizer, int[] milestones) {
        this(optimizer, milestones, 0.1);
    }

    public MultiStepLR(Optimizer optimizer, int[] milestones, double gamma) {
        this.milestones = milestones.clone();
        this.gamma = gamma;
        super(optimizer);
    }

    @Override
    protected double[] computeLr() {
        long count = Arrays.stream(milestones).filter(m -> m == lastEpoch()).count();
        if (count == 0) {
            return currentLrs();
        }
        return currentLrsTimes(Math.pow(gamma, count));
    }
}
