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

    /**
     * pycocotools' box overlap ({@code bbIou} of maskApi.c): intersection over union, or over this
     * detection's own area when {@code overDetection} (crowd regions, which may hold it whole).
     */
    double overlap(GroundTruthBox g, boolean overDetection) {
        double w = Math.min(x2, g.x2()) - Math.max(x1, g.x1());
        if (w <= 0) {
            return 0;
        }
        double h = Math.min(y2, g.y2()) - Math.max(y1, g.y1());
        if (h <= 0) {
            return 0;
        }
        double inter = w * h;
        return inter / (overDetection ? area() : area() + (g.x2() - g.x1()) * (g.y2() - g.y1()) - inter);
    }
}
