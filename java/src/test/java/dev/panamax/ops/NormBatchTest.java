package dev.panamax.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.CpuThreads;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.Ref;
import dev.panamax.testing.RefNorm;
import org.junit.jupiter.api.Test;

class NormBatchTest {
    private static final double EPS = 1e-5;
    private final Generator gen = new Generator(404);

    /** Training-mode batch norm with weight and bias against the reference, forward, backward and gradcheck. */
    private void checkTraining(String name, long... shape) {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, shape);
            Tensor w = Tensor.randn(gen, shape[1]);
            Tensor b = Tensor.randn(gen, shape[1]);
            OpCheck.check(name, t -> Normalization.batchNorm(t[0], null, null, t[1], t[2], true, 0.1, EPS),
                    r -> RefNorm.batchNorm(r[0], null, null, r[1], r[2], EPS), x, w, b);
        }
    }

    @Test
    void trainingUsesBatchStatisticsForEveryLayout() {
        checkTraining("batchNorm (N, C)", 5, 3);
        checkTraining("batchNorm (N, C, L)", 3, 2, 7);
        checkTraining("batchNorm (N, C, H, W)", 2, 3, 3, 3);
        checkTraining("batchNorm one sample, odd plane", 1, 2, 3, 5);
    }

    @Test
    void runsLongerThanAVectorTakeTheVectorPathWithATail() {
        checkTraining("batchNorm (1, 2, 29)", 1, 2, 29);
        checkTraining("batchNorm (2, 1, 17)", 2, 1, 17);
    }

    @Test
    void withoutWeightAndBias() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 3, 4, 5);
            OpCheck.check("batchNorm no affine", t -> Normalization.batchNorm(t[0], null, null, null, null, true),
                    r -> RefNorm.batchNorm(r[0], null, null, null, null, EPS), x);
            OpCheck.check("batchNorm weight only", t -> Normalization.batchNorm(t[0], null, null, t[1], null, true),
                    r -> RefNorm.batchNorm(r[0], null, null, r[1], null, EPS), x, Tensor.randn(gen, 4));
        }
    }

    @Test
    void nonContiguousInputs() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 3, 2, 4); // used as [2, 3, 4]
            Tensor w = Tensor.randn(gen, 3);
            Tensor b = Tensor.randn(gen, 3);
            OpCheck.check("batchNorm permuted", t -> Normalization.batchNorm(t[0].permute(1, 0, 2), null, null, t[1], t[2], true),
                    r -> RefNorm.batchNorm(permute102(r[0]), null, null, r[1], r[2], EPS), x, w, b);
            Tensor y = Tensor.randn(gen, 2, 3, 5);
            OpCheck.check("batchNorm strided", t -> Normalization.batchNorm(OpCheck.strided(t[0]), null, null, OpCheck.strided(t[1]), t[2], true),
                    r -> RefNorm.batchNorm(r[0], null, null, r[1], r[2], EPS), y, w, b);
        }
    }

    private static Ref permute102(Ref r) {
        Ref p = Ref.zeros(r.shape[1], r.shape[0], r.shape[2]);
        for (int i = 0; i < p.numel(); i++) {
            long[] idx = p.unravel(i);
            p.data[i] = r.get(idx[1], idx[0], idx[2]);
        }
        return p;
    }

    @Test
    void evaluationUsesTheRunningStatistics() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 3, 4, 5);
            Tensor w = Tensor.randn(gen, 4);
            Tensor b = Tensor.randn(gen, 4);
            Tensor rm = Tensor.randn(gen, 4).to(DType.FLOAT64);
            Tensor rv = Tensor.rand(gen, 4).add(0.5).to(DType.FLOAT64);
            Tensor rm32 = rm.to(DType.FLOAT32);
            Tensor rv32 = rv.to(DType.FLOAT32);
            OpCheck.check("batchNorm eval", t -> Normalization.batchNorm(t[0], pick(t[0], rm32, rm), pick(t[0], rv32, rv), t[1], t[2], false),
                    r -> RefNorm.batchNorm(r[0], Ref.of(rm), Ref.of(rv), r[1], r[2], EPS), x, w, b);
            OpCheck.check("batchNorm eval (N, C) no affine",
                    t -> Normalization.batchNorm(t[0], pick(t[0], rm32, rm), pick(t[0], rv32, rv), null, null, false),
                    r -> RefNorm.batchNorm(r[0], Ref.of(rm), Ref.of(rv), null, null, EPS), Tensor.randn(gen, 3, 4));
        }
    }

    /** The float32 or float64 variant of a constant, matching x's dtype. */
    static Tensor pick(Tensor x, Tensor f32, Tensor f64) {
        return x.dtype() == DType.FLOAT32 ? f32 : f64;
    }

    @Test
    void evaluationWithoutRunningStatisticsUsesTheBatch() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 4, 3, 2);
            assertArrayEquals(Normalization.batchNorm(x, null, null, null, null, true).toFloatArray(),
                    Normalization.batchNorm(x, null, null, null, null, false).toFloatArray());
        }
    }

    @Test
    void trainingUpdatesTheRunningStatisticsWithTheUnbiasedVariance() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (Scope s = Scope.open()) {
                Tensor x = Tensor.randn(gen, 3, 4, 5).mul(2).add(1).to(dtype);
                double[] m0 = {0.5, -1, 0, 2};
                double[] v0 = {1, 2, 0.5, 3};
                Tensor rm = Tensor.of(m0, 4).to(dtype);
                Tensor rv = Tensor.of(v0, 4).to(dtype);
                Normalization.batchNorm(x, rm, rv, null, null, true, 0.3, EPS);
                double[][] expected = RefNorm.runningStats(Ref.of(x), m0, v0, 0.3);
                double tol = dtype == DType.FLOAT32 ? 1e-5 : 1e-12;
                assertArrayClose(expected[0], rm.toDoubleArray(), tol);
                assertArrayClose(expected[1], rv.toDoubleArray(), tol);
                // eval afterwards reads the updated statistics
                Ref y = Ref.of(Normalization.batchNorm(x, rm, rv, null, null, false));
                OpCheck.assertClose("eval after update", RefNorm.batchNorm(Ref.of(x), Ref.of(rm), Ref.of(rv), null, null, EPS), y, tol, tol);
            }
        }
    }

    @Test
    void runningStatisticsMayBeStrided() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 4, 3);
            Tensor stats = Tensor.zeros(3, 2); // column 0 running mean, column 1 running var
            Tensor rm = stats.select(1, 0);
            Tensor rv = stats.select(1, 1);
            Normalization.batchNorm(x, rm, rv, null, null, true, 1.0, EPS);
            double[][] expected = RefNorm.runningStats(Ref.of(x), new double[3], new double[3], 1.0);
            assertArrayClose(expected[0], rm.toDoubleArray(), 1e-5);
            assertArrayClose(expected[1], rv.toDoubleArray(), 1e-5);
        }
    }

    @Test
    void gradientsInEvaluationTreatTheStatisticsAsConstants() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 2, 3, 4).requiresGrad(true);
            Tensor rm = Tensor.randn(gen, 3);
            Tensor rv = Tensor.rand(gen, 3).add(0.5);
            Tensor w = Tensor.randn(gen, 3);
            Normalization.batchNorm(x, rm, rv, w, null, false).sum().backward();
            float[] g = x.grad().toFloatArray();
            float[] wv = w.toFloatArray();
            float[] v = rv.toFloatArray();
            for (int i = 0; i < g.length; i++) {
                int c = i / 4 % 3;
                assertEquals(wv[c] / Math.sqrt(v[c] + EPS), g[i], 1e-6);
            }
        }
    }

    @Test
    void largeInputsMatchTheReference() {
        try (Scope s = Scope.open()) {
            // planes longer than the 1024-element flush of the float sums, channels split over tasks
            Tensor x = Tensor.randn(gen, 3, 5, 37, 41);
            Tensor w = Tensor.randn(gen, 5);
            Tensor b = Tensor.randn(gen, 5);
            RefNorm.checkLarge("batchNorm large", t -> Normalization.batchNorm(t[0], null, null, t[1], t[2], true),
                    r -> RefNorm.batchNorm(r[0], null, null, r[1], r[2], EPS), 6, 10, x, w, b);
        }
    }

    @Test
    void aLargeMeanDoesNotCancelTheVariance() {
        try (Scope s = Scope.open()) {
            // mean 1000, std 0.5: E[x^2] - E[x]^2 in float would lose every digit
            Tensor x = Tensor.randn(gen, 4, 2, 300).mul(0.5).add(1000);
            Ref expected = RefNorm.batchNorm(Ref.of(x), null, null, null, null, EPS);
            OpCheck.assertClose("batchNorm offset", expected, Ref.of(Normalization.batchNorm(x, null, null, null, null, true)), 5e-4, 1e-4);
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 2, 16, 64, 65).requiresGrad(true);
            Tensor w = Tensor.randn(gen, 16).requiresGrad(true);
            Tensor b = Tensor.randn(gen, 16).requiresGrad(true);
            Tensor gy = Tensor.randn(gen, 2, 16, 64, 65);
            float[][] one = run(x, w, b, gy, 1);
            float[][] two = run(x, w, b, gy, 2);
            for (int i = 0; i < one.length; i++) {
                assertArrayEquals(one[i], two[i], "result " + i);
            }
        }
    }

    private static float[][] run(Tensor x, Tensor w, Tensor b, Tensor gy, int threads) {
        return CpuThreads.call(threads, () -> {
            x.zeroGrad();
            w.zeroGrad();
            b.zeroGrad();
            Tensor rm = Tensor.zeros(16);
            Tensor rv = Tensor.ones(16);
            Tensor y = Normalization.batchNorm(x, rm, rv, w, b, true);
            y.backward(gy);
            return new float[][] {y.toFloatArray(), rm.toFloatArray(), rv.toFloatArray(), x.grad().toFloatArray(),
                w.grad().toFloatArray(), b.grad().toFloatArray()};
        });
    }

    @Test
    void badArgumentsAreNamed() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(2, 3, 4);
            assertMessage(() -> Normalization.batchNorm(Tensor.zeros(3), null, null, null, null, true), "batchNorm: expected an input of at least 2 dims");
            assertMessage(() -> Normalization.batchNorm(x, null, null, Tensor.ones(4), null, true),
                    "batchNorm: weight should be a vector of 3 elements (the input's channels), got shape [4] for input [2, 3, 4]");
            assertMessage(() -> Normalization.batchNorm(x, Tensor.zeros(2), Tensor.ones(2), null, null, true), "runningMean should be a vector of 3");
            assertMessage(() -> Normalization.batchNorm(x, Tensor.zeros(3), null, null, null, true), "runningMean and runningVar must be given together");
            assertMessage(() -> Normalization.batchNorm(x, null, null, null, Tensor.zeros(DType.FLOAT64, 3), true), "bias must have the input's dtype float32");
            assertMessage(() -> Normalization.batchNorm(Tensor.zeros(1, 3), null, null, null, null, true),
                    "expected more than 1 value per channel when training, got input size [1, 3]");
            assertMessage(() -> Normalization.batchNorm(x, null, null, null, null, true, 0.1, -1), "eps must be finite and non-negative, got -1.0");
            assertMessage(() -> Normalization.batchNorm(Tensor.zeros(DType.INT64, 2, 3), null, null, null, null, true), "input must be a floating-point");
        }
    }

    static void assertMessage(org.junit.jupiter.api.function.Executable call, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    static void assertArrayClose(double[] expected, double[] actual, double tol) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol * Math.max(1, Math.abs(expected[i])), "element " + i);
        }
    }
}
