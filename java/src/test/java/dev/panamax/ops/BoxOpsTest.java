package dev.panamax.ops;

import static dev.panamax.ops.PoolMaxTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.RefBoxes;
import org.junit.jupiter.api.Test;

class BoxOpsTest {
    private final Generator gen = new Generator(909);

    /** n random boxes (x1, y1, x2, y2) with corners in [0, 60) and sides in [1, 31), float64. */
    static Tensor randomBoxes(Generator gen, int n, double spread) {
        double[] u = Tensor.rand(gen, n, 4).toDoubleArray();
        double[] b = new double[4 * n];
        for (int i = 0; i < n; i++) {
            b[4 * i] = u[4 * i] * spread;
            b[4 * i + 1] = u[4 * i + 1] * spread;
            b[4 * i + 2] = b[4 * i] + 1 + u[4 * i + 2] * 30;
            b[4 * i + 3] = b[4 * i + 1] + 1 + u[4 * i + 3] * 30;
        }
        return Tensor.of(b, n, 4);
    }

    @Test
    void areaAndIouMatchTheReferenceWithGradients() {
        try (Scope s = Scope.open()) {
            OpCheck.check("boxArea", t -> BoxOps.boxArea(t[0]), r -> RefBoxes.area(r[0]), randomBoxes(gen, 9, 60));
            OpCheck.check("boxIou", t -> BoxOps.boxIou(t[0], t[1]), r -> RefBoxes.iou(r[0], r[1]),
                    randomBoxes(gen, 7, 40), randomBoxes(gen, 5, 40));
        }
    }

