package dev.panamax.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Naive references of the shape and indexing ops on {@link Ref}: each output element is looked up
 * by computing the input multi-index it comes from, one element at a time.
 */
public final class RefShapeOps {
    private RefShapeOps() {}

    /** A tensor of {@code shape} whose element at each multi-index is {@code x} at {@code source(index)}. */
    public static Ref lookup(Ref x, long[] shape, Function<long[], long[]> source) {
        Ref out = Ref.zeros(shape);
        for (int o = 0; o < out.numel(); o++) {
            out.data[o] = x.get(source.apply(out.unravel(o)));
        }
        return out;
    }

    private static int dim(int d, int rank) {
        return d < 0 ? d + rank : d;
    }

    /** Same data, another shape (row-major order unchanged). */
    public static Ref reshape(Ref x, long... shape) {
        return new Ref(x.data.clone(), shape);
    }

    public static Ref permute(Ref x, int... dims) {
        int r = x.rank();
        long[] shape = new long[r];
        for (int i = 0; i < r; i++) {
            shape[i] = x.shape[dim(dims[i], r)];
        }
        return lookup(x, shape, idx -> {
            long[] src = new long[r];
            for (int i = 0; i < r; i++) {
                src[dim(dims[i], r)] = idx[i];
            }
            return src;
        });
    }

    public static Ref transpose(Ref x, int d0, int d1) {
        int[] p = new int[x.rank()];
        for (int i = 0; i < p.length; i++) {
            p[i] = i;
        }
        int a = dim(d0, x.rank());
        int b = dim(d1, x.rank());
        p[a] = b;
        p[b] = a;
        return permute(x, p);
    }

    /** The positions Python's {@code range(n)[start:end:step]} picks (step > 0). */
    public static long[] pythonSlice(long n, long start, long end, long step) {
        long s = start < 0 ? start + n : start;
        s = s < 0 ? 0 : Math.min(s, n);
        long e = end < 0 ? end + n : end;
        e = e < 0 ? 0 : Math.min(e, n);
        List<Long> picked = new ArrayList<>();
        for (long i = s; i < e; i += step) {
            picked.add(i);
            if (i > Long.MAX_VALUE - step) {
                break;
            }
        }
        return picked.stream().mapToLong(Long::longValue).toArray();
    }

    public static Ref slice(Ref x, int dim, long start, long end, long step) {
        int d = dim(dim, x.rank());
        long[] picked = pythonSlice(x.shape[d], start, end, step);
        return indexSelect(x, d, picked);
    }

    public static Ref select(Ref x, int dim, long index) {
        int d = dim(dim, x.rank());
        long i = index < 0 ? index + x.shape[d] : index;
        long[] shape = new long[x.rank() - 1];
        for (int k = 0, j = 0; k < x.rank(); k++) {
            if (k != d) {
                shape[j++] = x.shape[k];
            }
        }
        return lookup(x, shape, idx -> {
            long[] src = new long[x.rank()];
            for (int k = 0, j = 0; k < x.rank(); k++) {
                src[k] = k == d ? i : idx[j++];
            }
            return src;
        });
    }

    /** Broadcast to {@code sizes} (-1 keeps a size). */
    public static Ref expand(Ref x, long... sizes) {
        long[] shape = sizes.clone();
        int shift = sizes.length - x.rank();
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == -1) {
                shape[d] = x.shape[d - shift];
            }
        }
        return lookup(x, shape, idx -> {
            long[] src = new long[x.rank()];
            for (int d = 0; d < x.rank(); d++) {
                src[d] = x.shape[d] == 1 ? 0 : idx[d + shift];
            }
            return src;
        });
    }

    public static Ref cat(List<Ref> parts, int dim) {
        int d = dim(dim, parts.get(0).rank());
        long[] shape = parts.get(0).shape.clone();
        shape[d] = parts.stream().mapToLong(p -> p.shape[d]).sum();
        Ref out = Ref.zeros(shape);
        for (int o = 0; o < out.numel(); o++) {
            long[] idx = out.unravel(o);
            long at = idx[d];
            for (Ref p : parts) {
                if (at < p.shape[d]) {
                    idx[d] = at;
                    out.data[o] = p.get(idx);
                    break;
                }
                at -= p.shape[d];
            }
        }
        return out;
    }

    public static Ref stack(List<Ref> parts, int dim) {
        int d = dim(dim, parts.get(0).rank() + 1);
        List<Ref> unsqueezed = new ArrayList<>();
        for (Ref p : parts) {
            long[] s = new long[p.rank() + 1];
            for (int k = 0, j = 0; k < s.length; k++) {
                s[k] = k == d ? 1 : p.shape[j++];
            }
            unsqueezed.add(new Ref(p.data, s));
        }
        return cat(unsqueezed, d);
    }

    /** Slices of x along dim at the given positions. */
    public static Ref indexSelect(Ref x, int dim, long[] index) {
        int d = dim(dim, x.rank());
        long[] shape = x.shape.clone();
        shape[d] = index.length;
        return lookup(x, shape, idx -> {
            long[] src = idx.clone();
            src[d] = index[(int) idx[d]];
            return src;
        });
    }

    /** out[...i...] = x[...index[...i...]...] along dim; index has x's rank. */
    public static Ref gather(Ref x, int dim, Ref index) {
        int d = dim(dim, x.rank());
        return lookup(x, index.shape, idx -> {
            long[] src = idx.clone();
            src[d] = (long) index.get(idx);
            return src;
        });
    }

    /** A copy of x with src[...j...] added at x[...index[...j...]...] for every j in index's shape. */
    public static Ref scatterAdd(Ref x, int dim, Ref index, Ref src) {
        int d = dim(dim, x.rank());
        Ref out = x.copy();
        for (int j = 0; j < index.numel(); j++) {
            long[] idx = index.unravel(j);
            long[] target = idx.clone();
            target[d] = (long) index.data[j];
            out.data[out.index(target)] += src.get(idx);
        }
        return out;
    }

    public static Ref oneHot(long[] labels, long[] shape, int classes) {
        long[] s = Arrays.copyOf(shape, shape.length + 1);
        s[shape.length] = classes;
        Ref out = Ref.zeros(s);
        for (int i = 0; i < labels.length; i++) {
            out.data[i * classes + (int) labels[i]] = 1;
        }
        return out;
    }
}
