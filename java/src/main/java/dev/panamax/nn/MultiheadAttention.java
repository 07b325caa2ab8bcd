package dev.panamax.nn;

import dev.panamax.ops.Attention;
import dev.panamax.ops.LinearAlgebra;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/**
 * Multi-head attention (Vaswani et al., 2017), as {@code torch.nn.MultiheadAttention}, with its
 * parameter names: {@code in_proj_weight} [3E, E] when key and value have the embedding size,
 * else {@code q_proj_weight} [E, E], {@code k_proj_weight} [E, kdim] and {@code v_proj_weight}
 * [E, vdim]; {@code in_proj_bias} [3E]; and {@code out_proj} (a {@link Linear} E → E). The
 * projections start Xavier-uniform, the biases zero, and {@code out_proj.weight} as a Linear's.
 * {@code add_bias_kv} and {@code add_zero_attn} are not supported.
 *
 * <p>Inputs are (L, N, E) sequences first, or (N, L, E) with {@code batchFirst}, or unbatched
 * (L, E). Masks follow PyTorch's MultiheadAttention convention, the opposite of {@link
 * Attention#scaledDotProductAttention}'s: in a bool {@code keyPaddingMask} or {@code attnMask},
 * true marks a key to <i>ignore</i>; float masks are added to the scores.
 *
 * <p>A query that may attend to no key at all (every key padded or masked) gets an output of
 * {@code out_proj.bias} and weights of zero, always. PyTorch 2.13 is not consistent here: its
 * {@code need_weights=False} path through {@code scaled_dot_product_attention} gives the same,
 * but its {@code need_weights=True} path and its fused inference fast path give NaN.
 */
public final class MultiheadAttention extends Module {
    private final long embedDim;
    private final long kdim;
    private final long vdim;
    private final int numHeads;
    private final double dropout;
    private final boolean batchFirst;
    private final Generator generator;
    private final Tensor inProjWeight;
    private final Tensor qProjWeight;
    private final Tensor kProjWeight;
    private final Tensor vProjWeight;
    private final Tensor inProjBias;
    private final Linear outProj;

    /** What {@link #forward(Tensor, Tensor, Tensor, Tensor, boolean, Tensor, boolean, boolean)} returns; closing it closes both. */
    public record Output(Tensor output, Tensor weights) implements AutoCloseable {
        @Override
        public void close() {
            output.close();
            if (weights != null) {
                weights.close();
            }
        }
    }

    /** No dropout, with biases, kdim = vdim = embedDim, sequence first: PyTorch's defaults. */
    public MultiheadAttention(long embedDim, int numHeads) {
        this(embedDim, numHeads, 0, true, embedDim, embedDim, false, Generator.global());
    }

    public MultiheadAttention(long embedDim, int numHeads, double dropout, boolean batchFirst) {
        this(embedDim, numHeads, dropout, true, embedDim, embedDim, batchFirst, Generator.global());
    }

