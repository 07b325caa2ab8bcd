package dev.panamax.backend;

/** Distributions a backend can fill a tensor from, with parameters {@code p0, p1}. */
public enum RandomKind {
    /** Uniform on [p0, p1). */
    UNIFORM,
    /** Normal with mean p0 and standard deviation p1. */
    NORMAL,
    /** Integers uniform on [p0, p1). */
    INTEGER,
    /** 1 with probability p0, else 0. */
    BERNOULLI
}
