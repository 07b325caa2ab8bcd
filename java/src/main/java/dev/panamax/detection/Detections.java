package dev.panamax.detection;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;

/**
 * What a detector found in one image, best score first: {@code boxes} [D, 4] float32 in pixels
 * (x1, y1, x2, y2), {@code labels} [D] int64, {@code scores} [D] float32. Closing it closes all
 * three tensors.
 */
public record Detections(Tensor boxes, Tensor labels, Tensor scores) implements AutoCloseable {
    public Detections {
        Target.checkBoxes("Detections.boxes", boxes);
        Target.checkPerBox("Detections.labels", labels, boxes, DType.INT64);
        Target.checkPerBox("Detections.scores", scores, boxes, DType.FLOAT32);
    }

    /** The number of detections D. */
    public int size() {
        return (int) boxes.size(0);
    }

    @Override
    public void close() {
        boxes.close();
        labels.close();
        scores.close();
    }
}