    /**
     * @param dropout    probability of dropping an attention weight in training
     * @param bias       whether the input and output projections have biases
     * @param kdim       the key's feature size (embedDim for PyTorch's default {@code None})
     * @param vdim       the value's feature size (embedDim for the default)
     * @param batchFirst inputs and outputs are (N, L, E) instead of (L, N, E)
     * @param gen        source of the initial weights and the dropout masks
     */
    public MultiheadAttention(long embedDim, int numHeads, double dropout, boolean bias, long kdim, long vdim, boolean batchFirst,
                              Generator gen) {
        String layer = "MultiheadAttention";
        LayerChecks.positive(layer, "embed_dim", embedDim);
        LayerChecks.positive(layer, "num_heads", numHeads);
        LayerChecks.positive(layer, "kdim", kdim);
        LayerChecks.positive(layer, "vdim", vdim);
        LayerChecks.probability(layer, dropout);
        if (embedDim % numHeads != 0) {
            throw new IllegalArgumentException(layer + ": embed_dim " + embedDim + " must be divisible by num_heads " + numHeads);
        }
        this.embedDim = embedDim;
        this.kdim = kdim;
        this.vdim = vdim;
        this.numHeads = numHeads;
        this.dropout = dropout;
        this.batchFirst = batchFirst;
        this.generator = gen;
        if (kdim == embedDim && vdim == embedDim) {
            inProjWeight = registerParameter("in_proj_weight", Tensor.empty(DType.FLOAT32, 3 * embedDim, embedDim));
            qProjWeight = null;
            kProjWeight = null;
            vProjWeight = null;
            Init.xavierUniform_(inProjWeight, 1, gen);
        } else {
            inProjWeight = null;
            qProjWeight = registerParameter("q_proj_weight", Tensor.empty(DType.FLOAT32, embedDim, embedDim));
            kProjWeight = registerParameter("k_proj_weight", Tensor.empty(DType.FLOAT32, embedDim, kdim));
            vProjWeight = registerParameter("v_proj_weight", Tensor.empty(DType.FLOAT32, embedDim, vdim));
            Init.xavierUniform_(qProjWeight, 1, gen);
            Init.xavierUniform_(kProjWeight, 1, gen);
            Init.xavierUniform_(vProjWeight, 1, gen);
        }
        inProjBias = bias ? registerParameter("in_proj_bias", Tensor.zeros(3 * embedDim)) : null;
        outProj = registerModule("out_proj", new Linear(embedDim, embedDim, bias, gen));
        if (bias) {
            Init.zeros_(outProj.bias());
        }
    }

    public Tensor inProjWeight() {
        return inProjWeight;
    }

    public Tensor qProjWeight() {
        return qProjWeight;
    }

    public Tensor kProjWeight() {
        return kProjWeight;
    }

    public Tensor vProjWeight() {
        return vProjWeight;
    }

    public Tensor inProjBias() {
        return inProjBias;
    }

    public Linear outProj() {
        return outProj;
    }

    public long embedDim() {
        return embedDim;
    }

    public int numHeads() {
        return numHeads;
    }

    public boolean batchFirst() {
        return batchFirst;
    }

    /** Self-attention of x with no mask; the output only. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, x, x, null, false, null, true, false).output();
    }

    /** Attention with no masks, returning the output and the head-averaged weights (PyTorch's defaults). */
    public Output forward(Tensor query, Tensor key, Tensor value) {
        return forward(query, key, value, null, true, null, true, false);
    }

    /**
     * PyTorch's {@code forward(query, key, value, key_padding_mask, need_weights, attn_mask,
     * average_attn_weights, is_causal)}.
     *
     * @param query              (L, N, E), (N, L, E) with batchFirst, or unbatched (L, E)
     * @param key                (S, N, kdim), (N, S, kdim) or (S, kdim)
     * @param value              (S, N, vdim), (N, S, vdim) or (S, vdim)
     * @param keyPaddingMask     null, or (N, S) ((S) unbatched): bool true = ignore that key, or float added
     * @param needWeights        whether to return the attention weights
     * @param attnMask           null, or (L, S) or (N·numHeads, L, S): bool true = not allowed to attend, or float added
     * @param averageAttnWeights average the weights over the heads: (N, L, S) instead of (N, numHeads, L, S)
     * @param isCausal           PyTorch's hint that attnMask is the causal mask; with a null attnMask the
     *                           causal mask is applied (where PyTorch requires the mask)
     * @return the output, shaped as the query but with E features, and the weights or null
     */
    public Output forward(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, boolean needWeights, Tensor attnMask,
                          boolean averageAttnWeights, boolean isCausal) {
        String layer = "MultiheadAttention(embed_dim=" + embedDim + ", num_heads=" + numHeads + ")";
        boolean batched = checkInputs(layer, query, key, value);
        // intermediates are closed as soon as they are used; the graph keeps what backward needs
        Tensor mask;
        Tensor qh;
        Tensor kh;
        Tensor vh;
        long n;
        long l;
        try (Tensor q = batchFirstView(query, batched); Tensor k = batchFirstView(key, batched); Tensor v = batchFirstView(value, batched)) {
            n = q.size(0);
            l = q.size(1);
            long s = k.size(1);
            mask = mergedMask(layer, query, keyPaddingMask, attnMask, isCausal, batched, n, l, s);
            qh = heads(q, 0, n, l);
            kh = heads(k, 1, n, s);
            vh = heads(v, 2, n, s);
        }
        Tensor out;
        Tensor weights = null;
        double p = isTraining() ? dropout : 0;
        try (qh; kh; vh; Attention.Result r = needWeights ? Attention.scaledDotProductAttentionWithWeights(qh, kh, vh, mask, p, false, null, generator)
                : new Attention.Result(Attention.scaledDotProductAttention(qh, kh, vh, mask, p, false, null, generator), null)) {
            if (mask != null) {
                mask.close();
            }
            try (Tensor t = r.output().transpose(1, 2); Tensor merged = t.reshape(n, l, embedDim); Tensor y = outProj.forward(merged)) {
                out = batched ? (batchFirst ? y.alias() : y.transpose(0, 1)) : y.squeeze(0);
            }
            if (needWeights) {
                try (Tensor w = averageAttnWeights ? r.weights().mean(new int[] {1}, false) : r.weights().alias()) {
                    weights = batched ? w.alias() : w.squeeze(0);
                }
            }
        }
        return new Output(out, weights);
    }

