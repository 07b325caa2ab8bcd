package dev.panamax.detection;

/** Double-precision references for the detection losses' pieces: IoU, torchvision's box encoding, BCE and smooth L1. */
final class DetectionLossReference {
    private DetectionLossReference() {}

    static double iou(double[] a, double[] b) {
        double iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
        double ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
        double inter = iw * ih;
        return inter / (area(a) + area(b) - inter);
    }

    private static double area(double[] b) {
        return (b[2] - b[0]) * (b[3] - b[1]);
    }

    /** torchvision's encode_single of gt relative to box with weights w. */
    static double[] encode(double[] gt, double[] box, double[] w) {
        double bw = box[2] - box[0];
        double bh = box[3] - box[1];
        double gw = gt[2] - gt[0];
        double gh = gt[3] - gt[1];
        return new double[] {
            w[0] * ((gt[0] + 0.5 * gw) - (box[0] + 0.5 * bw)) / bw,
            w[1] * ((gt[1] + 0.5 * gh) - (box[1] + 0.5 * bh)) / bh,
            w[2] * Math.log(gw / bw),
            w[3] * Math.log(gh / bh)};
    }

    static double smoothL1(double[] prediction, double[] target, double beta) {
        double sum = 0;
        for (int i = 0; i < prediction.length; i++) {
            double d = Math.abs(prediction[i] - target[i]);
            sum += d < beta ? 0.5 * d * d / beta : d - 0.5 * beta;
        }
        return sum;
    }

    static double bceWithLogits(double logit, double label) {
        return Math.max(logit, 0) - logit * label + Math.log1p(Math.exp(-Math.abs(logit)));
    }

    static double[] row(double[] flat, int row, int width) {
        return java.util.Arrays.copyOfRange(flat, row * width, row * width + width);
    }
}
