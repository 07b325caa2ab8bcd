package dev.panamax.nn;

import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.Locale;

/**
 * One Transformer encoder layer (Vaswani et al., 2017), as {@code torch.nn.TransformerEncoderLayer}:
 * self-attention then a feed-forward block (linear1, activation, dropout, linear2), each with a
 * residual connection, dropout and layer normalisation, with PyTorch's submodule names
 * ({@code self_attn, linear1, dropout, linear2, norm1, norm2, dropout1, dropout2}). Post-norm by
 * default, {@code x = norm1(x + sa(x)); x = norm2(x + ff(x))}; with {@code normFirst},
 * {@code x = x + sa(norm1(x)); x = x + ff(norm2(x))}.
 */
public final class TransformerEncoderLayer extends Module {
    private final boolean normFirst;
    private final String activation;
    private final MultiheadAttention selfAttn;
    private final Linear linear1;
    private final Dropout dropout;
    private final Linear linear2;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final Dropout dropout1;
    private final Dropout dropout2;

    /** PyTorch's defaults: dim_feedforward 2048, dropout 0.1, relu, eps 1e-5, sequence first, post-norm. */
    public TransformerEncoderLayer(long dModel, int nhead) {
        this(dModel, nhead, 2048, 0.1, "relu", 1e-5, false, false, true, Generator.global());
    }

    public TransformerEncoderLayer(long dModel, int nhead, long dimFeedforward, double dropout, String activation, double layerNormEps,
                                   boolean batchFirst, boolean normFirst) {
        this(dModel, nhead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, true, Generator.global());
    }

    /**
     * @param activation "relu" or "gelu" (exact GELU)
     * @param bias       biases in the linear layers, the attention and the layer norms
     * @param gen        source of the initial weights and of every dropout mask
     */
    public TransformerEncoderLayer(long dModel, int nhead, long dimFeedforward, double dropout, String activation, double layerNormEps,
                                   boolean batchFirst, boolean normFirst, boolean bias, Generator gen) {
        String layer = "TransformerEncoderLayer";
        LayerChecks.positive(layer, "d_model", dModel);
        LayerChecks.positive(layer, "nhead", nhead);
        LayerChecks.positive(layer, "dim_feedforward", dimFeedforward);
        String act = activation.toLowerCase(Locale.ROOT);
        if (!act.equals("relu") && !act.equals("gelu")) {
            throw new IllegalArgumentException(layer + ": activation should be relu/gelu, not " + activation);
        }
        if (dModel % nhead != 0) {
            throw new IllegalArgumentException(layer + ": d_model " + dModel + " must be divisible by nhead " + nhead);
        }
        this.normFirst = normFirst;
        this.activation = act;
        this.selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, nhead, dropout, bias, dModel, dModel, batchFirst, gen));
        this.linear1 = registerModule("linear1", new Linear(dModel, dimFeedforward, bias, gen));
        this.dropout = registerModule("dropout", new Dropout(dropout, gen));
        this.linear2 = registerModule("linear2", new Linear(dimFeedforward, dModel, bias, gen));
        this.norm1 = registerModule("norm1", new LayerNorm(new long[] {dModel}, layerNormEps, true, bias));
        this.norm2 = registerModule("norm2", new LayerNorm(new long[] {dModel}, layerNormEps, true, bias));
        this.dropout1 = registerModule("dropout1", new Dropout(dropout, gen));
        this.dropout2 = registerModule("dropout2", new Dropout(dropout, gen));
    }

    public MultiheadAttention selfAttn() {
        return selfAttn;
    }

    public boolean normFirst() {
        return normFirst;
    }

    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null, null, false);
    }

    /**
     * PyTorch's {@code forward(src, src_mask, src_key_padding_mask, is_causal)}; the masks follow
     * {@link MultiheadAttention}'s convention (bool true = ignore).
     */
    public Tensor forward(Tensor src, Tensor srcMask, Tensor srcKeyPaddingMask, boolean isCausal) {
        if (normFirst) {
            try (Tensor n1 = norm1.forward(src); Tensor sa = selfAttention(n1, srcMask, srcKeyPaddingMask, isCausal);
                 Tensor x = src.add(sa); Tensor n2 = norm2.forward(x); Tensor ff = feedForward(n2)) {
                return x.add(ff);
            }
        }
        try (Tensor sa = selfAttention(src, srcMask, srcKeyPaddingMask, isCausal); Tensor r1 = src.add(sa); Tensor x = norm1.forward(r1);
             Tensor ff = feedForward(x); Tensor r2 = x.add(ff)) {
            return norm2.forward(r2);
        }
    }

    private Tensor selfAttention(Tensor x, Tensor mask, Tensor keyPaddingMask, boolean isCausal) {
        try (Tensor a = selfAttn.forward(x, x, x, keyPaddingMask, false, mask, true, isCausal).output()) {
            return dropout1.forward(a);
        }
    }

    private Tensor feedForward(Tensor x) {
        try (Tensor h = linear1.forward(x); Tensor a = activation.equals("relu") ? h.relu() : h.gelu(); Tensor d = dropout.forward(a);
             Tensor y = linear2.forward(d)) {
            return dropout2.forward(y);
        }
    }
}
