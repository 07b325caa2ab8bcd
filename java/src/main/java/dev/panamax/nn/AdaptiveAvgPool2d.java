package dev.panamax.nn;

import dev.panamax.ops.Pooling;
import dev.panamax.tensor.Tensor;

/** Average pooling to a fixed outH × outW output, whatever the input size. */
public final class AdaptiveAvgPool2d extends Module {
    private final int outH;
    private final int outW;

    public AdaptiveAvgPool2d(int size) {
        this(size, size);
    }

    public AdaptiveAvgPool2d(int outH, int outW) {
        LayerChecks.positive("AdaptiveAvgPool2d", "output height", outH);
        LayerChecks.positive("AdaptiveAvgPool2d", "output width", outW);
        this.outH = outH;
        this.outW = outW;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Pooling.adaptiveAvgPool2d(x, outH, outW);
    }

    @Override
    protected String extraRepr() {
        return "output_size=" + Repr.pair(outH, outW);
    }
}
