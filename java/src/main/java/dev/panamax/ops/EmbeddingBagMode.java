package dev.panamax.ops;

/** How {@link Embedding#embeddingBag} combines the rows of a bag: PyTorch's {@code mode} "sum", "mean" or "max". */
public enum EmbeddingBagMode {
    SUM, MEAN, MAX;

    /** PyTorch's spelling, e.g. {@code "mean"}. */
    public String pyName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
