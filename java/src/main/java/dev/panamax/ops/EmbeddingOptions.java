package dev.panamax.ops;

/**
 * Options of an embedding lookup, PyTorch's defaults (no padding index, no max norm, norm type 2,
 * no gradient scaling). Immutable; each wither returns a copy:
 * {@code EmbeddingOptions.DEFAULT.paddingIdx(0).maxNorm(1)}.
 *
 * @param paddingIdx      a row that gets no gradient (and, in a bag, does not count), or null;
 *                        negative values count from the end, as in PyTorch
 * @param maxNorm         rows referenced by a lookup whose {@code normType}-norm exceeds it are
 *                        rescaled to it, in place, before the lookup; or null
 * @param normType        the p of that norm: positive, {@code Double.POSITIVE_INFINITY} for the
 *                        largest magnitude
 * @param scaleGradByFreq divide each row's gradient by how often its index occurs in the call's
 *                        input (the mini-batch); not supported by bags in mode "max"
 */
public record EmbeddingOptions(Long paddingIdx, Double maxNorm, double normType, boolean scaleGradByFreq) {
    public static final EmbeddingOptions DEFAULT = new EmbeddingOptions(null, null, 2.0, false);

    public EmbeddingOptions paddingIdx(long index) {
        return new EmbeddingOptions(index, maxNorm, normType, scaleGradByFreq);
    }

    public EmbeddingOptions maxNorm(double norm) {
        return new EmbeddingOptions(paddingIdx, norm, normType, scaleGradByFreq);
    }

    public EmbeddingOptions normType(double p) {
        return new EmbeddingOptions(paddingIdx, maxNorm, p, scaleGradByFreq);
    }

    public EmbeddingOptions scaleGradByFreq(boolean scale) {
        return new EmbeddingOptions(paddingIdx, maxNorm, normType, scale);
    }
}