    /** Checks ranks and feature sizes; returns whether the inputs are batched. */
    private boolean checkInputs(String layer, Tensor query, Tensor key, Tensor value) {
        String shapes = "query " + query.shape() + ", key " + key.shape() + ", value " + value.shape();
        if ((query.rank() != 2 && query.rank() != 3) || key.rank() != query.rank() || value.rank() != query.rank()) {
            throw new IllegalArgumentException(layer + ": query, key and value must all be 3-D (batched) or all 2-D (unbatched), got "
                    + shapes);
        }
        if (query.size(-1) != embedDim) {
            throw new IllegalArgumentException(layer + ": query's last dim must be embed_dim " + embedDim + ", got " + shapes);
        }
        if (key.size(-1) != kdim) {
            throw new IllegalArgumentException(layer + ": key's last dim must be kdim " + kdim + ", got " + shapes);
        }
        if (value.size(-1) != vdim) {
            throw new IllegalArgumentException(layer + ": value's last dim must be vdim " + vdim + ", got " + shapes);
        }
        boolean batched = query.rank() == 3;
        int seq = batched && !batchFirst ? 0 : batched ? 1 : 0;
        if (key.size(seq) != value.size(seq)) {
            throw new IllegalArgumentException(layer + ": key and value must have the same sequence length, got " + shapes);
        }
        if (batched) {
            int b = batchFirst ? 0 : 1;
            if (key.size(b) != query.size(b) || value.size(b) != query.size(b)) {
                throw new IllegalArgumentException(layer + ": query, key and value must have the same batch size (dim " + b
                        + (batchFirst ? ", batch_first" : "") + "), got " + shapes);
            }
        }
        return batched;
    }

    /** The input as (N, L, features). */
    private Tensor batchFirstView(Tensor x, boolean batched) {
        if (!batched) {
            return x.unsqueeze(0);
        }
        return batchFirst ? x.alias() : x.transpose(0, 1);
    }

    /**
     * The query (which 0), key (1) or value (2) projection of x (N, len, features), split into
     * heads: (N, heads, len, E / heads).
     */
    private Tensor heads(Tensor x, int which, long n, long len) {
        try (Tensor w = inProjWeight != null ? inProjWeight.narrow(0, which * embedDim, embedDim)
                     : (which == 0 ? qProjWeight : which == 1 ? kProjWeight : vProjWeight).alias();
             Tensor b = inProjBias == null ? null : inProjBias.narrow(0, which * embedDim, embedDim);
             Tensor p = LinearAlgebra.linear(x, w, b); Tensor split = p.reshape(n, len, numHeads, embedDim / numHeads)) {
            return split.transpose(1, 2);
        }
    }

