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

class RoiAlignTest {
    private final Generator gen = new Generator(707);

    /**
     * Boxes (batch, x1, y1, x2, y2) in quarter pixels: inside, fractional, partly outside, wholly
     * outside, empty (x1 = x2), reversed, and on the second image.
     */
    static final double[] BOXES = {
        0, 0.5, 0.25, 3.5, 2.75,
        1, 1.25, 0.5, 2.5, 3.75,
        0, -2.5, -1.5, 1.25, 2.5,
        1, 6.0, 5.5, 9.0, 8.25,
        0, 2.0, 1.0, 2.0, 3.0,
        1, 3.0, 3.0, 1.0, 0.5,
        1, -0.75, 2.25, 4.75, 4.5,
    };

    static Tensor boxes(DType t) {
        try (Tensor b = Tensor.of(BOXES, BOXES.length / 5, 5)) {
            return b.to(t);
        }
    }

    private static void check(String name, Tensor x, int ph, int pw, double scale, int sampling, boolean aligned) {
        Ref b = Ref.of(boxes(DType.FLOAT64));
        OpCheck.check(name, t -> RoiOps.roiAlign(t[0], boxes(t[0].dtype()), ph, pw, scale, sampling, aligned),
                r -> RefPool.roiAlign(r[0], b, ph, pw, scale, sampling, aligned), x);
    }

    @Test
    void adaptiveSamplingNotAligned() {
        try (Scope s = Scope.open()) {
            check("roiAlign 2x2 adaptive", Tensor.randn(gen, 2, 2, 3, 5), 2, 2, 1.0, -1, false);
        }
    }

    @Test
    void fixedSamplingAlignedAndScaled() {
        try (Scope s = Scope.open()) {
            check("roiAlign 3x2 s2 aligned", Tensor.randn(gen, 2, 2, 3, 5), 3, 2, 1.0, 2, true);
            check("roiAlign 2x3 scale 0.5", Tensor.randn(gen, 2, 1, 5, 6), 2, 3, 0.5, 3, false);
            check("roiAlign aligned adaptive scale 2", Tensor.randn(gen, 2, 1, 5, 6), 2, 2, 2.0, 0, true);
        }
    }

    @Test
    void handComputedValuesShowTheHalfPixelShift() {
        try (Scope s = Scope.open()) {
            // x[y][x] = 4y + x is linear, so a bin's average is the value at the mean of its samples:
            // box (0, 0) - (3, 3), 2x2 samples at 0.75 and 2.25 -> mean 1.5 -> 4·1.5 + 1.5 = 7.5;
            // aligned shifts the box by -0.5 -> samples 0.25 and 1.75 -> mean 1 -> 5
            Tensor x = Tensor.arange(0, 16, 1, DType.FLOAT32).view(1, 1, 4, 4);
            Tensor box = Tensor.of(new float[] {0, 0, 0, 3, 3}, 1, 5);
            assertEquals(7.5, RoiOps.roiAlign(x, box, 1, 1, 1.0, 2, false).item(), 1e-6);
            assertEquals(5.0, RoiOps.roiAlign(x, box, 1, 1, 1.0, 2, true).item(), 1e-6);
            // a box wholly outside the map (more than a cell away) samples nothing: 0
            Tensor outside = Tensor.of(new float[] {0, 10, 10, 12, 12}, 1, 5);
            assertEquals(0, RoiOps.roiAlign(x, outside, 1).item());
        }
    }

