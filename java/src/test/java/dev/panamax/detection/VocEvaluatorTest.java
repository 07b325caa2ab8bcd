package dev.panamax.detection;

import static dev.panamax.detection.EvalCases.detections;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VocEvaluatorTest {
    private static final double EPS = 1e-12;

    private static VocEvaluator.Result evaluate(List<GroundTruthBox> truth, double[]... rows) {
        VocEvaluator eval = new VocEvaluator();
        try (Detections d = detections(rows)) {
            eval.add(1, truth, d);
        }
        return eval.summarize();
    }

    private static GroundTruthBox difficult(double x1, double y1, double x2, double y2, int label) {
        return new GroundTruthBox(x1, y1, x2, y2, label, (x2 - x1) * (y2 - y1), false, true);
    }

    @Test
    void perfectDetectorScoresOne() {
        VocEvaluator.Result r = evaluate(List.of(GroundTruthBox.of(0, 0, 10, 10, 1), GroundTruthBox.of(20, 20, 60, 60, 2)),
                new double[] {0, 0, 10, 10, 1, 0.9}, new double[] {20, 20, 60, 60, 2, 0.3});
        assertEquals(1.0, r.meanAp(), EPS);
        assertEquals(Map.of(1, 1.0, 2, 1.0), r.perClass());
    }

    @Test
    void allPointInterpolationOfHitMissHit() {
        // recall 0.5 at precision 1, then recall 1 at precision 2/3: 0.5·1 + 0.5·2/3
        VocEvaluator.Result r = evaluate(List.of(GroundTruthBox.of(0, 0, 10, 10, 1), GroundTruthBox.of(20, 0, 30, 10, 1)),
                new double[] {0, 0, 10, 10, 1, 0.9}, new double[] {50, 50, 60, 60, 1, 0.8}, new double[] {20, 0, 30, 10, 1, 0.7});
        assertEquals(5.0 / 6, r.meanAp(), EPS);
    }

    @Test
    void difficultObjectsCountNeitherWay() {
        GroundTruthBox a = GroundTruthBox.of(0, 0, 10, 10, 1);
        // a detection on a difficult object is no miss, and an undetected difficult object is not missed
        VocEvaluator.Result r = evaluate(List.of(a, difficult(20, 0, 30, 10, 1), difficult(40, 0, 50, 10, 1)),
                new double[] {20, 0, 30, 10, 1, 0.95}, new double[] {0, 0, 10, 10, 1, 0.9});
        assertEquals(1.0, r.meanAp(), EPS);
        // the same objects, not difficult: recall 1/3 with precision 1/2
        r = evaluate(List.of(a, GroundTruthBox.of(40, 0, 50, 10, 1)), new double[] {60, 0, 70, 10, 1, 0.95}, new double[] {0, 0, 10, 10, 1, 0.9});
        assertEquals(0.25, r.meanAp(), EPS);
    }

    @Test
    void overlapMustExceedTheThresholdAndDuplicatesMiss() {
        GroundTruthBox a = GroundTruthBox.of(0, 0, 10, 10, 1);
        assertEquals(0.0, evaluate(List.of(a), new double[] {0, 0, 10, 5, 1, 0.9}).meanAp(), EPS); // IoU exactly 0.5
        assertEquals(1.0, evaluate(List.of(a), new double[] {0, 0, 10, 6, 1, 0.9}).meanAp(), EPS);
        // a duplicate ranked second after full recall costs nothing; the class without objects is left out
        VocEvaluator.Result r = evaluate(List.of(a), new double[] {0, 0, 10, 10, 1, 0.9}, new double[] {0, 0, 10, 10, 1, 0.8},
                new double[] {0, 0, 10, 10, 4, 0.8});
        assertEquals(Map.of(1, 1.0), r.perClass());
    }

    @Test
    void nothingToFindGivesNaNAndBadThresholdsAreRefused() {
        assertTrue(Double.isNaN(new VocEvaluator().summarize().meanAp()));
        assertThrows(IllegalArgumentException.class, () -> new VocEvaluator(1.0));
        assertThrows(IllegalArgumentException.class, () -> new VocEvaluator(Double.NaN));
    }

    @Test
    void matchesTheDevkitTranscriptionOnTheSeededCase() throws IOException {
        EvalCases.Fixture f = EvalCases.fixture();
        VocEvaluator eval = new VocEvaluator();
        f.addTo(eval::add);
        VocEvaluator.Result r = eval.summarize();
        assertEquals(f.vocAp().keySet(), r.perClass().keySet());
        f.vocAp().forEach((label, ap) -> assertEquals(ap, r.perClass().get(label), 1e-9, "class " + label));
    }
}
