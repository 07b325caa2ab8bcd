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
import dev.panamax.testing.RefConv;
import org.junit.jupiter.api.Test;

class ConvolutionTest {
    private final Generator gen = new Generator(2024);

    private void checkConv(String name, long[] xShape, long[] wShape, boolean bias, ConvOptions o,
                           int pt, int pl, int p, int q) {
        Tensor x = Tensor.randn(gen, xShape);
        Tensor w = Tensor.randn(gen, wShape);
        Tensor b = bias ? Tensor.randn(gen, wShape[0]) : null;
        Tensor[] inputs = bias ? new Tensor[] {x, w, b} : new Tensor[] {x, w};
        OpCheck.check(name, t -> Convolution.conv2d(t[0], t[1], bias ? t[2] : null, o),
                r -> RefConv.conv2d(r[0], r[1], bias ? r[2] : null, o.strideH(), o.strideW(), pt, pl,
                        o.dilationH(), o.dilationW(), o.groups(), p, q), inputs);
    }

    @Test
    void paddedThreeByThree() {
        try (Scope s = Scope.open()) {
            checkConv("conv 3x3 p1", new long[] {2, 3, 5, 6}, new long[] {4, 3, 3, 3}, true, ConvOptions.DEFAULT.padding(1), 1, 1, 5, 6);
        }
    }

    @Test
    void strideDilationAndPaddingLargerThanHalfTheKernel() {
        try (Scope s = Scope.open()) {
            checkConv("conv s(2,1) d(2,1) p(3,1)", new long[] {1, 2, 7, 9}, new long[] {3, 2, 3, 2}, true,
                    ConvOptions.DEFAULT.stride(2, 1).dilation(2, 1).padding(3, 1), 3, 1, 5, 10);
        }
    }

    @Test
    void groupedAndDepthwise() {
        try (Scope s = Scope.open()) {
            checkConv("conv groups 2", new long[] {2, 4, 5, 5}, new long[] {6, 2, 3, 3}, false, ConvOptions.DEFAULT.groups(2), 0, 0, 3, 3);
            checkConv("conv depthwise", new long[] {1, 3, 6, 6}, new long[] {3, 1, 3, 3}, true,
                    ConvOptions.DEFAULT.groups(3).padding(1).stride(2), 1, 1, 3, 3);
        }
    }

    @Test
    void pointwiseTakesTheGemmPath() {
        try (Scope s = Scope.open()) {
            checkConv("conv 1x1", new long[] {2, 5, 4, 3}, new long[] {7, 5, 1, 1}, true, ConvOptions.DEFAULT, 0, 0, 4, 3);
            checkConv("conv 1x1 stride 2", new long[] {1, 3, 5, 5}, new long[] {2, 3, 1, 1}, false, ConvOptions.DEFAULT.stride(2), 0, 0, 3, 3);
        }
    }

    @Test
    void samePaddingWithAnEvenKernelPadsMoreAtTheEnd() {
        try (Scope s = Scope.open()) {
            // PyTorch: total padding d·(k-1) = 3 rows, 1 before and 2 after; 1 column, 0 before and 1 after
            checkConv("conv same", new long[] {1, 2, 5, 4}, new long[] {3, 2, 4, 2}, true, ConvOptions.DEFAULT.padding("same"), 1, 0, 5, 4);
            checkConv("conv valid", new long[] {1, 2, 5, 4}, new long[] {3, 2, 4, 2}, false, ConvOptions.DEFAULT.padding("valid"), 0, 0, 2, 3);
        }
    }

