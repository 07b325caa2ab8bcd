package dev.panamax.detection;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pascal VOC detection AP as the VOC2010+ devkit ({@code voc_eval.py} without the 2007 11-point
 * metric): per class, detections of all images best score first, each a hit when its best-overlap
 * object (IoU strictly above the threshold) is not yet taken; AP is the area under the precision
 * envelope at every recall reached.
 *
 * <p>A detection whose best-overlap object is {@code difficult} counts neither way, and difficult
 * objects are not counted as missed. Boxes are continuous pixel coordinates, so overlaps use
 * (x2 - x1)(y2 - y1) without the devkit's +1 ({@link VocReader} turns VOC's 1-based inclusive pixel
 * indices into such boxes, which gives the devkit's overlaps). Classes with no non-difficult object
 * are left out of the mean (the devkit would divide by zero). Equal scores keep image-id order,
 * then the order given.
 */
public final class VocEvaluator {
    private final double iouThreshold;
    private final EvalImages images = new EvalImages("VocEvaluator");

    /** VOC's AP@0.5. */
    public VocEvaluator() {
        this(0.5);
    }

    public VocEvaluator(double iouThreshold) {
        if (!(iouThreshold >= 0 && iouThreshold < 1)) {
            throw new IllegalArgumentException("VocEvaluator: iouThreshold must be in [0, 1), got " + iouThreshold);
        }
        this.iouThreshold = iouThreshold;
    }

    /** Adds an image's objects (difficult flags included) and what the detector found in it. */
    public void add(long imageId, List<GroundTruthBox> groundTruth, Detections detections) {
        images.add(imageId, groundTruth, detections);
    }

    /** Adds an image whose objects are a {@link Target}'s, none difficult. */
    public void add(long imageId, Target target, Detections detections) {
        images.add(imageId, GroundTruthBox.of(target), detections);
    }

    /**
     * The result: mean AP over classes with objects to find, and each such class's AP.
     *
     * @param perClass AP by class label, ascending
     */
    public record Result(double meanAp, Map<Integer, Double> perClass) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "mAP = %.4f%n", meanAp));
            perClass.forEach((label, ap) -> sb.append(String.format(Locale.ROOT, "  class %d: AP = %.4f%n", label, ap)));
            return sb.toString();
        }
    }

    public Result summarize() {
        List<EvalImages.Entry> entries = images.inOrder();
        Map<Integer, Double> perClass = new TreeMap<>();
        for (int label : EvalImages.truthLabels(entries)) {
            double ap = averagePrecision(entries, label);
            if (!Double.isNaN(ap)) {
                perClass.put(label, ap);
            }
        }
        double mean = perClass.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        return new Result(mean, Map.copyOf(perClass));
    }

    /** AP of one class; NaN when it has no non-difficult object. */
    private double averagePrecision(List<EvalImages.Entry> entries, int label) {
        record Det(ScoredBox box, List<GroundTruthBox> truth, boolean[] taken) {}
        List<Det> dets = new ArrayList<>();
        int positives = 0;
        for (EvalImages.Entry e : entries) {
            List<GroundTruthBox> truth = e.truth().stream().filter(g -> g.label() == label).toList();
            positives += (int) truth.stream().filter(g -> !g.difficult()).count();
            boolean[] taken = new boolean[truth.size()];
            e.detections().stream().filter(d -> d.label() == label).forEach(d -> dets.add(new Det(d, truth, taken)));
        }
        if (positives == 0) {
            return Double.NaN;
        }
        dets.sort(Comparator.comparingDouble(d -> -d.box.score()));
        double[] recall = new double[dets.size()];
        double[] precision = new double[dets.size()];
        double tp = 0;
        double fp = 0;
        for (int i = 0; i < dets.size(); i++) {
            Det d = dets.get(i);
            double best = Double.NEGATIVE_INFINITY;
            int bestIndex = -1;
            for (int g = 0; g < d.truth.size(); g++) {
                double iou = d.box.overlap(d.truth.get(g), false);
                if (iou > best) { // the first of equal overlaps, as numpy's argmax
                    best = iou;
                    bestIndex = g;
                }
            }
            if (best > iouThreshold) {
                if (!d.truth.get(bestIndex).difficult()) {
                    if (d.taken[bestIndex]) {
                        fp++;
                    } else {
                        tp++;
                        d.taken[bestIndex] = true;
                    }
                }
            } else {
                fp++;
            }
            recall[i] = tp / positives;
            precision[i] = tp / Math.max(tp + fp, Math.ulp(1.0));
        }
        return areaUnderEnvelope(recall, precision);
    }

    /** The devkit's {@code voc_ap}: precision made non-increasing, summed over each recall step. */
    private static double areaUnderEnvelope(double[] recall, double[] precision) {
        int n = recall.length;
        double[] mrec = new double[n + 2];
        double[] mpre = new double[n + 2];
        System.arraycopy(recall, 0, mrec, 1, n);
        System.arraycopy(precision, 0, mpre, 1, n);
        mrec[n + 1] = 1;
        for (int i = n; i >= 0; i--) {
            mpre[i] = Math.max(mpre[i], mpre[i + 1]);
        }
        double ap = 0;
        for (int i = 0; i <= n; i++) {
            if (mrec[i + 1] != mrec[i]) {
                ap += (mrec[i + 1] - mrec[i]) * mpre[i + 1];
            }
        }
        return ap;
    }
}
