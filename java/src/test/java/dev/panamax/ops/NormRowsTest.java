package dev.panamax.ops;

import static dev.panamax.ops.NormBatchTest.assertArrayClose;
import static dev.panamax.ops.NormBatchTest.assertMessage;
import static dev.panamax.ops.NormBatchTest.pick;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.CpuThreads;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.Ref;
import dev.panamax.testing.RefNorm;
import org.junit.jupiter.api.Test;

/** Layer, group and instance norm: the ops built on the row-normalisation kernel. */
class NormRowsTest {
    private static final double EPS = 1e-5;
    private final Generator gen = new Generator(77);

    @Test
    void layerNormOverOneAndTwoTrailingDims() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 3, 4, 5);
            OpCheck.check("layerNorm [5]", t -> Normalization.layerNorm(t[0], new long[] {5}, t[1], t[2], EPS),
                    r -> RefNorm.layerNorm(r[0], 1, r[1], r[2], EPS), x, Tensor.randn(gen, 5), Tensor.randn(gen, 5));
            OpCheck.check("layerNorm [4, 5]", t -> Normalization.layerNorm(t[0], new long[] {4, 5}, t[1], t[2], EPS),
                    r -> RefNorm.layerNorm(r[0], 2, r[1], r[2], EPS), x, Tensor.randn(gen, 4, 5), Tensor.randn(gen, 4, 5));
            OpCheck.check("layerNorm all dims, no affine", t -> Normalization.layerNorm(t[0], new long[] {3, 4, 5}, null, null, 1e-3),
                    r -> RefNorm.layerNorm(r[0], 3, null, null, 1e-3), x);
        }
    }

    @Test
    void layerNormRowsLongerThanAVectorAndStridedInputs() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 2, 29);
            Tensor w = Tensor.randn(gen, 29);
            OpCheck.check("layerNorm rows of 29", t -> Normalization.layerNorm(t[0], new long[] {29}, t[1], null, EPS),
                    r -> RefNorm.layerNorm(r[0], 1, r[1], null, EPS), x, w);
            Tensor y = Tensor.randn(gen, 5, 2, 3); // used as [2, 3, 5]
            OpCheck.check("layerNorm permuted", t -> Normalization.layerNorm(t[0].permute(1, 2, 0), new long[] {5}, null, OpCheck.strided(t[1]), EPS),
                    r -> RefNorm.layerNorm(permute120(r[0]), 1, null, r[1], EPS), y, Tensor.randn(gen, 5));
        }
    }

    private static Ref permute120(Ref r) {
        Ref p = Ref.zeros(r.shape[1], r.shape[2], r.shape[0]);
        for (int i = 0; i < p.numel(); i++) {
            long[] idx = p.unravel(i);
            p.data[i] = r.get(idx[2], idx[0], idx[1]);
        }
        return p;
    }

    @Test
    void groupNormFromOneGroupToOneChannelPerGroup() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 2, 6, 3);
            Tensor w = Tensor.randn(gen, 6);
            Tensor b = Tensor.randn(gen, 6);
            for (int groups : new int[] {1, 2, 3, 6}) {
                OpCheck.check("groupNorm " + groups, t -> Normalization.groupNorm(t[0], groups, t[1], t[2], EPS),
                        r -> RefNorm.groupNorm(r[0], groups, r[1], r[2], EPS), x, w, b);
            }
            OpCheck.check("groupNorm (N, C)", t -> Normalization.groupNorm(t[0], 2, null, null, EPS),
                    r -> RefNorm.groupNorm(r[0], 2, null, null, EPS), Tensor.randn(gen, 3, 8));
            OpCheck.check("groupNorm 4-D strided", t -> Normalization.groupNorm(OpCheck.strided(t[0]), 2, t[1], null, EPS),
                    r -> RefNorm.groupNorm(r[0], 2, r[1], null, EPS), Tensor.randn(gen, 1, 4, 3, 5), Tensor.randn(gen, 4));
        }
    }

    @Test
    void instanceNormWithInputStatistics() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 2, 3, 7);
            OpCheck.check("instanceNorm", t -> Normalization.instanceNorm(t[0], null, null, t[1], t[2], true, 0.1, EPS),
                    r -> RefNorm.instanceNorm(r[0], r[1], r[2], EPS), x, Tensor.randn(gen, 3), Tensor.randn(gen, 3));
            OpCheck.check("instanceNorm 4-D", t -> Normalization.instanceNorm(t[0], null, null, null, null, true, 0.1, EPS),
                    r -> RefNorm.instanceNorm(r[0], null, null, EPS), Tensor.randn(gen, 2, 2, 3, 4));
        }
    }

    @Test
    void instanceNormUpdatesAndUsesRunningStatistics() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 3, 2, 6).mul(3).add(2);
            double[] m0 = {1, -1};
            double[] v0 = {2, 0.5};
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                Tensor rm = Tensor.of(m0, 2).to(dtype);
                Tensor rv = Tensor.of(v0, 2).to(dtype);
                Normalization.instanceNorm(x.to(dtype), rm, rv, null, null, true, 0.2, EPS);
                double[][] expected = RefNorm.instanceRunningStats(Ref.of(x), m0, v0, 0.2);
                assertArrayClose(expected[0], rm.toDoubleArray(), 1e-5);
                assertArrayClose(expected[1], rv.toDoubleArray(), 1e-5);
            }
            Tensor rm = Tensor.randn(gen, 2).to(DType.FLOAT64);
            Tensor rv = Tensor.rand(gen, 2).add(0.5).to(DType.FLOAT64);
            Tensor rm32 = rm.to(DType.FLOAT32);
            Tensor rv32 = rv.to(DType.FLOAT32);
            OpCheck.check("instanceNorm eval", t -> Normalization.instanceNorm(t[0], pick(t[0], rm32, rm), pick(t[0], rv32, rv),
                    t[1], null, false, 0.1, EPS), r -> RefNorm.batchNorm(r[0], Ref.of(rm), Ref.of(rv), r[1], null, EPS),
                    Tensor.randn(gen, 2, 2, 5), Tensor.randn(gen, 2));
        }
    }

    @Test
    void largeRowsMatchTheReference() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 6, 2500).mul(0.5).add(3);
            RefNorm.checkLarge("layerNorm rows of 2500", t -> Normalization.layerNorm(t[0], new long[] {2500}, t[1], t[2], EPS),
                    r -> RefNorm.layerNorm(r[0], 1, r[1], r[2], EPS), 6, 10, x, Tensor.randn(gen, 2500), Tensor.randn(gen, 2500));
            Tensor y = Tensor.randn(gen, 2, 8, 19, 21);
            RefNorm.checkLarge("groupNorm large", t -> Normalization.groupNorm(t[0], 4, t[1], t[2], EPS),
                    r -> RefNorm.groupNorm(r[0], 4, r[1], r[2], EPS), 6, 10, y, Tensor.randn(gen, 8), Tensor.randn(gen, 8));
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 4, 8, 40, 41).requiresGrad(true);
            Tensor gy = Tensor.randn(gen, 4, 8, 40, 41);
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
            Tensor y = Normalization.groupNorm(x, 2, null, null, EPS);
            y.backward(gy);
            Tensor z = Normalization.layerNorm(x, new long[] {40, 41}, null, null, EPS);
            return new float[][] {y.toFloatArray(), x.grad().toFloatArray(), z.toFloatArray()};
        });
    }

    @Test
    void badArgumentsAreNamed() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(2, 6, 4);
            assertMessage(() -> Normalization.layerNorm(x, new long[] {5}, null, null, EPS),
                    "layerNorm: given normalizedShape=[5], expected input with shape [*, 5], but got input of size [2, 6, 4]");
            assertMessage(() -> Normalization.layerNorm(x, new long[] {4}, Tensor.ones(5), null, EPS),
                    "layerNorm: expected weight to be of the same shape as normalizedShape=[4], but got [5]");
            assertMessage(() -> Normalization.layerNorm(x, new long[0], null, null, EPS), "normalizedShape must have at least one dim");
            assertMessage(() -> Normalization.groupNorm(x, 4, null, null, EPS),
                    "groupNorm: expected number of channels in input to be divisible by numGroups, but got input of shape [2, 6, 4] and numGroups=4");
            assertMessage(() -> Normalization.groupNorm(x, 0, null, null, EPS), "groupNorm: numGroups must be positive, got 0");
            assertMessage(() -> Normalization.groupNorm(x, 3, Tensor.ones(5), null, EPS), "groupNorm: weight should be a vector of 6");
            assertMessage(() -> Normalization.groupNorm(Tensor.zeros(6), 3, null, null, EPS), "groupNorm: expected an input of at least 2 dims");
            assertMessage(() -> Normalization.instanceNorm(Tensor.zeros(2, 3, 1), null, null, null, null, true, 0.1, EPS),
                    "instanceNorm: expected more than 1 spatial element when training, got input size [2, 3, 1]");
            assertMessage(() -> Normalization.instanceNorm(x, null, null, null, null, false, 0.1, EPS),
                    "instanceNorm: expected runningMean and runningVar to be defined when useInputStats is false");
            assertMessage(() -> Normalization.instanceNorm(x, null, null, Tensor.ones(DType.FLOAT64, 6), null, true, 0.1, EPS),
                    "instanceNorm: weight must have the input's dtype float32");
        }
    }
}
