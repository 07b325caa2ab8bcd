package dev.panamax.ops;

import static dev.panamax.ops.NormBatchTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.CpuThreads;
import org.junit.jupiter.api.Test;

class DropoutTest {
    /** Allowed deviation of a binomial count, in standard deviations (fails by chance with p ~ 1e-6 at a fixed seed anyway). */
    private static final double SIGMAS = 5;

    @Test
    void keepRateIsBinomialAndKeptValuesAreScaled() {
        try (Scope s = Scope.open()) {
            int n = 100_000;
            double p = 0.3;
            Tensor x = Tensor.randn(new Generator(1), n);
            float[] in = x.toFloatArray();
            float[] out = Regularization.dropout(x, p, true, new Generator(42)).toFloatArray();
            int kept = 0;
            for (int i = 0; i < n; i++) {
                if (out[i] != 0) {
                    kept++;
                    assertEquals(in[i] / (1 - p), out[i], 1e-6 * Math.abs(in[i]) + 1e-7, "element " + i);
                }
            }
            double expected = n * (1 - p);
            assertEquals(expected, kept, SIGMAS * Math.sqrt(n * p * (1 - p)), "kept elements");
        }
    }

    @Test
    void invertedScalingPreservesTheMean() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (Scope s = Scope.open()) {
                int n = 200_000;
                double p = 0.6;
                Tensor ones = Tensor.ones(dtype, n);
                double mean = Regularization.dropout(ones, p, true, new Generator(3)).mean().item();
                // mean = kept / (n (1 - p)): binomial deviation of kept scaled down
                assertEquals(1.0, mean, SIGMAS * Math.sqrt(p / ((1 - p) * n)), dtype.pyName());
            }
        }
    }

    @Test
    void theSeedDeterminesTheMask() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.ones(1000);
            float[] a = Regularization.dropout(x, 0.5, true, new Generator(9)).toFloatArray();
            float[] b = Regularization.dropout(x, 0.5, true, new Generator(9)).toFloatArray();
            float[] c = Regularization.dropout(x, 0.5, true, new Generator(10)).toFloatArray();
            assertArrayEquals(a, b);
            assertFalse(java.util.Arrays.equals(a, c), "different seeds gave the same mask");
            Generator g = new Generator(9);
            float[] first = Regularization.dropout(x, 0.5, true, g).toFloatArray();
            float[] second = Regularization.dropout(x, 0.5, true, g).toFloatArray();
            assertArrayEquals(a, first);
            assertFalse(java.util.Arrays.equals(first, second), "a generator must advance between calls");
        }
    }

    @Test
    void theMaskDoesNotDependOnTheThreadCount() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(new Generator(2), 64, 1000);
            float[] one = CpuThreads.call(1, () -> Regularization.dropout(x, 0.2, true, new Generator(5)).toFloatArray());
            float[] two = CpuThreads.call(2, () -> Regularization.dropout(x, 0.2, true, new Generator(5)).toFloatArray());
            assertArrayEquals(one, two);
        }
    }

    @Test
    void gradientIsTheScaledMask() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(new Generator(4), 6, 7).to(DType.FLOAT64).requiresGrad(true);
            Tensor y = Regularization.dropout(x.transpose(0, 1), 0.25, true, new Generator(8));
            y.sum().backward();
            float[] out = y.transpose(0, 1).toFloatArray();
            float[] in = x.toFloatArray();
            double[] grad = x.grad().toDoubleArray();
            for (int i = 0; i < grad.length; i++) {
                double expected = out[i] == 0 && in[i] != 0 ? 0 : 1 / 0.75;
                assertEquals(expected, grad[i], 1e-12, "element " + i);
            }
        }
    }

    @Test
    void evaluationAndTheEdgeProbabilities() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(new Generator(6), 3, 4);
            assertArrayEquals(x.toFloatArray(), Regularization.dropout(x, 0.5, false).toFloatArray());
            assertArrayEquals(x.toFloatArray(), Regularization.dropout(x, 0.0, true).toFloatArray());
            for (float v : Regularization.dropout(x, 1.0, true).toFloatArray()) {
                assertEquals(0f, Math.abs(v));
            }
            Tensor g = x.alias().requiresGrad(true);
            Regularization.dropout(g, 1.0, true).sum().backward();
            for (float v : g.grad().toFloatArray()) {
                assertEquals(0f, v);
            }
        }
    }

    @Test
    void dropout2dZeroesWholeChannels() {
        try (Scope s = Scope.open()) {
            int n = 40;
            int c = 50;
            double p = 0.4;
            float[] out = Regularization.dropout2d(Tensor.ones(n, c, 3, 5), p, true, new Generator(12)).toFloatArray();
            int dropped = 0;
            for (int plane = 0; plane < n * c; plane++) {
                float first = out[plane * 15];
                for (int j = 1; j < 15; j++) {
                    assertEquals(first, out[plane * 15 + j], "channel " + plane + " is not all kept or all dropped");
                }
                assertTrue(first == 0 || Math.abs(first - 1 / (1 - p)) < 1e-6, "value " + first);
                dropped += first == 0 ? 1 : 0;
            }
            int planes = n * c;
            assertEquals(planes * p, dropped, SIGMAS * Math.sqrt(planes * p * (1 - p)), "dropped channels");
        }
    }

    @Test
    void dropout2dOnAnUnbatchedImageDropsItsChannels() {
        try (Scope s = Scope.open()) {
            float[] out = Regularization.dropout2d(Tensor.ones(64, 2, 3), 0.5, true, new Generator(13)).toFloatArray();
            int dropped = 0;
            for (int ch = 0; ch < 64; ch++) {
                for (int j = 1; j < 6; j++) {
                    assertEquals(out[ch * 6], out[ch * 6 + j], "channel " + ch);
                }
                dropped += out[ch * 6] == 0 ? 1 : 0;
            }
            assertTrue(dropped > 0 && dropped < 64, "dropped " + dropped + " of 64 channels");
        }
    }

    @Test
    void badArgumentsAreNamed() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.ones(2, 3);
            assertMessage(() -> Regularization.dropout(x, 1.5, true), "dropout: dropout probability has to be between 0 and 1, but got 1.5");
            assertMessage(() -> Regularization.dropout(x, Double.NaN, false), "but got NaN");
            assertMessage(() -> Regularization.dropout2d(x, 0.5, true), "dropout2d: expected a 4-D (N, C, H, W) or 3-D (C, H, W) input, got [2, 3]");
            assertMessage(() -> Regularization.dropout(Tensor.zeros(DType.INT64, 3), 0.5, true), "dropout: input must be a floating-point");
        }
    }
}
