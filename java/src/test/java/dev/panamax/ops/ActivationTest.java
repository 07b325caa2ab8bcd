package dev.panamax.ops;

import static dev.panamax.testing.RefPointwise.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.Ref;
import dev.panamax.testing.RefPointwise;
import dev.panamax.testing.RefPointwise.UnarySpec;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Activations: parity with the double reference on awkward layouts, kinks, extremes and edge values. */
class ActivationTest {
    private static final double NAN = Double.NaN;
    private static final double INF = Double.POSITIVE_INFINITY;

    static Stream<UnarySpec> ops() {
        return Stream.of(
                new UnarySpec("sigmoid", Tensor::sigmoid, RefPointwise::sigmoid, RefPointwise::dSigmoid, -8, 8),
                new UnarySpec("tanh", Tensor::tanh, Math::tanh, x -> 1 - Math.tanh(x) * Math.tanh(x), -4, 4),
                new UnarySpec("relu", Tensor::relu, x -> Math.max(x, 0), x -> x > 0 ? 1 : 0, -3, 3, 0),
                new UnarySpec("leakyRelu 0.1", x -> x.leakyRelu(0.1), x -> x > 0 ? x : 0.1 * x, x -> x > 0 ? 1 : 0.1, -3, 3, 0),
                new UnarySpec("leakyRelu -0.3", x -> x.leakyRelu(-0.3), x -> x > 0 ? x : -0.3 * x, x -> x > 0 ? 1 : -0.3, -3, 3, 0),
                new UnarySpec("elu 1", x -> x.elu(1), x -> RefPointwise.elu(x, 1), x -> x > 0 ? 1 : Math.exp(x), -5, 3, 0),
                new UnarySpec("elu 0.5", x -> x.elu(0.5), x -> RefPointwise.elu(x, 0.5), x -> x > 0 ? 1 : 0.5 * Math.exp(x), -5, 3, 0),
                new UnarySpec("selu", Tensor::selu, RefPointwise::selu,
                        x -> RefPointwise.SELU_SCALE * (x > 0 ? 1 : RefPointwise.SELU_ALPHA * Math.exp(x)), -5, 3, 0),
                new UnarySpec("gelu", Tensor::gelu, RefPointwise::gelu, RefPointwise::dGelu, -6, 6),
                new UnarySpec("gelu tanh", x -> x.gelu(true), RefPointwise::geluTanh, RefPointwise::dGeluTanh, -6, 6),
                new UnarySpec("softplus 1 20", x -> x.softplus(1, 20), x -> RefPointwise.softplus(x, 1, 20),
                        x -> RefPointwise.dSoftplus(x, 1, 20), -30, 30, 20),
                new UnarySpec("softplus 2 5", x -> x.softplus(2, 5), x -> RefPointwise.softplus(x, 2, 5),
                        x -> RefPointwise.dSoftplus(x, 2, 5), -8, 8, 2.5),
                new UnarySpec("silu", Tensor::silu, RefPointwise::silu, RefPointwise::dSilu, -8, 8),
                new UnarySpec("hardtanh", x -> x.hardtanh(-1, 2), x -> Math.min(Math.max(x, -1), 2), x -> x > -1 && x < 2 ? 1 : 0,
                        -3, 3, -1, 2),
                new UnarySpec("step", x -> x.step(0.5), x -> x > 0 ? 1 : 0, x -> 0, -3, 3, 0));
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

    /** Far tails, where naive formulas overflow or cancel: values must stay finite and accurate. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("ops")
    void extremeInputs(UnarySpec spec) {
        double[] in = {-1e4, -700, -90, -40, -25, -12, 12, 25, 40, 90, 700, 1e4};
        try (Tensor x = Tensor.of(in, in.length)) {
            RefPointwise.checkUnaryLarge(spec.name() + " extremes", spec.op(), spec.f(), spec.df(),
                    new RefPointwise.Layout("extremes", new long[] {in.length}, t -> t, r -> r), x, 1.0);
        }
    }

    /** Small results in the negative tail must be accurate relative to their size, not just below 1e-5. */
    @Test
    void softplusAndSigmoidNegativeTailsAreRelativelyAccurate() {
        double[] in = {-30, -20, -15, -10};
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            double rtol = t == DType.FLOAT32 ? 1e-5 : 1e-12;
            try (Scope ignored = Scope.open()) {
                Tensor x = Tensor.of(in, in.length).to(t);
                Ref sp = new Ref(in, in.length).map(v -> RefPointwise.softplus(v, 1, 20));
                OpCheck.assertClose("softplus tail (" + t.pyName() + ")", sp, Ref.of(x.softplus(1, 20)), 0, rtol);
                Ref sg = new Ref(in, in.length).map(RefPointwise::sigmoid);
                OpCheck.assertClose("sigmoid tail (" + t.pyName() + ")", sg, Ref.of(x.sigmoid()), 0, rtol);
            }
        }
    }

