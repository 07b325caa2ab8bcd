package dev.panamax.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;

/**
 * Double-precision references of the pointwise ops, activations and softmax, written with plain
 * loops and {@link Math} only (nothing from {@code dev.panamax.backend}), plus the input makers
 * and large-tensor checks the pointwise tests share.
 */
public final class RefPointwise {
    private RefPointwise() {}

    // ---------------------------------------------------------------- special functions

    private static final double SQRT_PI = Math.sqrt(Math.PI);

    /** erf by its Maclaurin series for |x| <= 2.5, else 1 - erfc. */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double ax = Math.abs(x);
        if (ax > 2.5) {
            return Math.copySign(1 - erfc(ax), x);
        }
        // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
        double power = ax; // x^(2n+1) / n!
        double sum = 0;
        for (int n = 0; n < 400; n++) {
            double t = power / (2 * n + 1);
            sum += (n % 2 == 0) ? t : -t;
            power *= ax * ax / (n + 1);
            if (t < 1e-20) {
                break;
            }
        }
        return Math.copySign(2 / SQRT_PI * sum, x);
    }

    /** erfc by the Laplace continued fraction (evaluated bottom-up) for x > 2.5, else from erf. */
    public static double erfc(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        if (x < -2.5) {
            return 2 - erfc(-x);
        }
        if (x <= 2.5) {
            return 1 - erf(x);
        }
        // erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
        double f = x;
        for (int k = 400; k >= 1; k--) {
            f = x + (k / 2.0) / f;
        }
        return Math.exp(-x * x) / SQRT_PI / f;
    }

    /** Standard normal CDF. */
    public static double phi(double x) {
        return 0.5 * erfc(-x / Math.sqrt(2));
    }

    public static double normalDensity(double x) {
        return Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
    }

    // ---------------------------------------------------------------- activations

    public static final double SELU_ALPHA = 1.6732632423543772848170429916717;
    public static final double SELU_SCALE = 1.0507009873554804934193349852946;
    private static final double GELU_C = Math.sqrt(2 / Math.PI);

    public static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    public static double dSigmoid(double x) {
        double s = sigmoid(x);
        return s * (1 - s);
    }

    public static double gelu(double x) {
        return x * phi(x);
    }

    public static double dGelu(double x) {
        return phi(x) + x * normalDensity(x);
    }

    public static double geluTanh(double x) {
        return 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));
    }

    public static double dGeluTanh(double x) {
        double u = GELU_C * (x + 0.044715 * x * x * x);
        double th = Math.tanh(u);
        return 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * GELU_C * (1 + 3 * 0.044715 * x * x);
    }

    public static double softplus(double x, double beta, double threshold) {
        return beta * x > threshold ? x : Math.log1p(Math.exp(beta * x)) / beta;
    }

    public static double dSoftplus(double x, double beta, double threshold) {
        return beta * x > threshold ? 1 : sigmoid(beta * x);
    }

    public static double elu(double x, double alpha) {
        return x > 0 ? x : alpha * (Math.exp(x) - 1);
    }

    public static double selu(double x) {
        return SELU_SCALE * (x > 0 ? x : SELU_ALPHA * (Math.exp(x) - 1));
    }

    public static double silu(double x) {
        return x * sigmoid(x);
    }

    public static double dSilu(double x) {
        double s = sigmoid(x);
        return s + x * s * (1 - s);
    }

    // ---------------------------------------------------------------- softmax

    /** Softmax or log-softmax of {@code x} along {@code dim}, with the row maximum subtracted. */
    public static Ref softmax(Ref x, int dim, boolean log) {
        if (x.rank() == 0) {
            return new Ref(new double[] {log ? x.data[0] - x.data[0] : 1.0});
        }
        int d = dim < 0 ? dim + x.rank() : dim;
        Ref out = Ref.zeros(x.shape);
        long n = x.shape[d];
        long stride = x.strides()[d];
        for (int i = 0; i < x.numel(); i++) {
            if (x.unravel(i)[d] != 0) {
                continue;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < n; k++) {
                max = Math.max(max, x.data[(int) (i + k * stride)]);
            }
            double sum = 0;
            for (int k = 0; k < n; k++) {
                sum += Math.exp(x.data[(int) (i + k * stride)] - max);
            }
            for (int k = 0; k < n; k++) {
                double shifted = x.data[(int) (i + k * stride)] - max;
                out.data[(int) (i + k * stride)] = log ? shifted - Math.log(sum) : Math.exp(shifted) / sum;
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- views on references

    /** Transpose of a matrix. */
    public static Ref t(Ref x) {
        Ref r = Ref.zeros(x.shape[1], x.shape[0]);
        for (int i = 0; i < x.shape[0]; i++) {
            for (int j = 0; j < x.shape[1]; j++) {
                r.data[(int) (j * x.shape[0] + i)] = x.get(i, j);
            }
        }
        return r;
    }

    /** Elements start, start + step, ... below end along dim (bounds within range). */
    public static Ref slice(Ref x, int dim, long start, long end, long step) {
        long[] shape = x.shape.clone();
        shape[dim] = (end - start + step - 1) / step;
        Ref r = Ref.zeros(shape);
        for (int i = 0; i < r.numel(); i++) {
            long[] idx = r.unravel(i);
            idx[dim] = start + idx[dim] * step;
            r.data[i] = x.get(idx);
        }
        return r;
    }

    /** x broadcast to {@code shape}. */
    public static Ref expand(Ref x, long... shape) {
        Ref r = Ref.zeros(shape);
        for (int i = 0; i < r.numel(); i++) {
            r.data[i] = x.data[x.broadcastIndex(r.unravel(i))];
        }
        return r;
    }

    // ---------------------------------------------------------------- layouts to test on

    /**
     * One awkward layout: an input of {@code shape} seen through {@code view} (a tensor view op
     * and the same rearrangement on the reference).
     */
    public record Layout(String label, long[] shape, Function<Tensor, Tensor> view, Function<Ref, Ref> refView) {
        public Tensor apply(Tensor t) {
            return view.apply(t);
        }

        public Ref apply(Ref r) {
            return refView.apply(r);
        }

        @Override
        public String toString() {
            return label + Arrays.toString(shape);
        }
    }

    private static Layout plain(long... shape) {
        return new Layout("contiguous", shape, t -> t, r -> r);
    }

    /**
     * Small layouts (at most 60 elements, for gradcheck): rank 0, size 1, odd sizes, a 3-d
     * shape, a stride-2 view, a transpose, a slice with step 3, a stride-0 expand.
     */
    public static java.util.List<Layout> smallLayouts() {
        return java.util.List.of(
                plain(),
                plain(1),
                plain(7),
                plain(17),
                plain(33),
                plain(3, 4, 5),
                new Layout("strided", new long[] {5, 7}, OpCheck::strided, r -> r),
                new Layout("transposed", new long[] {7, 5}, Tensor::t, RefPointwise::t),
                new Layout("slice step 3", new long[] {4, 17}, t -> t.slice(1, 1, 17, 3), r -> slice(r, 1, 1, 17, 3)),
                new Layout("expanded", new long[] {1, 5}, t -> t.expand(4, 5), r -> expand(r, 4, 5)));
    }

    /** Large layouts for forward/backward parity without gradcheck: sizes around the vector length and the 2048-element tile. */
    public static java.util.List<Layout> largeLayouts() {
        return java.util.List.of(
                plain(1000),
                plain(2049),
                new Layout("strided", new long[] {3, 700}, OpCheck::strided, r -> r),
                new Layout("transposed", new long[] {2049, 3}, Tensor::t, RefPointwise::t),
                new Layout("slice step 3", new long[] {2, 6200}, t -> t.slice(1, 5, 6200, 3), r -> slice(r, 1, 5, 6200, 3)));
    }

    // ---------------------------------------------------------------- inputs

    /**
     * A float64 tensor of values uniform in [lo, hi), each exactly representable in float32 and at
     * least {@code gap} away from every point in {@code avoid} (kinks, bounds).
     */
    public static Tensor values(long seed, double lo, double hi, double gap, double[] avoid, long... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            double x;
            boolean ok;
            do {
                x = (float) (lo + (hi - lo) * r.nextDouble());
                ok = true;
                for (double a : avoid) {
                    ok &= Math.abs(x - a) >= gap;
                }
            } while (!ok);
            v[i] = x;
        }
        return Tensor.of(v, shape);
    }

    /** Uniform values in [lo, hi), float32-representable, as a float64 tensor. */
    public static Tensor values(long seed, double lo, double hi, long... shape) {
        return values(seed, lo, hi, 0, new double[0], shape);
    }

    public static double[] doubles(Tensor t) {
        return t.toDoubleArray();
    }

    // ---------------------------------------------------------------- large-tensor checks

    /** Gaussian float32-representable values: an upstream gradient. */
    public static Ref upstream(long seed, long... shape) {
        Random rnd = new Random(seed);
        Ref r = Ref.zeros(shape);
        for (int i = 0; i < r.numel(); i++) {
            r.data[i] = (float) rnd.nextGaussian();
        }
        return r;
    }

    /**
     * Forward and backward parity of a unary op on {@code x} seen through {@code layout}, without
     * gradcheck (for large tensors): on float32 and float64, {@code op(v)} against {@code f} and
     * the gradient for a random upstream gradient against {@code g * df(x)}. The view itself is
     * made the leaf (detached), so the kernels see its strided layout both ways.
     */
    public static void checkUnaryLarge(String name, Function<Tensor, Tensor> op, DoubleUnaryOperator f, DoubleUnaryOperator df,
            Layout layout, Tensor x, double tolScale) {
        Ref rx = layout.apply(Ref.of(x));
        Ref expected = rx.map(f);
        Ref up = upstream(11, rx.shape);
        Ref expectedGrad = Ref.zeros(rx.shape);
        for (int i = 0; i < rx.numel(); i++) {
            double d = df.applyAsDouble(rx.data[i]);
            expectedGrad.data[i] = d == 0 ? 0 : up.data[i] * d;
        }
        String where = " (%s, " + layout + ")";
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            boolean f32 = dtype == DType.FLOAT32;
            try (Scope ignored = Scope.open()) {
                Tensor v = layout.apply(x.to(dtype)).detach().requiresGrad(true);
                Tensor y = op.apply(v);
                OpCheck.assertClose(name + " forward" + where.formatted(dtype.pyName()), expected, Ref.of(y),
                        tolScale * (f32 ? OpCheck.F32_ATOL : OpCheck.F64_ATOL), f32 ? OpCheck.F32_RTOL : OpCheck.F64_RTOL);
                y.backward(up.toTensor(dtype));
                OpCheck.assertClose(name + " gradient" + where.formatted(dtype.pyName()), expectedGrad, Ref.of(v.grad()),
                        tolScale * (f32 ? OpCheck.F32_GRAD_ATOL : OpCheck.F64_GRAD_ATOL), f32 ? OpCheck.F32_GRAD_RTOL : OpCheck.F64_GRAD_RTOL);
            }
        }
    }

    /**
     * The same for a binary op on two inputs of one shape, both seen through {@code layout}:
     * gradients against {@code g * da(a, b)} and {@code g * db(a, b)}.
     */
    public static void checkBinaryLarge(String name, java.util.function.BinaryOperator<Tensor> op, java.util.function.DoubleBinaryOperator f,
            java.util.function.DoubleBinaryOperator da, java.util.function.DoubleBinaryOperator db, Layout layout, Tensor a, Tensor b) {
        Ref ra = layout.apply(Ref.of(a));
        Ref rb = layout.apply(Ref.of(b));
        Ref expected = Ref.zip(ra, rb, f);
        Ref up = upstream(12, ra.shape);
        Ref ga = Ref.zeros(ra.shape);
        Ref gb = Ref.zeros(ra.shape);
        for (int i = 0; i < ra.numel(); i++) {
            ga.data[i] = up.data[i] * da.applyAsDouble(ra.data[i], rb.data[i]);
            gb.data[i] = up.data[i] * db.applyAsDouble(ra.data[i], rb.data[i]);
        }
        String where = " (%s, " + layout + ")";
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            boolean f32 = dtype == DType.FLOAT32;
            double atol = f32 ? OpCheck.F32_ATOL : OpCheck.F64_ATOL;
            double rtol = f32 ? OpCheck.F32_RTOL : OpCheck.F64_RTOL;
            double gatol = f32 ? OpCheck.F32_GRAD_ATOL : OpCheck.F64_GRAD_ATOL;
            double grtol = f32 ? OpCheck.F32_GRAD_RTOL : OpCheck.F64_GRAD_RTOL;
            try (Scope ignored = Scope.open()) {
                Tensor va = layout.apply(a.to(dtype)).detach().requiresGrad(true);
                Tensor vb = layout.apply(b.to(dtype)).detach().requiresGrad(true);
                Tensor y = op.apply(va, vb);
                OpCheck.assertClose(name + " forward" + where.formatted(dtype.pyName()), expected, Ref.of(y), atol, rtol);
                y.backward(up.toTensor(dtype));
                OpCheck.assertClose(name + " gradient of a" + where.formatted(dtype.pyName()), ga, Ref.of(va.grad()), gatol, grtol);
                OpCheck.assertClose(name + " gradient of b" + where.formatted(dtype.pyName()), gb, Ref.of(vb.grad()), gatol, grtol);
            }
        }
    }

    /** Forward parity only, on float32 and float64. */
    public static void checkForwardLarge(String name, Function<Tensor[], Tensor> op, Function<Ref[], Ref> ref, double tolScale, Tensor... xs) {
        Ref expected = ref.apply(Arrays.stream(xs).map(Ref::of).toArray(Ref[]::new));
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            boolean f32 = dtype == DType.FLOAT32;
            try (Scope ignored = Scope.open()) {
                Tensor[] in = Arrays.stream(xs).map(t -> t.dtype().isFloatingPoint() ? t.to(dtype) : t).toArray(Tensor[]::new);
                OpCheck.assertClose(name + " forward (" + dtype.pyName() + ")", expected, Ref.of(op.apply(in)),
                        tolScale * (f32 ? OpCheck.F32_ATOL : OpCheck.F64_ATOL), f32 ? OpCheck.F32_RTOL : OpCheck.F64_RTOL);
            }
        }
    }

    // ---------------------------------------------------------------- unary op catalogue

    /**
     * A unary op with its reference value and derivative and the input range it is tested on
     * (inputs stay at least 0.02 away from the points in {@code avoid}: kinks, bounds).
     */
    public record UnarySpec(String name, Function<Tensor, Tensor> op, DoubleUnaryOperator f, DoubleUnaryOperator df,
            double lo, double hi, double... avoid) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** OpCheck (forward, backward, gradcheck) on every small layout. */
    public static void checkSmall(UnarySpec spec) {
        long seed = spec.name().hashCode();
        for (Layout layout : smallLayouts()) {
            Tensor x = values(seed++, spec.lo(), spec.hi(), 0.02, spec.avoid(), layout.shape());
            OpCheck.check(spec.name() + " on " + layout, t -> spec.op().apply(layout.apply(t[0])),
                    r -> layout.apply(r[0]).map(spec.f()), x);
            x.close();
        }
    }

    /** Forward/backward parity on every large layout. */
    public static void checkLarge(UnarySpec spec) {
        long seed = spec.name().hashCode() * 31L;
        for (Layout layout : largeLayouts()) {
            try (Tensor x = values(seed++, spec.lo(), spec.hi(), 0.02, spec.avoid(), layout.shape())) {
                checkUnaryLarge(spec.name(), spec.op(), spec.f(), spec.df(), layout, x, 1.0);
            }
        }
    }

    // ---------------------------------------------------------------- exact checks

    /** The tensor's values, exactly (NaN equals NaN; -0.0 equals 0.0). */
    public static void assertValues(String what, double[] expected, Tensor actual) {
        double[] a = actual.toDoubleArray();
        assertEquals(expected.length, a.length, what + ": element count");
        for (int i = 0; i < a.length; i++) {
            boolean same = Double.isNaN(expected[i]) ? Double.isNaN(a[i]) : expected[i] == a[i];
            if (!same) {
                fail(what + ": at " + i + " expected " + expected[i] + " but got " + a[i] + " (all: " + Arrays.toString(a) + ")");
            }
        }
    }

    public static void assertShape(String what, long[] expected, Tensor actual) {
        assertArrayEquals(expected, actual.shape().toArray(), what + ": shape");
    }

    /** The message of {@code e} contains every fragment (case-sensitive), with a readable failure. */
    public static void assertMessage(Throwable e, String... fragments) {
        String m = String.valueOf(e.getMessage());
        for (String f : fragments) {
            assertTrue(m.contains(f), "message '" + m + "' should mention '" + f + "'");
        }
    }
}
