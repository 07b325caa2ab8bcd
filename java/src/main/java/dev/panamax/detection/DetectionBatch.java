package dev.panamax.detection;

import dev.panamax.tensor.Tensor;
import java.util.List;

/**
 * Samples collated for a detector: images stay a list, as torchvision's detection collate keeps
 * them, because their sizes and object counts differ. Closing the batch closes every sample.
 */
public record DetectionBatch(List<DetectionSample> samples) implements AutoCloseable {
    public DetectionBatch {
        samples = List.copyOf(samples);
    }

    public List<Tensor> images() {
        return samples.stream().map(DetectionSample::image).toList();
    }

    public List<Target> targets() {
        return samples.stream().map(DetectionSample::target).toList();
    }

    public int size() {
        return samples.size();
    }

    @Override
    public void close() {
        samples.forEach(DetectionSample::close);
    }
}
