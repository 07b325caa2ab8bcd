package dev.panamax.detection;

import java.util.ArrayList;
import java.util.List;

/**
 * A random-access set of detection samples: {@link dev.panamax.data.Dataset}'s contract with a
 * {@link DetectionSample} (image, target, objects) in place of an input and a label tensor, which
 * cannot hold a variable number of boxes. Implementations must be safe to read from several
 * threads at once.
 */
public interface DetectionDataset {
    /** Number of images. */
    long size();

    /** Image {@code index} (0 to size - 1); the caller closes it. */
    DetectionSample get(long index);

    /** The samples at {@code indices}, kept as a list; the caller closes the batch. */
    default DetectionBatch batch(long[] indices) {
        if (indices.length == 0) {
            throw new IllegalArgumentException("batch: no indices");
        }
        List<DetectionSample> samples = new ArrayList<>(indices.length);
        try {
            for (long i : indices) {
                samples.add(get(i));
            }
            return new DetectionBatch(samples);
        } catch (RuntimeException e) {
            samples.forEach(DetectionSample::close);
            throw e;
        }
    }
}
