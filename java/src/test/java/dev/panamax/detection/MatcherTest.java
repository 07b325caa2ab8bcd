package dev.panamax.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panamax.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The matcher's edge cases, as torchvision's Matcher answers them. */
class MatcherTest {
    private static int[] match(Matcher m, float[] iou, int gt, int predictions) {
        try (Tensor q = Tensor.of(iou, gt, predictions)) {
            return m.match(q);
        }
    }

    @Test
    void thresholdsSplitAboveBetweenAndBelow() {
        Matcher m = new Matcher(0.7, 0.3, false);
        // gt 0 vs gt 1: prediction 0 → gt 1 (0.8), 1 → between (0.5), 2 → below (0.1), 3 → exactly high, 4 → exactly low
        float[] iou = {0.2f, 0.5f, 0.1f, 0.7f, 0.3f,
                       0.8f, 0.4f, 0.0f, 0.0f, 0.0f};
        assertArrayEquals(new int[] {1, Matcher.BETWEEN_THRESHOLDS, Matcher.BELOW_LOW_THRESHOLD, 0, Matcher.BETWEEN_THRESHOLDS},
                match(m, iou, 2, 5));
    }

    @Test
    void allBelowStaysUnmatchedWithoutLowQualityMatches() {
        float[] iou = {0.1f, 0.2f, 0.05f};
        assertArrayEquals(new int[] {-1, -1, -1}, match(new Matcher(0.7, 0.3, false), iou, 1, 3));
    }

    @Test
    void lowQualityMatchesGiveEachBoxItsBestPredictions() {
        Matcher m = new Matcher(0.7, 0.3, true);
        // gt 0's best is 0.2 (predictions 1 and 2 tie), gt 1's best is 0.5 (prediction 3); prediction 2 prefers gt 1 (0.25)
        float[] iou = {0.1f, 0.2f, 0.2f, 0.0f,
                       0.0f, 0.1f, 0.25f, 0.5f};
        assertArrayEquals(new int[] {-1, 0, 1, 1}, match(m, iou, 2, 4));
    }

    @Test
    void aBoxOverlappingNothingMakesEveryPredictionItsBest() {
        // torchvision's behaviour: the highest IoU of gt 1 is 0, so every prediction with IoU 0 to it keeps its own best match
        float[] iou = {0.1f, 0.9f,
                       0.0f, 0.0f};
        assertArrayEquals(new int[] {0, 0}, match(new Matcher(0.7, 0.3, true), iou, 2, 2));
    }

    @Test
    void noGroundTruthOrNoPredictionsIsAnError() {
        Matcher m = new Matcher(0.5, 0.5, false);
        IllegalArgumentException noGt = assertThrows(IllegalArgumentException.class, () -> match(m, new float[0], 0, 3));
        assertEquals("No ground-truth boxes available for one of the images during training", noGt.getMessage());
        IllegalArgumentException noBoxes = assertThrows(IllegalArgumentException.class, () -> match(m, new float[0], 2, 0));
        assertEquals("No proposal boxes available for one of the images during training", noBoxes.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Matcher(0.3, 0.7, false));
    }
}
