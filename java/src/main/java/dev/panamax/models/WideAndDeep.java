package dev.panamax.models;

import dev.panamax.nn.Activation;
import dev.panamax.nn.Embedding;
import dev.panamax.nn.EmbeddingBag;
import dev.panamax.nn.Linear;
import dev.panamax.nn.Module;
import dev.panamax.nn.ModuleList;
import dev.panamax.nn.Sequential;
import dev.panamax.ops.EmbeddingBagMode;
import dev.panamax.ops.EmbeddingOptions;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Wide &amp; Deep (Cheng et al., "Wide &amp; Deep Learning for Recommender Systems", DLRS 2016) for
 * tabular data: the logits are the sum of a wide part, a linear model over the one-hot categorical
 * features ({@code wide}: an EmbeddingBag summing one weight row per feature value, which is that
 * linear model without building the one-hot vectors; crossed features are supplied as extra
 * categorical columns) and the numeric features ({@code wide_numeric}), and a deep part, an MLP
 * ({@code deep}) over per-field embeddings ({@code embeddings.i}) concatenated with the numeric
 * features. Inputs: categorical ids [N, fields] (int64, field f in [0, cardinality f)) and numeric
 * features [N, numeric] (float32; null when there are none).
 */
public final class WideAndDeep extends Module {
    private final long[] fieldOffsets;
    private final int numeric;
    private final EmbeddingBag wide;
    private final Linear wideNumeric;
    private final ModuleList embeddings;
    private final Sequential deep;

    /**
     * @param cardinalities number of values of each categorical field
     * @param numeric       number of numeric features (0 for none)
     * @param embeddingDim  size of each field's embedding in the deep part
     * @param hidden        widths of the deep part's hidden layers (ReLU after each)
     * @param numOutputs    logits per row (1 for binary targets with BCEWithLogitsLoss, C for CrossEntropyLoss)
     */
    public WideAndDeep(long[] cardinalities, int numeric, int embeddingDim, int[] hidden, int numOutputs, Generator gen) {
        if (cardinalities.length == 0 || Arrays.stream(cardinalities).anyMatch(c -> c <= 0) || numeric < 0) {
            throw new IllegalArgumentException("WideAndDeep: needs at least one categorical field with positive cardinalities and"
                    + " a non-negative numeric width, got cardinalities " + Arrays.toString(cardinalities) + " and numeric " + numeric);
        }
        this.numeric = numeric;
        fieldOffsets = new long[cardinalities.length];
        for (int f = 1; f < cardinalities.length; f++) {
            fieldOffsets[f] = fieldOffsets[f - 1] + cardinalities[f - 1];
        }
        long values = fieldOffsets[cardinalities.length - 1] + cardinalities[cardinalities.length - 1];
        wide = registerModule("wide", new EmbeddingBag(values, numOutputs, EmbeddingBagMode.SUM, EmbeddingOptions.DEFAULT, false, gen));
        dev.panamax.nn.Init.zeros_(wide.weight());
        wideNumeric = numeric > 0 ? registerModule("wide_numeric", new Linear(numeric, numOutputs, true, gen)) : null;
        List<Embedding> tables = new ArrayList<>();
        for (long c : cardinalities) {
            tables.add(new Embedding(c, embeddingDim, EmbeddingOptions.DEFAULT, gen));
        }
        embeddings = registerModule("embeddings", new ModuleList(tables));
        List<Module> mlp = new ArrayList<>();
        long width = (long) cardinalities.length * embeddingDim + numeric;
        for (int h : hidden) {
            mlp.add(new Linear(width, h, true, gen));
            mlp.add(Activation.relu());
            width = h;
        }
        mlp.add(new Linear(width, numOutputs, true, gen));
        deep = registerModule("deep", new Sequential(mlp.toArray(Module[]::new)));
    }

    /** For a model without numeric features. */
    @Override
    public Tensor forward(Tensor categorical) {
        return forward(categorical, null);
    }

    /** Wide plus deep logits [N, outputs]. */
    public Tensor forward(Tensor categorical, Tensor numericFeatures) {
        int fields = fieldOffsets.length;
        if (categorical.rank() != 2 || categorical.size(1) != fields) {
            throw new IllegalArgumentException("WideAndDeep: categorical ids must be [N, " + fields + "], got " + categorical.shape());
        }
        if ((numericFeatures == null) != (numeric == 0)
                || (numericFeatures != null && (numericFeatures.rank() != 2 || numericFeatures.size(1) != numeric
                || numericFeatures.size(0) != categorical.size(0)))) {
            throw new IllegalArgumentException("WideAndDeep: numeric features must be [" + categorical.size(0) + ", " + numeric + "]"
                    + (numeric == 0 ? " (none: pass null)" : "") + ", got " + (numericFeatures == null ? "null" : numericFeatures.shape()));
        }
        List<Tensor> columns = new ArrayList<>();
        try (Tensor hostOffsets = Tensor.of(fieldOffsets, fields); Tensor offsets = hostOffsets.to(categorical.device());
             Tensor ids = categorical.add(offsets); Tensor wideOut = wide.forward(ids)) {
            for (int f = 0; f < fields; f++) {
                try (Tensor column = categorical.select(1, f)) {
                    columns.add(embeddings.get(f).forward(column));
                }
            }
            if (numericFeatures != null) {
                columns.add(numericFeatures.alias());
            }
            try (Tensor joined = Tensor.cat(columns, 1); Tensor deepOut = deep.forward(joined);
                 Tensor linear = wideNumeric == null ? wideOut.alias() : wideNumeric.forward(numericFeatures);
                 Tensor wideSum = wideNumeric == null ? linear.alias() : linear.add(wideOut)) {
                return wideSum.add(deepOut);
            }
        } finally {
            columns.forEach(Tensor::close);
        }
    }
}
