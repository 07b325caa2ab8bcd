package dev.panamax.ops;

import static dev.panamax.testing.RefPointwise.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.Ref;
import dev.panamax.testing.RefPointwise;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BinaryOperator;
import java.util.function.DoubleBinaryOperator;
import org.junit.jupiter.api.Test;

/** Comparisons, logical ops, where and maskedFill: BOOL results, NaN rules, broadcasting, gradients. */
class PointwiseCompareTest {
    private static final double NAN = Double.NaN;

    /** Small integers (as float64), so ties are frequent. */
    private static Tensor ints(long seed, long... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = (int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(5) - 2;
        }
        return Tensor.of(v, shape);
    }

    private static Tensor bools(long seed, long... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = (int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        boolean[] v = new boolean[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextBoolean();
        }
        return Tensor.of(v, shape);
    }

    record Cmp(String name, BinaryOperator<Tensor> op, java.util.function.BiFunction<Tensor, Double, Tensor> scalarOp, DoubleBinaryOperator ref) {}

    static final List<Cmp> COMPARISONS = List.of(
            new Cmp("eq", Tensor::eq, Tensor::eq, (a, b) -> a == b ? 1 : 0),
            new Cmp("ne", Tensor::ne, Tensor::ne, (a, b) -> a != b ? 1 : 0),
            new Cmp("lt", Tensor::lt, Tensor::lt, (a, b) -> a < b ? 1 : 0),
            new Cmp("le", Tensor::le, Tensor::le, (a, b) -> a <= b ? 1 : 0),
            new Cmp("gt", Tensor::gt, Tensor::gt, (a, b) -> a > b ? 1 : 0),
            new Cmp("ge", Tensor::ge, Tensor::ge, (a, b) -> a >= b ? 1 : 0),
            new Cmp("logicalAnd", Tensor::logicalAnd, null, (a, b) -> a != 0 && b != 0 ? 1 : 0),
            new Cmp("logicalOr", Tensor::logicalOr, null, (a, b) -> a != 0 || b != 0 ? 1 : 0));

    @Test
    void comparisonsOnEveryLayoutAndType() {
        long[][][] shapes = {{{}, {}}, {{1}, {1}}, {{17}, {}}, {{}, {33}}, {{3, 1, 5}, {4, 1}}, {{2049}, {2049}}, {{3, 700}, {700}}};
        long seed = 1;
        for (Cmp c : COMPARISONS) {
            for (long[][] s : shapes) {
                try (Scope ignored = Scope.open()) {
                    Tensor a = ints(seed++, s[0]);
                    Tensor b = ints(seed++, s[1]);
                    OpCheck.checkForward(c.name(), x -> {
                        Tensor r = c.op().apply(x[0], x[1]);
                        assertEquals(DType.BOOL, r.dtype(), c.name() + " returns bool");
                        return r;
                    }, r -> Ref.zip(r[0], r[1], c.ref()), a, b);
                    // strided and transposed views, and integer and bool operands
                    if (s[0].length == 2) {
                        OpCheck.checkForward(c.name() + " strided", x -> c.op().apply(OpCheck.strided(x[0]), x[1].t().t()),
                                r -> Ref.zip(r[0], r[1], c.ref()), a, b);
                    }
                    for (DType t : new DType[] {DType.INT32, DType.INT64, DType.BOOL}) {
                        Tensor ai = a.to(t);
                        Tensor bi = b.to(t);
                        Ref expected = Ref.zip(Ref.of(ai), Ref.of(bi), c.ref());
                        OpCheck.assertClose(c.name() + " on " + t.pyName(), expected, Ref.of(c.op().apply(ai, bi)), 0, 0);
                    }
                    if (c.scalarOp() != null) {
                        for (double v : new double[] {0, 0.5, -2}) {
                            Ref expected = Ref.of(a).map(x -> c.ref().applyAsDouble(x, v));
                            OpCheck.assertClose(c.name() + " " + v, expected, Ref.of(c.scalarOp().apply(a.to(DType.FLOAT32), v)), 0, 0);
                            OpCheck.assertClose(c.name() + " " + v + " on int32", expected, Ref.of(c.scalarOp().apply(a.to(DType.INT32), v)), 0, 0);
                        }
                    }
                }
            }
        }
    }

    @Test
    void nanComparesUnequalToEverything() {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (Scope ignored = Scope.open()) {
                Tensor a = Tensor.of(new double[] {NAN, NAN, 1}, 3).to(t);
                Tensor b = Tensor.of(new double[] {NAN, 1, NAN}, 3).to(t);
                assertValues("eq", new double[] {0, 0, 0}, a.eq(b));
                assertValues("ne", new double[] {1, 1, 1}, a.ne(b));
                assertValues("lt", new double[] {0, 0, 0}, a.lt(b));
                assertValues("le", new double[] {0, 0, 0}, a.le(b));
                assertValues("gt", new double[] {0, 0, 0}, a.gt(b));
                assertValues("ge", new double[] {0, 0, 0}, a.ge(b));
                assertValues("eq NaN scalar", new double[] {0, 0, 0}, a.eq(NAN));
                // NaN is truthy for the logical ops (nonzero), as in PyTorch
                assertValues("logicalNot", new double[] {0, 0, 0}, a.logicalNot());
                assertValues("logicalAnd", new double[] {1, 1, 1}, a.logicalAnd(b));
            }
        }
    }

