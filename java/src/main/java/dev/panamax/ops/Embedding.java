package dev.panamax.ops;

import dev.panamax.autograd.Autograd;
import dev.panamax.autograd.GradMode;
import dev.panamax.backend.Backend;
import dev.panamax.ops.Reduction.ValuesIndices;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * Embedding lookups with PyTorch's semantics: {@code embedding} (rows of a [V, D] weight picked by
 * integer indices) and {@code embeddingBag} (sums, means or maxima of bags of rows, without
 * materialising the per-index rows' gradient). The weight's gradient is built by adding into the
 * rows the lookup touched (the backend's indexAdd); a padding row gets none. With scaleGradByFreq
 * each added gradient row is first divided by how often its index occurs in the call's input.
 */
public final class Embedding {
    private Embedding() {}

    /** Rows of weight [V, D] at input (any shape): the result has shape input + [D]. */
    public static Tensor embedding(Tensor input, Tensor weight) {
        return embedding(input, weight, EmbeddingOptions.DEFAULT);
    }

    public static Tensor embedding(Tensor input, Tensor weight, EmbeddingOptions o) {
        String op = "embedding";
        long padding = checkLookup(op, input, weight, o);
        try (Tensor flat = input.reshape(-1); Tensor rows = lookup(op, weight, flat, padding, o.scaleGradByFreq() ? flat : null)) {
            long[] shape = Arrays.copyOf(input.shape().toArray(), input.rank() + 1);
            shape[input.rank()] = weight.size(1);
            return rows.reshape(shape);
        }
    }

    /** Means of bags: {@link #embeddingBag(Tensor, Tensor, Tensor, EmbeddingOptions, EmbeddingBagMode, Tensor, boolean)} in mode "mean". */
    public static Tensor embeddingBag(Tensor input, Tensor weight, Tensor offsets) {
        return embeddingBag(input, weight, offsets, EmbeddingOptions.DEFAULT, EmbeddingBagMode.MEAN, null, false);
    }

    /**
     * One row of [B, D] per bag of indices: their sum, mean or (per column) maximum; an empty bag
     * (or one holding only the padding index, which never counts) gives zeros.
     *
     * @param input             [B, N]: B bags of N indices (offsets must be null), or 1-D indices
     *                          split into bags by offsets
     * @param offsets           1-D start of each bag in a 1-D input; the first must be 0
     * @param perSampleWeights  a weight per index (input's shape), mode SUM only; or null
     * @param includeLastOffset offsets has B + 1 entries, the last being the end of the last bag
     */
    public static Tensor embeddingBag(Tensor input, Tensor weight, Tensor offsets, EmbeddingOptions o, EmbeddingBagMode mode,
                                      Tensor perSampleWeights, boolean includeLastOffset) {
        String op = "embeddingBag";
        long[] starts = bagStarts(op, input, offsets);
        if (o.scaleGradByFreq() && mode == EmbeddingBagMode.MAX) {
            throw new IllegalArgumentException(op + ": mode \"max\" does not support scaleGradByFreq (scaling the gradient by the frequency)");
        }
        if (perSampleWeights != null) {
            if (mode != EmbeddingBagMode.SUM) {
                throw new IllegalArgumentException(op + ": perSampleWeights is only supported for mode \"sum\", got mode \""
                        + mode.pyName() + "\"");
            }
            if (!perSampleWeights.shape().equals(input.shape()) || perSampleWeights.dtype() != weight.dtype()) {
                throw new IllegalArgumentException(op + ": perSampleWeights " + perSampleWeights.describe()
                        + " must have the input's shape " + input.shape() + " and the weight's dtype " + weight.dtype().pyName());
            }
        }
        long padding = checkLookup(op, input, weight, o);
        BagLayout bags = BagLayout.of(op, input.toLongArray(), starts, input.rank() == 1 && includeLastOffset, padding);
        try (Tensor ids = longs(weight, bags.rows()); Tensor batch = o.scaleGradByFreq() ? input.reshape(-1) : null;
             Tensor rows = lookup(op, weight, ids, -1, batch)) {
            return mode == EmbeddingBagMode.MAX ? bagMaxima(weight, rows, bags) : bagSums(weight, rows, bags, mode, perSampleWeights);
        }
    }

    /** Checks weight and input, rescales rows for maxNorm; returns the padding row or -1. */
    private static long checkLookup(String op, Tensor input, Tensor weight, EmbeddingOptions o) {
        if (weight.rank() != 2) {
            throw new IllegalArgumentException(op + ": weight has to be a 2D tensor [num_embeddings, embedding_dim], got " + weight.shape());
        }
        OpSupport.requireFloatingPoint(op, "weight", weight);
        OpSupport.requireIntegral(op, "input", input);
        OpSupport.backend(op, input, weight);
        long rows = weight.size(0);
        long padding = -1;
        if (o.paddingIdx() != null) {
            long p = o.paddingIdx();
            if (p >= rows || p < -rows) {
                throw new IllegalArgumentException(op + ": paddingIdx " + p + " must be within num_embeddings " + rows
                        + " (from " + -rows + " to " + (rows - 1) + ")");
            }
            padding = p < 0 ? p + rows : p;
        }
        IndexOps.checkRange(op, input, rows, 0);
        if (o.maxNorm() != null) {
            renorm(op, input, weight, o.maxNorm(), o.normType());
        }
        return padding;
    }

    /**
     * Rescales, in place and outside the graph, every row the input references whose p-norm
     * (p = +inf: the largest magnitude) exceeds maxNorm to maxNorm / (norm + 1e-7) of itself
     * (PyTorch's embedding_renorm_).
     */
    private static void renorm(String op, Tensor input, Tensor weight, double maxNorm, double p) {
        if (!(maxNorm > 0) || !(p > 0)) {
            throw new IllegalArgumentException(op + ": maxNorm and normType must be positive, got maxNorm " + maxNorm + " and normType " + p);
        }
        long[] distinct = Arrays.stream(input.toLongArray()).distinct().toArray();
        try (Scope ignored = Scope.open(); GradMode.Guard noGrad = GradMode.noGrad()) {
            Tensor ids = longs(weight, distinct);
            Tensor rows = weight.indexSelect(0, ids);
            Tensor norms = Double.isInfinite(p) ? rows.abs().max(1, true).values() : rows.abs().pow(p).sum(new int[] {1}, true).pow(1 / p);
            Tensor factor = Tensor.where(norms.gt(maxNorm), norms.add(1e-7).pow(-1).mul(maxNorm), Tensor.onesLike(norms));
            Tensor delta = rows.mul(factor.sub(1));
            weight.backend().indexAdd(weight.operand(), 0, ids.operand(), delta.operand());
        }
    }

    /**
     * weight's rows at the 1-D index, [T, D]; the gradient adds into those rows, skipping paddingRow
     * (or none: -1), each divided by how often its index occurs in the 1-D batch (or undivided: null).
     */
    private static Tensor lookup(String op, Tensor weight, Tensor index, long paddingRow, Tensor batch) {
        Backend be = OpSupport.backend(op, weight, index);
        Tensor out = OpSupport.empty(weight, Shape.of(index.numel(), weight.size(1)), weight.dtype());
        be.indexSelect(weight.operand(), 0, index.operand(), out.operand());
        if (!Autograd.willRecord(weight)) {
            return out;
        }
        Tensor saved = index.alias();
        Tensor savedBatch = batch == null ? null : batch.alias();
        Autograd.record("EmbeddingBackward", out, (g, needs) -> {
            OpSupport.noHigherOrder("EmbeddingBackward");
            Tensor gw = Tensor.zerosLike(weight);
            try (Tensor added = savedBatch == null ? g.alias() : dividedByFrequency(g, saved, savedBatch, weight.size(0))) {
                be.indexAdd(gw.operand(), 0, saved.operand(), added.operand());
            }
            if (paddingRow >= 0) {
                try (Tensor row = gw.select(0, paddingRow)) {
                    row.zero_();
                }
            }
            return new Tensor[] {gw, null};
        }, weight, index);
        return savedBatch == null ? OpSupport.saveForBackward(out, saved) : OpSupport.saveForBackward(out, saved, savedBatch);
    }

    /**
     * g [T, D] with row t divided by the number of times index[t] occurs in batch: counted on the
     * device by adding ones into a table of counts (float64, exact), so no backend needs a kernel.
     */
    private static Tensor dividedByFrequency(Tensor g, Tensor index, Tensor batch, long tableRows) {
        Backend be = g.backend();
        try (Tensor counts = Tensor.full(Shape.of(tableRows), 0, DType.FLOAT64, g.device());
             Tensor ones = Tensor.full(Shape.of(batch.numel()), 1, DType.FLOAT64, g.device());
             Tensor perRow = Tensor.empty(Shape.of(index.numel()), DType.FLOAT64, g.device())) {
            be.indexAdd(counts.operand(), 0, batch.operand(), ones.operand());
            be.indexSelect(counts.operand(), 0, index.operand(), perRow.operand());
            try (Tensor column = perRow.view(-1, 1); Tensor divisor = column.to(g.dtype())) {
                return g.div(divisor);
            }
        }
    }

    private static long[] bagStarts(String op, Tensor input, Tensor offsets) {
        if (input.rank() == 2) {
            if (offsets != null) {
                throw new IllegalArgumentException(op + ": if input is 2D, then offsets has to be null, got offsets of shape " + offsets.shape());
            }
            long[] starts = new long[(int) input.size(0)];
            for (int b = 0; b < starts.length; b++) {
                starts[b] = b * input.size(1);
            }
            return starts;
        }
        if (input.rank() != 1) {
            throw new IllegalArgumentException(op + ": input has to be a 1D or 2D tensor, but got shape " + input.shape());
        }
        if (offsets == null || offsets.rank() != 1) {
            throw new IllegalArgumentException(op + ": offsets has to be a 1D tensor for a 1D input, got "
                    + (offsets == null ? "null" : "shape " + offsets.shape()));
        }
        OpSupport.requireIntegral(op, "offsets", offsets);
        return offsets.toLongArray();
    }

    /** Sums (or means) of each bag's rows, times the per-sample weights if any. */
    private static Tensor bagSums(Tensor weight, Tensor rows, BagLayout bags, EmbeddingBagMode mode, Tensor perSampleWeights) {
        Tensor terms = rows.alias();
        if (perSampleWeights != null) {
            try (Tensor flat = perSampleWeights.reshape(-1); Tensor positions = longs(weight, bags.positions());
                 Tensor picked = flat.indexSelect(0, positions); Tensor column = picked.unsqueeze(1); Tensor previous = terms) {
                terms = previous.mul(column);
            }
        }
        if (mode == EmbeddingBagMode.MEAN) {
            double[] share = new double[bags.kept()];
            for (int k = 0; k < share.length; k++) {
                share[k] = 1.0 / bags.counts()[(int) bags.bagOf()[k]];
            }
            try (Tensor column = onDevice(weight, MemorySegment.ofArray(share), DType.FLOAT64, share.length, 1);
                 Tensor converted = column.to(weight.dtype()); Tensor previous = terms) {
                terms = previous.mul(converted);
            }
        }
        try (Tensor scaled = terms; Tensor bagOf = longs(weight, bags.bagOf())) {
            return bagTotals(scaled, bagOf, bags.bags());
        }
    }

    /** out[b] = the sum of terms[k] over the k with bagOf[k] = b; [B, D]. */
    private static Tensor bagTotals(Tensor terms, Tensor bagOf, int bags) {
        Backend be = OpSupport.backend("embeddingBag", terms, bagOf);
        Tensor out = Tensor.full(Shape.of(bags, terms.size(1)), 0, terms.dtype(), terms.device());
        be.indexAdd(out.operand(), 0, bagOf.operand(), terms.operand());
        Tensor saved = Autograd.willRecord(terms) ? bagOf.alias() : null;
        Autograd.record("EmbeddingBagBackward", out, (g, needs) -> {
            OpSupport.noHigherOrder("EmbeddingBagBackward");
            Tensor gt = OpSupport.empty(terms, terms.shape(), terms.dtype());
            be.indexSelect(g.operand(), 0, saved.operand(), gt.operand());
            return new Tensor[] {gt};
        }, terms);
        return saved == null ? out : OpSupport.saveForBackward(out, saved);
    }

    /**
     * Column maxima of each bag's rows: the rows laid out as [B, largest bag, D], short bags filled
     * with -inf, reduced by max (its gradient goes to the first maximum); empty bags give 0.
     */
    private static Tensor bagMaxima(Tensor weight, Tensor rows, BagLayout bags) {
        long d = weight.size(1);
        int width = bags.largestBag();
        if (width == 0) {
            return Tensor.full(Shape.of(bags.bags(), d), 0, weight.dtype(), weight.device());
        }
        long[] slots = new long[bags.bags() * width];
        Arrays.fill(slots, bags.kept());
        int[] filled = new int[bags.bags()];
        for (int k = 0; k < bags.kept(); k++) {
            int b = (int) bags.bagOf()[k];
            slots[b * width + filled[b]++] = k;
        }
        byte[] emptyBags = new byte[bags.bags()];
        for (int b = 0; b < emptyBags.length; b++) {
            emptyBags[b] = (byte) (bags.counts()[b] == 0 ? 1 : 0);
        }
        try (Tensor filler = Tensor.full(Shape.of(1, d), Double.NEGATIVE_INFINITY, weight.dtype(), weight.device());
             Tensor withFiller = Tensor.cat(List.of(rows, filler), 0); Tensor slotRows = longs(weight, slots);
             Tensor laidOut = withFiller.indexSelect(0, slotRows); Tensor grid = laidOut.view(bags.bags(), width, d);
             ValuesIndices maxima = grid.max(1, false);
             Tensor empty = onDevice(weight, MemorySegment.ofArray(emptyBags), DType.BOOL, emptyBags.length, 1)) {
            return maxima.values().maskedFill(empty, 0);
        }
    }

    /** A 1-D int64 tensor on like's device. */
    private static Tensor longs(Tensor like, long[] values) {
        return onDevice(like, MemorySegment.ofArray(values), DType.INT64, values.length);
    }

    /** A tensor on like's device holding host values of the given dtype. */
    private static Tensor onDevice(Tensor like, MemorySegment host, DType dtype, long... shape) {
        Tensor t = Tensor.empty(Shape.of(shape), dtype, like.device());
        t.backend().write(host, t.operand());
        return t;
    }
}
