package dev.panamax.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.backend.Conv2dSpec;
import dev.panamax.backend.cpu.ConvKernels.Direct;
import dev.panamax.ops.ConvOptions;
import dev.panamax.ops.Convolution;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.CpuThreads;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.Ref;
import dev.panamax.testing.RefConv;
import org.junit.jupiter.api.Test;

/**
 * Winograd F(2×2, 3×3) against the double reference: called directly on awkward shapes (which the
 * cost rule leaves to the direct kernels), and through the op where the rule takes it, forward and
 * input gradient; where the rule must and must not take it; and how large its error is.
 */
class WinogradConvTest {
    private final Generator gen = new Generator(31);

    /** The cost rule is measured for 16-float vectors (AVX-512); with others it may choose otherwise. */
    private static final boolean CHOICES_HOLD = ConvMicroKernels.L == 16;

    /** One convolution: input [n, c, h, w], k output channels, symmetric padding, with or without bias. */
    private record Shape(int n, int c, int h, int w, int k, int pad, boolean bias) {
        int p() {
            return h + 2 * pad - 2;
        }

        int q() {
            return w + 2 * pad - 2;
        }
    }

    @Test
    void awkwardShapesMatchTheReference() {
        Shape[] shapes = {
            new Shape(1, 17, 13, 11, 33, 1, true),   // odd sides: the last tiles overhang both ways
            new Shape(3, 33, 9, 15, 17, 2, false),   // padding 2, three images in one block
            new Shape(1, 16, 7, 5, 16, 0, true),     // no padding: 5×3 output
            new Shape(2, 5, 3, 3, 7, 0, true),       // one output pixel per image
            new Shape(3, 20, 30, 31, 23, 1, true),   // many blocks, blocks across images
        };
        try (Scope s = Scope.open()) {
            for (Shape sh : shapes) {
                Tensor x = Tensor.randn(gen, sh.n, sh.c, sh.h, sh.w);
                Tensor w = Tensor.randn(gen, sh.k, sh.c, 3, 3);
                Tensor b = sh.bias ? Tensor.randn(gen, sh.k) : null;
                Ref expected = RefConv.conv2d(Ref.of(x), Ref.of(w), b == null ? null : Ref.of(b), 1, 1, sh.pad, sh.pad, 1, 1, 1,
                        sh.p(), sh.q());
                Tensor one = CpuThreads.call(1, () -> winograd(x, w, b, sh));
                Tensor two = CpuThreads.call(2, () -> winograd(x, w, b, sh));
                OpCheck.assertClose(sh.toString(), expected, Ref.of(one), OpCheck.F32_ATOL, OpCheck.F32_RTOL);
                assertArrayEquals(one.toFloatArray(), two.toFloatArray(), sh + ": 1 and 2 threads");
            }
        }
    }

    private static Tensor winograd(Tensor x, Tensor w, Tensor b, Shape sh) {
        Tensor y = Tensor.full(Double.NaN, sh.n, sh.k, sh.p(), sh.q()); // every output must be written
        ConvProblem pr = ConvProblem.forward(x.operand(), w.operand(), y.operand(), new Conv2dSpec(1, 1, sh.pad, sh.pad, 1, 1, 1));
        WinogradConv.run(pr, CpuBackend.segment(x.operand()), x.operand().offset(), w.toFloatArray(),
                b == null ? null : b.toFloatArray(), CpuBackend.segment(y.operand()), y.operand().offset());
        return y;
    }

