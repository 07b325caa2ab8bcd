package dev.panamax.detection;

import dev.panamax.nn.Linear;
import dev.panamax.nn.Module;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/** torchvision's {@code TwoMLPHead}: flatten the pooled region features, then fc6 and fc7, each with ReLU. */
public final class TwoMLPHead extends Module {
    private final Linear fc6;
    private final Linear fc7;

    public TwoMLPHead(long inChannels, long representationSize, Generator gen) {
        fc6 = registerModule("fc6", new Linear(inChannels, representationSize, true, gen));
        fc7 = registerModule("fc7", new Linear(representationSize, representationSize, true, gen));
    }

    /** [K, C, 7, 7] region features to [K, representationSize]. */
    @Override
    public Tensor forward(Tensor regions) {
        try (Tensor flat = regions.flatten(1, -1); Tensor a = fc6.forward(flat); Tensor b = a.relu(); Tensor c = fc7.forward(b)) {
            return c.relu();
        }
    }
}
