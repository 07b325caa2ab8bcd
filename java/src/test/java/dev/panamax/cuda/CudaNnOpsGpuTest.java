package dev.panamax.cuda;

import dev.panamax.Panamax;
import dev.panamax.ops.ConvOptions;
import dev.panamax.ops.Convolution;
import dev.panamax.ops.Normalization;
import dev.panamax.ops.PoolOptions;
import dev.panamax.ops.Pooling;
import dev.panamax.ops.RoiOps;
import dev.panamax.ops.StochasticPooling;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.ScopePerTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Convolution (cuDNN), pooling, RoI ops and the normalisations on CUDA against the CPU, with awkward geometry. */
@Tag("gpu")
@ExtendWith(ScopePerTest.class)
class CudaNnOpsGpuTest {
    private static Tensor randn(long seed, long... shape) {
        return Tensor.randn(new Generator(seed), shape);
    }

    @Test
    void conv2dForwardAndBothGradients() {
        Tensor x = randn(1, 2, 4, 9, 8);
        CudaParity.check("conv 3x3", t -> Convolution.conv2d(t[0], t[1], t[2]), 10, x, randn(2, 5, 4, 3, 3), randn(3, 5));
        CudaParity.check("conv stride 2 pad 1 dilation 2", t -> Convolution.conv2d(t[0], t[1], null,
                ConvOptions.DEFAULT.stride(2).padding(1).dilation(2)), 10, x, randn(4, 3, 4, 3, 2));
        CudaParity.check("conv groups 2", t -> Convolution.conv2d(t[0], t[1], t[2], ConvOptions.DEFAULT.groups(2).padding(1, 0)),
                10, x, randn(5, 6, 2, 3, 3), randn(6, 6));
        CudaParity.check("conv same, even kernel (asymmetric padding)", t -> Convolution.conv2d(t[0], t[1], null,
                ConvOptions.DEFAULT.padding("same")), 10, x, randn(7, 3, 4, 4, 2));
        CudaParity.check("conv of a permuted input", t -> Convolution.conv2d(t[0].permute(0, 1, 3, 2), t[1], null), 10,
                x, randn(8, 2, 4, 2, 2));
        CudaParity.check("convTranspose stride 2 outputPadding 1", t -> Convolution.convTranspose2d(t[0], t[1], t[2],
                ConvOptions.DEFAULT.stride(2).padding(1).outputPadding(1)), 10, randn(9, 2, 3, 5, 4), randn(10, 3, 4, 3, 3), randn(11, 4));
        CudaParity.check("conv1d", t -> Convolution.conv1d(t[0], t[1], null, ConvOptions.DEFAULT.padding(2)), 10,
                randn(12, 3, 2, 11), randn(13, 4, 2, 3));
    }

