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
}
