package dev.panamax.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.ops.Normalization;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.Ref;
import dev.panamax.testing.RefNorm;
import java.util.List;
import org.junit.jupiter.api.Test;

class NormLayerTest {
    private final Generator gen = new Generator(11);

    @Test
    void batchNormTrainsOnBatchStatisticsAndEvaluatesOnRunningOnes() {
        try (Scope s = Scope.open(); BatchNorm2d bn = new BatchNorm2d(3)) {
            assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"), List.copyOf(bn.stateDict().keySet()));
            Tensor x = Tensor.randn(gen, 4, 3, 2, 5).mul(2).add(1);
            double[] mean = new double[3];
            double[] var = {1, 1, 1};
            for (int step = 1; step <= 2; step++) {
                Tensor y = bn.forward(x);
                OpCheck.assertClose("training output", RefNorm.batchNorm(Ref.of(x), null, null, null, null, 1e-5), Ref.of(y), 1e-5, 1e-4);
                double[][] expected = RefNorm.runningStats(Ref.of(x), mean, var, 0.1);
                mean = expected[0];
                var = expected[1];
                assertArrayEquals(mean, bn.runningMean().toDoubleArray(), 1e-5);
                assertArrayEquals(var, bn.runningVar().toDoubleArray(), 1e-5);
                assertEquals(step, bn.numBatchesTracked());
            }
            bn.eval();
            Tensor y = bn.forward(x);
            assertEquals(2, bn.numBatchesTracked(), "evaluation does not count batches");
            assertArrayEquals(Normalization.batchNorm(x, bn.runningMean(), bn.runningVar(), bn.weight(), bn.bias(), false).toFloatArray(),
                    y.toFloatArray());
            assertArrayEquals(mean, bn.runningMean().toDoubleArray(), 1e-5, "evaluation leaves the running statistics");
        }
    }

    @Test
    void nullMomentumIsACumulativeAverage() {
        try (Scope s = Scope.open(); BatchNorm1d bn = new BatchNorm1d(2, 1e-5, null, true, true)) {
            Tensor a = Tensor.randn(gen, 6, 2);
            Tensor b = Tensor.randn(gen, 5, 2).add(3);
            bn.forward(a);
            bn.forward(b);
            double[] ma = RefNorm.runningStats(Ref.of(a), new double[2], new double[2], 1)[0];
            double[] mb = RefNorm.runningStats(Ref.of(b), new double[2], new double[2], 1)[0];
            assertArrayEquals(new double[] {(ma[0] + mb[0]) / 2, (ma[1] + mb[1]) / 2}, bn.runningMean().toDoubleArray(), 1e-5);
            assertEquals(2, bn.numBatchesTracked());
        }
    }

    @Test
    void withoutRunningStatisticsEvaluationUsesTheBatch() {
        try (Scope s = Scope.open(); BatchNorm1d bn = new BatchNorm1d(3, 1e-5, 0.1, false, false)) {
            assertTrue(bn.stateDict().isEmpty());
            assertNull(bn.runningMean());
            bn.eval();
            Tensor x = Tensor.randn(gen, 5, 3, 4);
            OpCheck.assertClose("batch statistics in eval", RefNorm.batchNorm(Ref.of(x), null, null, null, null, 1e-5),
                    Ref.of(bn.forward(x)), 1e-5, 1e-4);
            assertEquals(0, bn.numBatchesTracked());
        }
    }

    @Test
    void batchNormGradientsReachTheAffineParameters() {
        try (Scope s = Scope.open(); BatchNorm2d bn = new BatchNorm2d(2)) {
            Tensor x = Tensor.randn(gen, 3, 2, 3, 3);
            bn.forward(x).pow(2).sum().backward();
            assertEquals(2, bn.weight().grad().numel());
            assertEquals(2, bn.bias().grad().numel());
        }
    }

