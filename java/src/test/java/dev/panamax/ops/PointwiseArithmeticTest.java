package dev.panamax.ops;

import static dev.panamax.testing.RefPointwise.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.Ref;
import dev.panamax.testing.RefPointwise;
import dev.panamax.testing.RefPointwise.Layout;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.DoubleBinaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Binary arithmetic with broadcasting: parity with the double reference, gradients, ties and edges. */
class PointwiseArithmeticTest {
    private static final double NAN = Double.NaN;
    private static final double INF = Double.POSITIVE_INFINITY;

    /** A binary op, its reference and partial derivatives, and the ranges its inputs are drawn from. */
    record BinarySpec(String name, BinaryOperator<Tensor> op, DoubleBinaryOperator f, DoubleBinaryOperator da, DoubleBinaryOperator db,
            double[] aRange, double[] bRange) {
        @Override
        public String toString() {
            return name;
        }

        Tensor a(long seed, long... shape) {
            return draw(seed, aRange, shape);
        }

        Tensor b(long seed, long... shape) {
            return draw(seed, bRange, shape);
        }

        /** range {lo, hi} or {lo, hi, avoid, gap}. */
        private static Tensor draw(long seed, double[] r, long... shape) {
            return r.length == 2 ? RefPointwise.values(seed, r[0], r[1], shape)
                    : RefPointwise.values(seed, r[0], r[1], r[3], new double[] {r[2]}, shape);
        }
    }

    private static final double[] ANY = {-3, 3};

    static Stream<BinarySpec> ops() {
        return Stream.of(
                new BinarySpec("add", Tensor::add, Double::sum, (a, b) -> 1, (a, b) -> 1, ANY, ANY),
                new BinarySpec("sub", Tensor::sub, (a, b) -> a - b, (a, b) -> 1, (a, b) -> -1, ANY, ANY),
                new BinarySpec("mul", Tensor::mul, (a, b) -> a * b, (a, b) -> b, (a, b) -> a, ANY, ANY),
                new BinarySpec("div", Tensor::div, (a, b) -> a / b, (a, b) -> 1 / b, (a, b) -> -a / (b * b), ANY, new double[] {-3, 3, 0, 0.5}),
                new BinarySpec("pow", Tensor::pow, Math::pow, (a, b) -> b * Math.pow(a, b - 1), (a, b) -> Math.pow(a, b) * Math.log(a),
                        new double[] {0.3, 3}, new double[] {-2, 2}),
                new BinarySpec("maximum", Tensor::maximum, Math::max, (a, b) -> a > b ? 1 : 0, (a, b) -> a > b ? 0 : 1, ANY, ANY),
                new BinarySpec("minimum", Tensor::minimum, Math::min, (a, b) -> a < b ? 1 : 0, (a, b) -> a < b ? 0 : 1, ANY, ANY));
    }

    /** Pairs of small layouts (at most 60 elements each, for gradcheck), broadcasting included. */
    record Pair(String label, Layout a, Layout b) {
        @Override
        public String toString() {
            return label;
        }
    }

    private static Layout plain(long... shape) {
        return new Layout("contiguous", shape, t -> t, r -> r);
    }

