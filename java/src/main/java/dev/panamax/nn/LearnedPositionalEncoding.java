package dev.panamax.nn;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/**
 * A learned positional encoding (as in BERT and GPT): a parameter {@code weight} of shape
 * (maxLen, dModel), one row per position, initialised N(0, 1) like {@link Embedding}'s table;
 * the rows of the first L positions are added to the input, followed by dropout. Inputs are
 * (L, N, dModel), (N, L, dModel) with {@code batchFirst}, or unbatched (L, dModel).
 */
public final class LearnedPositionalEncoding extends Module {
    private final long dModel;
    private final long maxLen;
    private final boolean batchFirst;
    private final Tensor weight;
    private final Dropout dropout;

    public LearnedPositionalEncoding(long maxLen, long dModel, double dropout, boolean batchFirst, Generator gen) {
        String layer = "LearnedPositionalEncoding";
        LayerChecks.positive(layer, "max_len", maxLen);
        LayerChecks.positive(layer, "d_model", dModel);
        this.dModel = dModel;
        this.maxLen = maxLen;
        this.batchFirst = batchFirst;
        this.weight = registerParameter("weight", Init.normal_(Tensor.empty(DType.FLOAT32, maxLen, dModel), 0, 1, gen));
        this.dropout = registerModule("dropout", new Dropout(dropout, gen));
    }

    public Tensor weight() {
        return weight;
    }

    @Override
    public Tensor forward(Tensor x) {
        try (Tensor rows = PositionalChecks.rows("LearnedPositionalEncoding", x, weight, dModel, maxLen, batchFirst); Tensor y = x.add(rows)) {
            return dropout.forward(y);
        }
    }

    @Override
    protected String extraRepr() {
        return maxLen + ", " + dModel + ", batch_first=" + Repr.bool(batchFirst);
    }
}
