package dev.panamax.nn;

import dev.panamax.ops.EmbeddingBagMode;
import dev.panamax.ops.EmbeddingOptions;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;

/**
 * Sums, means or maxima of bags of embeddings, without materialising each bag's rows for the
 * backward: a [B, N] input is B bags of N indices; a 1-D input is split into bags by offsets
 * ({@link #forward(Tensor, Tensor)}). Weight, padding and scaleGradByFreq (modes "sum" and
 * "mean" only) as {@link Embedding}; the padding index never counts in a bag.
 */
public final class EmbeddingBag extends Module {
    private final long numEmbeddings;
    private final long embeddingDim;
    private final EmbeddingOptions options;
    private final EmbeddingBagMode mode;
    private final boolean includeLastOffset;
    private final Tensor weight;

    /** Mode "mean", as PyTorch's default. */
    public EmbeddingBag(long numEmbeddings, long embeddingDim) {
        this(numEmbeddings, embeddingDim, EmbeddingBagMode.MEAN, EmbeddingOptions.DEFAULT, false, Generator.global());
    }

    public EmbeddingBag(long numEmbeddings, long embeddingDim, EmbeddingBagMode mode) {
        this(numEmbeddings, embeddingDim, mode, EmbeddingOptions.DEFAULT, false, Generator.global());
    }

    public EmbeddingBag(long numEmbeddings, long embeddingDim, EmbeddingBagMode mode, EmbeddingOptions options,
                        boolean includeLastOffset, Generator gen) {
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.options = Embedding.paddingFromTheStart("EmbeddingBag", numEmbeddings, embeddingDim, options);
        if (options.scaleGradByFreq() && mode == EmbeddingBagMode.MAX) {
            // PyTorch builds this layer and refuses each forward; refusing here fails earlier
            throw new IllegalArgumentException("EmbeddingBag: scale_grad_by_freq is not supported with mode='max'");
        }
        this.mode = mode;
        this.includeLastOffset = includeLastOffset;
        this.weight = registerParameter("weight", Embedding.newTable(numEmbeddings, embeddingDim, this.options, gen));
    }

    public Tensor weight() {
        return weight;
    }

    /** Bags of a [B, N] input: one per row. */
    @Override
    public Tensor forward(Tensor input) {
        return forward(input, null, null);
    }

    /** Bags of a 1-D input starting at the offsets. */
    public Tensor forward(Tensor input, Tensor offsets) {
        return forward(input, offsets, null);
    }

    /** With a weight per index (input's shape; mode "sum" only). */
    public Tensor forward(Tensor input, Tensor offsets, Tensor perSampleWeights) {
        return dev.panamax.ops.Embedding.embeddingBag(input, weight, offsets, options, mode, perSampleWeights, includeLastOffset);
    }

    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + embeddingDim + Embedding.normAndScaleRepr(options) + ", mode='" + mode.pyName() + "'"
                + Embedding.paddingRepr(options);
    }
}