    @Test
    void scalarComparisonsHappenInTheTensorsType() {
        // 0.1 is compared as float32 with a float32 tensor (PyTorch: tensor([0.1]) == 0.1 is True)
        try (Tensor f = Tensor.of(new float[] {0.1f}); Tensor r = f.eq(0.1)) {
            assertValues("float32 0.1 == 0.1", new double[] {1}, r);
        }
        try (Tensor i = Tensor.of(new int[] {1, 2}, 2); Tensor r = i.lt(1.5)) {
            assertValues("int32 < 1.5", new double[] {1, 0}, r);
        }
    }

    @Test
    void logicalNotOnEveryType() {
        try (Scope ignored = Scope.open()) {
            assertValues("float", new double[] {1, 0, 0, 0}, Tensor.of(new double[] {0, 1, -0.5, Double.POSITIVE_INFINITY}, 4).to(DType.FLOAT32).logicalNot());
            assertValues("-0.0 is false", new double[] {1}, Tensor.of(new double[] {-0.0}, 1).logicalNot());
            assertValues("int64", new double[] {1, 0, 0}, Tensor.of(new long[] {0, 7, -1}, 3).logicalNot());
            Tensor b = Tensor.of(new boolean[] {true, false}, 2);
            Tensor nb = b.logicalNot();
            assertEquals(DType.BOOL, nb.dtype());
            assertValues("bool", new double[] {0, 1}, nb);
            Tensor big = bools(3, 2049);
            OpCheck.assertClose("logicalNot 2049", Ref.of(big).map(v -> v == 0 ? 1 : 0), Ref.of(big.logicalNot()), 0, 0);
        }
    }

    @Test
    void comparisonsAreNotDifferentiable() {
        try (Scope ignored = Scope.open()) {
            Tensor x = Tensor.of(new float[] {1, 2}).requiresGrad(true);
            assertFalse(x.gt(1.5).requiresGrad());
            assertFalse(x.eq(x).requiresGrad());
            assertFalse(x.logicalNot().requiresGrad());
        }
    }

    // ---------------------------------------------------------------- where and maskedFill

    @Test
    void whereBroadcastsAllThreeAndRoutesGradients() {
        record Case(long[] cond, long[] a, long[] b) {}
        List<Case> cases = List.of(
                new Case(new long[] {}, new long[] {}, new long[] {}),
                new Case(new long[] {7}, new long[] {7}, new long[] {7}),
                new Case(new long[] {3, 1}, new long[] {1, 4}, new long[] {}),
                new Case(new long[] {17}, new long[] {}, new long[] {3, 17}),
                new Case(new long[] {2, 1, 3}, new long[] {4, 1}, new long[] {2, 4, 3}));
        long seed = 50;
        for (Case c : cases) {
            try (Scope ignored = Scope.open()) {
                Tensor cond = bools(seed++, c.cond());
                Tensor a = RefPointwise.values(seed++, -3, 3, c.a());
                Tensor b = RefPointwise.values(seed++, -3, 3, c.b());
                OpCheck.check("where " + java.util.Arrays.toString(c.cond()), x -> Tensor.where(x[0], x[1], x[2]),
                        r -> where(r[0], r[1], r[2]), cond, a, b);
            }
        }
        try (Scope ignored = Scope.open()) {
            Tensor cond = bools(9, 5, 7);
            Tensor a = RefPointwise.values(10, -3, 3, 7, 5);
            Tensor b = RefPointwise.values(11, -3, 3, 5, 7);
            OpCheck.check("where strided/transposed", x -> OpCheck.strided(x[1].t()).where(x[0].t().t(), x[2]),
                    r -> where(r[0], RefPointwise.t(r[1]), r[2]), cond, a, b);
            Tensor bigCond = bools(12, 3, 2049);
            Tensor bigA = RefPointwise.values(13, -3, 3, 3, 2049);
            Tensor bigB = RefPointwise.values(14, -3, 3, 2049);
            RefPointwise.checkForwardLarge("where 3x2049", x -> Tensor.where(x[0], x[1], x[2]), r -> where(r[0], r[1], r[2]), 1,
                    bigCond, bigA, bigB);
        }
    }