    @Test
    void theOpTakesWinogradForwardAndForTheInputGradient() {
        ConvOptions o = ConvOptions.DEFAULT.padding(1);
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 2, 64, 40, 40);
            Tensor w = pytorchDefault(64 * 3 * 3, 64, 64, 3, 3);
            Tensor b = pytorchDefault(64 * 3 * 3, 64);
            Tensor gy = Tensor.randn(gen, 2, 64, 40, 40);
            if (CHOICES_HOLD) {
                ConvProblem pr = ConvProblem.forward(x.operand(), w.operand(), gy.operand(), new Conv2dSpec(1, 1, 1, 1, 1, 1, 1));
                assertEquals(Direct.WINOGRAD, ConvKernels.forwardAlgorithm(x.operand(), pr), "forward");
                assertEquals(Direct.WINOGRAD, ConvKernels.chooseInputGradient(pr), "input gradient");
            }
            Tensor xr = x.alias().requiresGrad(true);
            Tensor y = Convolution.conv2d(xr, w, b, o);
            y.backward(gy);
            Ref expected = RefConv.conv2d(Ref.of(x), Ref.of(w), Ref.of(b), 1, 1, 1, 1, 1, 1, 1, 40, 40);
            OpCheck.assertClose("forward", expected, Ref.of(y), OpCheck.F32_ATOL, OpCheck.F32_RTOL);
            // the input gradient is the convolution of gy with the weights transposed and rotated
            Ref gx = RefConv.conv2d(Ref.of(gy), transposedAndRotated(Ref.of(w)), null, 1, 1, 1, 1, 1, 1, 1, 40, 40);
            OpCheck.assertClose("input gradient", gx, Ref.of(xr.grad()), OpCheck.F32_ATOL, OpCheck.F32_RTOL);
        }
    }

    /** Uniform on ±1/√fanIn, PyTorch's default for convolution weights and biases. */
    private Tensor pytorchDefault(int fanIn, long... shape) {
        return Tensor.rand(gen, shape).sub(0.5).mul(2 / Math.sqrt(fanIn));
    }

    /** w [k, c, 3, 3] as [c, k, 3, 3] rotated by 180 degrees. */
    private static Ref transposedAndRotated(Ref w) {
        Ref t = Ref.zeros(w.shape[1], w.shape[0], 3, 3);
        for (int k = 0; k < w.shape[0]; k++) {
            for (int c = 0; c < w.shape[1]; c++) {
                for (int r = 0; r < 3; r++) {
                    for (int s = 0; s < 3; s++) {
                        t.data[t.index(c, k, r, s)] = w.get(k, c, 2 - r, 2 - s);
                    }
                }
            }
        }
        return t;
    }

    @Test
    void theRuleTakesTheBenchmarkShapeAndLeavesTheOthers() {
        if (!CHOICES_HOLD) {
            return;
        }
        try (Scope s = Scope.open()) {
            assertEquals(Direct.WINOGRAD, algorithm(DType.FLOAT32, 8, 64, 56, 56, 64, 3, ConvOptions.DEFAULT.padding(1)), "c64 56x56");
            assertEquals(Direct.WINOGRAD, algorithm(DType.FLOAT32, 8, 128, 28, 28, 128, 3, ConvOptions.DEFAULT.padding(1)), "c128 28x28");
            ConvProblem bench = problem(DType.FLOAT32, 8, 64, 56, 56, 64, 3, ConvOptions.DEFAULT.padding(1));
            assertEquals(Direct.WINOGRAD, ConvKernels.chooseInputGradient(bench), "c64 56x56 input gradient");
            assertNotEquals(Direct.WINOGRAD, algorithm(DType.FLOAT32, 8, 16, 56, 56, 16, 3, ConvOptions.DEFAULT.padding(1)), "c16");
            assertNotEquals(Direct.WINOGRAD, algorithm(DType.FLOAT32, 2, 512, 7, 7, 512, 3, ConvOptions.DEFAULT.padding(1)), "c512 7x7");
            assertNotEquals(Direct.WINOGRAD, algorithm(DType.FLOAT32, 32, 1, 28, 28, 6, 5, ConvOptions.DEFAULT.padding(2)), "LeNet 5x5");
            assertNotEquals(Direct.WINOGRAD, algorithm(DType.FLOAT32, 8, 3, 224, 224, 64, 7, ConvOptions.DEFAULT.stride(2).padding(3)), "stem 7x7");
            assertNotEquals(Direct.WINOGRAD, algorithm(DType.FLOAT32, 8, 64, 56, 56, 64, 5, ConvOptions.DEFAULT.padding(2)), "5x5");
            assertNotEquals(Direct.WINOGRAD, algorithm(DType.FLOAT32, 8, 64, 56, 56, 64, 3, ConvOptions.DEFAULT.stride(2).padding(1)), "stride 2");
            assertNotEquals(Direct.WINOGRAD, algorithm(DType.FLOAT32, 8, 64, 56, 56, 64, 3, ConvOptions.DEFAULT.dilation(2).padding(2)), "dilation 2");
            assertNotEquals(Direct.WINOGRAD, algorithm(DType.FLOAT32, 8, 64, 56, 56, 64, 3, ConvOptions.DEFAULT.groups(2).padding(1)), "groups 2");
            assertNull(algorithm(DType.FLOAT64, 8, 64, 56, 56, 64, 3, ConvOptions.DEFAULT.padding(1)), "float64: im2col");
        }
    }

    private static ConvProblem problem(DType dtype, int n, int c, int h, int w, int k, int kernel, ConvOptions o) {
        int p = (h + 2 * o.padH() - o.dilationH() * (kernel - 1) - 1) / o.strideH() + 1;
        int q = (w + 2 * o.padW() - o.dilationW() * (kernel - 1) - 1) / o.strideW() + 1;
        var x = Tensor.zeros(dtype, n, c, h, w).operand();
        return ConvProblem.forward(x, Tensor.zeros(dtype, k, c / o.groups(), kernel, kernel).operand(),
                Tensor.zeros(dtype, n, k, p, q).operand(),
                new Conv2dSpec(o.strideH(), o.strideW(), o.padH(), o.padW(), o.dilationH(), o.dilationW(), o.groups()));
    }

    private static Direct algorithm(DType dtype, int n, int c, int h, int w, int k, int kernel, ConvOptions o) {
        return ConvKernels.forwardAlgorithm(Tensor.zeros(dtype, 1).operand(), problem(dtype, n, c, h, w, k, kernel, o));
    }

    /**
     * F(2×2, 3×3)'s rounding on realistic data (normal inputs, PyTorch's default weight and bias
     * scale, 64 channels): its transforms only add, subtract and halve, so it errs about as little
     * as the direct sums (measured: 9e-7 against their 2e-6 on this shape, 3.5e-7 of max|y|). The
     * bounds leave room for other seeds: 1e-6 of max|y|, and a quarter of the float32 tolerance
     * the conv tests use (1e-5 + 1e-4·|y|) on every element.
     */
    @Test
    void errorStaysFarWithinTheFloat32Tolerance() {
        try (Scope s = Scope.open()) {
            Shape sh = new Shape(2, 64, 28, 28, 64, 1, true);
            Tensor x = Tensor.randn(gen, sh.n, sh.c, sh.h, sh.w);
            Tensor w = pytorchDefault(sh.c * 9, sh.k, sh.c, 3, 3);
            Tensor b = pytorchDefault(sh.c * 9, sh.k);
            Ref expected = RefConv.conv2d(Ref.of(x), Ref.of(w), Ref.of(b), 1, 1, 1, 1, 1, 1, 1, sh.p(), sh.q());
            float[] y = winograd(x, w, b, sh).toFloatArray();
            double largest = 0;
            double error = 0;
            double ofTolerance = 0;
            for (int i = 0; i < y.length; i++) {
                double e = expected.data[i];
                largest = Math.max(largest, Math.abs(e));
                error = Math.max(error, Math.abs(y[i] - e));
                ofTolerance = Math.max(ofTolerance, Math.abs(y[i] - e) / (OpCheck.F32_ATOL + OpCheck.F32_RTOL * Math.abs(e)));
            }
            assertTrue(error <= 1e-6 * largest, "max error " + error + " of max|y| " + largest);
            assertTrue(ofTolerance <= 0.25, "max error " + ofTolerance + " of the tolerance");
        }
    }
}
