package dev.panamax.detection;

import dev.panamax.tensor.Tensor;
import java.util.List;

/**
 * One image of a {@link DetectionDataset}: the image float32 [3, H, W] in [0, 1], the {@link Target}
 * a detector trains on, and every annotated object as the evaluators read them. The target leaves
 * out crowd regions and boxes without area (as torchvision's detection references do); {@code
 * objects} keeps them, with their flags and areas. The caller owns the tensors; closing the sample
 * closes them.
 */
public record DetectionSample(long imageId, Tensor image, Target target, List<GroundTruthBox> objects) implements AutoCloseable {
    public DetectionSample {
        if (image == null || target == null || objects == null) {
            throw new IllegalArgumentException("DetectionSample: image, target and objects must not be null");
        }
        if (image.rank() != 3) {
            throw new IllegalArgumentException("DetectionSample: image must be [C, H, W], got " + image.describe());
        }
        objects = List.copyOf(objects);
    }

    @Override
    public void close() {
        image.close();
        target.close();
    }
}
