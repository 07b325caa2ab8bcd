package dev.panamax.detection;

import java.util.ArrayList;
import java.util.List;

/** One detection copied to doubles, so the evaluators hold no tensors. */
record ScoredBox(double x1, double y1, double x2, double y2, int label, double score) {
    static List<ScoredBox> of(Detections d) {
        float[] b = d.boxes().toFloatArray();
        long[] labels = d.labels().toLongArray();
        float[] scores = d.scores().toFloatArray();
        List<ScoredBox> out = new ArrayList<>(labels.length);
        for (int i = 0; i < labels.length; i++) {
            if (!Float.isFinite(scores[i])) {
                throw new IllegalArgumentException("Detections: score " + i + " is " + scores[i]);
            }
            out.add(new ScoredBox(b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3], Math.toIntExact(labels[i]), scores[i]));
        }
        return out;
    }

    double area() {
        return (x2 - x1) * (y2 - y1);
    }

    /** Overlap with an object: IoU, or over this detection's area when {@code overDetection} (crowd regions). */
    double overlap(GroundTruthBox g, boolean overDetection) {
        return Overlap.of(x1, y1, x2, y2, g.x1(), g.y1(), g.x2(), g.y2(), overDetection);
    }
}
