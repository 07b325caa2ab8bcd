package dev.panamax.detection;

import java.util.ArrayList;
import java.util.List;

/**
 * One annotated object as the evaluators read it: a box in pixels (x1, y1, x2, y2), its class
 * (1..C), its area, and the two flags that make COCO and VOC treat an object specially.
 *
 * @param area      the object's area in pixels²: COCO's {@code area} field (the segmentation's,
 *                  which COCO's area ranges small/medium/large use), else the box's
 * @param crowd     COCO's {@code iscrowd}: a region of many objects; detections on it are ignored
 * @param difficult VOC's {@code difficult}: neither counted as missed nor as found
 */
public record GroundTruthBox(double x1, double y1, double x2, double y2, int label, double area, boolean crowd, boolean difficult) {
    public GroundTruthBox {
        if (!(x2 >= x1 && y2 >= y1)) {
            throw new IllegalArgumentException("GroundTruthBox: need x1 <= x2 and y1 <= y2, got (" + x1 + ", " + y1 + ", " + x2 + ", " + y2 + ")");
        }
        if (!(area >= 0)) {
            throw new IllegalArgumentException("GroundTruthBox: area must be >= 0, got " + area);
        }
    }

    /** An ordinary object whose area is its box's. */
    public static GroundTruthBox of(double x1, double y1, double x2, double y2, int label) {
        return new GroundTruthBox(x1, y1, x2, y2, label, (x2 - x1) * (y2 - y1), false, false);
    }

    /** The objects of a {@link Target}, none crowd or difficult, areas their boxes'. */
    public static List<GroundTruthBox> of(Target target) {
        float[] b = target.boxes().toFloatArray();
        long[] labels = target.labels().toLongArray();
        List<GroundTruthBox> out = new ArrayList<>(labels.length);
        for (int i = 0; i < labels.length; i++) {
            out.add(of(b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3], Math.toIntExact(labels[i])));
        }
        return out;
    }
}
