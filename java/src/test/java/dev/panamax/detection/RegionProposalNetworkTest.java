package dev.panamax.detection;

import static dev.panamax.detection.DetectionLossReference.bceWithLogits;
import static dev.panamax.detection.DetectionLossReference.encode;
import static dev.panamax.detection.DetectionLossReference.iou;
import static dev.panamax.detection.DetectionLossReference.smoothL1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The RPN's losses on two 16×16 images with one 2×2 feature map and one anchor per cell, against
 * matching, encoding and losses recomputed here in double precision. A batch larger than the
 * anchor count makes the sample every labelled anchor, so the reference needs no random draw.
 */
class RegionProposalNetworkTest {
    private static final double[][] ANCHORS = {{-4, -4, 4, 4}, {4, -4, 12, 4}, {-4, 4, 4, 12}, {4, 4, 12, 12}};
    private static final double[][] GT = {{1, 1, 9, 9}, {0, 0, 12, 12}};
    private static final double FG = 0.7;
    private static final double BG = 0.1;

    @Test
    void lossesMatchADoublePrecisionReference() {
        Generator gen = new Generator(11);
        RPNHead head = new RPNHead(4, 1, gen);
        var settings = new RegionProposalNetwork.Settings(10, 10, 10, 10, 0.7, FG, BG, 256, 0.5, 0.0);
        try (RegionProposalNetwork rpn = new RegionProposalNetwork(new AnchorGenerator(new double[][] {{8}}, new double[][] {{1.0}}), head,
                settings, gen);
             Tensor feature = Tensor.randn(gen, 2, 4, 2, 2).requiresGrad(true);
             ImageList images = new ImageList(Tensor.zeros(2, 3, 16, 16), List.of(new int[] {16, 16}, new int[] {16, 16}));
             Target first = target(GT[0]); Target second = target(GT[1])) {
            double[] logits;
            double[] deltas;
            try (RPNHead.Output out = head.predict(List.of(feature))) {
                logits = out.objectness().getFirst().toDoubleArray();
                deltas = out.deltas().getFirst().toDoubleArray();
            }
            try (RegionProposalNetwork.Output out = rpn.propose(images, Map.of("0", feature), List.of(first, second))) {
                Map<String, Tensor> losses = out.losses();
                double[] expected = reference(logits, deltas);
                assertEquals(expected[0], losses.get("loss_objectness").item(), 1e-5);
                assertEquals(expected[1], losses.get("loss_rpn_box_reg").item(), 1e-5);
                try (Tensor total = losses.get("loss_objectness").add(losses.get("loss_rpn_box_reg"))) {
                    total.backward();
                }
                assertNotNull(feature.grad());
                assertNotNull(head.parameters().getFirst().grad());
                for (Tensor p : out.proposals()) {
                    assertTrue(p.size(0) >= 1 && p.size(0) <= 4, "proposals " + p.shape());
                    for (float v : p.toFloatArray()) {
                        assertTrue(v >= 0 && v <= 16, "proposals are clipped to the image: " + v);
                    }
                }
                losses.values().forEach(Tensor::close);
            }
        }
    }

    private static Target target(double[] box) {
        float[] b = new float[4];
        for (int i = 0; i < 4; i++) {
            b[i] = (float) box[i];
        }
        return new Target(Tensor.of(b, 1, 4), Tensor.of(new long[] {1}, 1));
    }

    /** {loss_objectness, loss_rpn_box_reg} from the head's outputs (logits [2, 1, 2, 2], deltas [2, 4, 2, 2]). */
    private static double[] reference(double[] logits, double[] deltas) {
        double bce = 0;
        double box = 0;
        int sampled = 0;
        for (int image = 0; image < 2; image++) {
            double best = 0;
            for (double[] a : ANCHORS) {
                best = Math.max(best, iou(GT[image], a));
            }
            for (int a = 0; a < 4; a++) {
                double q = iou(GT[image], ANCHORS[a]);
                // one ground-truth box: its best anchor is positive whatever its IoU
                int label = q >= FG || q == best ? 1 : q < BG ? 0 : -1;
                if (label < 0) {
                    continue;
                }
                sampled++;
                bce += bceWithLogits(logits[image * 4 + a], label);
                if (label == 1) {
                    double[] predicted = new double[4];
                    for (int c = 0; c < 4; c++) {
                        predicted[c] = deltas[(image * 4 + c) * 4 + a];
                    }
                    box += smoothL1(predicted, encode(GT[image], ANCHORS[a], new double[] {1, 1, 1, 1}), 1.0 / 9);
                }
            }
        }
        assertEquals(4, sampled, "each image has one positive, one negative and two ignored anchors");
        return new double[] {bce / sampled, box / sampled};
    }
}
