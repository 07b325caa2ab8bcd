package dev.panamax.backend;

/** Reductions over one or more dims. MAX and MIN propagate NaN, as PyTorch's do. */
public enum ReduceOp {
    SUM, PROD, MAX, MIN;

    /** The result of reducing no elements, and the value an accumulator starts from. */
    public double identity() {
        return switch (this) {
            case SUM -> 0;
            case PROD -> 1;
            case MAX -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
        };
    }
}
