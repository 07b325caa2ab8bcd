package dev.panamax.testing;

import java.util.Arrays;

/** Naive references of the embedding lookups, written index by index in double. */
public final class RefEmbedding {
    private RefEmbedding() {}

    /** out[i..., :] = weight[input[i...], :]. */
    public static Ref embedding(Ref input, Ref weight) {
        long[] ids = RefIndexOps.longs(input);
        int d = (int) weight.shape[1];
        long[] shape = Arrays.copyOf(input.shape, input.rank() + 1);
        shape[input.rank()] = d;
        Ref out = Ref.zeros(shape);
        for (int i = 0; i < ids.length; i++) {
            for (int j = 0; j < d; j++) {
                out.data[i * d + j] = weight.get(ids[i], j);
            }
        }
        return out;
    }

    /**
     * One row per bag: bag b holds the indices from offsets[b] to the next offset (or the end),
     * minus the padding index (-1: none); sum, mean or column max ("sum", "mean", "max") of their
     * rows, each times its per-sample weight (or 1); empty bags give zeros.
     */
    public static Ref embeddingBag(long[] ids, long[] offsets, int bags, Ref weight, String mode, Ref perSampleWeights, long padding) {
        int d = (int) weight.shape[1];
        Ref out = Ref.zeros(bags, d);
        for (int b = 0; b < bags; b++) {
            long end = b + 1 < offsets.length ? offsets[b + 1] : ids.length;
            for (int j = 0; j < d; j++) {
                double acc = mode.equals("max") ? Double.NEGATIVE_INFINITY : 0;
                int count = 0;
                for (long i = offsets[b]; i < end; i++) {
                    if (ids[(int) i] == padding) {
                        continue;
                    }
                    double v = weight.get(ids[(int) i], j) * (perSampleWeights == null ? 1 : perSampleWeights.data[(int) i]);
                    acc = mode.equals("max") ? Math.max(acc, v) : acc + v;
                    count++;
                }
                out.data[b * d + j] = count == 0 ? 0 : mode.equals("mean") ? acc / count : acc;
            }
        }
        return out;
    }

    /**
     * The weight's gradient [rows, D] of {@link #embeddingBag} in mode "sum" or "mean" (an
     * embedding is bags of one index each) for the output's gradient g [bags, D], with
     * scaleGradByFreq: each index's share of its bag's gradient (its per-sample weight, over the bag
     * size for "mean") divided by how often the index occurs anywhere in ids; the padding row gets none.
     */
    public static Ref bagWeightGradScaledByFreq(long[] ids, long[] offsets, int bags, long rows, Ref g, String mode,
                                                Ref perSampleWeights, long padding) {
        int d = (int) g.shape[1];
        Ref grad = Ref.zeros(rows, d);
        for (int b = 0; b < bags; b++) {
            long end = b + 1 < offsets.length ? offsets[b + 1] : ids.length;
            long kept = Arrays.stream(ids, (int) offsets[b], (int) end).filter(i -> i != padding).count();
            for (long i = offsets[b]; i < end; i++) {
                long row = ids[(int) i];
                if (row == padding) {
                    continue;
                }
                long frequency = Arrays.stream(ids).filter(x -> x == row).count();
                double share = (perSampleWeights == null ? 1 : perSampleWeights.data[(int) i]) / (mode.equals("mean") ? kept : 1) / frequency;
                for (int j = 0; j < d; j++) {
                    grad.data[(int) row * d + j] += share * g.get(b, j);
                }
            }
        }
        return grad;
    }
}