    static List<Pair> pairs() {
        Layout strided = new Layout("strided", new long[] {5, 7}, OpCheck::strided, r -> r);
        Layout strided37 = new Layout("strided", new long[] {3, 7}, OpCheck::strided, r -> r);
        return List.of(
                new Pair("0-d with 0-d", plain(), plain()),
                new Pair("[1] with [1]", plain(1), plain(1)),
                new Pair("[7] with [7]", plain(7), plain(7)),
                new Pair("[17] with 0-d", plain(17), plain()),
                new Pair("0-d with [17]", plain(), plain(17)),
                new Pair("[33] with [33]", plain(33), plain(33)),
                new Pair("[3,1,5] with [4,1]", plain(3, 1, 5), plain(4, 1)),
                new Pair("[2,1,3] with [1,4,1]", plain(2, 1, 3), plain(1, 4, 1)),
                new Pair("[1] with [2,3]", plain(1), plain(2, 3)),
                new Pair("strided with contiguous", strided, plain(5, 7)),
                new Pair("both strided", strided37, strided37),
                new Pair("transposed with contiguous", new Layout("transposed", new long[] {7, 5}, Tensor::t, RefPointwise::t), plain(5, 7)),
                new Pair("slices with step 3", new Layout("slice", new long[] {4, 17}, t -> t.slice(1, 1, 17, 3), r -> RefPointwise.slice(r, 1, 1, 17, 3)),
                        new Layout("slice", new long[] {4, 17}, t -> t.slice(1, 0, 17, 3), r -> RefPointwise.slice(r, 1, 0, 17, 3))),
                new Pair("contiguous with stride-0 expand", plain(4, 5),
                        new Layout("expanded", new long[] {1, 5}, t -> t.expand(4, 5), r -> RefPointwise.expand(r, 4, 5))),
                new Pair("transposed with broadcast row", new Layout("transposed", new long[] {6, 4}, Tensor::t, RefPointwise::t), plain(6)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ops")
    void smallLayoutsAndBroadcasting(BinarySpec spec) {
        long seed = spec.name().hashCode();
        for (Pair p : pairs()) {
            try (Scope ignored = Scope.open()) {
                Tensor a = spec.a(seed++, p.a().shape());
                Tensor b = spec.b(seed++, p.b().shape());
                OpCheck.check(spec.name() + " " + p, x -> spec.op().apply(p.a().apply(x[0]), p.b().apply(x[1])),
                        r -> Ref.zip(p.a().apply(r[0]), p.b().apply(r[1]), spec.f()), a, b);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ops")
    void largeLayouts(BinarySpec spec) {
        long seed = spec.name().hashCode() * 17L;
        for (Layout layout : RefPointwise.largeLayouts()) {
            try (Scope ignored = Scope.open()) {
                RefPointwise.checkBinaryLarge(spec.name(), spec.op(), spec.f(), spec.da(), spec.db(), layout,
                        spec.a(seed++, layout.shape()), spec.b(seed++, layout.shape()));
            }
        }
    }

    @Test
    void squareUsesOneInputTwice() {
        Tensor x = RefPointwise.values(5, -3, 3, 3, 7);
        OpCheck.check("square", t -> t[0].square(), r -> r[0].map(v -> v * v), x);
        OpCheck.check("x * x", t -> t[0].mul(t[0]), r -> r[0].map(v -> v * v), x);
        OpCheck.check("x * x.t()", t -> t[0].narrow(1, 0, 3).mul(t[0].narrow(1, 0, 3).t()),
                r -> Ref.zip(RefPointwise.slice(r[0], 1, 0, 3, 1), RefPointwise.t(RefPointwise.slice(r[0], 1, 0, 3, 1)), (u, v) -> u * v), x);
        x.close();
    }

    // ---------------------------------------------------------------- ties, NaN, edges

    private static double[][] grads(DType t, double[] a, double[] b, BinaryOperator<Tensor> op) {
        try (Scope ignored = Scope.open()) {
            Tensor ta = Tensor.of(a, a.length).to(t).requiresGrad(true);
            Tensor tb = Tensor.of(b, b.length).to(t).requiresGrad(true);
            op.apply(ta, tb).sum().backward();
            return new double[][] {ta.grad().toDoubleArray(), tb.grad().toDoubleArray()};
        }
    }

    private static void assertGrads(String what, double[] a, double[] b, BinaryOperator<Tensor> op, double[] ga, double[] gb) {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            double[][] g = grads(t, a, b, op);
            OpCheck.assertClose(what + ": gradient of a (" + t.pyName() + ")", new Ref(ga, ga.length), new Ref(g[0], a.length), 0, 1e-6);
            OpCheck.assertClose(what + ": gradient of b (" + t.pyName() + ")", new Ref(gb, gb.length), new Ref(g[1], b.length), 0, 1e-6);
        }
    }

    @Test
    void maximumAndMinimumSplitTiesEvenly() {
        double[] a = {1, 2, 3, -0.0};
        double[] b = {1, 1, 4, 0};
        assertGrads("maximum", a, b, Tensor::maximum, new double[] {0.5, 1, 0, 0.5}, new double[] {0.5, 0, 1, 0.5});
        assertGrads("minimum", a, b, Tensor::minimum, new double[] {0.5, 0, 1, 0.5}, new double[] {0.5, 1, 0, 0.5});
        // broadcast tie: a 0-d b ties with two of three elements, and its gradient sums the halves
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (Scope ignored = Scope.open()) {
                Tensor x = Tensor.of(new double[] {2, 2, 5}, 3).to(t).requiresGrad(true);
                Tensor s = Tensor.scalar(2, t).requiresGrad(true);
                x.maximum(s).sum().backward();
                assertValues("maximum with 0-d tie: x grad", new double[] {0.5, 0.5, 1}, x.grad());
                assertValues("maximum with 0-d tie: scalar grad", new double[] {1}, s.grad());
            }
        }
    }

    @Test
    void maximumAndMinimumPropagateNaN() {
        try (Scope s = Scope.open()) {
            for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                try (Scope ignored = Scope.open()) {
                    Tensor a = Tensor.of(new double[] {NAN, 1, 2, NAN, -INF}, 5).to(t);
                    Tensor b = Tensor.of(new double[] {1, NAN, 3, NAN, INF}, 5).to(t);
                    assertValues("maximum (" + t.pyName() + ")", new double[] {NAN, NAN, 3, NAN, INF}, a.maximum(b));
                    assertValues("minimum (" + t.pyName() + ")", new double[] {NAN, NAN, 2, NAN, -INF}, a.minimum(b));
                }
            }
            // a NaN in the tail of a 17-element run (the vector length is 16 with AVX-512)
            double[] v = new double[17];
            v[16] = NAN;
            try (Tensor a = Tensor.of(v, 17).to(DType.FLOAT32); Tensor z = Tensor.zeros(17); Tensor m = a.maximum(z)) {
                assertEquals(true, Double.isNaN(m.toDoubleArray()[16]), "NaN in the vector tail");
            }
        }
    }

    @Test
    void powEdgesFollowC() {
        // negative bases with integral exponents are fine, with fractional ones NaN; and PyTorch
        // (C's pow) gives 1 for 1^y with any y, NaN included, and for (-1)^inf, where Java's Math.pow gives NaN
        double[] a = {-2, -2, -8, 0, 0, -0.0, NAN, 1, 1, -1, -1, 2, 0.5, 4};
        double[] b = {2, 3, 1.0 / 3, -1, 0, -1, 0, NAN, INF, INF, -INF, -INF, INF, 0.5};
        double[] expected = {4, -8, NAN, INF, 1, -INF, 1, 1, 1, 1, 1, 0, 0, 2};
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (Scope ignored = Scope.open()) {
                Tensor ta = Tensor.of(a, a.length).to(t);
                assertValues("pow tensor^tensor (" + t.pyName() + ")", expected, ta.pow(Tensor.of(b, b.length).to(t)));
                for (int i = 0; i < a.length; i++) {
                    try (Tensor one = Tensor.of(new double[] {a[i]}, 1).to(t); Tensor r = one.pow(b[i])) {
                        assertValues("pow " + a[i] + "^" + b[i] + " with a plain exponent (" + t.pyName() + ")", new double[] {expected[i]}, r);
                    }
                }
            }
        }
    }

    @Test
    void powGradientAtZeroBaseAndZeroExponentIsZero() {
        // PyTorch masks the base's gradient where the exponent is 0 (0^0 has d/da = 0, not 0 * 0^-1 = NaN)
        // and the exponent's gradient where the base is 0 (log 0 would give -inf * 0)
        assertGrads("pow", new double[] {0, 2, 0, 2}, new double[] {0, 0, 2, 3}, Tensor::pow,
                new double[] {0, 0, 0, 12}, new double[] {0, Math.log(2), 0, 8 * Math.log(2)});
    }

    @Test
    void divisionOfZeroByZeroAndInfinities() {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (Scope ignored = Scope.open()) {
                Tensor a = Tensor.of(new double[] {0, INF, 1, -1, 0}, 5).to(t);
                Tensor b = Tensor.of(new double[] {0, INF, INF, 0, -0.0}, 5).to(t);
                assertValues("div (" + t.pyName() + ")", new double[] {NAN, NAN, 0, -INF, NAN}, a.div(b));
            }
        }
    }

    @Test
    void scalarOperandsKeepTheTensorType() {
        try (Scope ignored = Scope.open()) {
            Tensor f = Tensor.of(new float[] {1, 2, 3});
            for (Tensor r : new Tensor[] {f.add(2.5), f.sub(2.5), f.mul(2.5), f.div(2.5), f.pow(2.5)}) {
                assertEquals(DType.FLOAT32, r.dtype(), "float32 tensor op a plain number stays float32");
            }
            assertValues("float32 * 0.1 is computed in float32", new double[] {(float) 0.1f, (float) (2 * 0.1f), (float) (3 * 0.1f)}, f.mul(0.1));
        }
    }
}
