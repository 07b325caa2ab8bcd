package dev.panamax.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.backend.Conv2dSpec;
import dev.panamax.backend.cpu.ConvKernels.Direct;
import dev.panamax.ops.ConvOptions;
import dev.panamax.ops.Convolution;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.CpuThreads;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.Ref;
import dev.panamax.testing.RefConv;
import org.junit.jupiter.api.Test;

/**
 * Each convolution algorithm, reached by shapes chosen for it (the test asserts the choice):
 * float32 runs the direct kernels, float64 im2col and GEMM, both against the double reference
 * forward and backward, then gradcheck; larger float32 shapes cover several input bands and
 * weight-gradient chunks, and 1 and 2 threads must give the same bits.
 */
class ConvAlgorithmsTest {
    private final Generator gen = new Generator(77);

    /**
     * One convolution and the float32 algorithm expected for each pass (for the input gradient,
     * ROW_VECTORS and CHANNEL_VECTORS run the full convolution).
     */
    private record Case(String name, long[] x, long[] w, boolean bias, ConvOptions o, int pt, int pl, int p, int q,
                        Direct forward, Direct inputGradient, Direct weightGradient) {
        Conv2dSpec spec() {
            return new Conv2dSpec(o.strideH(), o.strideW(), pt, pl, o.dilationH(), o.dilationW(), o.groups());
        }

        long[] y() {
            return new long[] {x[0], w[0], p, q};
        }
    }

    /**
     * 64 channels of 102 padded columns: at most 38 output rows per large band, so 2 bands (and
     * weight-gradient items) per image.
     */
    private static final Case ROWS_IN_BANDS = new Case("rows, 2 bands", new long[] {2, 64, 40, 100}, new long[] {12, 64, 3, 3},
            true, ConvOptions.DEFAULT.padding(1), 1, 1, 40, 100, Direct.ROW_VECTORS, Direct.ROW_VECTORS, Direct.CHANNEL_VECTORS);
    /** 10 output columns in rows of 26 (dilation 16): 37 output rows per band of 64 channels, so 2 bands. */
    private static final Case CHANNELS_IN_BANDS = new Case("channels, 2 bands", new long[] {2, 64, 60, 26}, new long[] {16, 64, 3, 2},
            true, ConvOptions.DEFAULT.dilation(1, 16).padding(1, 0), 1, 0, 60, 10, Direct.CHANNEL_VECTORS, Direct.FOLDED,
            Direct.CHANNEL_VECTORS);
    /** LeNet's first layer. */
    private static final Case LENET_FIRST = new Case("rows, LeNet 1", new long[] {20, 1, 28, 28}, new long[] {6, 1, 5, 5},
            true, ConvOptions.DEFAULT.padding(2), 2, 2, 28, 28, Direct.ROW_VECTORS, Direct.FOLDED, Direct.ROW_VECTORS);
    /** LeNet's second layer with dilated columns, so the choices are clear-cut. */
    private static final Case LENET_SECOND_DILATED = new Case("channels, LeNet 2 dilated", new long[] {20, 6, 14, 14},
            new long[] {16, 6, 5, 5}, true, ConvOptions.DEFAULT.dilation(1, 2), 0, 0, 10, 6, Direct.CHANNEL_VECTORS,
            Direct.ROW_VECTORS, Direct.CHANNEL_VECTORS);

    /** The shapes are chosen for 16-float vectors (AVX-512); with others they run through whichever algorithms fit. */
    private static final boolean CHOICES_HOLD = ConvMicroKernels.L == 16;

    private static void assertAlgorithms(Case c) {
        if (!CHOICES_HOLD) {
            return;
        }
        try (Scope s = Scope.open()) {
            var x = Tensor.zeros(c.x).operand();
            var w = Tensor.zeros(c.w).operand();
            var y = Tensor.zeros(c.y()).operand();
            assertEquals(c.forward, ConvKernels.choose(ConvProblem.forward(x, w, y, c.spec())), c.name + ": forward algorithm");
            assertEquals(c.inputGradient, ConvKernels.chooseInputGradient(ConvProblem.forward(x, w, y, c.spec())),
                    c.name + ": input-gradient algorithm");
            assertEquals(c.weightGradient, ConvKernels.chooseWeightGradient(ConvProblem.forward(x, w, y, c.spec())),
                    c.name + ": weight-gradient algorithm");
        }
    }

