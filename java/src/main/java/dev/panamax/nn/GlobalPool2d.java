package dev.panamax.nn;

import dev.panamax.ops.Pooling;
import dev.panamax.tensor.Tensor;

/**
 * Global average or max pooling of each channel plane: [N, C, H, W] to [N, C, 1, 1], or to
 * [N, C] with {@code flatten} (timm's {@code SelectAdaptivePool2d}; PyTorch spells it
 * {@code AdaptiveAvgPool2d(1)}).
 */
public final class GlobalPool2d extends Module {
    /** What each plane is reduced to. */
    public enum Kind { AVG, MAX }

    private final Kind kind;
    private final boolean flatten;

    public GlobalPool2d(Kind kind, boolean flatten) {
        this.kind = kind;
        this.flatten = flatten;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor pooled = kind == Kind.AVG ? Pooling.globalAvgPool2d(x) : Pooling.globalMaxPool2d(x);
        if (!flatten) {
            return pooled;
        }
        try (pooled) {
            return pooled.flatten(-3, -1);
        }
    }

    @Override
    protected String extraRepr() {
        return "pool_type=" + kind.name().toLowerCase(java.util.Locale.ROOT) + ", flatten=" + Repr.bool(flatten);
    }
}
