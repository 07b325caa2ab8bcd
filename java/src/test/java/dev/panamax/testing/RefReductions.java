package dev.panamax.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Naive double-precision references of the reductions, written with plain loops over {@link Ref}:
 * every output element collects the input elements that map to it, then a scalar function of
 * that list gives its value. Shares no code with the library.
 */
public final class RefReductions {
    private RefReductions() {}

    /** Which dims of a rank-{@code rank} tensor are reduced; null or empty means all. Negative dims count from the end. */
    public static boolean[] reducedMask(int[] dims, int rank) {
        boolean[] m = new boolean[rank];
        if (dims == null || dims.length == 0) {
            java.util.Arrays.fill(m, true);
            return m;
        }
        for (int d : dims) {
            if (rank == 0) {
                continue; // dim 0 / -1 of a scalar
            }
            m[d < 0 ? d + rank : d] = true;
        }
        return m;
    }

    /** Output shape of a reduction. */
    public static long[] outShape(long[] shape, boolean[] reduced, boolean keepDim) {
        List<Long> s = new ArrayList<>();
        for (int d = 0; d < shape.length; d++) {
            if (!reduced[d]) {
                s.add(shape[d]);
            } else if (keepDim) {
                s.add(1L);
            }
        }
        return s.stream().mapToLong(Long::longValue).toArray();
    }

    /** The input elements of each output element, in row-major order of the input. */
    public static double[][] groups(Ref x, boolean[] reduced) {
        long[] keep = outShape(x.shape, reduced, true);
        Ref out = Ref.zeros(keep);
        List<List<Double>> g = new ArrayList<>();
        for (int i = 0; i < out.numel(); i++) {
            g.add(new ArrayList<>());
        }
        for (int i = 0; i < x.numel(); i++) {
            long[] idx = x.unravel(i);
            for (int d = 0; d < idx.length; d++) {
                if (reduced[d]) {
                    idx[d] = 0;
                }
            }
            g.get(out.index(idx)).add(x.data[i]);
        }
        double[][] r = new double[g.size()][];
        for (int i = 0; i < r.length; i++) {
            r[i] = g.get(i).stream().mapToDouble(Double::doubleValue).toArray();
        }
        return r;
    }

    /** Applies {@code f} to each output's group of input elements. */
    public static Ref reduce(Ref x, int[] dims, boolean keepDim, ToDoubleFunction<double[]> f) {
        boolean[] reduced = reducedMask(dims, x.rank());
        double[][] g = groups(x, reduced);
        double[] data = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            data[i] = f.applyAsDouble(g[i]);
        }
        return new Ref(data, outShape(x.shape, reduced, keepDim));
    }

    public static double sum(double[] v) {
        double s = 0;
        for (double e : v) {
            s += e;
        }
        return s;
    }

    public static double mean(double[] v) {
        return sum(v) / v.length;
    }

    public static double prod(double[] v) {
        double p = 1;
        for (double e : v) {
            p *= e;
        }
        return p;
    }

    /** NaN wins; -inf for an empty list. */
    public static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double e : v) {
            if (Double.isNaN(e)) {
                return Double.NaN;
            }
            if (e > m) {
                m = e;
            }
        }
        return m;
    }

    public static double min(double[] v) {
        double m = Double.POSITIVE_INFINITY;
        for (double e : v) {
            if (Double.isNaN(e)) {
                return Double.NaN;
            }
            if (e < m) {
                m = e;
            }
        }
        return m;
    }

    /** Index of the first maximum (or the first NaN). */
    public static double argmax(double[] v) {
        int best = 0;
        for (int i = 0; i < v.length; i++) {
            if (Double.isNaN(v[i])) {
                return i;
            }
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    public static double argmin(double[] v) {
        int best = 0;
        for (int i = 0; i < v.length; i++) {
            if (Double.isNaN(v[i])) {
                return i;
            }
            if (v[i] < v[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Two-pass variance with max(0, n - correction) as the divisor (PyTorch's definition). */
    public static double var(double[] v, double correction) {
        double mu = mean(v);
        double ss = 0;
        for (double e : v) {
            ss += (e - mu) * (e - mu);
        }
        return ss / Math.max(0, v.length - correction);
    }

    /** log(sum(exp(v))) shifted by the max; -inf when every element is -inf. */
    public static double logsumexp(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double e : v) {
            m = Math.max(m, e);
        }
        if (m == Double.NEGATIVE_INFINITY) {
            return Double.NEGATIVE_INFINITY;
        }
        double s = 0;
        for (double e : v) {
            s += Math.exp(e - m);
        }
        return m + Math.log(s);
    }

    public static Ref sum(Ref x, int[] dims, boolean keepDim) {
        return reduce(x, dims, keepDim, RefReductions::sum);
    }

    public static Ref mean(Ref x, int[] dims, boolean keepDim) {
        return reduce(x, dims, keepDim, RefReductions::mean);
    }

    public static Ref prod(Ref x, int[] dims, boolean keepDim) {
        return reduce(x, dims, keepDim, RefReductions::prod);
    }

    public static Ref max(Ref x, int[] dims, boolean keepDim) {
        return reduce(x, dims, keepDim, RefReductions::max);
    }

    public static Ref min(Ref x, int[] dims, boolean keepDim) {
        return reduce(x, dims, keepDim, RefReductions::min);
    }

    public static Ref argmax(Ref x, int dim, boolean keepDim) {
        return reduce(x, new int[] {dim}, keepDim, RefReductions::argmax);
    }

    public static Ref argmin(Ref x, int dim, boolean keepDim) {
        return reduce(x, new int[] {dim}, keepDim, RefReductions::argmin);
    }

    public static Ref var(Ref x, int[] dims, double correction, boolean keepDim) {
        return reduce(x, dims, keepDim, v -> var(v, correction));
    }

    public static Ref std(Ref x, int[] dims, double correction, boolean keepDim) {
        return reduce(x, dims, keepDim, v -> Math.sqrt(var(v, correction)));
    }

    public static Ref logsumexp(Ref x, int[] dims, boolean keepDim) {
        return reduce(x, dims, keepDim, RefReductions::logsumexp);
    }
}
