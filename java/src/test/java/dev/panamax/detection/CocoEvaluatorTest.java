package dev.panamax.detection;

import static dev.panamax.detection.EvalCases.detections;
import static dev.panamax.detection.EvalCases.none;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class CocoEvaluatorTest {
    private static final double EPS = 1e-12;

    private static GroundTruthBox box(double x1, double y1, double x2, double y2, int label) {
        return GroundTruthBox.of(x1, y1, x2, y2, label);
    }

    private static GroundTruthBox crowd(double x1, double y1, double x2, double y2, int label) {
        return new GroundTruthBox(x1, y1, x2, y2, label, (x2 - x1) * (y2 - y1), true, false);
    }

    private static double[] det(GroundTruthBox g, double score) {
        return new double[] {g.x1(), g.y1(), g.x2(), g.y2(), g.label(), score};
    }

    private static CocoStats evaluate(List<GroundTruthBox> truth, Detections dets) {
        CocoEvaluator eval = new CocoEvaluator();
        try (dets) {
            eval.add(1, truth, dets);
        }
        return eval.summarize();
    }

    @Test
    void perfectDetectorScoresOneEverywhere() {
        CocoEvaluator eval = new CocoEvaluator();
        // one object per class and image, so AR@1 is 1 too; areas small (100), medium (2500), large (40000)
        List<List<GroundTruthBox>> images = List.of(
                List.of(box(0, 0, 10, 10, 1), box(50, 50, 100, 100, 2)),
                List.of(box(0, 0, 200, 200, 1), box(300, 300, 310, 310, 3)),
                List.of());
        for (int i = 0; i < images.size(); i++) {
            double[][] rows = images.get(i).stream().map(g -> det(g, 0.9)).toArray(double[][]::new);
            try (Detections d = detections(rows)) {
                eval.add(10 - i, images.get(i), d);
            }
        }
        double[] ones = new double[12];
        java.util.Arrays.fill(ones, 1.0);
        assertArrayEquals(ones, eval.summarize().toArray(), EPS);
    }

    @Test
    void aFalsePositiveRankedAboveATruePositiveCostsAHandComputedAmount() {
        GroundTruthBox a = box(0, 0, 50, 50, 1);
        GroundTruthBox b = box(100, 0, 150, 50, 1);
        double[] miss = {300, 300, 350, 350, 1, 0};
        // hit, hit, miss: precision 1 at every recall
        CocoStats ordered = evaluate(List.of(a, b), detections(det(a, 0.9), det(b, 0.8), withScore(miss, 0.7)));
        assertEquals(1.0, ordered.ap(), EPS);
        // hit, miss, hit: precision 1 up to recall 0.5 (51 of 101 points), then 2/3 (50 points)
        CocoStats shuffled = evaluate(List.of(a, b), detections(det(a, 0.9), withScore(miss, 0.8), det(b, 0.7)));
        double expected = (51 + 50 * 2.0 / 3) / 101;
        assertEquals(expected, shuffled.ap(), EPS);
        assertEquals(expected, shuffled.ap50(), EPS);
        assertEquals(expected, shuffled.apMedium(), EPS);
        assertEquals(-1, shuffled.apSmall());
        assertEquals(-1, shuffled.apLarge());
        assertEquals(0.5, shuffled.ar1(), EPS); // one detection per image and class finds one of two
        assertEquals(1.0, shuffled.ar100(), EPS);
        // miss first: precision 2/3 at every recall
        CocoStats worst = evaluate(List.of(a, b), detections(withScore(miss, 0.95), det(a, 0.9), det(b, 0.8)));
        assertEquals(2.0 / 3, worst.ap(), EPS);
    }

    private static double[] withScore(double[] row, double score) {
        double[] r = row.clone();
        r[5] = score;
        return r;
    }

    @Test
    void detectionsOnACrowdAreIgnoredAndItsOverlapIsOverTheDetection() {
        GroundTruthBox a = box(0, 0, 40, 40, 1);
        GroundTruthBox region = crowd(100, 100, 300, 300, 1);
        double[] inside = {120, 120, 160, 160, 1, 0.95};
        double[] halfInside = {80, 150, 120, 190, 1, 0.9}; // overlap with the crowd: 20·40 / 40·40 = 0.5
        CocoStats s = evaluate(List.of(a, region), detections(inside, halfInside, det(a, 0.85)));
        // at IoU 0.5 both crowd detections are ignored; above, the half-inside one is a miss ranked first
        assertEquals(1.0, s.ap50(), EPS);
        assertEquals(0.5, s.ap75(), EPS);
        assertEquals((1 + 9 * 0.5) / 10, s.ap(), EPS);
        assertEquals(1.0, s.ar100(), EPS); // the crowd is never a miss
    }

    @Test
    void aDuplicateOnAnObjectInsideACrowdFallsToTheCrowd() {
        GroundTruthBox a = box(110, 110, 150, 150, 1);
        GroundTruthBox b = box(0, 0, 40, 40, 1);
        GroundTruthBox region = crowd(100, 100, 300, 300, 1);
        Detections hitDuplicateHit = detections(det(a, 0.9), det(a, 0.8), det(b, 0.7));
        assertEquals(1.0, evaluate(List.of(a, b, region), hitDuplicateHit).ap(), EPS);
        // without the crowd the duplicate is a miss between two hits
        Detections same = detections(det(a, 0.9), det(a, 0.8), det(b, 0.7));
        assertEquals((51 + 50 * 2.0 / 3) / 101, evaluate(List.of(a, b), same).ap(), EPS);
    }

    @Test
    void areaRangesIgnoreObjectsAndUnmatchedDetectionsOutsideThem() {
        GroundTruthBox small = box(0, 0, 20, 20, 1);
        double[] largeMiss = {200, 200, 400, 400, 1, 0.9};
        CocoStats s = evaluate(List.of(small), detections(largeMiss, det(small, 0.8)));
        assertEquals(0.5, s.ap(), EPS);
        assertEquals(1.0, s.apSmall(), EPS); // the large miss is outside the small range
        assertEquals(-1, s.apMedium());
        assertEquals(-1, s.apLarge());
        assertEquals(1.0, s.arSmall(), EPS);
        assertEquals(-1, s.arLarge());
    }

    @Test
    void theAreaFieldNotTheBoxDecidesTheRange() {
        GroundTruthBox g = new GroundTruthBox(0, 0, 50, 50, 1, 900, false, false); // box 2500 px², area 900: small
        CocoStats s = evaluate(List.of(g), detections(det(g, 0.9)));
        assertEquals(1.0, s.apSmall(), EPS);
        assertEquals(-1, s.apMedium());
    }

    @Test
    void noDetectionsScoreZeroAndNothingToFindScoresMinusOne() {
        assertArrayEquals(new double[12], evaluateAll(List.of(box(0, 0, 50, 50, 1), box(0, 0, 200, 200, 2), box(0, 0, 5, 5, 2)), none()), EPS);
        double[] minusOnes = new double[12];
        java.util.Arrays.fill(minusOnes, -1);
        assertArrayEquals(minusOnes, new CocoEvaluator().summarize().toArray());
        assertArrayEquals(minusOnes, evaluateAll(List.of(crowd(0, 0, 50, 50, 1)), detections(new double[] {0, 0, 50, 50, 1, 0.5})));
    }

    private static double[] evaluateAll(List<GroundTruthBox> truth, Detections dets) {
        return evaluate(truth, dets).toArray();
    }

    @Test
    void detectionsOnImagesWithoutObjectsAreMissesAndClassesWithoutObjectsAreLeftOut() {
        GroundTruthBox a = box(0, 0, 50, 50, 1);
        CocoEvaluator eval = new CocoEvaluator();
        try (Detections d1 = detections(det(a, 0.8), new double[] {0, 0, 50, 50, 7, 0.99}); Detections d2 = detections(det(a, 0.9))) {
            eval.add(1, List.of(a), d1);
            eval.add(2, List.of(), d2); // no objects: its detection ranks first and misses
        }
        assertEquals(0.5, eval.summarize().ap(), EPS);
    }

    @Test
    void targetsAreOrdinaryObjects() {
        CocoEvaluator eval = new CocoEvaluator();
        try (Target t = new Target(dev.panamax.tensor.Tensor.of(new float[] {0, 0, 50, 50}, 1, 4), dev.panamax.tensor.Tensor.of(new long[] {3}, 1));
                Detections d = detections(new double[] {0, 0, 50, 50, 3, 0.5})) {
            eval.add(1, t, d);
        }
        assertEquals(1.0, eval.summarize().ap(), EPS);
    }

    @Test
    void printsPycocotoolsTable() {
        String[] lines = evaluate(List.of(box(0, 0, 50, 50, 1)), detections(new double[] {0, 0, 50, 50, 1, 0.5})).toString().split("\n");
        assertEquals(12, lines.length);
        assertEquals(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 1.000", lines[0]);
        assertEquals(" Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=100 ] = 1.000", lines[2]);
        assertEquals(" Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = -1.000", lines[3]);
        assertEquals(" Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 1.000", lines[6]);
        assertEquals(" Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = -1.000", lines[11]);
    }

    @Test
    void badInputsAreRefused() {
        CocoEvaluator eval = new CocoEvaluator();
        try (Detections d = none()) {
            eval.add(1, List.of(), d);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> eval.add(1, List.of(), d));
            assertTrue(e.getMessage().contains("image 1 was already added"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> eval.add(2, (List<GroundTruthBox>) null, d));
        }
        assertThrows(IllegalArgumentException.class, () -> GroundTruthBox.of(10, 0, 5, 5, 1));
        try (Detections nan = detections(new double[] {0, 0, 1, 1, 1, Double.NaN})) {
            assertThrows(IllegalArgumentException.class, () -> eval.add(3, List.of(), nan));
        }
    }

    @Test
    void matchesPycocotoolsOnASeededRandomCase() throws IOException {
        EvalCases.Fixture f = EvalCases.fixture();
        CocoEvaluator eval = new CocoEvaluator();
        f.addTo(eval::add);
        CocoStats s = eval.summarize();
        assertArrayEquals(f.cocoStats(), s.toArray(), 1e-6, s.toString());
    }
}
