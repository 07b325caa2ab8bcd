package dev.panamax.nn;

import dev.panamax.ops.Pooling;
import dev.panamax.ops.Reduction.ValuesIndices;
import dev.panamax.tensor.Tensor;

/** Max pooling to a fixed outH × outW output, whatever the input size; {@link #forwardWithIndices} adds the indices. */
public final class AdaptiveMaxPool2d extends Module {
    private final int outH;
    private final int outW;

    public AdaptiveMaxPool2d(int size) {
        this(size, size);
    }

    public AdaptiveMaxPool2d(int outH, int outW) {
        LayerChecks.positive("AdaptiveMaxPool2d", "output height", outH);
        LayerChecks.positive("AdaptiveMaxPool2d", "output width", outW);
        this.outH = outH;
        this.outW = outW;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Pooling.adaptiveMaxPool2d(x, outH, outW);
    }

    public ValuesIndices forwardWithIndices(Tensor x) {
        return Pooling.adaptiveMaxPool2dWithIndices(x, outH, outW);
    }

    @Override
    protected String extraRepr() {
        return "output_size=" + Repr.pair(outH, outW);
    }
}
