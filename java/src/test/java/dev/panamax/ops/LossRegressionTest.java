package dev.panamax.ops;

import static dev.panamax.testing.RefPointwise.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.Ref;
import dev.panamax.testing.RefLoss;
import dev.panamax.testing.RefPointwise;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** mseLoss, l1Loss, smoothL1Loss and huberLoss: parity on awkward layouts, kinks, broadcasting, bad arguments. */
class LossRegressionTest {
    /** A loss under test with its reference; {@code kinks} are the |input - target| to keep away from. */
    private record Case(String name, LossFn op, RefFn ref, double... kinks) {}

    private interface LossFn {
        Tensor apply(Tensor x, Tensor y, LossReduction r);
    }

    private interface RefFn {
        Ref apply(Ref x, Ref y, LossReduction r);
    }

    private static final List<Case> CASES = List.of(
            new Case("mseLoss", Loss::mseLoss, RefLoss::mse),
            new Case("l1Loss", Loss::l1Loss, RefLoss::l1, 0),
            new Case("smoothL1Loss beta 0.7", (x, y, r) -> Loss.smoothL1Loss(x, y, r, 0.7), (x, y, r) -> RefLoss.smoothL1(x, y, r, 0.7), 0, 0.7),
            new Case("smoothL1Loss beta 0", (x, y, r) -> Loss.smoothL1Loss(x, y, r, 0), RefLoss::l1, 0),
            new Case("huberLoss delta 0.6", (x, y, r) -> Loss.huberLoss(x, y, r, 0.6), (x, y, r) -> RefLoss.huber(x, y, r, 0.6), 0, 0.6));

    /**
     * How the op sees its input: {@code view} of a stored tensor of {@code stored} shape; a value
     * seen through the view is stored with {@code unview}, and {@code refView} is the view on a Ref.
     */
    private record Layout(String name, long[] stored, Function<Tensor, Tensor> view, Function<Tensor, Tensor> unview,
                          Function<Ref, Ref> refView) {}

    private static final List<Layout> LAYOUTS = List.of(
            new Layout("0-d", new long[0], t -> t, t -> t, r -> r),
            new Layout("[1]", new long[] {1}, t -> t, t -> t, r -> r),
            new Layout("[2, 3, 5]", new long[] {2, 3, 5}, t -> t, t -> t, r -> r),
            new Layout("strided [3, 7]", new long[] {3, 7}, OpCheck::strided, t -> t, r -> r),
            new Layout("transposed [5, 3]", new long[] {3, 5}, Tensor::t, Tensor::t, RefPointwise::t));

