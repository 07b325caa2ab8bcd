package dev.panamax.detection;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * pycocotools' {@code evaluateImg} for one image, class and area range: detections, best score
 * first, are matched greedily to ground truth at each IoU threshold.
 *
 * @param scores     the detections' scores, best first (at most the largest maxDets)
 * @param matched    [threshold][detection]: matched to a ground-truth object
 * @param ignored    [threshold][detection]: counts neither as hit nor miss (matched to a crowd or
 *                   out-of-range object, or unmatched and itself out of the area range)
 * @param countedTruth ground-truth objects that must be found (not crowd, area in range)
 */
record CocoImageMatch(double[] scores, boolean[][] matched, boolean[][] ignored, int countedTruth) {
    /** One image's objects and detections of one class; the detections best first, at most maxDets. */
    record Group(List<GroundTruthBox> truth, List<ScoredBox> detections) {}

    /**
     * Each class's groups, in image order; an image with neither objects nor detections of a class
     * has no group there (pycocotools' None).
     */
    static Map<Integer, List<Group>> byClass(List<EvalImages.Entry> images, int maxDets) {
        Map<Integer, List<Group>> out = new TreeMap<>();
        for (EvalImages.Entry image : images) {
            Map<Integer, Group> groups = new TreeMap<>();
            for (GroundTruthBox g : image.truth()) {
                groups.computeIfAbsent(g.label(), k -> new Group(new ArrayList<>(), new ArrayList<>())).truth().add(g);
            }
            for (ScoredBox d : image.detections()) {
                groups.computeIfAbsent(d.label(), k -> new Group(new ArrayList<>(), new ArrayList<>())).detections().add(d);
            }
            groups.forEach((label, g) -> {
                List<ScoredBox> dets = g.detections();
                // stable, as numpy's mergesort: equal scores keep the order they were given in
                dets.sort(Comparator.comparingDouble(d -> -d.score()));
                out.computeIfAbsent(label, k -> new ArrayList<>()).add(new Group(g.truth(), dets.subList(0, Math.min(maxDets, dets.size()))));
            });
        }
        return out;
    }

    static CocoImageMatch of(Group group, double minArea, double maxArea, double[] iouThresholds) {
        List<ScoredBox> dets = group.detections();
        List<GroundTruthBox> truth = new ArrayList<>(group.truth());
        truth.sort(Comparator.comparing(g -> ignored(g, minArea, maxArea))); // stable: objects that count first

        int tn = iouThresholds.length;
        int nd = dets.size();
        int ng = truth.size();
        boolean[] truthIgnored = new boolean[ng];
        int counted = 0;
        for (int g = 0; g < ng; g++) {
            truthIgnored[g] = ignored(truth.get(g), minArea, maxArea);
            counted += truthIgnored[g] ? 0 : 1;
        }
        double[][] iou = new double[nd][ng];
        for (int d = 0; d < nd; d++) {
            for (int g = 0; g < ng; g++) {
                iou[d][g] = dets.get(d).overlap(truth.get(g), truth.get(g).crowd());
            }
        }
        boolean[][] matched = new boolean[tn][nd];
        boolean[][] ignored = new boolean[tn][nd];
        for (int t = 0; t < tn; t++) {
            boolean[] truthTaken = new boolean[ng];
            for (int d = 0; d < nd; d++) {
                double best = Math.min(iouThresholds[t], 1 - 1e-10);
                int m = -1;
                for (int g = 0; g < ng; g++) {
                    if (truthTaken[g] && !truth.get(g).crowd()) {
                        continue; // a crowd may take any number of detections
                    }
                    if (m > -1 && !truthIgnored[m] && truthIgnored[g]) {
                        break; // ignored objects come last: a real match is never traded for one
                    }
                    if (iou[d][g] < best) {
                        continue;
                    }
                    best = iou[d][g];
                    m = g;
                }
                if (m > -1) {
                    ignored[t][d] = truthIgnored[m];
                    matched[t][d] = true;
                    truthTaken[m] = true;
                }
            }
        }
        double[] scores = new double[nd];
        for (int d = 0; d < nd; d++) {
            ScoredBox det = dets.get(d);
            scores[d] = det.score();
            boolean outside = det.area() < minArea || det.area() > maxArea;
            for (int t = 0; t < tn; t++) {
                ignored[t][d] |= !matched[t][d] && outside;
            }
        }
        return new CocoImageMatch(scores, matched, ignored, counted);
    }

    private static boolean ignored(GroundTruthBox g, double minArea, double maxArea) {
        return g.crowd() || g.area() < minArea || g.area() > maxArea;
    }
}
