package dev.panamax.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.RefBoxes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class BoxCoderTest {
    private static final double[] ROI_WEIGHTS = {10, 10, 5, 5};
    private static final BoxCoder ROI = new BoxCoder(10, 10, 5, 5);
    private final Generator gen = new Generator(31);

    /** n float64 boxes with corners in [0, 50) and sides in [2, 42). */
    private Tensor boxes(int n) {
        Tensor u = Tensor.rand(gen, n, 4);
        Tensor corner = u.narrow(1, 0, 2).mul(50);
        return Tensor.cat(java.util.List.of(corner, corner.add(u.narrow(1, 2, 2).mul(40).add(2))), 1).to(DType.FLOAT64);
    }

    @Test
    void handComputedEncodeAndDecode() {
        try (Scope s = Scope.open()) {
            // proposal centre (5, 10) size (10, 20); ground truth centre (7, 10) size (10, 12)
            Tensor proposal = Tensor.of(new float[] {0, 0, 10, 20}, 1, 4);
            Tensor gt = Tensor.of(new float[] {2, 4, 12, 16}, 1, 4);
            float[] codes = ROI.encode(gt, proposal).toFloatArray();
            assertArrayEquals(new float[] {10 * 2 / 10f, 0, 0, (float) (5 * Math.log(12.0 / 20))}, codes, 1e-6f);
            Tensor decoded = ROI.decode(Tensor.of(codes, 1, 4), proposal);
            assertArrayEquals(new long[] {1, 1, 4}, decoded.shape().toArray());
            assertArrayEquals(new float[] {2, 4, 12, 16}, decoded.toFloatArray(), 1e-5f);
        }
    }

    @Test
    void encodeAndDecodeMatchTheReferenceWithGradients() {
        try (Scope s = Scope.open()) {
            Tensor gt = boxes(6);
            Tensor proposals = boxes(6);
            OpCheck.check("BoxCoder.encode", t -> ROI.encode(t[0], t[1]), r -> RefBoxes.encode(r[0], r[1], ROI_WEIGHTS), gt, proposals);
            // three classes per box; codes small enough to stay below the clip
            Tensor codes = Tensor.randn(gen, 6, 12).mul(2).to(DType.FLOAT64);
            OpCheck.check("BoxCoder.decode", t -> ROI.decode(t[0], t[1]), r -> RefBoxes.decode(r[0], r[1], ROI_WEIGHTS, BoxCoder.DEFAULT_CLIP),
                    codes, proposals);
        }
    }

    @Test
    void decodeClampsLogSizesAtTheClip() {
        try (Scope s = Scope.open()) {
            BoxCoder rpn = new BoxCoder(1, 1, 1, 1);
            Tensor box = Tensor.of(new float[] {0, 0, 16, 16}, 1, 4);
            Tensor codes = Tensor.of(new float[] {0, 0, 100, -1}, 1, 4).requiresGrad(true);
            Tensor decoded = rpn.decode(codes, box);
            // width 16·e^log(1000/16) = 1000 around centre 8; height 16·e^-1
            double h = 16 * Math.exp(-1);
            assertArrayEquals(new float[] {-492, (float) (8 - h / 2), 508, (float) (8 + h / 2)}, decoded.toFloatArray(), 1e-3f);
            decoded.sum().backward();
            // the clamped dw gets no gradient; the x2 - x1 dependence on dh cancels in the sum
            assertEquals(0, codes.grad().toFloatArray()[2]);
        }
    }

    @Test
    void roundTripReturnsTheGroundTruthForEveryWeighting() {
        try (Scope s = Scope.open()) {
            Tensor gt = boxes(20).to(DType.FLOAT32);
            Tensor proposals = boxes(20).to(DType.FLOAT32);
            for (BoxCoder coder : new BoxCoder[] {ROI, new BoxCoder(1, 1, 1, 1), new BoxCoder(2, 3, 0.5, 7, 10)}) {
                Tensor back = coder.decode(coder.encode(gt, proposals), proposals);
                assertArrayEquals(new long[] {20, 1, 4}, back.shape().toArray());
                assertArrayEquals(gt.toFloatArray(), back.toFloatArray(), 1e-3f, coder.toString());
            }
            assertEquals(Math.log(1000.0 / 16), ROI.bboxXformClip());
        }
    }

    private static void assertMessage(Executable call, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void badArgumentsAreNamedWithTheirShapes() {
        try (Scope s = Scope.open()) {
            Tensor b = Tensor.zeros(3, 4);
            assertMessage(() -> new BoxCoder(10, 0, 5, 5), "BoxCoder: weights must be positive and finite, got (10.0, 0.0, 5.0, 5.0)");
            assertMessage(() -> new BoxCoder(1, 1, 1, 1, Double.NaN), "BoxCoder: bboxXformClip must be a number, got NaN");
            assertMessage(() -> ROI.encode(Tensor.zeros(3, 5), b), "BoxCoder.encode: referenceBoxes must be a floating-point [N, 4] tensor, got float32[3, 5]");
            assertMessage(() -> ROI.encode(b, Tensor.zeros(2, 4)), "BoxCoder.encode: proposals must match referenceBoxes float32[3, 4] row for row, got float32[2, 4]");
            assertMessage(() -> ROI.encode(b, Tensor.zeros(DType.FLOAT64, 3, 4)), "got float64[3, 4]");
            assertMessage(() -> ROI.decode(Tensor.zeros(3, 6), b), "BoxCoder.decode: relCodes must be a floating-point [N, 4k] tensor, got float32[3, 6]");
            assertMessage(() -> ROI.decode(Tensor.zeros(DType.INT64, 3, 4), b), "got int64[3, 4]");
            assertMessage(() -> ROI.decode(Tensor.zeros(2, 8), b), "BoxCoder.decode: boxes must have one row per row of relCodes [2, 8], got float32[3, 4]");
            assertMessage(() -> ROI.decode(Tensor.zeros(3, 8), Tensor.zeros(3, 2)), "BoxCoder.decode: boxes must be a floating-point [3, 4] tensor, got float32[3, 2]");
        }
    }
}
