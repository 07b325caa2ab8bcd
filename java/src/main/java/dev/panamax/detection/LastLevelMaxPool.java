package dev.panamax.detection;

import dev.panamax.ops.Pooling;
import dev.panamax.tensor.Tensor;

/**
 * torchvision's {@code LastLevelMaxPool}: one more, coarser level ("pool") from the FPN's last
 * output by max pooling with kernel 1 and stride 2. It has no parameters.
 */
public final class LastLevelMaxPool {
    /** The feature map name torchvision gives the extra level. */
    public static final String NAME = "pool";

    public Tensor apply(Tensor coarsest) {
        return Pooling.maxPool2d(coarsest, 1, 2, 0);
    }
}
