package dev.panamax.ops;

import dev.panamax.tensor.Tensor;

/**
 * How a loss combines its per-element values: PyTorch's {@code reduction} argument
 * ({@code "none"}, {@code "mean"}, {@code "sum"}, and {@code "batchmean"} for {@link Loss#klDiv}).
 */
public enum LossReduction {
    /** The per-element losses, unreduced. */
    NONE,
    /** Their mean (for weighted classification losses, the weighted mean). */
    MEAN,
    /** Their sum. */
    SUM,
    /** The sum divided by the batch size {@code input.size(0)}; only {@link Loss#klDiv} accepts it. */
    BATCHMEAN;

    /** PyTorch's spelling, e.g. {@code "mean"}. */
    public String pyName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Reduces {@code losses}, taking ownership: returns it as is for NONE, else the reduction
     * (and closes it).
     */
    Tensor apply(String op, Tensor losses) {
        if (this == NONE) {
            return losses;
        }
        try (losses) {
            return switch (this) {
                case MEAN -> losses.mean();
                case SUM -> losses.sum();
                default -> throw unsupported(op);
            };
        }
    }

    /** The error for a reduction an op does not accept. */
    IllegalArgumentException unsupported(String op) {
        return new IllegalArgumentException(op + ": reduction \"" + pyName() + "\" is not supported; use \"none\", \"mean\" or \"sum\""
                + (this == BATCHMEAN ? " (\"batchmean\" is for klDiv)" : ""));
    }
}
