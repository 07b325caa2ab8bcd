package dev.panamax.ops;

import static dev.panamax.ops.PoolMaxTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.ops.Reduction.ValuesIndices;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.CpuThreads;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.Ref;
import dev.panamax.testing.RefPool;
import dev.panamax.testing.RefPool.Window;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PoolStochasticTest {
    /** Chi-square critical value for 3 degrees of freedom at p = 0.001. */
    private static final double CHI2_3DOF_P001 = 16.27;
    private static final int WINDOWS = 20_000;

    private final Generator gen = new Generator(606);

    /** WINDOWS copies of one 2×2 window side by side: [1, 1, 2, 2·WINDOWS]. */
    private static Tensor repeated(double a, double b, double c, double d) {
        double[] x = new double[4 * WINDOWS];
        for (int i = 0; i < WINDOWS; i++) {
            x[2 * i] = a;
            x[2 * i + 1] = b;
            x[2 * WINDOWS + 2 * i] = c;
            x[2 * WINDOWS + 2 * i + 1] = d;
        }
        return Tensor.of(x, 1, 1, 2, 2L * WINDOWS).to(DType.FLOAT32);
    }

    /** How often each window position (row-major in the window) was drawn. */
    private static long[] frequencies(Tensor indices) {
        long[] idx = indices.toLongArray();
        long[] count = new long[4];
        for (int i = 0; i < idx.length; i++) {
            long at = idx[i];
            long row = at / (2L * WINDOWS);
            long col = at % (2L * WINDOWS) - 2L * i;
            assertTrue(row >= 0 && row < 2 && col >= 0 && col < 2, "index " + at + " lies outside window " + i);
            count[(int) (2 * row + col)]++;
        }
        return count;
    }

    private static double chiSquare(long[] observed, double[] p) {
        double chi2 = 0;
        for (int i = 0; i < p.length; i++) {
            double expected = p[i] * WINDOWS;
            chi2 += (observed[i] - expected) * (observed[i] - expected) / expected;
        }
        return chi2;
    }

    @Test
    void drawsFollowTheActivationsAtAFixedSeed() {
        try (Scope s = Scope.open()) {
            // probabilities a_i / sum(a) = 0.05, 0.15, 0.3, 0.5; chi-square over 20000 windows below the 0.1% critical value
            Tensor x = repeated(0.5, 1.5, 3, 5);
            ValuesIndices r = StochasticPooling.stochasticPool2dWithIndices(x, PoolOptions.kernel(2), new Generator(1234));
            long[] f = frequencies(r.indices());
            double chi2 = chiSquare(f, new double[] {0.05, 0.15, 0.3, 0.5});
            assertTrue(chi2 < CHI2_3DOF_P001, "chi-square " + chi2 + " for frequencies " + Arrays.toString(f));
            // the output is the drawn element
            float[] v = r.values().toFloatArray();
            long[] idx = r.indices().toLongArray();
            float[] xs = x.toFloatArray();
            for (int i = 0; i < v.length; i++) {
                assertEquals(xs[(int) idx[i]], v[i]);
            }
        }
    }

    @Test
    void zerosAreNeverDrawnAndZeroWindowsDrawUniformly() {
        try (Scope s = Scope.open()) {
            long[] f = frequencies(StochasticPooling.stochasticPool2dWithIndices(repeated(0, 1, 0, 3), PoolOptions.kernel(2),
                    new Generator(99)).indices());
            assertEquals(0, f[0]);
            assertEquals(0, f[2]);
            // 1 : 3 split: a binomial count within 4 standard deviations of 5000
            assertEquals(0.25 * WINDOWS, f[1], 4 * Math.sqrt(WINDOWS * 0.25 * 0.75), Arrays.toString(f));
            ValuesIndices zero = StochasticPooling.stochasticPool2dWithIndices(repeated(0, 0, 0, 0), PoolOptions.kernel(2), new Generator(5));
            long[] u = frequencies(zero.indices());
            double chi2 = chiSquare(u, new double[] {0.25, 0.25, 0.25, 0.25});
            assertTrue(chi2 < CHI2_3DOF_P001, "chi-square " + chi2 + " for uniform draws " + Arrays.toString(u));
            assertEquals(0, zero.values().abs().sum().item());
        }
    }

    @Test
    void seededDrawsAreReproducibleAndAdvanceTheGenerator() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.rand(gen, 4, 8, 12, 20);
            PoolOptions o = PoolOptions.kernel(3).stride(2).padding(1);
            long[] one = CpuThreads.call(1, () -> drawnIndices(x, o, new Generator(42)));
            CpuThreads.run(2, () -> {
                long[] two = drawnIndices(x, o, new Generator(42));
                assertArrayEquals(one, two, "same seed, 1 and 2 threads");
                Generator g = new Generator(42);
                long[] first = drawnIndices(x, o, g);
                long[] second = drawnIndices(x, o, g);
                assertArrayEquals(one, first);
                assertFalse(Arrays.equals(first, second), "the generator must advance between calls");
            });
        }
    }

    private static long[] drawnIndices(Tensor x, PoolOptions o, Generator g) {
        return StochasticPooling.stochasticPool2dWithIndices(x, o, g).indices().toLongArray();
    }

    @Test
    void trainingGradientGoesToTheDrawnElement() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.rand(gen, 1, 2, 5, 6).add(0.1);
            PoolOptions o = PoolOptions.kernel(3).stride(2).padding(1).ceilMode(true);
            Ref drawn;
            drawn = Ref.of(StochasticPooling.stochasticPool2dWithIndices(x, o, new Generator(8)).indices());
            OpCheck.check("stochastic training", t -> StochasticPooling.stochasticPool2d(t[0], o, true, new Generator(8)),
                    r -> RefPool.pick(r[0], drawn), x);
        }
    }

    @Test
    void evaluationIsTheProbabilityWeightedAverage() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.rand(gen, 1, 2, 5, 6).add(0.1);
            OpCheck.check("stochastic eval", t -> StochasticPooling.stochasticPool2d(t[0], PoolOptions.kernel(3).stride(2).padding(1).ceilMode(true),
                    false, null), r -> RefPool.stochasticExpectation(r[0], Window.of(3, 2, 1), 3, 4), x);
            OpCheck.check("stochastic eval unbatched strided", t -> {
                try (Tensor y = StochasticPooling.stochasticPool2d(OpCheck.strided(t[0]), PoolOptions.kernel(2), false, null)) {
                    return y.unsqueeze(0);
                }
            }, r -> RefPool.stochasticExpectation(new Ref(r[0].data, 1, 2, 4, 4), Window.of(2, 2, 0), 2, 2), Tensor.rand(gen, 2, 4, 4));
            // a window of zeros gives 0 with gradient 0 (the expectation has no derivative there)
            Tensor z = Tensor.of(new float[] {0, 0, 2, 0, 0, 0, 1, 1}, 1, 1, 2, 4).requiresGrad(true);
            Tensor y = StochasticPooling.stochasticPool2d(z, PoolOptions.kernel(2), false, null);
            // window 1 is all zeros; window 2 holds (2, 0; 1, 1): sum(a²) / sum(a) = 6 / 4
            assertArrayEquals(new float[] {0, 1.5f}, y.toFloatArray(), 1e-6f);
            y.sum().backward();
            // d/da_i sum(a²)/sum(a) = (2·a_i·sum(a) - sum(a²)) / sum(a)² = (8·a_i - 6) / 16
            assertArrayEquals(new float[] {0, 0, 0.625f, -0.375f, 0, 0, 0.125f, 0.125f}, z.grad().toFloatArray(), 1e-6f);
        }
    }

    @Test
    void badArgumentsAreNamed() {
        try (Scope s = Scope.open()) {
            Tensor neg = Tensor.of(new float[] {1, -0.5f, 2, 3}, 1, 1, 2, 2);
            assertMessage(() -> StochasticPooling.stochasticPool2d(neg, PoolOptions.kernel(2), true, new Generator(1)),
                    "stochasticPool2d: activations must be non-negative (apply a ReLU first), but the input float32[1, 1, 2, 2] holds -0.5");
            assertMessage(() -> StochasticPooling.stochasticPool2d(neg, PoolOptions.kernel(2), false, null), "must be non-negative");
            Tensor nan = Tensor.of(new float[] {1, Float.NaN, 2, 3}, 1, 1, 2, 2);
            assertMessage(() -> StochasticPooling.stochasticPool2d(nan, PoolOptions.kernel(2), true, new Generator(1)), "holds NaN");
            assertMessage(() -> StochasticPooling.stochasticPool2d(Tensor.ones(1, 1, 4, 4), PoolOptions.kernel(2).dilation(2), true, new Generator(1)),
                    "stochasticPool2d: dilation is not supported, got 2x2");
            assertMessage(() -> StochasticPooling.stochasticPool2d(Tensor.ones(1, 1, 4, 4), PoolOptions.kernel(3).padding(2), true, new Generator(1)),
                    "stochasticPool2d: padding 2x2 must be non-negative and at most half");
        }
    }
}
