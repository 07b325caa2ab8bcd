package dev.panamax.bench.worker;

import java.util.SplittableRandom;

/**
 * torchvision's roi_align(aligned=True) of boxes random boxes (8 to 400 pixels a side, in an image of
 * 16·h × 16·w pixels, all on image 0) from a feature map x [1, c, h, w] uniform in [-1, 1) at stride 16
 * (spatial scale 1/16), output × output bins of samplingRatio² samples. With {@code backward}, also the
 * gradient of x for an upstream gradient of ones.
 */
public record RoiAlignWork(String id, int boxes, int c, int h, int w, int output, int samplingRatio, boolean backward)
        implements DetectionWorkload {
    public static final double SPATIAL_SCALE = 1.0 / 16;

    @Override
    public String title() {
        return "roiAlign " + boxes + " boxes [1, " + c + ", " + h + ", " + w + "] " + output + "x" + output + " s" + samplingRatio
                + " aligned" + (backward ? " fwd+bwd" : " fwd");
    }

    public float[] input() {
        return Inputs.uniform(91, c * h * w, -1, 1);
    }

    /** [boxes, 4] as (x1, y1, x2, y2) in image pixels. */
    public float[] rois() {
        SplittableRandom random = new SplittableRandom(92);
        float[] rois = new float[4 * boxes];
        for (int k = 0; k < boxes; k++) {
            double bw = random.nextDouble(8, 400);
            double bh = random.nextDouble(8, 400);
            double x1 = random.nextDouble(0, 16.0 * w - bw);
            double y1 = random.nextDouble(0, 16.0 * h - bh);
            rois[4 * k] = (float) x1;
            rois[4 * k + 1] = (float) y1;
            rois[4 * k + 2] = (float) (x1 + bw);
            rois[4 * k + 3] = (float) (y1 + bh);
        }
        return rois;
    }
}