    /**
     * The stored input and the target (of the viewed shape) for one layout, with input - target
     * 0.05 away from every kink (both signs) and float32-exact.
     */
    private static Tensor[] inputs(long seed, Layout layout, double[] kinks) {
        double[] avoid = new double[2 * kinks.length];
        for (int i = 0; i < kinks.length; i++) {
            avoid[2 * i] = kinks[i];
            avoid[2 * i + 1] = -kinks[i];
        }
        long[] seen;
        try (Tensor probe = Tensor.zeros(layout.stored()); Tensor v = layout.view().apply(probe)) {
            seen = v.shape().toArray();
        }
        Tensor y = RefPointwise.values(seed, -2, 2, seen);
        try (Tensor d = RefPointwise.values(seed + 1, -2, 2, 0.05, avoid, seen); Tensor x = y.add(d); Tensor stored = layout.unview().apply(x)) {
            return new Tensor[] {stored.contiguousCopy(), y};
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = LossReduction.class, names = {"NONE", "MEAN", "SUM"})
    void parityOnEveryLayout(LossReduction reduction) {
        long seed = 10;
        for (Case c : CASES) {
            for (Layout layout : LAYOUTS) {
                try (Scope ignored = Scope.open()) {
                    OpCheck.check(c.name() + " " + reduction + " on " + layout.name(),
                            t -> c.op().apply(layout.view().apply(t[0]), t[1], reduction),
                            r -> c.ref().apply(layout.refView().apply(r[0]), r[1], reduction), inputs(seed += 2, layout, c.kinks()));
                }
            }
        }
    }

    @Test
    void targetBroadcastsAsInPyTorch() {
        // [3, 1] against [4]: a [3, 4] loss (PyTorch warns; so do we, once)
        try (Scope ignored = Scope.open()) {
            Tensor x = RefPointwise.values(1, -2, 2, 3, 1);
            Tensor y = RefPointwise.values(2, -2, 2, 4);
            for (Case c : CASES) {
                for (LossReduction r : new LossReduction[] {LossReduction.NONE, LossReduction.MEAN}) {
                    OpCheck.check(c.name() + " broadcast " + r, t -> c.op().apply(t[0], t[1], r), rs -> c.ref().apply(rs[0], rs[1], r), x, y);
                }
            }
            assertArrayEquals(new long[] {3, 4}, Loss.mseLoss(x, y, LossReduction.NONE).shape().toArray());
        }
    }

    @Test
    void smoothPiecesMeetWithTheLinearSlopeAtTheThreshold() {
        // |d| == beta / delta takes the linear piece, whose slope there equals the quadratic's (PyTorch: x/beta at x == beta)
        for (BiFunction<Tensor, Tensor, Tensor> loss : List.<BiFunction<Tensor, Tensor, Tensor>>of(
                (x, y) -> Loss.smoothL1Loss(x, y, LossReduction.SUM, 1.0), (x, y) -> Loss.huberLoss(x, y, LossReduction.SUM, 1.0))) {
            try (Scope ignored = Scope.open()) {
                Tensor x = Tensor.of(new double[] {1.5, -0.5, 0.25}, 3).requiresGrad(true);
                Tensor y = Tensor.of(new double[] {0.5, 0.5, 0.25}, 3);
                Tensor l = loss.apply(x, y);
                assertEquals(1.0, l.item(), 1e-15); // 0.5 + 0.5 + 0
                l.backward();
                assertArrayEquals(new double[] {1, -1, 0}, x.grad().toDoubleArray());
            }
        }
    }

    @Test
    void betaZeroIsExactlyTheL1Loss() {
        try (Scope ignored = Scope.open()) {
            Tensor x = RefPointwise.values(3, -3, 3, 4, 5).to(DType.FLOAT32);
            Tensor y = RefPointwise.values(4, -3, 3, 4, 5).to(DType.FLOAT32);
            assertArrayEquals(Loss.l1Loss(x, y, LossReduction.NONE).toFloatArray(), Loss.smoothL1Loss(x, y, LossReduction.NONE, 0).toFloatArray());
        }
    }

    @Test
    void gradientsReachTheTarget() {
        try (Scope ignored = Scope.open()) {
            Tensor x = Tensor.of(new double[] {1, 2, 3}, 3).requiresGrad(true);
            Tensor y = Tensor.of(new double[] {0, 2.5, 5}, 3).requiresGrad(true);
            Loss.mseLoss(x, y).backward();
            // d/dx = 2(x - y)/3, d/dy = -d/dx
            assertArrayEquals(new double[] {2.0 / 3, -1.0 / 3, -4.0 / 3}, x.grad().toDoubleArray(), 1e-15);
            assertArrayEquals(new double[] {-2.0 / 3, 1.0 / 3, 4.0 / 3}, y.grad().toDoubleArray(), 1e-15);
        }
    }

    @Test
    void emptyMeanIsNanAndEmptySumIsZero() {
        try (Scope ignored = Scope.open()) {
            Tensor x = Tensor.zeros(0, 3);
            assertEquals(Double.NaN, Loss.mseLoss(x, x).item());
            assertEquals(0.0, Loss.l1Loss(x, x, LossReduction.SUM).item());
        }
    }

    @Test
    void badArgumentsAreNamed() {
        try (Scope ignored = Scope.open()) {
            Tensor x = Tensor.zeros(2, 3);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Loss.mseLoss(x, Tensor.zeros(4))),
                    "mseLoss", "target shape [4]", "input shape [2, 3]");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Loss.l1Loss(x, Tensor.zeros(3, 3))),
                    "l1Loss", "[3, 3]", "[2, 3]");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Loss.smoothL1Loss(x, x, LossReduction.MEAN, -0.5)),
                    "smoothL1Loss", "beta", "-0.5");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Loss.huberLoss(x, x, LossReduction.MEAN, 0)),
                    "huberLoss", "delta", "0.0");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Loss.mseLoss(Tensor.zeros(DType.INT64, 3), Tensor.zeros(3))),
                    "mseLoss", "input", "int64[3]");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Loss.mseLoss(x, x, LossReduction.BATCHMEAN)),
                    "mseLoss", "batchmean");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Loss.mseLoss(x, x, null)), "mseLoss", "reduction");
        }
    }
}
