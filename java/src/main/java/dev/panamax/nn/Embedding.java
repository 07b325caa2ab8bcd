package dev.panamax.nn;

import dev.panamax.autograd.GradMode;
import dev.panamax.ops.EmbeddingOptions;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/**
 * A lookup table of {@code numEmbeddings} vectors of size {@code embeddingDim}: integer input of
 * any shape gives input + [embeddingDim]. {@code weight} starts N(0, 1) with the padding row (if
 * any) zero, as PyTorch's; that row gets no gradient. With {@code scaleGradByFreq} each row's
 * gradient is divided by how often its index occurs in the forward's input.
 */
public final class Embedding extends Module {
    private final long numEmbeddings;
    private final long embeddingDim;
    private final EmbeddingOptions options;
    private final Tensor weight;

    public Embedding(long numEmbeddings, long embeddingDim) {
        this(numEmbeddings, embeddingDim, EmbeddingOptions.DEFAULT, Generator.global());
    }

    public Embedding(long numEmbeddings, long embeddingDim, EmbeddingOptions options, Generator gen) {
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.options = paddingFromTheStart("Embedding", numEmbeddings, embeddingDim, options);
        this.weight = registerParameter("weight", newTable(numEmbeddings, embeddingDim, this.options, gen));
    }

    public Tensor weight() {
        return weight;
    }

    public EmbeddingOptions options() {
        return options;
    }

    @Override
    public Tensor forward(Tensor input) {
        return dev.panamax.ops.Embedding.embedding(input, weight, options);
    }

    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + embeddingDim + paddingRepr(options) + normAndScaleRepr(options);
    }

    /** Checks the sizes and turns a negative padding index into its row, as PyTorch's layers do. */
    static EmbeddingOptions paddingFromTheStart(String layer, long numEmbeddings, long embeddingDim, EmbeddingOptions o) {
        LayerChecks.positive(layer, "num_embeddings", numEmbeddings);
        LayerChecks.positive(layer, "embedding_dim", embeddingDim);
        Long p = o.paddingIdx();
        if (p == null) {
            return o;
        }
        if (p >= numEmbeddings || p < -numEmbeddings) {
            throw new IllegalArgumentException(layer + ": padding_idx " + p + " must be within num_embeddings " + numEmbeddings);
        }
        return p < 0 ? o.paddingIdx(p + numEmbeddings) : o;
    }

    /** A [rows, dim] float32 table drawn from N(0, 1), the padding row zeroed. */
    static Tensor newTable(long rows, long dim, EmbeddingOptions o, Generator gen) {
        Tensor table = Init.normal_(Tensor.empty(DType.FLOAT32, rows, dim), 0, 1, gen);
        if (o.paddingIdx() != null) {
            try (GradMode.Guard ignored = GradMode.noGrad(); Tensor row = table.select(0, o.paddingIdx())) {
                row.zero_();
            }
        }
        return table;
    }

    /** The options PyTorch prints in both layers' repr, in its order; padding_idx goes apart (its place differs). */
    static String normAndScaleRepr(EmbeddingOptions o) {
        return (o.maxNorm() == null ? "" : ", max_norm=" + Repr.num(o.maxNorm()))
                + (o.normType() == 2.0 ? "" : ", norm_type=" + Repr.num(o.normType()))
                + (o.scaleGradByFreq() ? ", scale_grad_by_freq=True" : "");
    }

    static String paddingRepr(EmbeddingOptions o) {
        return o.paddingIdx() == null ? "" : ", padding_idx=" + o.paddingIdx();
    }
}