    @Test
    void deterministicConvolutionsRepeatExactly() {
        var gpu = GpuDevice.get();
        Panamax.deterministic(true);
        try (Scope ignored = Scope.open()) {
            Tensor x = randn(14, 8, 16, 20, 20).to(gpu).requiresGrad(true);
            Tensor w = randn(15, 16, 16, 3, 3).to(gpu).requiresGrad(true);
            Tensor[] runs = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                w.zeroGrad();
                Convolution.conv2d(x, w, null, ConvOptions.DEFAULT.padding(1)).sum().backward();
                runs[i] = w.grad().to(Device.CPU);
            }
            CudaParity.assertSame("weight gradient of two deterministic runs", runs[0], runs[1]);
        } finally {
            Panamax.deterministic(false);
        }
    }

    @Test
    void maxPoolingWithTiesNaNCeilModeDilation() {
        Tensor x = randn(16, 2, 3, 9, 10);
        CudaParity.check("maxPool 3 s2 p1", t -> Pooling.maxPool2d(t[0], 3, 2, 1), x);
        CudaParity.check("maxPool ceil dilation", t -> Pooling.maxPool2d(t[0], PoolOptions.kernel(2, 3).stride(2).dilation(2).ceilMode(true)), x);
        CudaParity.checkForward("maxPool indices", t -> Pooling.maxPool2dWithIndices(t[0], PoolOptions.kernel(2)).indices(), x);
        Tensor ties = Tensor.of(new float[] {1, 1, 2, 2, Float.NaN, 0, 3, Float.NaN, 1}, 1, 1, 3, 3);
        CudaParity.checkForward("ties and NaN indices", t -> Pooling.maxPool2dWithIndices(t[0], PoolOptions.kernel(2).stride(1)).indices(), ties);
        CudaParity.checkForward("inference maxPool (cuDNN)", t -> Pooling.maxPool2d(t[0].detach(), 3, 2, 1), x);
        CudaParity.check("adaptive max", t -> Pooling.adaptiveMaxPool2d(t[0], 4, 3), x);
        Tensor unpoolIn = randn(17, 2, 3, 4, 4);
        CudaParity.check("maxUnpool", t -> {
            var r = Pooling.maxPool2dWithIndices(t[0], PoolOptions.kernel(2));
            return Pooling.maxUnpool2d(r.values(), r.indices(), 4, 4);
        }, unpoolIn);
    }

    @Test
    void averagePoolingEveryDivisorRule() {
        Tensor x = randn(18, 2, 3, 7, 8);
        CudaParity.check("avg include pad (cuDNN)", t -> Pooling.avgPool2d(t[0], PoolOptions.kernel(3).stride(2).padding(1), true), x);
        CudaParity.check("avg exclude pad (cuDNN)", t -> Pooling.avgPool2d(t[0], PoolOptions.kernel(3).stride(2).padding(1), false), x);
        CudaParity.check("avg ceil mode", t -> Pooling.avgPool2d(t[0], PoolOptions.kernel(3).stride(2).padding(1).ceilMode(true), true), x);
        CudaParity.check("avg divisor override", t -> Pooling.avgPool2d(t[0], PoolOptions.kernel(2), true, 3), x);
        CudaParity.check("adaptive avg", t -> Pooling.adaptiveAvgPool2d(t[0], 3, 5), x);
        CudaParity.check("global avg", t -> Pooling.globalAvgPool2d(t[0]), x);
    }

    @Test
    void stochasticPoolingDrawsTheCpusElements() {
        Tensor x = randn(19, 2, 3, 8, 8).abs();
        CudaParity.check("stochastic values and gradient", t -> StochasticPooling.stochasticPool2dWithIndices(t[0], PoolOptions.kernel(2),
                new Generator(5)).values(), x);
        CudaParity.checkForward("stochastic indices", t -> StochasticPooling.stochasticPool2dWithIndices(t[0], PoolOptions.kernel(3).stride(2),
                new Generator(6)).indices(), x);
    }

    @Test
    void roiPoolAndAlign() {
        Tensor x = randn(20, 2, 3, 10, 12);
        Tensor boxes = Tensor.of(new float[] {0, 1.2f, 0.5f, 7.9f, 6.1f, 1, 0, 0, 11, 9, 0, 5, 5, 5.5f, 5.2f, 1, -2, 3, 4, 12}, 4, 5);
        CudaParity.check("roiPool", t -> RoiOps.roiPool(t[0], t[1].detach(), 3, 2, 0.9), x, boxes);
        CudaParity.check("roiAlign adaptive", t -> RoiOps.roiAlign(t[0], t[1].detach(), 2, 3, 0.8, 0, false), x, boxes);
        CudaParity.check("roiAlign aligned ratio 2", t -> RoiOps.roiAlign(t[0], t[1].detach(), 3, 3, 1.0, 2, true), x, boxes);
    }

    @Test
    void batchNormTrainingUpdatesTheSameRunningStatistics() {
        var gpu = GpuDevice.get();
        Tensor x = randn(21, 4, 3, 5, 6);
        CudaParity.check("batchNorm train (cuDNN)", t -> Normalization.batchNorm(t[0], null, null, t[1], t[2], true), 10,
                x, randn(22, 3), randn(23, 3));
        CudaParity.check("batchNorm train, no affine", t -> Normalization.batchNorm(t[0], null, null, null, null, true), 10, x);
        CudaParity.check("batchNorm eval", t -> Normalization.batchNorm(t[0], t[1].detach(), t[2].detach().abs(), t[3], null, false),
                x, randn(24, 3), randn(25, 3), randn(26, 3));
        CudaParity.check("batchNorm tiny eps (native)", t -> Normalization.batchNorm(t[0], null, null, t[1], t[2], true, 0.1, 1e-9), 10,
                x, randn(27, 3), randn(28, 3));
        try (Scope ignored = Scope.open()) {
            Tensor meanC = Tensor.zeros(3);
            Tensor varC = Tensor.ones(3);
            Tensor meanG = meanC.to(gpu);
            Tensor varG = varC.to(gpu);
            Normalization.batchNorm(x, meanC, varC, null, null, true);
            Normalization.batchNorm(x.to(gpu), meanG, varG, null, null, true);
            CudaParity.assertClose("running mean", meanC, meanG, 1);
            CudaParity.assertClose("running var (unbiased)", varC, varG, 1);
        }
    }

    @Test
    void rowNormsAndLocalResponseNorm() {
        Tensor x = randn(29, 3, 4, 5, 6);
        CudaParity.check("layerNorm", t -> Normalization.layerNorm(t[0], new long[] {5, 6}, t[1], t[2], 1e-5), 10, x, randn(30, 5, 6), randn(31, 5, 6));
        CudaParity.check("groupNorm", t -> Normalization.groupNorm(t[0], 2, t[1], t[2], 1e-5), 10, x, randn(32, 4), randn(33, 4));
        CudaParity.check("instanceNorm", t -> Normalization.instanceNorm(t[0], null, null, null, null, true, 0.1, 1e-5), 10, x);
        CudaParity.check("LRN odd (cuDNN)", t -> Normalization.localResponseNorm(t[0], 3), 10, x);
        CudaParity.check("LRN even (native)", t -> Normalization.localResponseNorm(t[0], 4, 2e-4, 0.75, 2), 10, x);
        CudaParity.check("LRN beta outside cuDNN's range", t -> Normalization.localResponseNorm(t[0], 5, 1e-3, 0.005, 1), 10, x);
    }
}
