package dev.panamax.ops;

import static dev.panamax.ops.PoolMaxTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import org.junit.jupiter.api.Test;

/** Average, adaptive and global pooling. */
class PoolAvgTest {
    private final Generator gen = new Generator(505);

    private void checkAvg(String name, long[] shape, PoolOptions o, boolean countIncludePad, int divisorOverride, int p, int q) {
        Window w = new Window(o.kernelH(), o.kernelW(), o.strideH(), o.strideW(), o.padH(), o.padW(), 1, 1);
        OpCheck.check(name, t -> divisorOverride == 0 ? Pooling.avgPool2d(t[0], o, countIncludePad)
                        : Pooling.avgPool2d(t[0], o, countIncludePad, divisorOverride),
                r -> RefPool.avgPool2d(r[0], w, p, q, countIncludePad, divisorOverride), Tensor.randn(gen, shape));
    }

    @Test
    void averageWithAndWithoutPaddingInTheDivisor() {
        try (Scope s = Scope.open()) {
            checkAvg("avg 2x2", new long[] {2, 1, 4, 6}, PoolOptions.kernel(2), true, 0, 2, 3);
            checkAvg("avg 3/2 p1 include pad", new long[] {1, 1, 5, 7}, PoolOptions.kernel(3).stride(2).padding(1), true, 0, 3, 4);
            checkAvg("avg 3/2 p1 exclude pad", new long[] {1, 1, 5, 7}, PoolOptions.kernel(3).stride(2).padding(1), false, 0, 3, 4);
            checkAvg("avg 2x3 s(1,2) p(1,1)", new long[] {1, 2, 4, 7}, new PoolOptions(2, 3, 1, 2, 1, 1, 1, 1, false), false, 0, 5, 4);
        }
    }

