package dev.panamax.ops;

import static dev.panamax.ops.PoolMaxTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.RefBoxes;
import org.junit.jupiter.api.Test;

class BoxOpsNmsTest {
    private final Generator gen = new Generator(4242);

    /** n float32 boxes crowded into a small area (heavy overlap) when spread is small. */
    private Tensor boxes(int n, double spread) {
        try (Tensor b = BoxOpsTest.randomBoxes(gen, n, spread)) {
            return b.to(DType.FLOAT32);
        }
    }

    private static void assertNmsMatchesReference(Tensor boxes, Tensor scores, double threshold) {
        long[] expected = RefBoxes.nms(boxes.toDoubleArray(), scores.toDoubleArray(), threshold);
        Tensor kept = BoxOps.nms(boxes, scores, threshold);
        assertEquals(DType.INT64, kept.dtype());
        assertArrayEquals(expected, kept.toLongArray(), "nms at threshold " + threshold + " of " + boxes.size(0) + " boxes");
    }

    @Test
    void randomBoxesMatchTheReferenceAtManyThresholds() {
        try (Scope s = Scope.open()) {
            // sizes around the vector width and its tails, sparse and crowded scenes
            for (int n : new int[] {1, 2, 15, 16, 17, 33, 300, 2000}) {
                for (double spread : new double[] {20, 400}) {
                    Tensor b = boxes(n, spread);
                    Tensor scores = Tensor.rand(gen, n);
                    for (double t : new double[] {0, 0.1, 0.3, 0.5, 0.7, 0.95, 1}) {
                        assertNmsMatchesReference(b, scores, t);
                    }
                }
            }
        }
    }

    @Test
    void equalScoresAreVisitedByIndex() {
        try (Scope s = Scope.open()) {
            // boxes 0, 1 and 3 are identical; of equal scores the lower index comes first
            Tensor b = Tensor.of(new float[] {0, 0, 4, 4, 0, 0, 4, 4, 10, 10, 12, 12, 0, 0, 4, 4}, 4, 4);
            Tensor scores = Tensor.of(new float[] {0.5f, 0.9f, 0.5f, 0.9f});
            assertArrayEquals(new long[] {1, 2}, BoxOps.nms(b, scores, 0.5).toLongArray());
            // quantised scores with many ties in a crowd
            Tensor crowd = boxes(500, 30);
            Tensor tied = Tensor.randint(gen, 0, 5, 500).to(DType.FLOAT32);
            assertNmsMatchesReference(crowd, tied, 0.4);
            // -0 ties with +0
            assertArrayEquals(new long[] {0, 1}, BoxOps.nms(b.narrow(0, 0, 2), Tensor.of(new float[] {-0f, 0f}), 1).toLongArray());
        }
    }

    @Test
    void thresholdsZeroAndOneAndSuppressingEverything() {
        try (Scope s = Scope.open()) {
            Tensor b = Tensor.of(new float[] {0, 0, 10, 10, 1, 1, 11, 11, 9.5f, 9.5f, 20, 20, 30, 30, 31, 31}, 4, 4);
            Tensor scores = Tensor.of(new float[] {0.9f, 0.8f, 0.7f, 0.6f});
            // any overlap suppresses at 0: box 2 shares a 0.5 x 0.5 corner with box 0; box 3 overlaps nothing
            assertArrayEquals(new long[] {0, 3}, BoxOps.nms(b, scores, 0).toLongArray());
            assertArrayEquals(new long[] {0, 1, 2, 3}, BoxOps.nms(b, scores, 1).toLongArray());
            // identical boxes have IoU exactly 1: suppressed below 1, kept at 1
            Tensor same = Tensor.of(new float[] {2, 2, 7, 9, 2, 2, 7, 9, 2, 2, 7, 9}, 3, 4);
            Tensor s3 = Tensor.of(new float[] {0.1f, 0.3f, 0.2f});
            assertArrayEquals(new long[] {1}, BoxOps.nms(same, s3, 0.99).toLongArray());
            assertArrayEquals(new long[] {1, 2, 0}, BoxOps.nms(same, s3, 1).toLongArray());
        }
    }