    @Test
    void manyChannelsAndBoxesMatchTheReferenceOnAnyThreadCount() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 2, 37, 9, 11);
            Tensor b = boxes(DType.FLOAT32);
            Ref expected = RefPool.roiAlign(Ref.of(x), Ref.of(boxes(DType.FLOAT64)), 3, 3, 1.0, -1, true);
            Tensor gy = Tensor.randn(gen, BOXES.length / 5, 37, 3, 3);
            float[][] results = new float[2][];
            float[][] grads = new float[2][];
            for (int threads : new int[] {1, 2}) {
                CpuThreads.run(threads, () -> {
                    Tensor xr = x.alias().requiresGrad(true);
                    Tensor y = RoiOps.roiAlign(xr, b, 3, 3, 1.0, -1, true);
                    OpCheck.assertClose("roiAlign many channels", expected, Ref.of(y), 1e-5, 1e-4);
                    y.backward(gy);
                    results[threads - 1] = y.toFloatArray();
                    grads[threads - 1] = xr.grad().toFloatArray();
                    // the backward is the adjoint of the forward
                    double lhs = y.to(DType.FLOAT64).mul(gy.to(DType.FLOAT64)).sum().item();
                    double rhs = x.to(DType.FLOAT64).mul(xr.grad().to(DType.FLOAT64)).sum().item();
                    assertEquals(lhs, rhs, 1e-4 * (1 + Math.abs(lhs)));
                });
            }
            assertArrayEquals(results[0], results[1]);
            assertArrayEquals(grads[0], grads[1]);
        }
    }

    @Test
    void oneImageWithFewChannelsSplitsItsBoxesAndKeepsTheBits() {
        // one image and few channels leave fewer (image, channel block) tasks than threads, so the
        // float32 forward splits the image's boxes too; the backward may not, and must not depend on it
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 1, 3, 8, 10);
            double[] raw = new double[BOXES.length];
            for (int i = 0; i < raw.length; i++) {
                raw[i] = i % 5 == 0 ? 0 : BOXES[i];
            }
            Tensor b = Tensor.of(raw, raw.length / 5, 5).to(DType.FLOAT32);
            Ref expected = RefPool.roiAlign(Ref.of(x), Ref.of(Tensor.of(raw, raw.length / 5, 5)), 2, 3, 1.0, 2, true);
            Tensor gy = Tensor.randn(gen, raw.length / 5, 3, 2, 3);
            float[][] results = new float[4][];
            float[][] grads = new float[4][];
            for (int threads : new int[] {1, 2, 3, 4}) {
                CpuThreads.run(threads, () -> {
                    Tensor xr = x.alias().requiresGrad(true);
                    Tensor y = RoiOps.roiAlign(xr, b, 2, 3, 1.0, 2, true);
                    OpCheck.assertClose("roiAlign one image", expected, Ref.of(y), 1e-5, 1e-4);
                    y.backward(gy);
                    results[threads - 1] = y.toFloatArray();
                    grads[threads - 1] = xr.grad().toFloatArray();
                });
            }
            for (int i = 1; i < 4; i++) {
                assertArrayEquals(results[0], results[i]);
                assertArrayEquals(grads[0], grads[i]);
            }
        }
    }

    @Test
    void noBoxesGiveAnEmptyOutputAndAZeroGradient() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 1, 3, 4, 4).requiresGrad(true);
            Tensor y = RoiOps.roiAlign(x, Tensor.zeros(0, 5), 2);
            assertArrayEquals(new long[] {0, 3, 2, 2}, y.shape().toArray());
            y.sum().backward();
            assertEquals(0, x.grad().abs().sum().item());
        }
    }

    @Test
    void badArgumentsAreNamed() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(2, 3, 4, 4);
            assertMessage(() -> RoiOps.roiAlign(x, Tensor.of(new float[] {2, 0, 0, 1, 1}, 1, 5), 2),
                    "roiAlign: box 0 has batch index 2.0, but the input [2, 3, 4, 4] holds 2 image(s): the index must be a whole number from 0 to 1");
            assertMessage(() -> RoiOps.roiAlign(x, Tensor.of(new float[] {0, 0, 0, 1, 1, 0.5f, 0, 0, 1, 1}, 2, 5), 2), "box 1 has batch index 0.5");
            assertMessage(() -> RoiOps.roiAlign(x, Tensor.of(new float[] {-1, 0, 0, 1, 1}, 1, 5), 2), "box 0 has batch index -1.0");
            assertMessage(() -> RoiOps.roiAlign(x, Tensor.of(new float[] {0, 0, Float.NaN, 1, 1}, 1, 5), 2),
                    "roiAlign: box 0 has a non-finite coordinate NaN");
            assertMessage(() -> RoiOps.roiAlign(x, Tensor.zeros(1, 4), 2), "roiAlign: boxes must be [K, 5] (batch index, x1, y1, x2, y2), got [1, 4]");
            assertMessage(() -> RoiOps.roiAlign(x, Tensor.zeros(DType.FLOAT64, 1, 5), 2), "roiAlign: boxes must have the input's dtype float32");
            assertMessage(() -> RoiOps.roiAlign(x, Tensor.zeros(1, 5), 0), "roiAlign: output size must be positive, got 0x0");
            assertMessage(() -> RoiOps.roiAlign(x, Tensor.zeros(1, 5), 2, 2, 0, -1, false), "roiAlign: spatialScale must be positive and finite, got 0.0");
            assertMessage(() -> RoiOps.roiAlign(Tensor.zeros(3, 4, 4), Tensor.zeros(1, 5), 2), "roiAlign: input must be [N, C, H, W], got [3, 4, 4]");
        }
    }
}
