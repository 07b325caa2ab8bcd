package dev.panamax.backend;

/** Reductions over one or more dims. MAX and MIN propagate NaN, as PyTorch's do. */
public enum ReduceOp {
    SUM, PROD, MAX, MIN
}
