package dev.panamax.ops;

import static dev.panamax.ops.NormBatchTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.CpuThreads;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.RefNorm;
import org.junit.jupiter.api.Test;

class NormLocalResponseTest {
    private final Generator gen = new Generator(1989);

    @Test
    void oddEvenAndOversizedWindows() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 2, 5, 3);
            // even sizes reach one channel further back than forward (size/2 before, (size-1)/2 after)
            for (int size : new int[] {1, 2, 3, 4, 5, 11}) {
                OpCheck.check("localResponseNorm size " + size, t -> Normalization.localResponseNorm(t[0], size, 0.5, 0.75, 1.0),
                        r -> RefNorm.localResponseNorm(r[0], size, 0.5, 0.75, 1.0), x);
            }
        }
    }

    @Test
    void fourAndFiveDimensionalInputsAndOtherConstants() {
        try (Scope s = Scope.open()) {
            OpCheck.check("localResponseNorm 4-D", t -> Normalization.localResponseNorm(t[0], 3, 0.2, 0.6, 2.0),
                    r -> RefNorm.localResponseNorm(r[0], 3, 0.2, 0.6, 2.0), Tensor.randn(gen, 1, 4, 3, 4));
            OpCheck.check("localResponseNorm 5-D", t -> Normalization.localResponseNorm(t[0], 2, 0.3, 1.5, 0.5),
                    r -> RefNorm.localResponseNorm(r[0], 2, 0.3, 1.5, 0.5), Tensor.randn(gen, 2, 3, 2, 2, 2));
            OpCheck.check("localResponseNorm defaults", t -> Normalization.localResponseNorm(t[0], 5),
                    r -> RefNorm.localResponseNorm(r[0], 5, 1e-4, 0.75, 1.0), Tensor.randn(gen, 1, 6, 7));
        }
    }

    @Test
    void vectorPathWithATailAndStridedInput() {
        try (Scope s = Scope.open()) {
            OpCheck.check("localResponseNorm (1, 3, 20)", t -> Normalization.localResponseNorm(t[0], 3, 1.0, 0.75, 1.0),
                    r -> RefNorm.localResponseNorm(r[0], 3, 1.0, 0.75, 1.0), Tensor.randn(gen, 1, 3, 20));
            OpCheck.check("localResponseNorm strided", t -> Normalization.localResponseNorm(OpCheck.strided(t[0]), 2, 1.0, 0.75, 1.0),
                    r -> RefNorm.localResponseNorm(r[0], 2, 1.0, 0.75, 1.0), Tensor.randn(gen, 2, 3, 9));
        }
    }

    @Test
    void largeInputsSpanSeveralTiles() {
        try (Scope s = Scope.open()) {
            RefNorm.checkLarge("localResponseNorm large", t -> Normalization.localResponseNorm(t[0], 5, 1.0, 0.75, 2.0),
                    r -> RefNorm.localResponseNorm(r[0], 5, 1.0, 0.75, 2.0), 12, 1, Tensor.randn(gen, 2, 7, 33, 37));
        }
    }

    @Test
    void evenWindowMatchesPyTorch() {
        try (Scope s = Scope.open()) {
            // torch.nn.functional.local_response_norm(torch.arange(1., 7.).view(1, 3, 2), 2, alpha=0.1, beta=0.5, k=1.0)
            Tensor x = Tensor.arange(1, 7, 1, dev.panamax.tensor.DType.FLOAT32).view(1, 3, 2);
            float[] expected = {0.9759001f, 1.8257418f, 2.4494896f, 2.8284271f, 3.0429032f, 3.1622777f};
            assertArrayEquals(expected, Normalization.localResponseNorm(x, 2, 0.1, 0.5, 1.0).toFloatArray(), 1e-6f);
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 3, 6, 40, 30).requiresGrad(true);
            Tensor gy = Tensor.randn(gen, 3, 6, 40, 30);
            float[][] one = run(x, gy, 1);
            float[][] two = run(x, gy, 2);
            for (int i = 0; i < one.length; i++) {
                assertArrayEquals(one[i], two[i], "result " + i);
            }
        }
    }

    private static float[][] run(Tensor x, Tensor gy, int threads) {
        return CpuThreads.call(threads, () -> {
            x.zeroGrad();
            Tensor y = Normalization.localResponseNorm(x, 5, 1e-2, 0.75, 1.0);
            y.backward(gy);
            return new float[][] {y.toFloatArray(), x.grad().toFloatArray()};
        });
    }

    @Test
    void badArgumentsAreNamed() {
        try (Scope s = Scope.open()) {
            assertMessage(() -> Normalization.localResponseNorm(Tensor.zeros(2, 6), 3),
                    "localResponseNorm: expected 3D or higher dimensionality input (got 2 dimensions)");
            assertMessage(() -> Normalization.localResponseNorm(Tensor.zeros(2, 6, 3), 0), "localResponseNorm: size must be positive, got 0");
            assertEquals(0, Normalization.localResponseNorm(Tensor.zeros(0, 6, 3), 3).numel());
        }
    }
}
