package dev.panamax.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class GeneralizedRCNNTransformTest {
    private static final double[] MEAN = {0.1, 0.2, 0.3};
    private static final double[] STD = {0.5, 0.25, 0.125};

    @Test
    void bilinearResizeMatchesTorchInterpolate() {
        // F.interpolate(torch.tensor([[[[1., 2.], [3., 4.]]]]), size=(4, 4), mode="bilinear", align_corners=False)
        try (Tensor image = Tensor.of(new float[] {1, 2, 3, 4}, 1, 2, 2); Tensor up = Resize.bilinear(image, 4, 4)) {
            assertArrayEquals(new float[] {1.0f, 1.25f, 1.75f, 2.0f, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3.0f, 3.25f, 3.75f, 4.0f},
                    up.toFloatArray(), 1e-6f);
        }
        // downsampling by 2 samples between pixel pairs: the means of 2x2 blocks
        try (Tensor image = Tensor.of(new float[] {1, 3, 5, 7, 9, 11, 13, 15, 1, 1, 1, 1, 3, 3, 3, 3}, 1, 4, 4);
             Tensor down = Resize.bilinear(image, 2, 2)) {
            assertArrayEquals(new float[] {6, 10, 2, 2}, down.toFloatArray(), 1e-6f);
        }
    }

    @Test
    void nearestResizeRepeatsAsTorchInterpolate() {
        // F.interpolate(x, size=(5, 3), mode="nearest") of a 3x2 map: rows 0 0 1 1 2, columns 0 0 1
        try (Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 1, 1, 3, 2); Tensor y = Resize.nearest(x, 5, 3)) {
            assertArrayEquals(new float[] {1, 1, 2, 1, 1, 2, 3, 3, 4, 3, 3, 4, 5, 5, 6}, y.toFloatArray());
        }
    }

    @Test
    void normalisesResizesPadsAndScalesBoxes() {
        GeneralizedRCNNTransform t = new GeneralizedRCNNTransform(20, 100, MEAN, STD);
        try (Tensor image = Tensor.full(0.5, 3, 40, 60); Tensor boxes = Tensor.of(new float[] {10, 10, 30, 20}, 1, 4);
             Tensor labels = Tensor.of(new long[] {1}, 1); Target target = new Target(boxes.alias(), labels.alias());
             GeneralizedRCNNTransform.Batch batch = t.apply(List.of(image), List.of(target))) {
            // scale min(20 / 40, 100 / 60) = 0.5: 20 x 30, padded to 32 x 32
            assertArrayEquals(new long[] {1, 3, 32, 32}, batch.images().tensors().shape().toArray());
            assertArrayEquals(new int[] {20, 30}, batch.images().imageSizes().getFirst());
            assertArrayEquals(new float[] {5, 5, 15, 10}, batch.targets().getFirst().boxes().toFloatArray());
            Tensor padded = batch.images().tensors();
            assertEquals((0.5 - 0.2) / 0.25, padded.get(0, 1, 19, 29), 1e-5);
            assertEquals((0.5 - 0.3) / 0.125, padded.get(0, 2, 0, 0), 1e-5);
            assertEquals(0, padded.get(0, 0, 20, 0));
            assertEquals(0, padded.get(0, 0, 0, 30));
        }
    }

    @Test
    void theLongerSideIsCappedAndImagesOfDifferentSizesShareThePaddedBatch() {
        GeneralizedRCNNTransform t = new GeneralizedRCNNTransform(40, 100, MEAN, STD);
        assertArrayEquals(new int[] {20, 100}, t.resizedSize(20, 100));
        assertArrayEquals(new int[] {40, 53}, t.resizedSize(30, 40));
        try (Tensor wide = Tensor.zeros(3, 20, 100); Tensor small = Tensor.zeros(3, 30, 40);
             GeneralizedRCNNTransform.Batch batch = t.apply(List.of(wide, small), List.of())) {
            assertArrayEquals(new long[] {2, 3, 64, 128}, batch.images().tensors().shape().toArray());
            assertArrayEquals(new int[] {20, 100}, batch.images().imageSizes().get(0));
            assertArrayEquals(new int[] {40, 53}, batch.images().imageSizes().get(1));
        }
    }

    @Test
    void postprocessMapsBoxesBackToTheOriginalImage() {
        GeneralizedRCNNTransform t = new GeneralizedRCNNTransform(20, 100, MEAN, STD);
        Detections d = new Detections(Tensor.of(new float[] {5, 5, 15, 10}, 1, 4), Tensor.of(new long[] {3}, 1), Tensor.of(0.9f));
        List<Detections> back = t.postprocess(List.of(d), List.of(new int[] {20, 30}), List.of(new int[] {40, 60}));
        try (Detections b = back.getFirst()) {
            assertArrayEquals(new float[] {10, 10, 30, 20}, b.boxes().toFloatArray());
            assertArrayEquals(new long[] {3}, b.labels().toLongArray());
            assertTrue(d.boxes().isClosed(), "postprocess closes what it maps");
        }
    }

    @Test
    void badImagesAreNamed() {
        GeneralizedRCNNTransform t = GeneralizedRCNNTransform.fasterRcnnDefault();
        try (Tensor batched = Tensor.zeros(1, 3, 8, 8); Tensor gray = Tensor.zeros(1, 8, 8); Tensor ints = Tensor.zeros(DType.INT64, 3, 8, 8)) {
            IllegalArgumentException rank = assertThrows(IllegalArgumentException.class, () -> t.apply(List.of(batched), List.of()));
            assertEquals("images is expected to be a list of 3d tensors of shape [C, H, W], got [1, 3, 8, 8] for image 0", rank.getMessage());
            assertThrows(IllegalArgumentException.class, () -> t.apply(List.of(gray), List.of()));
            assertThrows(IllegalArgumentException.class, () -> t.apply(List.of(ints), List.of()));
        }
    }
}
