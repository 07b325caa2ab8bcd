package dev.panamax.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import org.junit.jupiter.api.Test;

class InitTest {
    private final Generator gen = new Generator(99);

    @Test
    void gainsMatchPyTorch() {
        assertEquals(1.0, Init.calculateGain("linear", 0));
        assertEquals(5.0 / 3, Init.calculateGain("tanh", 0));
        assertEquals(Math.sqrt(2), Init.calculateGain("relu", 0));
        assertEquals(Math.sqrt(2 / (1 + 0.01 * 0.01)), Init.calculateGain("leaky_relu", 0.01));
        assertEquals(0.75, Init.calculateGain("selu", 0));
        assertThrows(IllegalArgumentException.class, () -> Init.calculateGain("swish", 0));
    }

    @Test
    void xavierAndKaimingHaveTheirVariance() {
        try (Scope s = Scope.open()) {
            Tensor w = Tensor.empty(DType.FLOAT32, 300, 200, 3, 3); // fan_in 1800, fan_out 2700
            Init.xavierUniform_(w, 1, gen);
            assertEquals(2.0 / (1800 + 2700), variance(w), 2e-5);
            assertTrue(w.abs().max().item() <= Math.sqrt(6.0 / 4500) + 1e-7);
            Init.kaimingNormal_(w, 0, Init.FanMode.FAN_IN, "relu", gen);
            assertEquals(2.0 / 1800, variance(w), 2e-5);
            Init.kaimingUniform_(w, 0, Init.FanMode.FAN_OUT, "relu", gen);
            assertEquals(2.0 / 2700, variance(w), 2e-5);
            w.close();
        }
    }

    @Test
    void orthogonalRowsOrColumnsAreOrthonormal() {
        try (Scope s = Scope.open()) {
            for (long[] shape : new long[][] {{6, 4}, {4, 6}, {5, 2, 3}}) {
                Tensor w = Tensor.empty(DType.FLOAT32, shape);
                Init.orthogonal_(w, 2.0, gen);
                Tensor m = w.reshape(shape[0], -1).to(DType.FLOAT64);
                boolean tall = m.size(0) >= m.size(1);
                Tensor gram = tall ? m.t().matmul(m) : m.matmul(m.t());
                long n = gram.size(0);
                double[] g = gram.toDoubleArray();
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        assertEquals(i == j ? 4.0 : 0.0, g[(int) (i * n + j)], 1e-5, "gram of " + java.util.Arrays.toString(shape));
                    }
                }
                w.close();
            }
        }
    }

    @Test
    void pytorchDefaultBoundsForLinear() {
        try (Scope s = Scope.open()) {
            Linear lin = new Linear(400, 120, true, gen);
            double bound = 1 / Math.sqrt(400);
            assertTrue(lin.weight().abs().max().item() <= bound + 1e-7);
            assertTrue(lin.bias().abs().max().item() <= bound + 1e-7);
            assertEquals(bound * bound / 3, variance(lin.weight()), 2e-5, "kaiming_uniform(a=sqrt 5) is U(-1/sqrt(fan_in), 1/sqrt(fan_in))");
            lin.close();
        }
    }

    private static double variance(Tensor t) {
        double[] v = t.toDoubleArray();
        double m = 0;
        for (double x : v) {
            m += x;
        }
        m /= v.length;
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return s / v.length;
    }

    @Test
    void truncatedNormalStaysWithinItsBounds() {
        try (Scope s = Scope.open()) {
            Tensor w = Tensor.empty(DType.FLOAT32, 200, 100);
            Init.truncNormal_(w, 0, 1, -1.5, 2, gen);
            assertTrue(w.min().item() >= -1.5 && w.max().item() <= 2);
            // N(0, 1) truncated to [-1.5, 2]: mean (phi(-1.5) - phi(2)) / (Phi(2) - Phi(-1.5)) = 0.0777
            assertEquals(0.0777, w.mean().item(), 0.01);
            assertThrows(IllegalArgumentException.class, () -> Init.truncNormal_(w, 0, 1, 2, 2, gen));
            w.close();
        }
    }

    @Test
    void skippedInitialisationOnlyAllocates() {
        try (Scope s = Scope.open()) {
            Generator seeded = new Generator(5);
            try (Init.Skip ignored = Init.skipped(); Linear lin = new Linear(3, 2, true, seeded); BatchNorm1d bn = new BatchNorm1d(4)) {
                assertEquals(0, seeded.state()[1], "no random numbers drawn");
                assertEquals(4.0, bn.weight().sum().item(), "constant fills still run");
            }
            try (Linear lin = new Linear(3, 2, true, seeded)) {
                assertEquals(8, seeded.state()[1], "outside the region initialisers draw again");
            }
        }
    }
}
