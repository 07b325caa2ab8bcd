package dev.panamax.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class PoolMaxTest {
    private final Generator gen = new Generator(404);

    private void check(String name, long[] shape, PoolOptions o, Window w, int p, int q) {
        check(name, Tensor.randn(gen, shape), t -> Pooling.maxPool2d(t, o), w, p, q);
    }

    private void check(String name, Tensor x, Function<Tensor, Tensor> op, Window w, int p, int q) {
        OpCheck.check(name, t -> op.apply(t[0]), r -> RefPool.maxPool2d(r[0], w, p, q)[0], x);
    }

    @Test
    void nonOverlappingTwoByTwo() {
        try (Scope s = Scope.open()) {
            check("max 2x2", new long[] {2, 1, 4, 6}, PoolOptions.kernel(2), Window.of(2, 2, 0), 2, 3);
        }
    }

    @Test
    void overlappingAlexNetWindowsWithOddSizes() {
        try (Scope s = Scope.open()) {
            // AlexNet's 3/2 pooling: (7 - 3) / 2 + 1 = 3 rows, (9 - 3) / 2 + 1 = 4 columns
            check("max 3/2", new long[] {1, 1, 7, 9}, PoolOptions.kernel(3).stride(2), Window.of(3, 2, 0), 3, 4);
        }
    }

    @Test
    void paddingAndCeilModeEdgeWindows() {
        try (Scope s = Scope.open()) {
            // columns: floor((6 + 2 - 3) / 2) + 1 = 3, ceil mode 4 (the last window starts at column 5, inside the input)
            check("max 3/2 p1 ceil", new long[] {1, 2, 5, 6}, PoolOptions.kernel(3).stride(2).padding(1).ceilMode(true),
                    Window.of(3, 2, 1), 3, 4);
            // rows: ceil((5 - 2) / 2) + 1 = 3, the last window clipped to one row
            check("max 2/2 ceil", new long[] {1, 2, 5, 6}, PoolOptions.kernel(2).ceilMode(true), Window.of(2, 2, 0), 3, 3);
            // rows: ceil((5 + 2 - 2) / 2) + 1 = 4, but the 4th window would start at row 5, in the bottom padding: dropped
            check("max 2/2 p1 ceil", new long[] {1, 2, 5, 6}, PoolOptions.kernel(2).padding(1).ceilMode(true), Window.of(2, 2, 1), 3, 4);
        }
    }

    @Test
    void dilationAndAsymmetricWindows() {
        try (Scope s = Scope.open()) {
            PoolOptions o = new PoolOptions(2, 3, 1, 2, 1, 1, 2, 1, false);
            // rows: (6 + 2 - 2·1 - 1) / 1 + 1 = 6; columns: (7 + 2 - 2 - 1) / 2 + 1 = 4
            check("max dilated", new long[] {1, 1, 6, 7}, o, new Window(2, 3, 1, 2, 1, 1, 2, 1), 6, 4);
        }
    }

    @Test
    void sizeOneDimsAndUnbatchedInput() {
        try (Scope s = Scope.open()) {
            check("max 1x1 kernel", new long[] {1, 1, 1, 5}, PoolOptions.kernel(1), Window.of(1, 1, 0), 1, 5);
            OpCheck.check("max unbatched", t -> {
                try (Tensor y = Pooling.maxPool2d(t[0], PoolOptions.kernel(2))) {
                    assertEquals(3, y.rank());
                    return y.unsqueeze(0);
                }
            }, r -> RefPool.maxPool2d(new Ref(r[0].data, 1, 3, 4, 4), Window.of(2, 2, 0), 2, 2)[0], Tensor.randn(gen, 3, 4, 4));
        }
    }

    @Test
    void nonContiguousInputs() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 3, 1, 5, 4); // used as [1, 3, 5, 4] through a permute
            OpCheck.check("max permuted", t -> Pooling.maxPool2d(t[0].permute(1, 0, 2, 3), PoolOptions.kernel(2).stride(1)),
                    r -> RefPool.maxPool2d(swapBatchAndChannels(r[0]), Window.of(2, 1, 0), 4, 3)[0], x);
            check("max strided", Tensor.randn(gen, 1, 2, 5, 5), t -> Pooling.maxPool2d(OpCheck.strided(t), PoolOptions.kernel(3).padding(1).stride(2)),
                    Window.of(3, 2, 1), 3, 3);
            // columns 1..6 of 7: an offset view with a row stride of 7
            OpCheck.check("max sliced", t -> Pooling.maxPool2d(t[0].slice(3, 1, 7, 1), PoolOptions.kernel(2)),
                    r -> RefPool.maxPool2d(dropFirstColumn(r[0]), Window.of(2, 2, 0), 3, 3)[0], Tensor.randn(gen, 1, 1, 6, 7));
        }
    }

    private static Ref dropFirstColumn(Ref x) {
        Ref y = Ref.zeros(x.shape[0], x.shape[1], x.shape[2], x.shape[3] - 1);
        for (int i = 0; i < y.numel(); i++) {
            long[] idx = y.unravel(i);
            y.data[i] = x.get(idx[0], idx[1], idx[2], idx[3] + 1);
        }
        return y;
    }

    static Ref swapBatchAndChannels(Ref x) {
        Ref y = Ref.zeros(x.shape[1], x.shape[0], x.shape[2], x.shape[3]);
        for (int i = 0; i < y.numel(); i++) {
            long[] idx = y.unravel(i);
            y.data[i] = x.get(idx[1], idx[0], idx[2], idx[3]);
        }
        return y;
    }

    /** Rows longer than a vector, with every stride kind (plain, de-interleaved, gathered) and ragged tails. */
    @Test
    void vectorPathsMatchTheReferenceExactly() {
        try (Scope s = Scope.open()) {
            for (int width : new int[] {15, 16, 17, 33, 64, 71}) {
                for (int stride : new int[] {1, 2, 3}) {
                    Tensor x = Tensor.randn(gen, 2, 3, 9, width);
                    PoolOptions o = PoolOptions.kernel(3).stride(stride).padding(1);
                    int p = (9 + 2 - 3) / stride + 1;
                    int q = (width + 2 - 3) / stride + 1;
                    Ref[] expected = RefPool.maxPool2d(Ref.of(x), Window.of(3, stride, 1), p, q);
                    ValuesIndices r = Pooling.maxPool2dWithIndices(x, o);
                    String what = "width " + width + " stride " + stride;
                    OpCheck.assertClose(what + " values", expected[0], Ref.of(r.values()), 0, 0);
                    OpCheck.assertClose(what + " indices", expected[1], Ref.of(r.indices()), 0, 0);
                    OpCheck.assertClose(what + " values only", expected[0], Ref.of(Pooling.maxPool2d(x, o)), 0, 0);
                }
            }
        }
    }

    @Test
    void largeBackwardRoutesEveryGradientToItsIndex() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 2, 4, 23, 37).requiresGrad(true);
            ValuesIndices r = Pooling.maxPool2dWithIndices(x, PoolOptions.kernel(3).stride(2).padding(1));
            Tensor gy = Tensor.randn(gen, r.values().shape().toArray());
            r.values().backward(gy);
            Ref expected = Ref.zeros(x.shape().toArray());
            Ref idx = Ref.of(r.indices());
            Ref g = Ref.of(gy);
            int plane = 23 * 37;
            int outPlane = (int) (r.values().size(2) * r.values().size(3));
            for (int i = 0; i < idx.numel(); i++) {
                expected.data[i / outPlane * plane + (int) idx.data[i]] += g.data[i];
            }
            OpCheck.assertClose("max backward", expected, Ref.of(x.grad()), 1e-6, 1e-6);
        }
    }

    @Test
    void tiesGoToTheFirstElementAndNaNsToTheLast() {
        try (Scope s = Scope.open()) {
            // PyTorch: [[0, 5], [5, 0]] -> index 1; [[nan, 5], [nan, 0]] -> index 2 (the last NaN)
            assertIndex(new float[] {0, 5, 5, 0}, 5, 1);
            assertIndex(new float[] {Float.NaN, 5, Float.NaN, 0}, Float.NaN, 2);
            assertIndex(new float[] {1, Float.NaN, 7, 7}, Float.NaN, 1);
            // all -inf: the first element of the window (PyTorch's initial index)
            assertIndex(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY,
                    Float.NEGATIVE_INFINITY}, Float.NEGATIVE_INFINITY, 0);
            // ties across vector lanes and window rows: a constant image picks each window's first element
            Tensor ones = Tensor.ones(1, 1, 6, 40);
            Ref[] expected = RefPool.maxPool2d(Ref.of(ones), Window.of(3, 2, 1), 3, 20);
            for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                ValuesIndices r = Pooling.maxPool2dWithIndices(ones.to(t), PoolOptions.kernel(3).stride(2).padding(1));
                OpCheck.assertClose("constant image indices " + t.pyName(), expected[1], Ref.of(r.indices()), 0, 0);
            }
            // the gradient of a tie goes to the recorded index only
            Tensor x = Tensor.of(new float[] {3, 3, 1, 3}, 1, 1, 2, 2).requiresGrad(true);
            Pooling.maxPool2d(x, 2).sum().backward();
            assertArrayEquals(new float[] {1, 0, 0, 0}, x.grad().toFloatArray());
        }
    }

    private static void assertIndex(float[] window, float value, long index) {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            ValuesIndices r = Pooling.maxPool2dWithIndices(Tensor.of(window, 1, 1, 2, 2).to(t), PoolOptions.kernel(2));
            assertEquals(value, (float) r.values().item(), 0, t.pyName());
            assertEquals(index, r.indices().toLongArray()[0], t.pyName());
        }
    }

    @Test
    void unpoolingInvertsPooling() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 1, 2, 4, 6);
            long[] idx;
            idx = Pooling.maxPool2dWithIndices(x, PoolOptions.kernel(2)).indices().toLongArray();
            Tensor indices = Tensor.of(idx, 1, 2, 2, 3);
            Tensor v = Tensor.randn(gen, 1, 2, 2, 3);
            OpCheck.check("maxUnpool2d", t -> Pooling.maxUnpool2d(t[0], t[1], PoolOptions.kernel(2)),
                    r -> RefPool.maxUnpool2d(r[0], r[1], 4, 6), v, indices);
            // an explicit output size larger than the default
            OpCheck.check("maxUnpool2d 5x7", t -> Pooling.maxUnpool2d(t[0], t[1], 5, 7),
                    r -> RefPool.maxUnpool2d(r[0], r[1], 5, 7), v, indices);
            Tensor y = Pooling.maxUnpool2d(v.select(0, 0), indices.select(0, 0), PoolOptions.kernel(2));
            assertArrayEquals(new long[] {2, 4, 6}, y.shape().toArray());
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
            ValuesIndices r = Pooling.maxPool2dWithIndices(x, PoolOptions.kernel(3).stride(2).padding(1));
            r.values().pow(2).sum().backward();
            return new float[][] {r.values().toFloatArray(), r.indices().toFloatArray(), x.grad().toFloatArray()};
        });
    }

    @Test
    void valuesOnlySkipsTheIndicesUnlessABackwardNeedsThem() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 1, 1, 4, 4);
            assertFalse(Pooling.maxPool2d(x, 2).requiresGrad());
            Tensor xr = x.alias().requiresGrad(true);
            Tensor y = Pooling.maxPool2d(xr, 2);
            assertTrue(y.requiresGrad());
            y.sum().backward();
            assertEquals(4, xr.grad().sum().item(), 0);
        }
    }

    @Test
    void badArgumentsAreNamed() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(1, 2, 5, 5);
            assertMessage(() -> Pooling.maxPool2d(x, 3, 2, 2), "maxPool2d: padding 2x2 must be non-negative and at most half the kernel 3x3");
            assertMessage(() -> Pooling.maxPool2d(x, 0), "maxPool2d: kernel size must be positive, got 0x0");
            assertMessage(() -> Pooling.maxPool2d(x, PoolOptions.kernel(2).stride(0)), "maxPool2d: stride must be positive, got 0x0");
            assertMessage(() -> Pooling.maxPool2d(x, PoolOptions.kernel(2).dilation(0)), "maxPool2d: dilation must be positive");
            assertMessage(() -> Pooling.maxPool2d(x, 7), "maxPool2d: input [1, 2, 5, 5] is too small for kernel 7x7");
            assertMessage(() -> Pooling.maxPool2d(Tensor.zeros(5, 5), 2), "maxPool2d: input must be [N, C, H, W] or [C, H, W], got [5, 5]");
            assertMessage(() -> Pooling.maxPool2d(Tensor.zeros(DType.INT64, 1, 1, 4, 4), 2), "maxPool2d: input must be a floating-point tensor");
            assertMessage(() -> Pooling.maxPool2d(Tensor.zeros(1, 0, 4, 4), 2), "non-zero channels, height and width");
            // dilation 3 over 2 rows with padding 1: the window of output row 1 (rows -1 and 2) misses the input
            assertMessage(() -> Pooling.maxPool2d(Tensor.zeros(1, 1, 2, 2), PoolOptions.kernel(2).stride(1).padding(1).dilation(3)),
                    "maxPool2d: the window of output row 0 (input rows -1 to 2 in steps of 3) holds no input element");
            Tensor v = Tensor.zeros(1, 1, 2, 2);
            assertMessage(() -> Pooling.maxUnpool2d(v, Tensor.of(new long[] {0, 1, 2, 16}, 1, 1, 2, 2), 4, 4),
                    "maxUnpool2d: found an invalid max index 16 (the output planes are 4x4)");
            assertMessage(() -> Pooling.maxUnpool2d(v, Tensor.of(new long[] {0, -1, 2, 3}, 1, 1, 2, 2), 4, 4), "invalid max index -1");
            assertMessage(() -> Pooling.maxUnpool2d(v, Tensor.of(new int[] {0, 1, 2, 3}, 1, 1, 2, 2), 4, 4), "maxUnpool2d: indices must be int64");
            assertMessage(() -> Pooling.maxUnpool2d(v, Tensor.of(new long[] {0, 1}, 1, 1, 1, 2), 4, 4),
                    "maxUnpool2d: indices [1, 1, 1, 2] must have the input's shape [1, 1, 2, 2]");
            assertMessage(() -> Pooling.maxUnpool2d(v, Tensor.zeros(DType.INT64, 1, 1, 2, 2), 0, 4), "maxUnpool2d: output size must be positive");
        }
    }

    static void assertMessage(org.junit.jupiter.api.function.Executable call, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
