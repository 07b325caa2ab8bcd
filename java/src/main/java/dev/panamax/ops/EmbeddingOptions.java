package dev.panamax.ops;

/**
 * Options of an embedding lookup, PyTorch's defaults (no padding index, no max norm, norm type 2).
 * Immutable; each wither returns a copy: {@code EmbeddingOptions.DEFAULT.paddingIdx(0).maxNorm(1)}.
 *
 * @param paddingIdx a row that gets no gradient (and, in a bag, does not count), or null; negative
 *                   values count from the end, as in PyTorch
 * @param maxNorm    rows referenced by a lookup whose {@code normType}-norm exceeds it are rescaled
 *                   to it, in place, before the lookup; or null
 * @param normType   the p of that norm: positive, {@code Double.POSITIVE_INFINITY} for the largest magnitude
 */
public record EmbeddingOptions(Long paddingIdx, Double maxNorm, double normType) {
    public static final EmbeddingOptions DEFAULT = new EmbeddingOptions(null, null, 2.0);

    public EmbeddingOptions paddingIdx(long index) {
        return new EmbeddingOptions(index, maxNorm, normType);
    }

    public EmbeddingOptions maxNorm(double norm) {
        return new EmbeddingOptions(paddingIdx, norm, normType);
    }

    public EmbeddingOptions normType(double p) {
        return new EmbeddingOptions(paddingIdx, maxNorm, p);
    }
}