    @Test
    void instanceNormTracksStatisticsWithoutCountingBatches() {
        try (Scope s = Scope.open(); InstanceNorm2d in = new InstanceNorm2d(3, 1e-5, 0.1, true, true)) {
            Tensor x = Tensor.randn(gen, 2, 3, 4, 4);
            Tensor y = in.forward(x);
            OpCheck.assertClose("instance norm", RefNorm.instanceNorm(Ref.of(x), null, null, 1e-5), Ref.of(y), 1e-5, 1e-4);
            double[][] expected = RefNorm.instanceRunningStats(Ref.of(x), new double[3], new double[] {1, 1, 1}, 0.1);
            assertArrayEquals(expected[0], in.runningMean().toDoubleArray(), 1e-5);
            assertArrayEquals(expected[1], in.runningVar().toDoubleArray(), 1e-5);
            assertEquals(0, in.numBatchesTracked(), "PyTorch's instance norm never increments num_batches_tracked");
            in.eval();
            Tensor unbatched = in.forward(x.select(0, 1));
            assertArrayEquals(new long[] {3, 4, 4}, unbatched.shape().toArray());
            assertArrayEquals(Normalization.batchNorm(x, in.runningMean(), in.runningVar(), in.weight(), in.bias(), false).select(0, 1)
                    .toFloatArray(), unbatched.toFloatArray(), 1e-6f);
        }
    }

    @Test
    void layerGroupAndResponseNormsEqualTheirOps() {
        try (Scope s = Scope.open(); LayerNorm ln = new LayerNorm(4, 5); GroupNorm gn = new GroupNorm(2, 4);
             LocalResponseNorm lrn = new LocalResponseNorm(3, 1e-3, 0.75, 2)) {
            Tensor x = Tensor.randn(gen, 2, 4, 4, 5);
            Init.normal_(ln.weight(), 1, 0.5, gen);
            Init.normal_(gn.bias(), 0, 0.5, gen);
            assertArrayEquals(Normalization.layerNorm(x, new long[] {4, 5}, ln.weight(), ln.bias(), 1e-5).toFloatArray(), ln.forward(x).toFloatArray());
            assertArrayEquals(Normalization.groupNorm(x, 2, gn.weight(), gn.bias(), 1e-5).toFloatArray(), gn.forward(x).toFloatArray());
            assertArrayEquals(Normalization.localResponseNorm(x, 3, 1e-3, 0.75, 2).toFloatArray(), lrn.forward(x).toFloatArray());
            assertEquals(List.of("weight", "bias"), List.copyOf(ln.stateDict().keySet()));
            assertEquals(List.of("weight", "bias"), List.copyOf(gn.stateDict().keySet()));
        }
    }

    @Test
    void badArgumentsAreNamed() {
        try (Scope s = Scope.open(); BatchNorm2d bn = new BatchNorm2d(3); BatchNorm1d bn1 = new BatchNorm1d(3)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(2, 3, 4)));
            assertTrue(e.getMessage().contains("BatchNorm2d: expected input of rank [4], got shape [2, 3, 4]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> bn1.forward(Tensor.zeros(1, 3)));
            assertTrue(e.getMessage().contains("expected more than 1 value per channel when training") && e.getMessage().contains("[1, 3]"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> new GroupNorm(3, 4));
            assertEquals("GroupNorm: num_channels 4 must be divisible by num_groups 3", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(4, 1e-5, 1.5, true, true));
            assertTrue(e.getMessage().contains("BatchNorm2d: momentum must be in [0, 1]") && e.getMessage().contains("1.5"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> new LayerNorm(new long[0], 1e-5, true, true));
            assertTrue(e.getMessage().startsWith("LayerNorm: normalized_shape must be non-empty"), e.getMessage());
            try (InstanceNorm2d in = new InstanceNorm2d(4, 1e-5, 0.1, true, false)) {
                e = assertThrows(IllegalArgumentException.class, () -> in.forward(Tensor.zeros(1, 3, 2, 2)));
                assertTrue(e.getMessage().contains("InstanceNorm2d: expected input's size at dim=1 to match num_features (4)")
                        && e.getMessage().contains("[1, 3, 2, 2]"), e.getMessage());
            }
        }
    }
}
