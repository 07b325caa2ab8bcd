package dev.panamax.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Gradient clipping by total norm and by value, with PyTorch's handling of non-finite norms. */
class GradClippingTest {
    /** Two parameters with gradients [3, 4] and [12] (total 2-norm 13), in the given dtype. */
    private static List<Tensor> params(DType dtype, double[] a, double[] b) {
        Tensor p = Tensor.zeros(dtype, a.length).requiresGrad(true);
        Tensor q = Tensor.zeros(dtype, b.length).requiresGrad(true);
        p.setGrad(Problems.tensor(a, dtype, a.length));
        q.setGrad(Problems.tensor(b, dtype, b.length));
        return List.of(p, q);
    }

    private static double[] grads(List<Tensor> ps) {
        return ps.stream().flatMapToDouble(p -> java.util.Arrays.stream(p.grad().toDoubleArray())).toArray();
    }

    @Test
    void scalesEveryGradientByMaxNormOverTheTotalNormAndReturnsTheTotal() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            List<Tensor> ps = params(dtype, new double[] {3, 4}, new double[] {12});
            assertEquals(13, GradClipping.clipGradNorm(ps, 6.5), 1e-12);
            double coef = 6.5 / (13 + 1e-6);
            double tol = dtype == DType.FLOAT32 ? 1e-6 : 1e-15;
            assertArrayEquals(new double[] {3 * coef, 4 * coef, 12 * coef}, grads(ps), tol);
            ps.forEach(Tensor::close);
        }
    }

    @Test
    void leavesGradientsWithinTheNormUntouched() {
        List<Tensor> ps = params(DType.FLOAT32, new double[] {3, 4}, new double[] {12});
        assertEquals(13, GradClipping.clipGradNorm(ps, 100), 1e-12);
        assertArrayEquals(new double[] {3, 4, 12}, grads(ps));
        ps.forEach(Tensor::close);
    }

    @Test
    void otherNormOrders() {
        List<Tensor> ps = params(DType.FLOAT64, new double[] {3, -4}, new double[] {12});
        assertEquals(12, GradClipping.clipGradNorm(ps, 100, Double.POSITIVE_INFINITY, false), 0);
        assertEquals(19, GradClipping.clipGradNorm(ps, 100, 1, false), 1e-12);
        assertEquals(Math.cbrt(27 + 64 + 1728), GradClipping.clipGradNorm(ps, 100, 3, false), 1e-12);
        assertEquals(19, GradClipping.clipGradNorm(ps, 9.5, 1, false), 1e-12);
        assertArrayEquals(new double[] {1.5, -2, 6}, grads(ps), 1e-6);
        ps.forEach(Tensor::close);
    }

    @Test
    void aNonFiniteNormScalesByZeroOrNaNUnlessAskedToFail() {
        List<Tensor> inf = params(DType.FLOAT32, new double[] {Double.POSITIVE_INFINITY, 1}, new double[] {2});
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> GradClipping.clipGradNorm(inf, 1, 2, true));
        assertTrue(e.getMessage().contains("clipGradNorm") && e.getMessage().contains("Infinity")
                && e.getMessage().contains("errorIfNonfinite"), e.getMessage());
        assertArrayEquals(new double[] {Double.POSITIVE_INFINITY, 1, 2}, grads(inf), "nothing changes when it fails");
        // PyTorch: clip_coef = max_norm / inf = 0, so inf·0 = NaN and every finite element becomes 0
        assertEquals(Double.POSITIVE_INFINITY, GradClipping.clipGradNorm(inf, 1));
        assertArrayEquals(new double[] {Double.NaN, 0, 0}, grads(inf));
        inf.forEach(Tensor::close);

        List<Tensor> nan = params(DType.FLOAT32, new double[] {Double.NaN, 1}, new double[] {2});
        assertTrue(Double.isNaN(GradClipping.clipGradNorm(nan, 1)));
        assertArrayEquals(new double[] {Double.NaN, Double.NaN, Double.NaN}, grads(nan));
        nan.forEach(Tensor::close);
    }

    @Test
    void clipsByValueKeepingNaN() {
        List<Tensor> ps = params(DType.FLOAT32, new double[] {-3, 0.25, Double.NaN}, new double[] {7, Double.NEGATIVE_INFINITY});
        GradClipping.clipGradValue(ps, 0.5);
        assertArrayEquals(new double[] {-0.5, 0.25, Double.NaN, 0.5, -0.5}, grads(ps));
        ps.forEach(Tensor::close);
    }

    @Test
    void stridedGradientsAreClippedInPlace() {
        Tensor p = Tensor.zeros(DType.FLOAT64, 2, 3).requiresGrad(true);
        try (Tensor g = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2)) {
            p.setGrad(g.t().unscoped());
        }
        double total = GradClipping.clipGradNorm(List.of(p), 1);
        assertEquals(Math.sqrt(91), total, 1e-12);
        assertArrayEquals(new double[] {1, 3, 5, 2, 4, 6}, java.util.Arrays.stream(p.grad().toDoubleArray()).map(v -> v * (total + 1e-6)).toArray(), 1e-9);
        p.close();
    }

    @Test
    void parametersWithoutGradientsAreSkipped() {
        Tensor p = Tensor.zeros(3).requiresGrad(true);
        assertEquals(0, GradClipping.clipGradNorm(List.of(p), 1));
        GradClipping.clipGradValue(List.of(p), 1);
        assertEquals(null, p.grad());
        p.close();
    }

    @Test
    void badArgumentsAreNamed() {
        List<Tensor> ps = params(DType.FLOAT32, new double[] {1}, new double[] {1});
        assertEquals("clipGradNorm: maxNorm must be >= 0, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> GradClipping.clipGradNorm(ps, -1)).getMessage());
        assertEquals("clipGradNorm: normType must be positive or infinity, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> GradClipping.clipGradNorm(ps, 1, 0, false)).getMessage());
        assertEquals("clipGradValue: clipValue must be >= 0, got -0.5",
                assertThrows(IllegalArgumentException.class, () -> GradClipping.clipGradValue(ps, -0.5)).getMessage());
        ps.forEach(Tensor::close);
    }
}