    /** cond ? a : b with broadcasting of all three. */
    static Ref where(Ref cond, Ref a, Ref b) {
        Ref ab = Ref.zip(a, b, (x, y) -> 0);
        Ref shape = Ref.zip(cond, ab, (x, y) -> 0);
        Ref out = Ref.zeros(shape.shape);
        for (int i = 0; i < out.numel(); i++) {
            long[] idx = out.unravel(i);
            out.data[i] = cond.data[cond.broadcastIndex(idx)] != 0 ? a.data[a.broadcastIndex(idx)] : b.data[b.broadcastIndex(idx)];
        }
        return out;
    }

    @Test
    void whereKeepsNaNOfTheUnselectedSideOut() {
        try (Scope ignored = Scope.open()) {
            Tensor cond = Tensor.of(new boolean[] {true, false}, 2);
            Tensor a = Tensor.of(new float[] {1, Float.NaN}).requiresGrad(true);
            Tensor b = Tensor.of(new float[] {Float.NaN, 2}).requiresGrad(true);
            Tensor y = Tensor.where(cond, a, b);
            assertValues("where", new double[] {1, 2}, y);
            y.sum().backward();
            assertValues("where grad a", new double[] {1, 0}, a.grad());
            assertValues("where grad b", new double[] {0, 1}, b.grad());
        }
    }

    @Test
    void whereOfIntegersAndMixedTypes() {
        try (Scope ignored = Scope.open()) {
            Tensor cond = Tensor.of(new boolean[] {true, false, true}, 3);
            Tensor i = Tensor.of(new int[] {1, 2, 3}, 3);
            Tensor l = Tensor.of(new long[] {-1, -2, -3}, 3);
            Tensor w = Tensor.where(cond, i, l);
            assertEquals(DType.INT64, w.dtype(), "where(int32, int64) is int64");
            assertValues("where ints", new double[] {1, -2, 3}, w);
            Tensor f = Tensor.where(cond, i, Tensor.of(new float[] {0.5f, 0.5f, 0.5f}));
            assertEquals(DType.FLOAT32, f.dtype(), "where(int32, float32) is float32");
            assertValues("where mixed", new double[] {1, 0.5, 3}, f);
        }
    }

    @Test
    void maskedFillBroadcastsTheMaskAndStopsGradient() {
        long seed = 70;
        long[][][] cases = {{{}, {}}, {{7}, {7}}, {{4, 5}, {1, 5}}, {{3, 4, 5}, {4, 1}}, {{17}, {}}};
        for (long[][] c : cases) {
            try (Scope ignored = Scope.open()) {
                Tensor x = RefPointwise.values(seed++, -3, 3, c[0]);
                Tensor mask = bools(seed++, c[1]);
                OpCheck.check("maskedFill " + java.util.Arrays.toString(c[0]), t -> t[0].maskedFill(t[1], -1.25),
                        r -> Ref.zip(r[0], r[1], (v, m) -> m != 0 ? -1.25 : v), x, mask);
            }
        }
        try (Scope ignored = Scope.open()) {
            Tensor x = RefPointwise.values(80, -3, 3, 5, 7);
            Tensor mask = bools(81, 7, 5);
            OpCheck.check("maskedFill strided with transposed mask", t -> OpCheck.strided(t[0]).maskedFill(t[1].t(), -7.5),
                    r -> Ref.zip(r[0], RefPointwise.t(r[1]), (v, m) -> m != 0 ? -7.5 : v), x, mask);
        }
    }

    @Test
    void maskedFillKeepsTheInputType() {
        // PyTorch: masked_fill keeps self's dtype; the value is converted to it (2.5 -> 2 in an int tensor)
        try (Scope ignored = Scope.open()) {
            Tensor m = Tensor.of(new boolean[] {true, false}, 2);
            Tensor i = Tensor.of(new int[] {1, 2}, 2).maskedFill(m, 2.5);
            assertEquals(DType.INT32, i.dtype(), "maskedFill on int32 stays int32");
            assertValues("maskedFill int32", new double[] {2, 2}, i);
            Tensor b = Tensor.of(new boolean[] {false, false}, 2).maskedFill(m, 1);
            assertEquals(DType.BOOL, b.dtype(), "maskedFill on bool stays bool");
            assertValues("maskedFill bool", new double[] {1, 0}, b);
            Tensor f = Tensor.of(new float[] {1, 2}).maskedFill(m, 0.1);
            assertEquals(DType.FLOAT32, f.dtype());
            assertValues("maskedFill float32", new double[] {0.1f, 2}, f);
            assertValues("maskedFill -inf", new double[] {Double.NEGATIVE_INFINITY, 2},
                    Tensor.of(new float[] {1, 2}).maskedFill(m, Double.NEGATIVE_INFINITY));
        }
    }
}
