package dev.panamax.detection;

import static dev.panamax.detection.DetectionLossReference.encode;
import static dev.panamax.detection.DetectionLossReference.iou;
import static dev.panamax.detection.DetectionLossReference.row;
import static dev.panamax.detection.DetectionLossReference.smoothL1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.autograd.GradMode;
import dev.panamax.ops.RoiOps;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The box head's losses on one 16×16 image (a 4×4 feature map, three proposals, two ground-truth
 * boxes) against matching, encoding and fastrcnn_loss recomputed here in double precision; a batch
 * larger than the candidates makes the sample all of them, in order.
 */
class RoIHeadsTest {
    private static final double[][] PROPOSALS = {{0, 0, 8, 8}, {6, 6, 14, 14}, {1, 1, 9, 9.5}};
    private static final double[][] GT = {{0, 0, 8, 8}, {8, 8, 15, 15}};
    private static final long[] GT_LABELS = {2, 1};
    private static final int CLASSES = 3;

    private final Generator gen = new Generator(5);
    private final TwoMLPHead boxHead = new TwoMLPHead(4 * 2 * 2, 8, gen);
    private final FastRCNNPredictor predictor = new FastRCNNPredictor(8, CLASSES, gen);
    private final RoIHeads heads = new RoIHeads(new MultiScaleRoIAlign(List.of("0"), 2, 2, RoiMode.ALIGN), boxHead, predictor,
            new RoIHeads.Settings(0.5, 0.5, 512, 0.25, 0.05, 0.5, 100), gen);

    @AfterEach
    void free() {
        heads.close();
    }

    @Test
    void lossesMatchADoublePrecisionReference() {
        try (Tensor feature = Tensor.randn(gen, 1, 4, 4, 4).requiresGrad(true); Tensor proposals = boxes(PROPOSALS);
             Target target = new Target(boxes(GT), Tensor.of(GT_LABELS, 2))) {
            double[][] candidates = {PROPOSALS[0], PROPOSALS[1], PROPOSALS[2], GT[0], GT[1]};
            double[] logits;
            double[] regression;
            try (GradMode.Guard ignored = GradMode.noGrad(); Tensor rois = roiRows(candidates);
                 Tensor pooled = RoiOps.roiAlign(feature, rois, 2, 2, 0.25, 2, false); Tensor represented = boxHead.forward(pooled);
                 FastRCNNPredictor.Output out = predictor.predict(represented)) {
                logits = out.classLogits().toDoubleArray();
                regression = out.boxRegression().toDoubleArray();
            }
            Map<String, Tensor> losses = heads.losses(Map.of("0", feature), List.of(proposals), List.of(new int[] {16, 16}), List.of(target));
            double[] expected = reference(candidates, logits, regression);
            assertEquals(expected[0], losses.get("loss_classifier").item(), 1e-5);
            assertEquals(expected[1], losses.get("loss_box_reg").item(), 1e-5);
            try (Tensor total = losses.get("loss_classifier").add(losses.get("loss_box_reg"))) {
                total.backward();
            }
            heads.parameters().forEach(p -> assertNotNull(p.grad(), p.name()));
            assertNotNull(feature.grad());
            losses.values().forEach(Tensor::close);
        }
    }

    @Test
    void detectionsAreForegroundInsideTheImageBestFirst() {
        heads.eval();
        try (GradMode.Guard ignored = GradMode.noGrad(); Tensor feature = Tensor.randn(gen, 1, 4, 4, 4); Tensor proposals = boxes(PROPOSALS)) {
            List<Detections> found = heads.detect(Map.of("0", feature), List.of(proposals), List.of(new int[] {16, 16}));
            try (Detections d = found.getFirst()) {
                // three proposals, two foreground classes: at most six before suppression
                assertTrue(d.size() <= 6, "detections " + d.size());
                for (long label : d.labels().toLongArray()) {
                    assertTrue(label == 1 || label == 2, "label " + label);
                }
                float[] scores = d.scores().toFloatArray();
                for (int i = 1; i < scores.length; i++) {
                    assertTrue(scores[i - 1] >= scores[i], "scores decrease");
                }
                for (float v : d.boxes().toFloatArray()) {
                    assertTrue(v >= 0 && v <= 16, "box coordinate " + v);
                }
            }
        }
    }

    private static Tensor boxes(double[][] rows) {
        float[] flat = new float[rows.length * 4];
        for (int i = 0; i < rows.length; i++) {
            for (int c = 0; c < 4; c++) {
                flat[4 * i + c] = (float) rows[i][c];
            }
        }
        return Tensor.of(flat, rows.length, 4);
    }

    private static Tensor roiRows(double[][] rows) {
        float[] flat = new float[rows.length * 5];
        for (int i = 0; i < rows.length; i++) {
            for (int c = 0; c < 4; c++) {
                flat[5 * i + 1 + c] = (float) rows[i][c];
            }
        }
        return Tensor.of(flat, rows.length, 5);
    }

    /** {loss_classifier, loss_box_reg}: cross entropy over all candidates, smooth L1 of the true class over positives, both / count. */
    private static double[] reference(double[][] candidates, double[] logits, double[] regression) {
        double ce = 0;
        double box = 0;
        for (int k = 0; k < candidates.length; k++) {
            int best = iou(GT[0], candidates[k]) >= iou(GT[1], candidates[k]) ? 0 : 1;
            boolean positive = iou(GT[best], candidates[k]) >= 0.5;
            int label = positive ? (int) GT_LABELS[best] : 0;
            double[] z = row(logits, k, CLASSES);
            double max = Math.max(z[0], Math.max(z[1], z[2]));
            double logSumExp = max + Math.log(Math.exp(z[0] - max) + Math.exp(z[1] - max) + Math.exp(z[2] - max));
            ce += logSumExp - z[label];
            if (positive) {
                double[] predicted = row(regression, k * CLASSES + label, 4);
                box += smoothL1(predicted, encode(GT[best], candidates[k], new double[] {10, 10, 5, 5}), 1.0 / 9);
            }
        }
        return new double[] {ce / candidates.length, box / candidates.length};
    }
}