    // ---------------------------------------------------------------- kinks and edges

    private static double[] grad(DType t, double[] in, Function<Tensor, Tensor> op) {
        try (Scope ignored = Scope.open()) {
            Tensor x = Tensor.of(in, in.length).to(t).requiresGrad(true);
            op.apply(x).sum().backward();
            return x.grad().toDoubleArray();
        }
    }

    private static void assertGrad(String what, double[] in, Function<Tensor, Tensor> op, double... expected) {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (Tensor g = Tensor.of(grad(t, in, op), in.length)) {
                assertValues(what + " (" + t.pyName() + ")", expected, g);
            }
        }
    }

    @Test
    void kinkGradientsFollowPyTorch() {
        assertGrad("relu'(0) = 0", new double[] {0, -0.0, 1, -1}, Tensor::relu, 0, 0, 1, 0);
        assertGrad("leakyRelu'(0) = slope", new double[] {0, 1, -1}, x -> x.leakyRelu(0.25), 0.25, 1, 0.25);
        assertGrad("elu'(0) = alpha", new double[] {0, 1}, x -> x.elu(0.5), 0.5, 1);
        assertGrad("hardtanh: 1 strictly inside, 0 on the bounds", new double[] {-1, 2, 0, -1.5, 2.5}, x -> x.hardtanh(-1, 2), 0, 0, 1, 0, 0);
        assertGrad("step has zero gradient", new double[] {-1, 0, 1}, x -> x.step(0.5), 0, 0, 0);
        assertGrad("softplus is linear above the threshold", new double[] {21, 30}, x -> x.softplus(1, 20), 1, 1);
    }

    private static void values(String what, double[] in, Function<Tensor, Tensor> op, double... expected) {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (Scope ignored = Scope.open()) {
                assertValues(what + " (" + t.pyName() + ")", expected, op.apply(Tensor.of(in, in.length).to(t)));
            }
        }
    }

    @Test
    void edgeValues() {
        values("relu keeps NaN", new double[] {NAN, -INF, INF, -0.0}, Tensor::relu, NAN, 0, INF, 0);
        values("sigmoid of infinities", new double[] {-INF, INF, NAN}, Tensor::sigmoid, 0, 1, NAN);
        values("tanh of infinities", new double[] {-INF, INF, NAN}, Tensor::tanh, -1, 1, NAN);
        values("hardtanh keeps NaN", new double[] {NAN, -5, 5}, x -> x.hardtanh(-1, 2), NAN, -1, 2);
        values("leakyRelu keeps NaN", new double[] {NAN, -INF}, x -> x.leakyRelu(0.1), NAN, -INF);
        values("elu of -inf", new double[] {-INF, INF}, x -> x.elu(2), -2, INF);
        values("silu of infinities", new double[] {-INF, INF}, Tensor::silu, NAN, INF);
        values("softplus of infinities", new double[] {-INF, INF}, x -> x.softplus(1, 20), 0, INF);
        values("gelu of infinities", new double[] {-INF, INF}, Tensor::gelu, NAN, INF);
        // heaviside: 0 below, value at 0 (both zeros), 1 above; Panamax keeps NaN (PyTorch gives 0)
        values("step", new double[] {-2, 0, -0.0, 3, NAN}, x -> x.step(0.5), 0, 0.5, 0.5, 1, NAN);
    }

    @Test
    void integerInputsComputeInFloat32ExceptRelu() {
        try (Scope ignored = Scope.open()) {
            Tensor i = Tensor.of(new int[] {-2, 0, 3}, 3);
            Tensor r = i.relu();
            assertEquals(DType.INT32, r.dtype(), "relu keeps int32");
            assertValues("relu int32", new double[] {0, 0, 3}, r);
            Tensor s = i.sigmoid();
            assertEquals(DType.FLOAT32, s.dtype(), "sigmoid of int32 is float32");
            assertTrue(Math.abs(s.toDoubleArray()[2] - RefPointwise.sigmoid(3)) < 1e-6);
            assertEquals(DType.FLOAT32, i.gelu().dtype());
            assertEquals(DType.FLOAT32, i.tanh().dtype());
        }
    }
}