    private void check(Case c) {
        assertAlgorithms(c);
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, c.x);
            Tensor w = Tensor.randn(gen, c.w);
            Tensor b = c.bias ? Tensor.randn(gen, c.w[0]) : null;
            Tensor[] inputs = c.bias ? new Tensor[] {x, w, b} : new Tensor[] {x, w};
            OpCheck.check(c.name, t -> Convolution.conv2d(t[0], t[1], c.bias ? t[2] : null, c.o),
                    r -> RefConv.conv2d(r[0], r[1], c.bias ? r[2] : null, c.o.strideH(), c.o.strideW(), c.pt, c.pl,
                            c.o.dilationH(), c.o.dilationW(), c.o.groups(), c.p, c.q), inputs);
        }
    }

    @Test
    void rowVectorsRunOnAcrossRowEnds() {
        // 6 columns in rows of 8 padded columns: vectors span rows; the input gradient is the same kind
        check(new Case("rows, padded", new long[] {2, 2, 5, 6}, new long[] {4, 2, 3, 3}, true, ConvOptions.DEFAULT.padding(1),
                1, 1, 5, 6, Direct.ROW_VECTORS, Direct.ROW_VECTORS, Direct.ROW_VECTORS));
    }

    @Test
    void rowVectorsWithStrideAndDilationFillWholeVectorsPerRow() {
        // stride 2 splits columns by phase (rows 32 apart in the band), so each 6-column row gets its own vector;
        // the input gradient folds into the phase-split layout
        check(new Case("rows, stride 2 dilation 2", new long[] {1, 1, 7, 9}, new long[] {3, 1, 2, 2}, true,
                ConvOptions.DEFAULT.stride(2).dilation(2).padding(2), 2, 2, 5, 6, Direct.ROW_VECTORS, Direct.FOLDED,
                Direct.ROW_VECTORS));
    }

    @Test
    void inputGradientWithPaddingBeyondTheKernelIsAFullConvolutionWithNegativePadding() {
        check(new Case("rows, padding 2 with a 2x2 kernel", new long[] {1, 2, 4, 5}, new long[] {3, 2, 2, 2}, false,
                ConvOptions.DEFAULT.padding(2), 2, 2, 7, 8, Direct.ROW_VECTORS, Direct.ROW_VECTORS, Direct.ROW_VECTORS));
    }

    @Test
    void dilationAndAsymmetricSamePadding() {
        check(new Case("rows, dilation (2,1)", new long[] {1, 2, 6, 7}, new long[] {4, 2, 2, 3}, true,
                ConvOptions.DEFAULT.dilation(2, 1).padding(1, 2), 1, 2, 6, 9, Direct.ROW_VECTORS, Direct.ROW_VECTORS,
                Direct.ROW_VECTORS));
        // an even kernel: PyTorch pads 0 before and 1 after
        check(new Case("rows, same", new long[] {1, 2, 5, 6}, new long[] {3, 2, 2, 2}, false,
                ConvOptions.DEFAULT.padding("same"), 0, 0, 5, 6, Direct.ROW_VECTORS, Direct.ROW_VECTORS, Direct.ROW_VECTORS));
    }

    @Test
    void channelVectorsForNarrowRowsOfManyChannelsInGroups() {
        // 3 output columns in rows of 11 (dilation 8): pixel lanes would be mostly wasted
        check(new Case("channels, groups 2", new long[] {1, 2, 3, 11}, new long[] {32, 1, 1, 2}, true,
                ConvOptions.DEFAULT.groups(2).dilation(1, 8), 0, 0, 3, 3, Direct.CHANNEL_VECTORS, Direct.FOLDED,
                Direct.CHANNEL_VECTORS));
    }

    @Test
    void inputGradientByChannelVectorsOfTheFullConvolution() {
        // 10 input channels of 3 columns in rows of 7: the full convolution puts them in lanes; 2 output channels would fold slowly
        check(new Case("channels, full convolution", new long[] {1, 10, 4, 3}, new long[] {2, 10, 1, 2}, true,
                ConvOptions.DEFAULT.dilation(1, 4).padding(0, 2), 0, 2, 4, 3, Direct.ROW_VECTORS, Direct.CHANNEL_VECTORS,
                Direct.ROW_VECTORS));
    }

    @Test
    void sixtyFourChannelsTakeTheWiderGatheredKernel() {
        if (CHOICES_HOLD) {
            assertEquals(ConvMicroKernels.Gathered.ROWS6_VECTORS4, ChannelVectorConv.shape(9, 64), "forward: 9 pixels, 64 channels");
            assertEquals(ConvMicroKernels.Gathered.ROWS6_VECTORS4, ChannelVectorConv.shape(2, 64), "weight gradient: 2 taps");
            assertEquals(ConvMicroKernels.Gathered.ROWS12_VECTORS1, ChannelVectorConv.shape(9, 16), "16 channels");
        }
        check(new Case("channels, 64", new long[] {1, 1, 3, 11}, new long[] {64, 1, 1, 2}, true,
                ConvOptions.DEFAULT.dilation(1, 8), 0, 0, 3, 3, Direct.CHANNEL_VECTORS, Direct.FOLDED, Direct.CHANNEL_VECTORS));
    }

    @Test
    void channelVectorsWithStrideAndPaddingOnAStridedInput() {
        Case c = new Case("channels, stride 2", new long[] {1, 1, 3, 10}, new long[] {16, 1, 2, 2}, true,
                ConvOptions.DEFAULT.stride(2).padding(1), 1, 1, 2, 6, Direct.CHANNEL_VECTORS, Direct.FOLDED, Direct.CHANNEL_VECTORS);
        check(c);
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, c.x);
            Tensor w = Tensor.randn(gen, c.w);
            OpCheck.check("channels, strided input", t -> Convolution.conv2d(OpCheck.strided(t[0]), t[1], null, c.o),
                    r -> RefConv.conv2d(r[0], r[1], null, 2, 2, 1, 1, 1, 1, 1, c.p, c.q), x, w);
        }
    }

    @Test
    void channelVectorsSumTheWeightGradientOfAStridedConvolution() {
        // one output column in rows 8 apart: the 16 channels' lanes beat the pixels' lanes
        check(new Case("channels, weight gradient", new long[] {2, 1, 3, 4}, new long[] {16, 1, 2, 2}, true,
                ConvOptions.DEFAULT.stride(2), 0, 0, 1, 2, Direct.ROW_VECTORS, Direct.FOLDED, Direct.CHANNEL_VECTORS));
    }

    @Test
    void channelWeightGradientTakesWholeVectorsOfChannelsAndTheRestOneByOne() {
        // 20 output channels: 16 gathered per pixel into the transposed output gradient, 4 copied one by one
        check(new Case("channels, 20 output channels", new long[] {2, 4, 6, 20}, new long[] {20, 4, 3, 3}, true,
                ConvOptions.DEFAULT.dilation(1, 8), 0, 0, 4, 4, Direct.CHANNEL_VECTORS, Direct.FOLDED, Direct.CHANNEL_VECTORS));
    }

    @Test
    void anInfiniteInputReachesOnlyTheWeightGradientsOfTapsThatTouchIt() {
        // rows of 6 columns in a pitch of 8: lanes past a row's end of tap s = 0 read the last column
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 1, 1, 3, 6);
            Tensor w = Tensor.randn(gen, 2, 1, 3, 3);
            ConvOptions o = ConvOptions.DEFAULT.padding(1);
            float[] values = x.toFloatArray();
            values[5 + 6] = Float.POSITIVE_INFINITY; // row 1, last column
            float[] infinite = weightGradient(Tensor.of(values, 1, 1, 3, 6), w, o);
            values[5 + 6] = 0;
            float[] zeroed = weightGradient(Tensor.of(values, 1, 1, 3, 6), w, o);
            for (int i = 0; i < zeroed.length; i++) {
                if (i % 3 == 0) { // taps s = 0 never read column 5 inside a row
                    assertEquals(zeroed[i], infinite[i], "gw[" + i + "]");
                } else {
                    assertEquals(false, Float.isFinite(infinite[i]), "gw[" + i + "]");
                }
            }
        }
    }

    private static float[] weightGradient(Tensor x, Tensor w, ConvOptions o) {
        Tensor wr = w.alias().requiresGrad(true);
        Convolution.conv2d(x, wr, null, o).sum().backward();
        return wr.grad().toFloatArray();
    }

    /** Larger float32 problems: the forward against the reference, both gradients through the adjoint identities. */
    private void checkLarge(Case c) {
        assertAlgorithms(c);
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, c.x);
            Tensor w = Tensor.randn(gen, c.w);
            Tensor y = Convolution.conv2d(x, w, null, c.o);
            Ref expected = RefConv.conv2d(Ref.of(x), Ref.of(w), null, c.o.strideH(), c.o.strideW(), c.pt, c.pl,
                    c.o.dilationH(), c.o.dilationW(), c.o.groups(), c.p, c.q);
            OpCheck.assertClose(c.name + " forward", expected, Ref.of(y), 1e-3, 1e-4);
            Tensor gy = Tensor.randn(gen, c.y());
            Tensor xr = x.alias().requiresGrad(true);
            Tensor wr = w.alias().requiresGrad(true);
            Convolution.conv2d(xr, wr, null, c.o).backward(gy);
            double lhs = expected.dot(Ref.of(gy));
            assertEquals(lhs, Ref.of(x).dot(Ref.of(xr.grad())), 1e-4 * Math.abs(lhs) + 1e-2, c.name + " <x, gx>");
            assertEquals(lhs, Ref.of(w).dot(Ref.of(wr.grad())), 1e-4 * Math.abs(lhs) + 1e-2, c.name + " <w, gw>");
        }
    }

    @Test
    void largerProblemsSpanSeveralBands() {
        try (Scope s = Scope.open()) {
            ConvProblem rows = ConvProblem.forward(Tensor.zeros(ROWS_IN_BANDS.x).operand(), Tensor.zeros(ROWS_IN_BANDS.w).operand(),
                    Tensor.zeros(ROWS_IN_BANDS.y()).operand(), ROWS_IN_BANDS.spec());
            assertTrue(RowVectorConv.plan(rows).band().bands > 1, "rows: forward bands");
            assertTrue(new InputBand(rows, InputBand.LARGE_BAND_FLOATS).bands > 1, "rows: weight-gradient bands");
        }
        checkLarge(ROWS_IN_BANDS);
        checkLarge(CHANNELS_IN_BANDS);
    }

    @Test
    void wideStrideTwoRowsSplitTheirPhasesByVectors() {
        checkLarge(new Case("rows, stride 2, 64 columns", new long[] {1, 3, 20, 64}, new long[] {16, 3, 3, 3}, false,
                ConvOptions.DEFAULT.stride(2).padding(1), 1, 1, 10, 32, Direct.ROW_VECTORS, Direct.FOLDED, Direct.ROW_VECTORS));
        // an odd width with padding beyond the kernel: phase pairs of vectors, the last one moved back, columns left one by one
        checkLarge(new Case("rows, stride 2, 37 columns", new long[] {2, 2, 9, 37}, new long[] {3, 2, 3, 3}, false,
                ConvOptions.DEFAULT.stride(2).padding(4), 4, 4, 8, 22, Direct.ROW_VECTORS, Direct.FOLDED, Direct.ROW_VECTORS));
    }

    /**
     * Rows of whole vectors (q a multiple of 16) are stored straight into the output by the kernels:
     * 2 output channels, and 5 for the input gradient's full convolution (blocks of 4 or 6 channels
     * with rows past the last left unstored), on 5 images, 4 to a task, so the last task has 1, with
     * gradcheck; a 7x7 stride-2 stem with 10 channels; a stride-2 dilated convolution in 2 bands of
     * 64 channels with padding beyond half the kernel; all on 1 and 2 threads.
     */
    @Test
    void wholeVectorRowsAreStoredStraightIntoTheOutput() {
        Case small = new Case("rows into y, 5 images", new long[] {5, 5, 2, 16}, new long[] {2, 5, 3, 3}, true,
                ConvOptions.DEFAULT.padding(1), 1, 1, 2, 16, Direct.ROW_VECTORS, Direct.ROW_VECTORS, Direct.ROW_VECTORS);
        Case stem = new Case("rows into y, stem", new long[] {3, 3, 20, 32}, new long[] {10, 3, 7, 7}, true,
                ConvOptions.DEFAULT.stride(2).padding(3), 3, 3, 10, 16, Direct.ROW_VECTORS, Direct.FOLDED, Direct.ROW_VECTORS);
        Case bands = new Case("rows into y, 2 bands", new long[] {1, 64, 90, 62}, new long[] {7, 64, 3, 3}, true,
                ConvOptions.DEFAULT.stride(2).dilation(2).padding(3), 3, 3, 46, 32, Direct.ROW_VECTORS, Direct.FOLDED,
                Direct.CHANNEL_VECTORS);
        if (CHOICES_HOLD) {
            try (Scope s = Scope.open()) {
                assertEquals(4, plan(small).images(), "5 images: images per task");
                assertTrue(plan(bands).band().bands > 1, "2 bands: bands");
            }
        }
        check(small);
        checkLarge(stem);
        checkLarge(bands);
        try (Scope s = Scope.open()) {
            for (Case c : new Case[] {small, stem, bands}) {
                assertSameOnOneAndTwoThreads(c);
            }
        }
    }

    /** Output and every gradient of c, on random data, are the same bits on 1 and 2 threads. */
    private void assertSameOnOneAndTwoThreads(Case c) {
        Tensor x = Tensor.randn(gen, c.x).requiresGrad(true);
        Tensor w = Tensor.randn(gen, c.w).requiresGrad(true);
        Tensor b = Tensor.randn(gen, c.w[0]).requiresGrad(true);
        float[][] one = run(c, x, w, b, 1);
        float[][] two = run(c, x, w, b, 2);
        for (int i = 0; i < one.length; i++) {
            assertArrayEquals(one[i], two[i], c.name + ": output " + i);
        }
    }

    private static RowVectorConv.Plan plan(Case c) {
        return RowVectorConv.plan(ConvProblem.forward(Tensor.zeros(c.x).operand(), Tensor.zeros(c.w).operand(),
                Tensor.zeros(c.y()).operand(), c.spec()));
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        try (Scope s = Scope.open()) {
            // 20 images: 16 weight-gradient chunks of unequal size
            for (Case c : new Case[] {LENET_FIRST, LENET_SECOND_DILATED, CHANNELS_IN_BANDS, ROWS_IN_BANDS}) {
                assertAlgorithms(c);
                assertSameOnOneAndTwoThreads(c);
            }
        }
    }

    private static float[][] run(Case c, Tensor x, Tensor w, Tensor b, int threads) {
        return CpuThreads.call(threads, () -> {
            x.zeroGrad();
            w.zeroGrad();
            b.zeroGrad();
            Tensor y = Convolution.conv2d(x, w, b, c.o);
            y.pow(2).sum().backward();
            return new float[][] {y.toFloatArray(), x.grad().toFloatArray(), w.grad().toFloatArray(), b.grad().toFloatArray()};
        });
    }
}
