package dev.panamax.ops;

import static dev.panamax.ops.PoolMaxTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.CpuThreads;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.Ref;
import dev.panamax.testing.RefPool;
import org.junit.jupiter.api.Test;

class RoiPoolTest {
    private final Generator gen = new Generator(808);

    private static void check(String name, Tensor x, int ph, int pw, double scale) {
        Ref b = Ref.of(RoiAlignTest.boxes(DType.FLOAT64));
        OpCheck.check(name, t -> RoiOps.roiPool(t[0], RoiAlignTest.boxes(t[0].dtype()), ph, pw, scale),
                r -> RefPool.roiPool(r[0], b, ph, pw, scale), x);
    }

    /** The boxes of RoiAlignTest: inside, half-pixel corners (rounded away from zero), partly and wholly outside, empty, reversed. */
    @Test
    void boxesOfEveryKind() {
        try (Scope s = Scope.open()) {
            check("roiPool 2x2", Tensor.randn(gen, 2, 2, 3, 5), 2, 2, 1.0);
            check("roiPool 3x2 scale 2", Tensor.randn(gen, 2, 1, 5, 6), 3, 2, 2.0);
            check("roiPool 1x3 scale 0.5", Tensor.randn(gen, 2, 1, 5, 6), 1, 3, 0.5);
        }
    }

    @Test
    void handComputedBins() {
        try (Scope s = Scope.open()) {
            // box (0.5, 0.5) - (2.5, 2.5) rounds away from zero to cells 1..3 (C's round; Java's rint would give 0..2):
            // 2x2 bins of 1.5 cells -> rows and columns [1, 3) and [2, 4): maxima x[2][2], x[2][3], x[3][2], x[3][3] of x = 4y + x
            Tensor x = Tensor.arange(0, 16, 1, DType.FLOAT32).view(1, 1, 4, 4);
            Tensor box = Tensor.of(new float[] {0, 0.5f, 0.5f, 2.5f, 2.5f}, 1, 5);
            assertArrayEquals(new float[] {10, 11, 14, 15}, RoiOps.roiPool(x, box, 2, 1.0).toFloatArray());
            // a bin outside the map is empty: 0, and no gradient
            Tensor xr = x.alias().requiresGrad(true);
            Tensor outside = Tensor.of(new float[] {0, 5, 5, 8, 8}, 1, 5);
            Tensor y = RoiOps.roiPool(xr, outside, 2, 1.0);
            assertArrayEquals(new float[] {0, 0, 0, 0}, y.toFloatArray());
            y.sum().backward();
            assertEquals(0, xr.grad().abs().sum().item());
        }
    }

    @Test
    void manyChannelsAndBoxesOnAnyThreadCount() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 2, 37, 9, 11);
            Tensor b = RoiAlignTest.boxes(DType.FLOAT32);
            Ref expected = RefPool.roiPool(Ref.of(x), Ref.of(RoiAlignTest.boxes(DType.FLOAT64)), 3, 3, 1.0);
            Tensor gy = Tensor.randn(gen, RoiAlignTest.BOXES.length / 5, 37, 3, 3);
            float[][] grads = new float[2][];
            for (int threads : new int[] {1, 2}) {
                CpuThreads.run(threads, () -> {
                    Tensor xr = x.alias().requiresGrad(true);
                    Tensor y = RoiOps.roiPool(xr, b, 3, 1.0);
                    OpCheck.assertClose("roiPool many channels", expected, Ref.of(y), 0, 0);
                    y.backward(gy);
                    grads[threads - 1] = xr.grad().toFloatArray();
                });
            }
            assertArrayEquals(grads[0], grads[1]);
        }
    }

    @Test
    void badArgumentsAreNamed() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(1, 3, 4, 4);
            assertMessage(() -> RoiOps.roiPool(x, Tensor.of(new float[] {1, 0, 0, 1, 1}, 1, 5), 2, 1.0),
                    "roiPool: box 0 has batch index 1.0, but the input [1, 3, 4, 4] holds 1 image(s)");
            assertMessage(() -> RoiOps.roiPool(x, Tensor.of(new float[] {0, 0, 0, Float.POSITIVE_INFINITY, 1}, 1, 5), 2, 1.0),
                    "roiPool: box 0 has a non-finite coordinate Infinity");
            assertMessage(() -> RoiOps.roiPool(x, Tensor.zeros(1, 6), 2, 1.0), "roiPool: boxes must be [K, 5]");
            assertMessage(() -> RoiOps.roiPool(Tensor.zeros(DType.INT64, 1, 3, 4, 4), Tensor.zeros(DType.INT64, 1, 5), 2, 1.0),
                    "roiPool: input must be a floating-point tensor");
        }
    }
}
