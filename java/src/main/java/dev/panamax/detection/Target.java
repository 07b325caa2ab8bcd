package dev.panamax.detection;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;

/**
 * The ground truth of one image, as torchvision's detection models take it: {@code boxes} is
 * [K, 4] float32 in pixels as (x1, y1, x2, y2), {@code labels} is [K] int64 with classes
 * 1..numClasses-1 (0 is the background). K may be 0. Closing it closes both tensors.
 */
public record Target(Tensor boxes, Tensor labels) implements AutoCloseable {
    public Target {
        checkBoxes("Target.boxes", boxes);
        checkPerBox("Target.labels", labels, boxes, DType.INT64);
    }

    /** The number of objects K. */
    public int size() {
        return (int) boxes.size(0);
    }

    @Override
    public void close() {
        boxes.close();
        labels.close();
    }

    static void checkBoxes(String name, Tensor boxes) {
        if (boxes.rank() != 2 || boxes.size(1) != 4 || boxes.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException(name + " must be [K, 4] float32 (x1, y1, x2, y2), got "
                    + boxes.shape() + " " + boxes.dtype());
        }
    }

    static void checkPerBox(String name, Tensor t, Tensor boxes, DType dtype) {
        if (t.rank() != 1 || t.size(0) != boxes.size(0) || t.dtype() != dtype) {
            throw new IllegalArgumentException(name + " must be [" + boxes.size(0) + "] " + dtype
                    + " (one per box), got " + t.shape() + " " + t.dtype());
        }
    }
}
