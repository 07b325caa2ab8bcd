package dev.panamax.detection;

import dev.panamax.tensor.Tensor;

/**
 * Assigns each prediction (anchor or proposal) the ground-truth box it overlaps most, as
 * torchvision's {@code Matcher}: IoU ≥ high keeps the match, IoU &lt; low gives
 * {@link #BELOW_LOW_THRESHOLD}, between gives {@link #BETWEEN_THRESHOLDS}. With low-quality matches
 * allowed, every prediction that ties for the best IoU of some ground-truth box keeps its match
 * whatever its IoU (so every box gets at least one prediction, as in the Faster R-CNN paper).
 */
public final class Matcher {
    public static final int BELOW_LOW_THRESHOLD = -1;
    public static final int BETWEEN_THRESHOLDS = -2;

    // IoUs are float32 and torch compares them with the thresholds in float32
    private final float highThreshold;
    private final float lowThreshold;
    private final boolean allowLowQualityMatches;

    public Matcher(double highThreshold, double lowThreshold, boolean allowLowQualityMatches) {
        if (lowThreshold > highThreshold) {
            throw new IllegalArgumentException("Matcher: low threshold " + lowThreshold + " exceeds high threshold " + highThreshold);
        }
        this.highThreshold = (float) highThreshold;
        this.lowThreshold = (float) lowThreshold;
        this.allowLowQualityMatches = allowLowQualityMatches;
    }

    /**
     * @param quality [G, P] IoU of each ground-truth box with each prediction
     * @return per prediction, the index of its ground-truth box or a negative code
     * @throws IllegalArgumentException when there are no ground-truth boxes or no predictions, as torchvision
     */
    public int[] match(Tensor quality) {
        if (quality.rank() != 2) {
            throw new IllegalArgumentException("Matcher: the match quality matrix must be [G, P], got " + quality.shape());
        }
        int gt = (int) quality.size(0);
        int predictions = (int) quality.size(1);
        if (gt == 0) {
            throw new IllegalArgumentException("No ground-truth boxes available for one of the images during training");
        }
        if (predictions == 0) {
            throw new IllegalArgumentException("No proposal boxes available for one of the images during training");
        }
        float[] q = quality.toFloatArray();
        float[] bestPerBox = allowLowQualityMatches ? bestPerBox(q, gt, predictions) : null;
        int[] matches = new int[predictions];
        for (int p = 0; p < predictions; p++) {
            int best = 0;
            boolean bestForSomeBox = false;
            for (int g = 0; g < gt; g++) {
                float iou = q[g * predictions + p];
                if (iou > q[best * predictions + p]) {
                    best = g;
                }
                bestForSomeBox |= bestPerBox != null && iou == bestPerBox[g];
            }
            float iou = q[best * predictions + p];
            // a prediction that ties for some box's best IoU keeps its own best match (torchvision's set_low_quality_matches_)
            matches[p] = bestForSomeBox || iou >= highThreshold ? best : iou < lowThreshold ? BELOW_LOW_THRESHOLD : BETWEEN_THRESHOLDS;
        }
        return matches;
    }

    private static float[] bestPerBox(float[] q, int gt, int predictions) {
        float[] best = new float[gt];
        for (int g = 0; g < gt; g++) {
            best[g] = Float.NEGATIVE_INFINITY;
            for (int p = 0; p < predictions; p++) {
                best[g] = Math.max(best[g], q[g * predictions + p]);
            }
        }
        return best;
    }
}
