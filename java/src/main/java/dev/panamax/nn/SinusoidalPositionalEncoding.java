package dev.panamax.nn;

import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/**
 * The fixed positional encoding of "Attention is all you need" (Vaswani et al., 2017), added to
 * the input and followed by dropout: {@code pe[pos, 2i] = sin(pos / 10000^(2i/d))}, {@code
 * pe[pos, 2i+1] = cos(pos / 10000^(2i/d))}. The table is the buffer {@code pe} of shape
 * (maxLen, dModel), computed in double precision; it is saved in the state dict but not learned.
 * Inputs are (L, N, dModel), (N, L, dModel) with {@code batchFirst}, or unbatched (L, dModel).
 */
public final class SinusoidalPositionalEncoding extends Module {
    private final long dModel;
    private final long maxLen;
    private final boolean batchFirst;
    private final Tensor pe;
    private final Dropout dropout;

    /** maxLen 5000, dropout 0.1, sequence first (the PyTorch tutorial's PositionalEncoding). */
    public SinusoidalPositionalEncoding(long dModel) {
        this(dModel, 5000, 0.1, false, Generator.global());
    }

    public SinusoidalPositionalEncoding(long dModel, long maxLen, double dropout, boolean batchFirst, Generator gen) {
        String layer = "SinusoidalPositionalEncoding";
        LayerChecks.positive(layer, "d_model", dModel);
        LayerChecks.positive(layer, "max_len", maxLen);
        if (maxLen * dModel > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(layer + ": max_len " + maxLen + " × d_model " + dModel + " is too large a table");
        }
        this.dModel = dModel;
        this.maxLen = maxLen;
        this.batchFirst = batchFirst;
        this.pe = registerBuffer("pe", Tensor.of(table(maxLen, dModel), maxLen, dModel));
        this.dropout = registerModule("dropout", new Dropout(dropout, gen));
    }

    /** The (maxLen, dModel) table in float32. */
    static float[] table(long maxLen, long dModel) {
        float[] t = new float[(int) (maxLen * dModel)];
        for (long pos = 0; pos < maxLen; pos++) {
            for (long i = 0; 2 * i < dModel; i++) {
                double angle = pos * Math.exp(-Math.log(10000.0) * (2 * i) / dModel);
                t[(int) (pos * dModel + 2 * i)] = (float) Math.sin(angle);
                if (2 * i + 1 < dModel) {
                    t[(int) (pos * dModel + 2 * i + 1)] = (float) Math.cos(angle);
                }
            }
        }
        return t;
    }

    public Tensor pe() {
        return pe;
    }

    @Override
    public Tensor forward(Tensor x) {
        try (Tensor table = PositionalChecks.rows("SinusoidalPositionalEncoding", x, pe, dModel, maxLen, batchFirst); Tensor y = x.add(table)) {
            return dropout.forward(y);
        }
    }

    @Override
    protected String extraRepr() {
        return "d_model=" + dModel + ", max_len=" + maxLen + ", batch_first=" + Repr.bool(batchFirst);
    }
}