    @Test
    void conv1dIsConv2dOverOneRow() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 2, 3, 10);
            Tensor w = Tensor.randn(gen, 4, 3, 3);
            Tensor b = Tensor.randn(gen, 4);
            OpCheck.check("conv1d", t -> Convolution.conv1d(t[0], t[1], t[2], ConvOptions.DEFAULT.stride(2).padding(1)), r -> {
                Ref x4 = new Ref(r[0].data, 2, 3, 1, 10);
                Ref w4 = new Ref(r[1].data, 4, 3, 1, 3);
                Ref y = RefConv.conv2d(x4, w4, r[2], 1, 2, 0, 1, 1, 1, 1, 1, 5);
                return new Ref(y.data, 2, 4, 5);
            }, x, w, b);
        }
    }

    @Test
    void transposedConvolutionWithOutputPadding() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 1, 4, 3, 4);
            Tensor w = Tensor.randn(gen, 4, 3, 3, 2);
            Tensor b = Tensor.randn(gen, 6);
            ConvOptions o = ConvOptions.DEFAULT.stride(2).padding(1).outputPadding(1).groups(2);
            // (3-1)*2 - 2 + 1*(3-1) + 1 + 1 = 6 rows, (4-1)*2 - 2 + 1 + 1 + 1 = 7 columns
            OpCheck.check("convTranspose2d", t -> Convolution.convTranspose2d(t[0], t[1], t[2], o),
                    r -> RefConv.convTranspose2d(r[0], r[1], r[2], 2, 2, 1, 1, 1, 1, 2, 6, 7), x, w, b);
        }
    }

    @Test
    void nonContiguousInputsAndUnbatched() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 3, 2, 5, 4); // used as [2, 3, 5, 4] through a permute
            Tensor w = Tensor.randn(gen, 2, 3, 2, 2);
            OpCheck.check("conv permuted input", t -> Convolution.conv2d(t[0].permute(1, 0, 2, 3), t[1], null, ConvOptions.DEFAULT),
                    r -> {
                        Ref xp = Ref.zeros(2, 3, 5, 4);
                        for (int i = 0; i < xp.numel(); i++) {
                            long[] idx = xp.unravel(i);
                            xp.data[i] = r[0].get(idx[1], idx[0], idx[2], idx[3]);
                        }
                        return RefConv.conv2d(xp, r[1], null, 1, 1, 0, 0, 1, 1, 1, 4, 3);
                    }, x, w);
            Tensor single = Tensor.randn(gen, 3, 5, 4);
            Tensor y = Convolution.conv2d(single, w, null, ConvOptions.DEFAULT);
            assertArrayEquals(new long[] {2, 4, 3}, y.shape().toArray());
        }
    }

    /** Band splitting (more than one im2col band per image) checked by the adjoint identity. */
    @Test
    void largeConvolutionMatchesReferenceAndItsAdjoints() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 1, 64, 40, 40);
            Tensor w = Tensor.randn(gen, 16, 64, 3, 3);
            ConvOptions o = ConvOptions.DEFAULT.padding(1);
            Tensor y = Convolution.conv2d(x, w, null, o);
            Ref expected = RefConv.conv2d(Ref.of(x), Ref.of(w), null, 1, 1, 1, 1, 1, 1, 1, 40, 40);
            OpCheck.assertClose("large conv forward", expected, Ref.of(y), 1e-3, 1e-4);
            // <conv(x), gy> = <x, gx> and = <w, gw> for gx, gw the backward of gy
            Tensor gy = Tensor.randn(gen, 1, 16, 40, 40);
            Tensor xr = x.alias().requiresGrad(true);
            Tensor wr = w.alias().requiresGrad(true);
            Convolution.conv2d(xr, wr, null, o).backward(gy);
            double lhs = y.to(DType.FLOAT64).mul(gy.to(DType.FLOAT64)).sum().item();
            double viaX = x.to(DType.FLOAT64).mul(xr.grad().to(DType.FLOAT64)).sum().item();
            double viaW = w.to(DType.FLOAT64).mul(wr.grad().to(DType.FLOAT64)).sum().item();
            assertEquals(lhs, viaX, 1e-4 * Math.abs(lhs) + 1e-2);
            assertEquals(lhs, viaW, 1e-4 * Math.abs(lhs) + 1e-2);
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 4, 8, 12, 12).requiresGrad(true);
            Tensor w = Tensor.randn(gen, 6, 4, 3, 3).requiresGrad(true);
            float[][] one = run(x, w, 1);
            float[][] two = run(x, w, 2);
            for (int i = 0; i < one.length; i++) {
                assertArrayEquals(one[i], two[i]);
            }
        }
    }

    private static float[][] run(Tensor x, Tensor w, int threads) {
        return CpuThreads.call(threads, () -> {
            x.zeroGrad();
            w.zeroGrad();
            Tensor y = Convolution.conv2d(x, w, null, ConvOptions.DEFAULT.groups(2).padding(1));
            y.pow(2).sum().backward();
            return new float[][] {y.toFloatArray(), x.grad().toFloatArray(), w.grad().toFloatArray()};
        });
    }

    @Test
    void badArgumentsAreNamed() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(1, 4, 5, 5);
            assertMessage(() -> Convolution.conv2d(x, Tensor.zeros(3, 2, 3, 3), null, ConvOptions.DEFAULT.groups(2)), "divisible by groups");
            assertMessage(() -> Convolution.conv2d(x, Tensor.zeros(4, 3, 3, 3), null, ConvOptions.DEFAULT), "input channels");
            assertMessage(() -> Convolution.conv2d(x, Tensor.zeros(2, 4, 7, 7), null, ConvOptions.DEFAULT), "larger than the padded input");
            assertMessage(() -> Convolution.conv2d(x, Tensor.zeros(2, 4, 3, 3), null, ConvOptions.DEFAULT.stride(-1)), "stride must be positive");
            assertMessage(() -> Convolution.conv2d(x, Tensor.zeros(2, 4, 3, 3), Tensor.zeros(3), ConvOptions.DEFAULT), "bias must be 1-D of size 2");
            assertMessage(() -> Convolution.conv2d(x, Tensor.zeros(2, 4, 3, 3), null, ConvOptions.DEFAULT.padding("same").stride(2)), "not supported for strided");
            assertMessage(() -> Convolution.conv2d(Tensor.zeros(4, 5), Tensor.zeros(2, 4, 3, 3), null, ConvOptions.DEFAULT), "[N, C, H, W]");
            assertMessage(() -> Convolution.conv2d(x, Tensor.zeros(DType.FLOAT64, 2, 4, 3, 3), null, ConvOptions.DEFAULT), "one dtype");
            assertMessage(() -> Convolution.convTranspose2d(x, Tensor.zeros(4, 2, 3, 3), null, ConvOptions.DEFAULT.stride(2).outputPadding(2)),
                    "output padding");
            assertThrows(IllegalArgumentException.class, () -> ConvOptions.DEFAULT.padding("full"));
        }
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