    @Test
    void ceilModeWindowsAreClippedToThePaddedInput() {
        try (Scope s = Scope.open()) {
            // 6x6, 3/2 p1 ceil: 4x4 windows, the last starting at 5 covers rows 5..7 clipped to 5..6 (size 2 with padding)
            checkAvg("avg ceil include pad", new long[] {1, 1, 6, 6}, PoolOptions.kernel(3).stride(2).padding(1).ceilMode(true), true, 0, 4, 4);
            checkAvg("avg ceil exclude pad", new long[] {1, 1, 6, 6}, PoolOptions.kernel(3).stride(2).padding(1).ceilMode(true), false, 0, 4, 4);
            checkAvg("avg 2/2 ceil", new long[] {1, 1, 5, 5}, PoolOptions.kernel(2).ceilMode(true), true, 0, 3, 3);
            // PyTorch: avg_pool2d(ones(1,1,6,6), 3, 2, 1, ceil_mode=True) row 0 = [4/9, 6/9, 6/9, 1/3]; corner 1/4
            float[] y = Pooling.avgPool2d(Tensor.ones(1, 1, 6, 6), PoolOptions.kernel(3).stride(2).padding(1).ceilMode(true)).toFloatArray();
            assertArrayEquals(new float[] {4 / 9f, 6 / 9f, 6 / 9f, 1 / 3f}, java.util.Arrays.copyOf(y, 4), 1e-6f);
            assertEquals(0.25f, y[15], 1e-6f);
            // PyTorch: avg_pool2d(ones(1,1,5,5), 2, 2, ceil_mode=True) is all ones (the clipped windows divide by their 1 or 2 elements)
            float[] z = Pooling.avgPool2d(Tensor.ones(1, 1, 5, 5), PoolOptions.kernel(2).ceilMode(true)).toFloatArray();
            assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, z, 1e-6f);
        }
    }

    @Test
    void divisorOverride() {
        try (Scope s = Scope.open()) {
            checkAvg("avg divisor 3", new long[] {1, 2, 5, 5}, PoolOptions.kernel(3).stride(2).padding(1), true, 3, 3, 3);
            // PyTorch accepts any non-zero divisor, negative too
            checkAvg("avg divisor -2", new long[] {1, 1, 4, 4}, PoolOptions.kernel(2), false, -2, 2, 2);
        }
    }

    @Test
    void nonContiguousAndUnbatchedInputs() {
        try (Scope s = Scope.open()) {
            Window w = Window.of(2, 2, 0);
            OpCheck.check("avg strided", t -> Pooling.avgPool2d(OpCheck.strided(t[0]), PoolOptions.kernel(2)),
                    r -> RefPool.avgPool2d(r[0], w, 2, 3, true, 0), Tensor.randn(gen, 1, 2, 4, 6));
            OpCheck.check("avg permuted", t -> Pooling.avgPool2d(t[0].permute(1, 0, 2, 3), PoolOptions.kernel(2)),
                    r -> RefPool.avgPool2d(PoolMaxTest.swapBatchAndChannels(r[0]), w, 2, 2, true, 0), Tensor.randn(gen, 3, 1, 4, 5));
            OpCheck.check("avg unbatched", t -> {
                try (Tensor y = Pooling.avgPool2d(t[0], 2)) {
                    assertEquals(3, y.rank());
                    return y.unsqueeze(0);
                }
            }, r -> RefPool.avgPool2d(new Ref(r[0].data, 1, 3, 4, 4), w, 2, 2, true, 0), Tensor.randn(gen, 3, 4, 4));
        }
    }

    /** Rows longer than a vector with every stride kind and ragged tails; the backward by the adjoint identity. */
    @Test
    void vectorPathsMatchTheReference() {
        try (Scope s = Scope.open()) {
            for (int width : new int[] {15, 16, 33, 71}) {
                for (int stride : new int[] {1, 2, 3}) {
                    for (boolean includePad : new boolean[] {true, false}) {
                        PoolOptions o = PoolOptions.kernel(3).stride(stride).padding(1).ceilMode(true);
                        int p = (int) PoolGeometry.outputSize(7, 3, stride, 1, 1, true);
                        int q = (int) PoolGeometry.outputSize(width, 3, stride, 1, 1, true);
                        Tensor x = Tensor.randn(gen, 2, 3, 7, width);
                        Ref expected = RefPool.avgPool2d(Ref.of(x), Window.of(3, stride, 1), p, q, includePad, 0);
                        String what = "avg width " + width + " stride " + stride + (includePad ? " include pad" : "");
                        OpCheck.assertClose(what, expected, Ref.of(Pooling.avgPool2d(x, o, includePad)), 1e-6, 1e-5);
                        assertAdjoint(what, x, xr -> Pooling.avgPool2d(xr, o, includePad));
                    }
                }
            }
        }
    }

    /** <op(x), gy> = <x, op'ᵀ(gy)> for a linear op, in double. */
    private void assertAdjoint(String what, Tensor x, java.util.function.Function<Tensor, Tensor> op) {
        Tensor xr = x.alias().requiresGrad(true);
        Tensor y = op.apply(xr);
        Tensor gy = Tensor.randn(gen, y.shape().toArray());
        y.backward(gy);
        double lhs = y.to(DType.FLOAT64).mul(gy.to(DType.FLOAT64)).sum().item();
        double rhs = x.to(DType.FLOAT64).mul(xr.grad().to(DType.FLOAT64)).sum().item();
        assertEquals(lhs, rhs, 1e-5 * (1 + Math.abs(lhs)), what + " adjoint");
    }

    @Test
    void adaptiveAveragePooling() {
        try (Scope s = Scope.open()) {
            // windows [floor(i·5/3), ceil((i+1)·5/3)): rows 0-1, 1-3, 3-4; columns of 7 into 4: 0-1, 1-3, 3-5, 5-6
            OpCheck.check("adaptive avg 3x4", t -> Pooling.adaptiveAvgPool2d(t[0], 3, 4),
                    r -> RefPool.adaptiveAvgPool2d(r[0], 3, 4), Tensor.randn(gen, 1, 1, 5, 7));
            // an output larger than the input: overlapping windows of one or two elements
            OpCheck.check("adaptive avg upsampling", t -> Pooling.adaptiveAvgPool2d(t[0], 5, 4),
                    r -> RefPool.adaptiveAvgPool2d(r[0], 5, 4), Tensor.randn(gen, 1, 2, 3, 3));
            OpCheck.check("adaptive avg strided unbatched", t -> {
                try (Tensor y = Pooling.adaptiveAvgPool2d(OpCheck.strided(t[0]), 2)) {
                    return y.unsqueeze(0);
                }
            }, r -> RefPool.adaptiveAvgPool2d(new Ref(r[0].data, 1, 2, 5, 5), 2, 2), Tensor.randn(gen, 2, 5, 5));
            // PyTorch: adaptive_avg_pool2d(arange(25).view(1,1,5,5), (3,2)) = [[3.5, 5.5], [11, 13], [18.5, 20.5]]
            Tensor x = Tensor.arange(0, 25, 1, DType.FLOAT32).view(1, 1, 5, 5);
            assertArrayEquals(new float[] {3.5f, 5.5f, 11, 13, 18.5f, 20.5f}, Pooling.adaptiveAvgPool2d(x, 3, 2).toFloatArray(), 1e-6f);
        }
    }

    @Test
    void adaptiveMaxPooling() {
        try (Scope s = Scope.open()) {
            OpCheck.check("adaptive max 3x4", t -> Pooling.adaptiveMaxPool2d(t[0], 3, 4),
                    r -> RefPool.adaptiveMaxPool2d(r[0], 3, 4)[0], Tensor.randn(gen, 1, 1, 5, 7));
            for (int width : new int[] {9, 40}) {
                Tensor x = Tensor.randn(gen, 2, 3, 11, width);
                Ref[] expected = RefPool.adaptiveMaxPool2d(Ref.of(x), 4, 7);
                for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                    ValuesIndices r = Pooling.adaptiveMaxPool2dWithIndices(x.to(t), 4, 7);
                    OpCheck.assertClose("adaptive max values " + t.pyName(), expected[0], Ref.of(r.values()), 0, 0);
                    OpCheck.assertClose("adaptive max indices " + t.pyName(), expected[1], Ref.of(r.indices()), 0, 0);
                }
            }
            // PyTorch: ties pick the first, NaNs the last
            Tensor ties = Tensor.of(new float[] {0, 5, 5, 0}, 1, 1, 2, 2);
            assertEquals(1, Pooling.adaptiveMaxPool2dWithIndices(ties, 1, 1).indices().item());
            Tensor nans = Tensor.of(new float[] {Float.NaN, 5, Float.NaN, 0}, 1, 1, 2, 2);
            assertEquals(2, Pooling.adaptiveMaxPool2dWithIndices(nans, 1, 1).indices().item());
        }
    }

    @Test
    void globalPooling() {
        try (Scope s = Scope.open()) {
            OpCheck.check("global avg", t -> Pooling.globalAvgPool2d(t[0]), r -> RefPool.adaptiveAvgPool2d(r[0], 1, 1),
                    Tensor.randn(gen, 2, 3, 3, 3));
            OpCheck.check("global max", t -> Pooling.globalMaxPool2d(t[0]), r -> RefPool.adaptiveMaxPool2d(r[0], 1, 1)[0],
                    Tensor.randn(gen, 2, 3, 3, 3));
            Tensor x = Tensor.randn(gen, 2, 5, 13, 37);
            OpCheck.assertClose("global avg large", RefPool.adaptiveAvgPool2d(Ref.of(x), 1, 1), Ref.of(Pooling.globalAvgPool2d(x)), 1e-6, 1e-5);
            assertAdjoint("global avg large", x, Pooling::globalAvgPool2d);
            assertAdjoint("adaptive avg large", x, xr -> Pooling.adaptiveAvgPool2d(xr, 5, 6));
            assertArrayEquals(new long[] {2, 5, 1, 1}, Pooling.globalMaxPool2d(x).shape().toArray());
        }
    }

    @Test
    void emptyOutputsAndBatches() {
        try (Scope s = Scope.open()) {
            // PyTorch allows an output size of 0 for adaptive pooling, and an empty batch everywhere
            Tensor x = Tensor.randn(gen, 1, 2, 4, 4).requiresGrad(true);
            Tensor y = Pooling.adaptiveAvgPool2d(x, 0, 3);
            assertArrayEquals(new long[] {1, 2, 0, 3}, y.shape().toArray());
            y.sum().backward();
            assertEquals(0, x.grad().abs().sum().item());
            assertArrayEquals(new long[] {0, 2, 2, 2}, Pooling.avgPool2d(Tensor.zeros(0, 2, 4, 4), 2).shape().toArray());
            assertArrayEquals(new long[] {0, 2, 2, 2}, Pooling.maxPool2d(Tensor.zeros(0, 2, 4, 4), 2).shape().toArray());
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 4, 16, 20, 36).requiresGrad(true);
            float[][] one = run(x, 1);
            float[][] two = run(x, 2);
            for (int i = 0; i < one.length; i++) {
                assertArrayEquals(one[i], two[i]);
            }
        }
    }

    private static float[][] run(Tensor x, int threads) {
        return CpuThreads.call(threads, () -> {
            x.zeroGrad();
            Tensor a = Pooling.avgPool2d(x, PoolOptions.kernel(3).stride(2).padding(1), false);
            Tensor b = Pooling.adaptiveAvgPool2d(x, 7, 5);
            a.pow(2).sum().add(b.pow(2).sum()).backward();
            return new float[][] {a.toFloatArray(), b.toFloatArray(), x.grad().toFloatArray()};
        });
    }

    @Test
    void badArgumentsAreNamed() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(1, 2, 5, 5);
            assertMessage(() -> Pooling.avgPool2d(x, PoolOptions.kernel(2).dilation(2)),
                    "avgPool2d: dilation is not supported (PyTorch's avg_pool2d has none), got 2x2");
            assertMessage(() -> Pooling.avgPool2d(x, PoolOptions.kernel(2), true, 0), "avgPool2d: divisorOverride must not be zero");
            assertMessage(() -> Pooling.avgPool2d(x, PoolOptions.kernel(2).padding(2)), "avgPool2d: padding 2x2 must be non-negative and at most half");
            assertMessage(() -> Pooling.avgPool2d(x, 6), "avgPool2d: input [1, 2, 5, 5] is too small for kernel 6x6");
            assertMessage(() -> Pooling.adaptiveAvgPool2d(x, -1, 2), "adaptiveAvgPool2d: output size must be non-negative, got -1x2");
            assertMessage(() -> Pooling.adaptiveMaxPool2d(Tensor.zeros(1, 2, 0, 5), 2, 2), "adaptiveMaxPool2d: input [1, 2, 0, 5] must have non-zero");
            assertMessage(() -> Pooling.globalAvgPool2d(Tensor.zeros(2, 5)), "adaptiveAvgPool2d: input must be [N, C, H, W] or [C, H, W], got [2, 5]");
        }
    }
}
