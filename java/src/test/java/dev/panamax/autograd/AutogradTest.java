package dev.panamax.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.MemoryStats;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.Leaks;
import org.junit.jupiter.api.Test;

class AutogradTest {
    @Test
    void scalarBackwardAndExplicitUpstreamGradient() {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true);
            x.mul(x).sum().backward();
            assertArrayEquals(new float[] {2, 4, 6}, x.grad().toFloatArray());
            x.zeroGrad();
            Tensor y = x.mul(3.0);
            y.backward(Tensor.of(new float[] {1, 10, 100}, 3));
            assertArrayEquals(new float[] {3, 30, 300}, x.grad().toFloatArray());
        }
    }

    @Test
    void gradientsAccumulateUntilZeroed() {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
            x.sum().backward();
            x.mul(2.0).sum().backward();
            assertArrayEquals(new float[] {3, 3}, x.grad().toFloatArray());
            x.zeroGrad();
            assertNull(x.grad());
        }
    }

    @Test
    void aTensorUsedTwiceGetsBothContributions() {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.of(new float[] {3}, 1).requiresGrad(true);
            Tensor a = x.mul(2.0);
            // diamond: a feeds two branches that meet again
            a.mul(a).add(a).sum().backward();
            // d/dx (4x^2 + 2x) = 8x + 2
            assertArrayEquals(new float[] {26}, x.grad().toFloatArray());
            Tensor y = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
            y.add(y).sum().backward();
            assertArrayEquals(new float[] {2, 2}, y.grad().toFloatArray());
        }
    }

    @Test
    void gradientsFlowThroughViewsToTheLeaf() {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.arange(0, 6, 1, DType.FLOAT32).requiresGrad(true);
            Tensor m = x.view(2, 3).t().narrow(0, 1, 2);
            m.mul(m).sum().backward();
            assertArrayEquals(new float[] {0, 2, 4, 0, 8, 10}, x.grad().toFloatArray());
        }
    }

    @Test
    void secondBackwardNeedsRetainGraph() {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.of(new float[] {2}, 1).requiresGrad(true);
            Tensor y = x.exp().sum();
            y.backward();
            IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
            assertTrue(e.getMessage().contains("retainGraph"), e.getMessage());
            Tensor z = x.exp().sum();
            x.zeroGrad();
            z.backward(null, true);
            z.backward(null, true);
            assertEquals(2 * Math.exp(2), x.grad().item(), 1e-4);
        }
    }

    @Test
    void noGradAndDetachRecordNothing() {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.ones(2).requiresGrad(true);
            try (GradMode.Guard ignored = GradMode.noGrad()) {
                Tensor y = x.mul(2.0);
                assertFalse(y.requiresGrad());
                assertNull(y.gradFn());
            }
            assertTrue(GradMode.isEnabled());
            Tensor d = x.detach();
            assertFalse(d.requiresGrad());
            assertFalse(d.mul(2.0).requiresGrad());
            Tensor y = x.mul(d).sum();
            y.backward();
            assertArrayEquals(new float[] {1, 1}, x.grad().toFloatArray(), "the detached factor is a constant");
        }
    }

    @Test
    void clearErrorsForMisuse() {
        try (Scope scope = Scope.open()) {
            Tensor plain = Tensor.ones(2);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> plain.sum().backward());
            assertTrue(e.getMessage().contains("does not require grad"), e.getMessage());
            Tensor x = Tensor.ones(2).requiresGrad(true);
            IllegalArgumentException a = assertThrows(IllegalArgumentException.class, () -> x.mul(2.0).backward());
            assertTrue(a.getMessage().contains("scalar") && a.getMessage().contains("[2]"), a.getMessage());
            a = assertThrows(IllegalArgumentException.class, () -> x.mul(2.0).backward(Tensor.ones(3)));
            assertTrue(a.getMessage().contains("[3]") && a.getMessage().contains("[2]"), a.getMessage());
            a = assertThrows(IllegalArgumentException.class, () -> Tensor.ones(DType.INT64, 2).requiresGrad(true));
            assertTrue(a.getMessage().contains("floating-point"), a.getMessage());
            IllegalStateException inPlace = assertThrows(IllegalStateException.class, () -> x.add_(Tensor.ones(2)));
            assertTrue(inPlace.getMessage().contains("requires grad"), inPlace.getMessage());
        }
    }

    @Test
    void longChainsDoNotOverflowTheStack() {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.ones(1).requiresGrad(true);
            Tensor y = x;
            for (int i = 0; i < 20_000; i++) {
                y = y.mul(1.0001);
            }
            y.sum().backward();
            assertEquals(Math.pow(1.0001, 20_000), x.grad().item(), 1e-2);
        }
    }

    @Test
    void createGraphGivesSecondDerivativesOfComposedOps() {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.of(new double[] {2}, 1).requiresGrad(true);
            Tensor y = x.mul(x).mul(x).sum();
            Tensor dy = Autograd.grad(y, null, false, true, x)[0];
            assertEquals(12.0, dy.item(), 1e-12, "d/dx x^3 = 3x^2");
            assertNull(x.grad(), "grad() returns gradients instead of accumulating them");
            Tensor d2y = Autograd.grad(dy.sum(), null, false, false, x)[0];
            assertEquals(12.0, d2y.item(), 1e-12, "d2/dx2 x^3 = 6x");
        }
    }

    @Test
    void fusedBackwardRulesRefuseHigherOrder() {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.of(new double[] {0.5}, 1).requiresGrad(true);
            Tensor y = x.tanh().sum();
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> Autograd.backward(y, null, false, true));
            assertTrue(e.getMessage().contains("TanhBackward"), e.getMessage());
        }
    }

    /** Inputs that require grad, as PyTorch's gradcheck asks for, are checked the same, and their gradients left alone. */
    @Test
    void gradCheckTakesInputsThatRequireGrad() {
        try (Tensor x = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true)) {
            GradCheck.Report r = GradCheck.check(xs -> xs[0].pow(3).sum(), x);
            assertEquals(3, r.elements());
            assertNull(x.grad());
        }
    }

    /** What the checked function creates on the way (views, products) is freed with each evaluation, as is GradCheck's own. */
    @Test
    void gradCheckLeavesNothingBehind() {
        try (Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3); Tensor b = Tensor.of(new double[] {0.5, -1, 2}, 3)) {
            MemoryStats before = Leaks.baseline();
            GradCheck.check(xs -> xs[0].t().mul(xs[1].unsqueeze(1)).exp(), a, b);
            Leaks.assertNoneSince(before, "GradCheck of exp(aᵀ · b)");
        }
    }
}
