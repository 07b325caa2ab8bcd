package dev.panamax.testing;

import dev.panamax.tensor.Shape;
import java.util.Arrays;

/**
 * Naive double-precision scaled dot-product attention: loops over every batch index, query and
 * key, with NumPy broadcasting of the batch dims and of the mask, written independently of the
 * library's composition of ops.
 */
public final class RefAttention {
    private RefAttention() {}

    /** How the reference reads its mask argument. */
    public enum MaskKind { NONE, BOOL, FLOAT }

    /**
     * softmax(q kᵀ · scale + mask) v over the last two dims; a row with no key taking part (every
     * bool false, or every score -inf) gives zeros. A bool mask is given as 0/1 values.
     *
     * @param scale NaN for 1/√E
     */
    public static Ref sdpa(Ref q, Ref k, Ref v, Ref mask, MaskKind kind, boolean causal, double scale) {
        return compute(q, k, v, mask, kind, causal, scale, false);
    }

    /** The attention weights [..., L, S] of {@link #sdpa}. */
    public static Ref weights(Ref q, Ref k, Ref v, Ref mask, MaskKind kind, boolean causal, double scale) {
        return compute(q, k, v, mask, kind, causal, scale, true);
    }

    private static Ref compute(Ref q, Ref k, Ref v, Ref mask, MaskKind kind, boolean causal, double scale, boolean wantWeights) {
        int l = (int) q.shape[q.rank() - 2];
        int e = (int) q.shape[q.rank() - 1];
        int s = (int) k.shape[k.rank() - 2];
        int ev = (int) v.shape[v.rank() - 1];
        long[] batch = Shape.broadcast("ref", Shape.broadcast("ref", batch(q), batch(k)), batch(v)).toArray();
        double sc = Double.isNaN(scale) ? 1 / Math.sqrt(e) : scale;
        Ref out = Ref.zeros(with(batch, l, wantWeights ? s : ev));
        long batchCount = Arrays.stream(batch).reduce(1, (a, b) -> a * b);
        for (int b = 0; b < batchCount; b++) {
            long[] bi = unravel(b, batch);
            for (int i = 0; i < l; i++) {
                double[] score = new double[s];
                boolean[] on = new boolean[s];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < s; j++) {
                    double dot = 0;
                    for (int c = 0; c < e; c++) {
                        dot += q.data[q.broadcastIndex(with(bi, i, c))] * k.data[k.broadcastIndex(with(bi, j, c))];
                    }
                    double x = dot * sc;
                    boolean takesPart = !causal || j <= i;
                    if (kind == MaskKind.BOOL) {
                        takesPart &= mask.data[mask.broadcastIndex(with(bi, i, j))] != 0;
                    } else if (kind == MaskKind.FLOAT) {
                        x += mask.data[mask.broadcastIndex(with(bi, i, j))];
                    }
                    on[j] = takesPart && x != Double.NEGATIVE_INFINITY;
                    score[j] = x;
                    if (on[j]) {
                        max = Math.max(max, x);
                    }
                }
                double total = 0;
                double[] w = new double[s];
                for (int j = 0; j < s; j++) {
                    w[j] = on[j] ? Math.exp(score[j] - max) : 0;
                    total += w[j];
                }
                for (int j = 0; j < s; j++) {
                    w[j] = total == 0 ? 0 : w[j] / total;
                }
                if (wantWeights) {
                    for (int j = 0; j < s; j++) {
                        out.data[out.index(with(bi, i, j))] = w[j];
                    }
                    continue;
                }
                for (int c = 0; c < ev; c++) {
                    double acc = 0;
                    for (int j = 0; j < s; j++) {
                        acc += w[j] * v.data[v.broadcastIndex(with(bi, j, c))];
                    }
                    out.data[out.index(with(bi, i, c))] = acc;
                }
            }
        }
        return out;
    }

    private static Shape batch(Ref t) {
        return Shape.of(Arrays.copyOf(t.shape, t.rank() - 2));
    }

    private static long[] with(long[] prefix, long a, long b) {
        long[] r = Arrays.copyOf(prefix, prefix.length + 2);
        r[prefix.length] = a;
        r[prefix.length + 1] = b;
        return r;
    }

    private static long[] unravel(long flat, long[] shape) {
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }
}