    @Test
    void theThresholdIsComparedInDoubleAsTorchvisionDoes() {
        try (Scope s = Scope.open()) {
            // IoU exactly 0.5 (overlap 1, union 2); 0.4999999999 rounds to 0.5f, yet 0.5 > it suppresses
            Tensor b = Tensor.of(new float[] {0, 0, 2, 1, 0, 0, 1, 1}, 2, 4);
            Tensor scores = Tensor.of(new float[] {0.9f, 0.8f});
            assertArrayEquals(new long[] {0}, BoxOps.nms(b, scores, 0.4999999999).toLongArray());
            assertArrayEquals(new long[] {0, 1}, BoxOps.nms(b, scores, 0.5).toLongArray());
        }
    }

    @Test
    void emptyAndDegenerateInputs() {
        try (Scope s = Scope.open()) {
            Tensor kept = BoxOps.nms(Tensor.zeros(0, 4), Tensor.zeros(0), 0.5);
            assertArrayEquals(new long[] {0}, kept.shape().toArray());
            assertEquals(DType.INT64, kept.dtype());
            assertArrayEquals(new long[0], BoxOps.batchedNms(Tensor.zeros(0, 4), Tensor.zeros(0), Tensor.zeros(DType.INT64, 0), 0.5).toLongArray());
            // zero-area boxes: IoU 0/0 suppresses nothing, even at a negative threshold; a point
            // inside a box has IoU 0 with it and is suppressed only below 0
            Tensor b = Tensor.of(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 4, 4}, 3, 4);
            Tensor scores = Tensor.of(new float[] {0.9f, 0.8f, 0.7f});
            assertArrayEquals(new long[] {0, 1, 2}, BoxOps.nms(b, scores, 0).toLongArray());
            assertArrayEquals(new long[] {0, 1}, BoxOps.nms(b, scores, -0.5).toLongArray());
        }
    }

    @Test
    void batchedNmsEqualsNmsPerCategory() {
        try (Scope s = Scope.open()) {
            for (double shift : new double[] {0, -50}) {
                Tensor b = boxes(400, 60).add(shift);
                Tensor scores = Tensor.rand(gen, 400);
                Tensor idxs = Tensor.randint(gen, 0, 7, 400);
                long[] expected = RefBoxes.batchedNms(b.toDoubleArray(), scores.toDoubleArray(), idxs.toLongArray(), 0.5);
                assertArrayEquals(expected, BoxOps.batchedNms(b, scores, idxs, 0.5).toLongArray(), "coordinates shifted by " + shift);
            }
        }
    }

    @Test
    void badArgumentsAreNamedWithTheirShapes() {
        try (Scope s = Scope.open()) {
            Tensor b = Tensor.zeros(3, 4);
            Tensor scores = Tensor.zeros(3);
            assertMessage(() -> BoxOps.nms(Tensor.zeros(3, 5), scores, 0.5), "nms: boxes must be float32 [N, 4] (x1, y1, x2, y2), got float32[3, 5]");
            assertMessage(() -> BoxOps.nms(Tensor.zeros(DType.FLOAT64, 3, 4), scores, 0.5), "nms: boxes must be float32 [N, 4] (x1, y1, x2, y2), got float64[3, 4]");
            assertMessage(() -> BoxOps.nms(b, Tensor.zeros(2), 0.5), "nms: scores must be float32 [3] (one per box of boxes [3, 4]), got float32[2]");
            assertMessage(() -> BoxOps.nms(b, Tensor.zeros(3, 1), 0.5), "got float32[3, 1]");
            assertMessage(() -> BoxOps.nms(b, scores, Double.NaN), "nms: iouThreshold must be a number, got NaN");
            assertMessage(() -> BoxOps.batchedNms(b, scores, Tensor.zeros(DType.INT64, 4), 0.5),
                    "batchedNms: idxs must be int64 [3] (one category per box), got int64[4]");
            assertMessage(() -> BoxOps.batchedNms(b, scores, Tensor.zeros(3), 0.5), "batchedNms: idxs must be int64 [3] (one category per box), got float32[3]");
            assertMessage(() -> BoxOps.batchedNms(b, scores, Tensor.zeros(DType.INT64, 3), Double.NaN), "batchedNms: iouThreshold must be a number, got NaN");
        }
    }
}
