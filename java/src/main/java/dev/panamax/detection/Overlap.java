package dev.panamax.detection;

/** Box overlap in double precision, as pycocotools' {@code bbIou} computes it for one pair of (x1, y1, x2, y2) boxes. */
final class Overlap {
    private Overlap() {}

    /** Intersection over union, or over box a's own area when {@code overA} (a crowd region may hold a whole). */
    static double of(double ax1, double ay1, double ax2, double ay2, double bx1, double by1, double bx2, double by2, boolean overA) {
        double w = Math.min(ax2, bx2) - Math.max(ax1, bx1);
        if (w <= 0) {
            return 0;
        }
        double h = Math.min(ay2, by2) - Math.max(ay1, by1);
        if (h <= 0) {
            return 0;
        }
        double inter = w * h;
        double areaA = (ax2 - ax1) * (ay2 - ay1);
        return inter / (overA ? areaA : areaA + (bx2 - bx1) * (by2 - by1) - inter);
    }

    static double iou(GroundTruthBox a, GroundTruthBox b) {
        return of(a.x1(), a.y1(), a.x2(), a.y2(), b.x1(), b.y1(), b.x2(), b.y2(), false);
    }
}
