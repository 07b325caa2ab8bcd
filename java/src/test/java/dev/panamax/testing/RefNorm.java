package dev.panamax.testing;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.Random;
import java.util.function.Function;

/**
 * Naive double-precision normalisations and regularisers, written from their definitions: each
 * normalised set of elements is gathered, its mean and variance taken in two passes.
 */
public final class RefNorm {
    private RefNorm() {}

    /** Product of shape[from..]. */
    private static int inner(Ref x, int from) {
        int s = 1;
        for (int d = from; d < x.rank(); d++) {
            s *= (int) x.shape[d];
        }
        return s;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double e : v) {
            s += e;
        }
        return s / v.length;
    }

    /** Sum of squared deviations from the mean, divided by (count - correction). */
    private static double variance(double[] v, int correction) {
        double m = mean(v);
        double s = 0;
        for (double e : v) {
            s += (e - m) * (e - m);
        }
        return s / (v.length - correction);
    }

    /** The values of channel c of x [N, C, *]. */
    private static double[] channel(Ref x, int c) {
        int n = (int) x.shape[0];
        int ch = (int) x.shape[1];
        int s = inner(x, 2);
        double[] v = new double[n * s];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < s; j++) {
                v[i * s + j] = x.data[(i * ch + c) * s + j];
            }
        }
        return v;
    }

    private static double param(Ref p, int i, double absent) {
        return p == null ? absent : p.data[i];
    }

    /**
     * Batch norm of x [N, C, *]: with the batch's statistics (biased variance) when mean is
     * null, else with the given mean and var [C].
     */
    public static Ref batchNorm(Ref x, Ref mean, Ref var, Ref w, Ref b, double eps) {
        int n = (int) x.shape[0];
        int ch = (int) x.shape[1];
        int s = inner(x, 2);
        Ref y = Ref.zeros(x.shape);
        for (int c = 0; c < ch; c++) {
            double[] v = channel(x, c);
            double m = mean == null ? mean(v) : mean.data[c];
            double var2 = mean == null ? variance(v, 0) : var.data[c];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < s; j++) {
                    int at = (i * ch + c) * s + j;
                    y.data[at] = (x.data[at] - m) / Math.sqrt(var2 + eps) * param(w, c, 1) + param(b, c, 0);
                }
            }
        }
        return y;
    }

    /** Running statistics after one training step: {new mean, new var}, the variance unbiased. */
    public static double[][] runningStats(Ref x, double[] runningMean, double[] runningVar, double momentum) {
        int ch = (int) x.shape[1];
        double[][] r = new double[2][ch];
        for (int c = 0; c < ch; c++) {
            double[] v = channel(x, c);
            r[0][c] = (1 - momentum) * runningMean[c] + momentum * mean(v);
            r[1][c] = (1 - momentum) * runningVar[c] + momentum * variance(v, 1);
        }
        return r;
    }

    /** Normalises each consecutive block of {@code block} elements of x on its own (biased variance). */
    private static Ref normalizeBlocks(Ref x, int block, double eps) {
        Ref y = Ref.zeros(x.shape);
        for (int start = 0; start < x.numel(); start += block) {
            double[] v = new double[block];
            System.arraycopy(x.data, start, v, 0, block);
            double m = mean(v);
            double sd = Math.sqrt(variance(v, 0) + eps);
            for (int j = 0; j < block; j++) {
                y.data[start + j] = (v[j] - m) / sd;
            }
        }
        return y;
    }

    /** Layer norm over the last {@code dims} dims; w and b have those dims' shape (or null). */
    public static Ref layerNorm(Ref x, int dims, Ref w, Ref b, double eps) {
        int d = inner(x, x.rank() - dims);
        Ref y = normalizeBlocks(x, d, eps);
        for (int i = 0; i < y.numel(); i++) {
            y.data[i] = y.data[i] * param(w, i % d, 1) + param(b, i % d, 0);
        }
        return y;
    }

    /** Group norm of x [N, C, *] with per-channel w, b (or null). */
    public static Ref groupNorm(Ref x, int groups, Ref w, Ref b, double eps) {
        int ch = (int) x.shape[1];
        int s = inner(x, 2);
        Ref y = normalizeBlocks(x, ch / groups * s, eps);
        for (int i = 0; i < y.numel(); i++) {
            int c = i / s % ch;
            y.data[i] = y.data[i] * param(w, c, 1) + param(b, c, 0);
        }
        return y;
    }

    /** Instance norm with the input's statistics: group norm with one channel per group. */
    public static Ref instanceNorm(Ref x, Ref w, Ref b, double eps) {
        return groupNorm(x, (int) x.shape[1], w, b, eps);
    }

    /** Running statistics after an instance-norm step: batch means of each plane's mean and unbiased variance. */
    public static double[][] instanceRunningStats(Ref x, double[] runningMean, double[] runningVar, double momentum) {
        int n = (int) x.shape[0];
        int ch = (int) x.shape[1];
        int s = inner(x, 2);
        double[][] r = new double[2][ch];
        for (int c = 0; c < ch; c++) {
            double means = 0;
            double vars = 0;
            for (int i = 0; i < n; i++) {
                double[] v = new double[s];
                System.arraycopy(x.data, (i * ch + c) * s, v, 0, s);
                means += mean(v);
                vars += variance(v, 1);
            }
            r[0][c] = (1 - momentum) * runningMean[c] + momentum * means / n;
            r[1][c] = (1 - momentum) * runningVar[c] + momentum * vars / n;
        }
        return r;
    }

    /** PyTorch's local_response_norm: x / (k + alpha/size * sum of x^2 over channels [c - size/2, c + (size-1)/2])^beta. */
    public static Ref localResponseNorm(Ref x, int size, double alpha, double beta, double k) {
        int n = (int) x.shape[0];
        int ch = (int) x.shape[1];
        int s = inner(x, 2);
        Ref y = Ref.zeros(x.shape);
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < ch; c++) {
                for (int j = 0; j < s; j++) {
                    double sum = 0;
                    for (int cc = c - size / 2; cc <= c + (size - 1) / 2; cc++) {
                        if (cc >= 0 && cc < ch) {
                            double v = x.data[(i * ch + cc) * s + j];
                            sum += v * v;
                        }
                    }
                    int at = (i * ch + c) * s + j;
                    y.data[at] = x.data[at] / Math.pow(k + alpha / size * sum, beta);
                }
            }
        }
        return y;
    }

    /** Maxout along dim: each run of {@code pieces} consecutive features replaced by its maximum. */
    public static Ref maxout(Ref x, int pieces, int dim) {
        long[] shape = x.shape.clone();
        shape[dim] /= pieces;
        Ref y = Ref.zeros(shape);
        for (int o = 0; o < y.numel(); o++) {
            long[] idx = y.unravel(o);
            long first = idx[dim] * pieces;
            double best = Double.NEGATIVE_INFINITY;
            for (int p = 0; p < pieces; p++) {
                idx[dim] = first + p;
                best = Math.max(best, x.get(idx));
            }
            y.data[o] = best;
        }
        return y;
    }

    /**
     * The gradient of sum(ref(inputs) * projection) with respect to one element of one input, by
     * central differences in double: the reference gradient at sampled elements of inputs too
     * large to difference whole.
     */
    public static double gradientAt(Function<Ref[], Ref> ref, Ref[] inputs, Ref projection, int input, int element) {
        double x = inputs[input].data[element];
        double h = 1e-6 * Math.max(1, Math.abs(x));
        inputs[input].data[element] = x + h;
        double plus = ref.apply(inputs).dot(projection);
        inputs[input].data[element] = x - h;
        double minus = ref.apply(inputs).dot(projection);
        inputs[input].data[element] = x;
        return (plus - minus) / (2 * h);
    }

    /**
     * {@link OpCheck} for inputs too large to difference whole: forward parity on float32 and
     * float64, and the gradient of sum(out * projection) at {@code samples} random elements of
     * each floating-point input against central differences of the reference.
     */
    public static void checkLarge(String name, Function<Tensor[], Tensor> op, Function<Ref[], Ref> ref, int samples,
                                  double tolScale, Tensor... inputs) {
        Ref[] refs = new Ref[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            refs[i] = Ref.of(inputs[i]);
        }
        Ref expected = ref.apply(refs);
        Ref projection;
        try (Tensor r = Tensor.randn(new Generator(11), expected.shape)) {
            projection = Ref.of(r);
        }
        Random random = new Random(5);
        int[][] picks = new int[inputs.length][samples];
        double[][] grads = new double[inputs.length][samples];
        for (int i = 0; i < inputs.length; i++) {
            for (int s = 0; s < samples; s++) {
                picks[i][s] = random.nextInt(refs[i].numel());
                grads[i][s] = gradientAt(ref, refs, projection, i, picks[i][s]);
            }
        }
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            boolean f32 = dtype == DType.FLOAT32;
            try (Scope ignored = Scope.open()) {
                Tensor[] xs = new Tensor[inputs.length];
                for (int i = 0; i < inputs.length; i++) {
                    xs[i] = inputs[i].to(dtype).requiresGrad(true);
                }
                Tensor out = op.apply(xs);
                OpCheck.assertClose(name + " forward (" + dtype.pyName() + ")", expected, Ref.of(out),
                        tolScale * (f32 ? OpCheck.F32_ATOL : OpCheck.F64_ATOL), f32 ? OpCheck.F32_RTOL : OpCheck.F64_RTOL);
                out.mul(projection.toTensor(dtype)).sum().backward();
                for (int i = 0; i < inputs.length; i++) {
                    double[] actual = xs[i].grad().toDoubleArray();
                    for (int s = 0; s < samples; s++) {
                        double e = grads[i][s];
                        double a = actual[picks[i][s]];
                        double tol = tolScale * (f32 ? OpCheck.F32_GRAD_ATOL : OpCheck.F64_GRAD_ATOL)
                                + (f32 ? OpCheck.F32_GRAD_RTOL : OpCheck.F64_GRAD_RTOL) * Math.abs(e);
                        if (!(Math.abs(e - a) <= tol)) {
                            throw new AssertionError(name + " gradient of input " + i + " (" + dtype.pyName() + ") at flat index "
                                    + picks[i][s] + ": expected " + e + " but got " + a + " (|diff| " + Math.abs(e - a) + " > " + tol + ")");
                        }
                    }
                }
            }
        }
    }
}
