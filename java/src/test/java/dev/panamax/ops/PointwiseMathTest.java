package dev.panamax.ops;

import static dev.panamax.testing.RefPointwise.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.RefPointwise;
import dev.panamax.testing.RefPointwise.UnarySpec;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Unary math: parity with the double reference on awkward layouts, and PyTorch's edge semantics. */
class PointwiseMathTest {
    private static final double NAN = Double.NaN;
    private static final double INF = Double.POSITIVE_INFINITY;

    static Stream<UnarySpec> ops() {
        return Stream.of(
                new UnarySpec("neg", Tensor::neg, x -> -x, x -> -1, -3, 3),
                new UnarySpec("exp", Tensor::exp, Math::exp, Math::exp, -4, 4),
                new UnarySpec("log", Tensor::log, Math::log, x -> 1 / x, 0.05, 6),
                new UnarySpec("log1p", Tensor::log1p, x -> Math.log(1 + x), x -> 1 / (1 + x), -0.9, 5),
                new UnarySpec("sqrt", Tensor::sqrt, Math::sqrt, x -> 0.5 / Math.sqrt(x), 0.05, 6),
                new UnarySpec("rsqrt", Tensor::rsqrt, x -> 1 / Math.sqrt(x), x -> -0.5 * Math.pow(x, -1.5), 0.1, 6),
                new UnarySpec("abs", Tensor::abs, Math::abs, x -> x > 0 ? 1 : -1, -3, 3, 0),
                new UnarySpec("sign", Tensor::sign, x -> x > 0 ? 1 : -1, x -> 0, -3, 3, 0),
                new UnarySpec("square", Tensor::square, x -> x * x, x -> 2 * x, -3, 3),
                new UnarySpec("pow 2", x -> x.pow(2), x -> x * x, x -> 2 * x, -3, 3),
                new UnarySpec("pow 3 (negative base)", x -> x.pow(3), x -> x * x * x, x -> 3 * x * x, -2, 2),
                new UnarySpec("pow 0.5", x -> x.pow(0.5), Math::sqrt, x -> 0.5 / Math.sqrt(x), 0.05, 5),
                new UnarySpec("pow -1.5", x -> x.pow(-1.5), x -> 1 / (x * Math.sqrt(x)), x -> -1.5 / (x * x * Math.sqrt(x)), 0.2, 5),
                new UnarySpec("pow 0", x -> x.pow(0), x -> 1, x -> 0, -3, 3),
                new UnarySpec("clamp", x -> x.clamp(-1, 1.5), x -> Math.min(Math.max(x, -1), 1.5), x -> x > -1 && x < 1.5 ? 1 : 0,
                        -3, 3, -1, 1.5),
                new UnarySpec("clampMin", x -> x.clampMin(0.5), x -> Math.max(x, 0.5), x -> x > 0.5 ? 1 : 0, -3, 3, 0.5),
                new UnarySpec("clampMax", x -> x.clampMax(-0.5), x -> Math.min(x, -0.5), x -> x < -0.5 ? 1 : 0, -3, 3, -0.5),
                new UnarySpec("add 2.5", x -> x.add(2.5), x -> x + 2.5, x -> 1, -3, 3),
                new UnarySpec("sub 2.5", x -> x.sub(2.5), x -> x - 2.5, x -> 1, -3, 3),
                new UnarySpec("mul -1.75", x -> x.mul(-1.75), x -> x * -1.75, x -> -1.75, -3, 3),
                new UnarySpec("div 0.3", x -> x.div(0.3), x -> x / 0.3, x -> 1 / 0.3, -3, 3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ops")
    void smallLayouts(UnarySpec spec) {
        RefPointwise.checkSmall(spec);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ops")
    void largeLayouts(UnarySpec spec) {
        RefPointwise.checkLarge(spec);
    }

    // ---------------------------------------------------------------- edge values (PyTorch's results)

    private static void forBothFloats(String what, double[] in, java.util.function.Function<Tensor, Tensor> op, double[] expected) {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (Scope ignored = Scope.open()) {
                Tensor x = Tensor.of(in, in.length).to(t);
                Tensor y = op.apply(x);
                assertEquals(t, y.dtype(), what + ": dtype");
                assertValues(what + " (" + t.pyName() + ")", expected, y);
            }
        }
    }

    @Test
    void logOfZeroAndNegatives() {
        forBothFloats("log", new double[] {0, -0.0, -1, INF, NAN}, Tensor::log, new double[] {-INF, -INF, NAN, INF, NAN});
        forBothFloats("log1p", new double[] {-1, -2, 0, NAN}, Tensor::log1p, new double[] {-INF, NAN, 0, NAN});
        forBothFloats("sqrt", new double[] {-1, 0, INF, NAN}, Tensor::sqrt, new double[] {NAN, 0, INF, NAN});
        forBothFloats("rsqrt", new double[] {0, -0.0, -1, INF}, Tensor::rsqrt, new double[] {INF, -INF, NAN, 0});
        forBothFloats("exp", new double[] {-INF, INF, NAN, 1000, -1000}, Tensor::exp, new double[] {0, INF, NAN, INF, 0});
    }

    @Test
    void nanPropagatesThroughClampAbsNeg() {
        forBothFloats("clamp", new double[] {NAN, -5, 5, 0.5}, x -> x.clamp(0, 1), new double[] {NAN, 0, 1, 0.5});
        forBothFloats("clampMin", new double[] {NAN, -INF}, x -> x.clampMin(0), new double[] {NAN, 0});
        forBothFloats("clampMax", new double[] {NAN, INF}, x -> x.clampMax(0), new double[] {NAN, 0});
        forBothFloats("abs", new double[] {NAN, -INF, -0.0}, Tensor::abs, new double[] {NAN, INF, 0});
        forBothFloats("neg", new double[] {NAN, INF}, Tensor::neg, new double[] {NAN, -INF});
        // Panamax keeps NaN through sign (PyTorch's sign(NaN) is 0; documented on UnaryOp.SIGN)
        forBothFloats("sign", new double[] {-2, 0, -0.0, 3, NAN}, Tensor::sign, new double[] {-1, 0, 0, 1, NAN});
    }

    @Test
    void powWithNegativeBaseAndZero() {
        forBothFloats("pow 2", new double[] {-2, -0.5, 0}, x -> x.pow(2), new double[] {4, 0.25, 0});
        forBothFloats("pow 3", new double[] {-2, -0.5}, x -> x.pow(3), new double[] {-8, -0.125});
        forBothFloats("pow 0.5", new double[] {-2, -8, 0, 4}, x -> x.pow(0.5), new double[] {NAN, NAN, 0, 2});
        forBothFloats("pow -1", new double[] {0, -0.0, 2}, x -> x.pow(-1), new double[] {INF, -INF, 0.5});
        forBothFloats("pow 0", new double[] {0, NAN, -3}, x -> x.pow(0), new double[] {1, 1, 1});
    }

    @Test
    void powGradientsAtZero() {
        // PyTorch: d(x^0)/dx = 0 everywhere; d(x^0.5)/dx at 0 is inf
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (Scope ignored = Scope.open()) {
                Tensor x = Tensor.of(new double[] {0, 2}, 2).to(t).requiresGrad(true);
                x.pow(0).sum().backward();
                assertValues("grad of x^0 (" + t.pyName() + ")", new double[] {0, 0}, x.grad());
                Tensor z = Tensor.of(new double[] {0, 4}, 2).to(t).requiresGrad(true);
                z.pow(0.5).sum().backward();
                assertValues("grad of x^0.5 (" + t.pyName() + ")", new double[] {INF, 0.25}, z.grad());
            }
        }
    }

    @Test
    void kinkGradientsFollowPyTorch() {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (Scope ignored = Scope.open()) {
                // abs'(0) = 0
                Tensor x = Tensor.of(new double[] {0, -0.0, 2, -2}, 4).to(t).requiresGrad(true);
                x.abs().sum().backward();
                assertValues("abs grad (" + t.pyName() + ")", new double[] {0, 0, 1, -1}, x.grad());
                // clamp: gradient 1 on the closed interval [min, max], 0 outside
                Tensor c = Tensor.of(new double[] {-1, 1, 0, -1.5, 1.5}, 5).to(t).requiresGrad(true);
                c.clamp(-1, 1).sum().backward();
                assertValues("clamp grad (" + t.pyName() + ")", new double[] {1, 1, 1, 0, 0}, c.grad());
                Tensor m = Tensor.of(new double[] {0.5, 0.25, 1}, 3).to(t).requiresGrad(true);
                m.clampMin(0.5).sum().backward();
                assertValues("clampMin grad (" + t.pyName() + ")", new double[] {1, 0, 1}, m.grad());
                // sign has gradient zero
                Tensor s = Tensor.of(new double[] {0, -3, 3}, 3).to(t).requiresGrad(true);
                s.sign().sum().backward();
                assertValues("sign grad (" + t.pyName() + ")", new double[] {0, 0, 0}, s.grad());
            }
        }
    }

    @Test
    void divisionByZero() {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (Scope ignored = Scope.open()) {
                Tensor a = Tensor.of(new double[] {1, -1, 0, NAN}, 4).to(t);
                assertValues("x / 0 (" + t.pyName() + ")", new double[] {INF, -INF, NAN, NAN}, a.div(0));
                assertValues("x / -0 (" + t.pyName() + ")", new double[] {-INF, INF, NAN, NAN}, a.div(Tensor.zeros(t, 4).neg()));
            }
        }
        // integer division by zero is true division in float32: inf, -inf, nan
        try (Tensor a = Tensor.of(new long[] {1, -1, 0}, 3); Tensor z = Tensor.zeros(DType.INT64, 3); Tensor q = a.div(z)) {
            assertEquals(DType.FLOAT32, q.dtype());
            assertValues("int / 0", new double[] {INF, -INF, NAN}, q);
        }
    }
}