    @Test
    void iouOfHandComputedPairs() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.of(new float[] {0, 0, 2, 2, 0, 0, 2, 2, 5, 5, 5, 5}, 3, 4);
            Tensor b = Tensor.of(new float[] {1, 1, 3, 3, 0, 0, 1, 1, 5, 5, 5, 5, 2, 0, 4, 2}, 4, 4);
            // overlap 1 of union 7; box inside (1/4); points; touching edges overlap in a line only
            float[] expected = {1f / 7, 0.25f, 0, 0, 1f / 7, 0.25f, 0, 0, 0, 0, 0, 0};
            assertArrayEquals(expected, BoxOps.boxIou(a, b).toFloatArray(), 1e-7f);
            assertArrayEquals(new float[] {4, 4, 0}, BoxOps.boxArea(a).toFloatArray());
        }
    }

    @Test
    void zeroAreaBoxesHaveIouZeroNotNaN() {
        try (Scope s = Scope.open()) {
            // torchvision's box_iou gives NaN (0/0) for two identical points; Panamax pins 0
            Tensor point = Tensor.of(new float[] {3, 3, 3, 3}, 1, 4).requiresGrad(true);
            Tensor line = Tensor.of(new float[] {3, 1, 3, 5}, 1, 4);
            Tensor iou = BoxOps.boxIou(point, Tensor.cat(java.util.List.of(point, line), 0));
            assertArrayEquals(new float[] {0, 0}, iou.toFloatArray());
            iou.sum().backward();
            assertArrayEquals(new float[] {0, 0, 0, 0}, point.grad().toFloatArray());
        }
    }

    @Test
    void convertMatchesTheReferenceBetweenEveryPairOfFormats() {
        try (Scope s = Scope.open()) {
            Tensor boxes = randomBoxes(gen, 6, 60);
            for (BoxFormat from : BoxFormat.values()) {
                for (BoxFormat to : BoxFormat.values()) {
                    OpCheck.check("convert " + from + " to " + to, t -> BoxOps.convert(t[0], from, to), r -> RefBoxes.convert(r[0], from, to), boxes);
                }
            }
            Tensor xyxy = Tensor.of(new float[] {1, 2, 5, 8}, 1, 4);
            assertArrayEquals(new float[] {1, 2, 4, 6}, BoxOps.convert(xyxy, BoxFormat.XYXY, BoxFormat.XYWH).toFloatArray());
            assertArrayEquals(new float[] {3, 5, 4, 6}, BoxOps.convert(xyxy, BoxFormat.XYXY, BoxFormat.CXCYWH).toFloatArray());
            Tensor back = BoxOps.convert(BoxOps.convert(xyxy, BoxFormat.XYXY, BoxFormat.CXCYWH), BoxFormat.CXCYWH, BoxFormat.XYWH);
            assertArrayEquals(new float[] {1, 2, 4, 6}, back.toFloatArray());
        }
    }

    @Test
    void noBoxesGiveEmptyResults() {
        try (Scope s = Scope.open()) {
            Tensor none = Tensor.zeros(0, 4);
            assertArrayEquals(new long[] {0}, BoxOps.boxArea(none).shape().toArray());
            assertArrayEquals(new long[] {0, 3}, BoxOps.boxIou(none, Tensor.zeros(3, 4)).shape().toArray());
            assertArrayEquals(new long[] {0, 4}, BoxOps.convert(none, BoxFormat.CXCYWH, BoxFormat.XYWH).shape().toArray());
            assertArrayEquals(new long[] {0, 4}, BoxOps.clipBoxesToImage(none, 5, 5).shape().toArray());
        }
    }

    @Test
    void clipMatchesTheReference() {
        try (Scope s = Scope.open()) {
            Tensor boxes = randomBoxes(gen, 8, 60).sub(10);
            OpCheck.check("clipBoxesToImage", t -> BoxOps.clipBoxesToImage(t[0], 45.5, 52.5), r -> RefBoxes.clip(r[0], 45.5, 52.5), boxes);
            Tensor b = Tensor.of(new float[] {-3, 4, 120, 90}, 1, 4);
            assertArrayEquals(new float[] {0, 4, 100, 50}, BoxOps.clipBoxesToImage(b, 50, 100).toFloatArray());
        }
    }

    @Test
    void removeSmallBoxesKeepsBothSidesAtLeastMinSize() {
        try (Scope s = Scope.open()) {
            Tensor b = Tensor.of(new float[] {0, 0, 2, 2, 0, 0, 1.5f, 3, 0, 0, 3, 1.5f, 1, 1, 3, 3, 0, 0, 0, 0}, 5, 4);
            Tensor kept = BoxOps.removeSmallBoxes(b, 2);
            assertEquals(DType.INT64, kept.dtype());
            assertArrayEquals(new long[] {0, 3}, kept.toLongArray());
            assertArrayEquals(new long[] {0, 1, 2, 3, 4}, BoxOps.removeSmallBoxes(b.to(DType.FLOAT64), 0).toLongArray());
            assertArrayEquals(new long[0], BoxOps.removeSmallBoxes(Tensor.zeros(0, 4), 1).toLongArray());
        }
    }

    @Test
    void badArgumentsAreNamedWithTheirShapes() {
        try (Scope s = Scope.open()) {
            Tensor ok = Tensor.zeros(2, 4);
            assertMessage(() -> BoxOps.boxArea(Tensor.zeros(2, 5)), "boxArea: boxes must be a floating-point [N, 4] tensor of boxes, got float32[2, 5]");
            assertMessage(() -> BoxOps.boxIou(ok, Tensor.zeros(4)), "boxIou: b must be a floating-point [N, 4] tensor of boxes, got float32[4]");
            assertMessage(() -> BoxOps.boxIou(Tensor.zeros(DType.INT64, 2, 4), ok), "boxIou: a must be a floating-point [N, 4] tensor of boxes, got int64[2, 4]");
            assertMessage(() -> BoxOps.boxIou(ok, Tensor.zeros(DType.FLOAT64, 3, 4)), "boxIou: a and b must have one dtype, got float32[2, 4] and float64[3, 4]");
            assertMessage(() -> BoxOps.convert(ok, BoxFormat.XYXY, null), "convert: formats must not be null");
            assertMessage(() -> BoxOps.clipBoxesToImage(ok, -1, 5), "clipBoxesToImage: image size must be finite and non-negative, got height -1.0, width 5.0");
            assertMessage(() -> BoxOps.removeSmallBoxes(ok, Double.NaN), "removeSmallBoxes: minSize must not be NaN");
        }
    }
}
