package dev.panamax.ops;

import static dev.panamax.ops.NormBatchTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.Ref;
import dev.panamax.testing.RefNorm;
import org.junit.jupiter.api.Test;

/** Maxout and the L1 / L2 penalties. */
class RegularizationTest {
    private final Generator gen = new Generator(31);

    @Test
    void maxoutOverConsecutiveFeatures() {
        try (Scope s = Scope.open()) {
            OpCheck.check("maxout dim 1", t -> Regularization.maxout(t[0], 3, 1), r -> RefNorm.maxout(r[0], 3, 1), Tensor.randn(gen, 2, 6, 3));
            OpCheck.check("maxout last dim", t -> Regularization.maxout(t[0], 2, -1), r -> RefNorm.maxout(r[0], 2, 2), Tensor.randn(gen, 2, 3, 8));
            OpCheck.check("maxout one piece", t -> Regularization.maxout(t[0], 1, 0), r -> RefNorm.maxout(r[0], 1, 0), Tensor.randn(gen, 5));
            OpCheck.check("maxout strided", t -> Regularization.maxout(OpCheck.strided(t[0]), 4, 1), r -> RefNorm.maxout(r[0], 4, 1),
                    Tensor.randn(gen, 3, 8));
        }
    }

    @Test
    void maxoutGroupsConsecutiveFeaturesNotStrided() {
        try (Scope s = Scope.open()) {
            // groups {0, 5}, {1, 9}: the maximum of each consecutive pair
            Tensor x = Tensor.of(new float[] {0, 5, 1, 9}, 1, 4);
            assertArrayEquals(new float[] {5, 9}, Regularization.maxout(x, 2, 1).toFloatArray());
        }
    }

    @Test
    void maxoutTiesSendTheGradientToTheFirstMaximum() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new float[] {2, 2, 1, 3, 3, 3}).requiresGrad(true);
            Regularization.maxout(x, 3, 0).sum().backward();
            assertArrayEquals(new float[] {1, 0, 0, 1, 0, 0}, x.grad().toFloatArray());
        }
    }

    @Test
    void penaltiesSumOverEveryTensor() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.randn(gen, 3, 4);
            Tensor b = Tensor.randn(gen, 5);
            OpCheck.check("l1Penalty", t -> Regularization.l1Penalty(t[0], OpCheck.strided(t[1])), r -> penalty(r, true), a, b);
            OpCheck.check("l2Penalty", t -> Regularization.l2Penalty(t[0], t[1].transpose(0, 1)), r -> penalty(r, false), a, a.t());
        }
    }

    private static Ref penalty(Ref[] tensors, boolean absolute) {
        double s = 0;
        for (Ref t : tensors) {
            for (double v : t.data) {
                s += absolute ? Math.abs(v) : v * v;
            }
        }
        return new Ref(new double[] {s});
    }

    @Test
    void penaltyUsedAsALossTerm() {
        try (Scope s = Scope.open()) {
            Tensor w = Tensor.of(new double[] {-2, 0, 3}, 3).requiresGrad(true);
            Tensor loss = w.sum().add(Regularization.l1Penalty(w).mul(0.5)).add(Regularization.l2Penalty(w).mul(0.1));
            assertEquals(1 + 0.5 * 5 + 0.1 * 13, loss.item(), 1e-12);
            loss.backward();
            // d/dw: 1 + 0.5 sign(w) + 0.2 w, with sign(0) = 0 as PyTorch's abs
            assertArrayEquals(new double[] {1 - 0.5 - 0.4, 1, 1 + 0.5 + 0.6}, w.grad().toDoubleArray(), 1e-12);
        }
    }

    @Test
    void badArgumentsAreNamed() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(2, 6);
            assertMessage(() -> Regularization.maxout(x, 4, 1), "maxout: size 6 of dim 1 of the input [2, 6] is not divisible by pieces 4");
            assertMessage(() -> Regularization.maxout(x, 0, 1), "maxout: pieces must be positive, got 0");
            assertMessage(() -> Regularization.maxout(x, 2, 2), "maxout: dim 2 is out of range");
            assertMessage(() -> Regularization.maxout(Tensor.scalar(1), 1, 0), "maxout: expected an input with at least one dim");
            assertMessage(Regularization::l1Penalty, "l1Penalty: expected at least one tensor");
            assertMessage(() -> Regularization.l2Penalty(x, Tensor.zeros(DType.INT64, 2)), "l2Penalty: tensor 1 must be a floating-point");
        }
    }
}
