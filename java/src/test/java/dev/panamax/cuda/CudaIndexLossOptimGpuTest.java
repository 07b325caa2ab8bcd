package dev.panamax.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.Panamax;
import dev.panamax.autograd.GradMode;
import dev.panamax.ops.Embedding;
import dev.panamax.ops.EmbeddingBagMode;
import dev.panamax.ops.EmbeddingOptions;
import dev.panamax.ops.Loss;
import dev.panamax.ops.LossReduction;
import dev.panamax.optim.Adam;
import dev.panamax.optim.Optimizer;
import dev.panamax.optim.SGD;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.ScopePerTest;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Index ops (atomic and deterministic adds), the losses on the NLL kernels, and the fused optimizer steps on CUDA. */
@Tag("gpu")
@ExtendWith(ScopePerTest.class)
class CudaIndexLossOptimGpuTest {
    private static Tensor randn(long seed, long... shape) {
        return Tensor.randn(new Generator(seed), shape);
    }

    private static void bothAddModes(Runnable checks) {
        checks.run();
        Panamax.deterministic(true);
        try {
            checks.run();
        } finally {
            Panamax.deterministic(false);
        }
    }

    @Test
    void indexSelectGatherScatterAddWithRepeatedIndices() {
        Tensor x = randn(1, 5, 6, 4);
        Tensor idx = Tensor.of(new long[] {4, 0, 4, 2, 4}, 5);
        Tensor gatherIdx = Tensor.of(new long[] {0, 5, 5, 1, 2, 2, 3, 0, 4, 4, 1, 0}, 2, 3, 2);
        bothAddModes(() -> {
            CudaParity.check("indexSelect dim 0 (backward: indexAdd)", t -> t[0].indexSelect(0, t[1]), x, idx);
            CudaParity.check("indexSelect dim 2 of a permuted x", t -> t[0].permute(2, 1, 0).indexSelect(2, t[1]), x, idx);
            CudaParity.check("gather dim 1 (backward: scatterAdd)", t -> t[0].gather(1, t[1]), x, gatherIdx);
            CudaParity.check("scatterAdd", t -> t[0].scatterAdd(1, t[1], t[2]), randn(2, 2, 6, 2), gatherIdx, randn(3, 2, 3, 2));
            CudaParity.check("embedding", t -> Embedding.embedding(t[1], t[0]), randn(4, 7, 3), Tensor.of(new long[] {1, 6, 1, 0, 6, 6}, 2, 3));
            EmbeddingOptions scaled = EmbeddingOptions.DEFAULT.paddingIdx(0).scaleGradByFreq(true);
            CudaParity.check("embedding scaleGradByFreq", t -> Embedding.embedding(t[1], t[0], scaled), randn(4, 7, 3),
                    Tensor.of(new long[] {1, 6, 1, 0, 6, 6}, 2, 3));
            CudaParity.check("embeddingBag mean scaleGradByFreq", t -> Embedding.embeddingBag(t[1], t[0], null, scaled, EmbeddingBagMode.MEAN,
                    null, false), randn(4, 7, 3), Tensor.of(new long[] {1, 6, 1, 0, 6, 6}, 2, 3));
        });
        CudaParity.checkForward("int32 indices and int64 values", t -> t[0].indexSelect(0, t[1]),
                Tensor.of(new long[] {(1L << 62) + 1, 2, 3}, 3), Tensor.of(new int[] {2, 0, 0}, 3));
        CudaParity.checkForward("oneHot", t -> t[0].oneHot(5), Tensor.of(new long[] {4, 0, 2}, 3));
    }

    @Test
    void crossEntropyAndNllWithWeightsIgnoreIndexAndSpatialTargets() {
        Tensor logits = randn(5, 6, 4);
        Tensor target = Tensor.of(new long[] {3, 0, -100, 1, 3, 2}, 6);
        CudaParity.check("crossEntropy", t -> Loss.crossEntropy(t[0], t[1]), logits, target);
        CudaParity.check("crossEntropy weighted, smoothed", t -> Loss.crossEntropy(t[0], t[1], t[2].detach(), -100, LossReduction.MEAN, 0.1),
                logits, target, randn(6, 4).abs());
        CudaParity.check("nll spatial sum", t -> Loss.nllLoss(t[0].logSoftmax(1), t[1], null, 2, LossReduction.SUM),
                randn(7, 2, 3, 4, 5), Tensor.randint(new Generator(8), 0, 3, 2, 4, 5));
        CudaParity.check("mse", t -> Loss.mseLoss(t[0], t[1]), randn(9, 3, 7), randn(10, 3, 7));
        CudaParity.check("bce with logits", t -> Loss.binaryCrossEntropyWithLogits(t[0], t[1].detach().sigmoid()), randn(11, 9), randn(12, 9));
    }

    /** The same steps of an optimizer on CPU and GPU copies of the same parameter. */
    private static void sameSteps(String name, Function<List<Tensor>, Optimizer> make) {
        Device gpu = GpuDevice.get();
        try (Scope ignored = Scope.open()) {
            Tensor pc = randn(13, 37, 3).requiresGrad(true);
            Tensor pg = pc.detach().to(gpu).requiresGrad(true);
            try (Optimizer oc = make.apply(List.of(pc)); Optimizer og = make.apply(List.of(pg))) {
                for (int step = 0; step < 5; step++) {
                    Tensor target = randn(100 + step, 37, 3);
                    pc.zeroGrad();
                    pg.zeroGrad();
                    pc.sub(target).pow(2).sum().backward();
                    pg.sub(target.to(gpu)).pow(2).sum().backward();
                    oc.step();
                    og.step();
                }
                try (var g = GradMode.noGrad()) {
                    CudaParity.assertClose(name + " parameter after 5 steps", pc, pg, 10);
                }
            }
        }
    }

    @Test
    void fusedOptimizerStepsMatch() {
        sameSteps("SGD nesterov", p -> SGD.builder().lr(0.01).momentum(0.9).nesterov(true).weightDecay(1e-3).build(p));
        sameSteps("Adam amsgrad", p -> Adam.builder().lr(0.01).amsgrad(true).weightDecay(1e-2).build(p));
        sameSteps("AdamW", p -> Adam.builder().lr(0.01).decoupledWeightDecay(true).weightDecay(1e-2).build(p));
    }

    @Test
    void deterministicScatterAddRepeatsBitForBit() {
        Device gpu = GpuDevice.get();
        Panamax.deterministic(true);
        try (Scope ignored = Scope.open()) {
            Tensor idx = Tensor.randint(new Generator(14), 0, 4, 10_000).to(gpu);
            Tensor src = randn(15, 10_000).to(gpu);
            Tensor a = Tensor.zeros(4).to(gpu).scatterAdd(0, idx, src).to(Device.CPU);
            Tensor b = Tensor.zeros(4).to(gpu).scatterAdd(0, idx, src).to(Device.CPU);
            CudaParity.assertSame("two deterministic scatterAdds", a, b);
            Tensor cpu = Tensor.zeros(4).scatterAdd(0, idx.to(Device.CPU), src.to(Device.CPU));
            CudaParity.assertSame("the CPU's order of additions", cpu, a);
            assertEquals(4, a.numel());
        } finally {
            Panamax.deterministic(false);
        }
    }
}
