package dev.panamax.detection;

import dev.panamax.tensor.Tensor;
import java.util.List;

/**
 * A batch of images of different sizes, as torchvision's {@code ImageList}: {@code tensors} is
 * [N, C, H, W] with each image in the top-left corner and zeros elsewhere; {@code imageSizes}
 * holds each image's own {height, width}. Closing it closes the batch tensor.
 */
public record ImageList(Tensor tensors, List<int[]> imageSizes) implements AutoCloseable {
    @Override
    public void close() {
        tensors.close();
    }
}