    /**
     * attnMask and keyPaddingMask (and the causal mask) as one mask for the attention of shape
     * (N, H, L, S) or broadcastable to it: bool (true = take part) when every part is bool, else
     * float (added). Null when there is none.
     */
    private Tensor mergedMask(String layer, Tensor query, Tensor keyPaddingMask, Tensor attnMask, boolean isCausal, boolean batched,
                              long n, long l, long s) {
        checkMasks(layer, query, keyPaddingMask, attnMask, batched, n, l, s);
        Tensor attn = null;
        if (attnMask != null) {
            try (Tensor shaped = attnMask.rank() == 2 ? attnMask.alias() : attnMask.reshape(n, numHeads, l, s)) {
                attn = shaped.dtype() == DType.BOOL ? shaped.logicalNot() : shaped.alias();
            }
        } else if (isCausal) {
            attn = Attention.causalMask(l, s, query.device());
        }
        Tensor pad = null;
        if (keyPaddingMask != null) {
            try (Tensor shaped = keyPaddingMask.reshape(n, 1, 1, s)) {
                pad = shaped.dtype() == DType.BOOL ? shaped.logicalNot() : shaped.alias();
            }
        }
        if (attn == null || pad == null) {
            return attn != null ? attn : pad;
        }
        try (Tensor am = attn; Tensor pm = pad) {
            if (am.dtype() == DType.BOOL && pm.dtype() == DType.BOOL) {
                return am.logicalAnd(pm);
            }
            try (Tensor a = additive(am, query); Tensor p = additive(pm, query)) {
                return a.add(p);
            }
        }
    }

    private void checkMasks(String layer, Tensor query, Tensor keyPaddingMask, Tensor attnMask, boolean batched, long n, long l, long s) {
        if (attnMask != null) {
            checkMaskType(layer, "attn_mask", attnMask, query);
            if (attnMask.rank() == 2 && (attnMask.size(0) != l || attnMask.size(1) != s)) {
                throw new IllegalArgumentException(layer + ": the 2-D attn_mask must be (L, S) = (" + l + ", " + s + "), got "
                        + attnMask.shape());
            }
            if (attnMask.rank() == 3 && (attnMask.size(0) != n * numHeads || attnMask.size(1) != l || attnMask.size(2) != s)) {
                throw new IllegalArgumentException(layer + ": the 3-D attn_mask must be (N*num_heads, L, S) = (" + n * numHeads + ", "
                        + l + ", " + s + "), got " + attnMask.shape());
            }
            if (attnMask.rank() != 2 && attnMask.rank() != 3) {
                throw new IllegalArgumentException(layer + ": attn_mask must be 2-D (L, S) or 3-D (N*num_heads, L, S), got "
                        + attnMask.shape());
            }
        }
        if (keyPaddingMask != null) {
            checkMaskType(layer, "key_padding_mask", keyPaddingMask, query);
            boolean fits = batched ? keyPaddingMask.rank() == 2 && keyPaddingMask.size(0) == n && keyPaddingMask.size(1) == s
                    : keyPaddingMask.rank() == 1 && keyPaddingMask.size(0) == s;
            if (!fits) {
                throw new IllegalArgumentException(layer + ": key_padding_mask must be " + (batched ? "(N, S) = (" + n + ", " + s + ")"
                        : "(S) = (" + s + ")") + ", got " + keyPaddingMask.shape());
            }
        }
    }

    private static void checkMaskType(String layer, String name, Tensor mask, Tensor query) {
        if (mask.dtype() != DType.BOOL && mask.dtype() != query.dtype()) {
            throw new IllegalArgumentException(layer + ": " + name + " must be bool or of the query's dtype " + query.dtype().pyName()
                    + ", got " + mask.describe());
        }
    }

    /** A mask as a float mask of the query's dtype: a bool one (true = take part) becomes 0 / -inf. */
    private static Tensor additive(Tensor mask, Tensor query) {
        if (mask.dtype() != DType.BOOL) {
            return mask.alias();
        }
        try (Tensor zeros = Tensor.zeros(query.dtype(), mask.shape().toArray()); Tensor z = zeros.to(query.device());
             Tensor excluded = mask.logicalNot()) {
            return z.maskedFill(excluded, Double.NEGATIVE_INFINITY);
        }
    }
}
