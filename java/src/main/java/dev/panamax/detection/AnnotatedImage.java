package dev.panamax.detection;

import dev.panamax.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** An image file and its annotated objects, as an annotation file (COCO, VOC) lists them. */
public record AnnotatedImage(long id, Path file, int width, int height, List<GroundTruthBox> objects) {
    public AnnotatedImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("AnnotatedImage " + file + ": size must be positive, got " + width + "×" + height);
        }
        objects = List.copyOf(objects);
    }

    /**
     * The target a detector trains on, as torchvision's COCO reference builds it: crowd regions
     * left out, boxes clipped to the image, and boxes left without area dropped.
     */
    public Target target() {
        List<float[]> boxes = new ArrayList<>();
        List<Long> labels = new ArrayList<>();
        for (GroundTruthBox g : objects) {
            float[] b = {clip(g.x1(), width), clip(g.y1(), height), clip(g.x2(), width), clip(g.y2(), height)};
            if (!g.crowd() && b[2] > b[0] && b[3] > b[1]) {
                boxes.add(b);
                labels.add((long) g.label());
            }
        }
        float[] flat = new float[4 * boxes.size()];
        for (int i = 0; i < boxes.size(); i++) {
            System.arraycopy(boxes.get(i), 0, flat, 4 * i, 4);
        }
        return new Target(Tensor.of(flat, boxes.size(), 4), Tensor.of(labels.stream().mapToLong(Long::longValue).toArray(), labels.size()));
    }

    private static float clip(double v, int max) {
        return (float) Math.min(Math.max(v, 0), max);
    }
}
