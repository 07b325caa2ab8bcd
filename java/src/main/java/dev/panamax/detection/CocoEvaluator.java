package dev.panamax.detection;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * COCO box evaluation with pycocotools' {@code COCOeval(iouType="bbox")} semantics: AP averaged
 * over IoU 0.50:0.05:0.95 and 101 recall points, AP50, AP75, AP and AR by object area (small
 * &lt; 32², medium &lt; 96², large), AR at 1, 10 and 100 detections per image and category.
 *
 * <pre>{@code
 * CocoEvaluator eval = new CocoEvaluator();
 * for (...) eval.add(imageId, groundTruth, detections);   // detections may be closed after add
 * CocoStats stats = eval.summarize();
 * System.out.print(stats);                                // pycocotools' table
 * }</pre>
 *
 * <p>As in pycocotools: matching is per category, greedy by score; crowd objects never count as
 * missed, may absorb any number of detections (their overlap is over the detection's area), and
 * those detections count neither way; an object outside an area range is ignored in that range,
 * and so is an unmatched detection outside it; categories without (non-crowd) ground truth are left
 * out of every mean, and a number with nothing to average is -1. Images are ordered by id, which
 * breaks ties between equal scores as pycocotools does. Safe to {@link #add} from several threads.
 */
public final class CocoEvaluator {
    private static final double[] IOU_THRESHOLDS = linspace(0.5, 0.95, 10);
    private static final double[] RECALL_THRESHOLDS = linspace(0, 1, 101);
    private static final int[] MAX_DETS = {1, 10, 100};
    /** all, small, medium, large: pycocotools' areaRng. */
    private static final double[][] AREA_RANGES = {{0, 1e10}, {0, 32 * 32}, {32 * 32, 96 * 96}, {96 * 96, 1e10}};
    private static final int IOU_50 = 0;
    private static final int IOU_75 = 5;
    private static final int ALL = 0;
    private static final int SMALL = 1;
    private static final int MEDIUM = 2;
    private static final int LARGE = 3;
    private static final int MOST_DETS = MAX_DETS.length - 1;

    private final EvalImages images = new EvalImages("CocoEvaluator");

    /** Adds an image's objects (crowd flags and areas included) and what the detector found in it. */
    public void add(long imageId, List<GroundTruthBox> groundTruth, Detections detections) {
        images.add(imageId, groundTruth, detections);
    }

    /** Adds an image whose objects are a {@link Target}'s: none crowd, areas their boxes'. */
    public void add(long imageId, Target target, Detections detections) {
        images.add(imageId, GroundTruthBox.of(target), detections);
    }

    /** Matches and averages everything added so far. */
    public CocoStats summarize() {
        Map<Integer, List<CocoImageMatch.Group>> byClass = CocoImageMatch.byClass(images.inOrder(), MAX_DETS[MOST_DETS]);
        // curves[area][maxDets] holds one per class that has ground truth to count
        List<List<List<Curve>>> curves = new ArrayList<>();
        for (double[] range : AREA_RANGES) {
            List<List<Curve>> byMaxDets = new ArrayList<>();
            for (int m = 0; m < MAX_DETS.length; m++) {
                byMaxDets.add(new ArrayList<>());
            }
            for (List<CocoImageMatch.Group> groups : byClass.values()) {
                List<CocoImageMatch> matches = groups.stream().map(g -> CocoImageMatch.of(g, range[0], range[1], IOU_THRESHOLDS)).toList();
                for (int m = 0; m < MAX_DETS.length; m++) {
                    Curve c = Curve.of(matches, MAX_DETS[m]);
                    if (c != null) {
                        byMaxDets.get(m).add(c);
                    }
                }
            }
            curves.add(byMaxDets);
        }
        return new CocoStats(
                precision(curves.get(ALL).get(MOST_DETS), -1), precision(curves.get(ALL).get(MOST_DETS), IOU_50),
                precision(curves.get(ALL).get(MOST_DETS), IOU_75), precision(curves.get(SMALL).get(MOST_DETS), -1),
                precision(curves.get(MEDIUM).get(MOST_DETS), -1), precision(curves.get(LARGE).get(MOST_DETS), -1),
                recall(curves.get(ALL).get(0)), recall(curves.get(ALL).get(1)), recall(curves.get(ALL).get(MOST_DETS)),
                recall(curves.get(SMALL).get(MOST_DETS)), recall(curves.get(MEDIUM).get(MOST_DETS)), recall(curves.get(LARGE).get(MOST_DETS)));
    }

    /** Mean interpolated precision over categories, recall points and one threshold (or all, for -1). */
    private static double precision(List<Curve> curves, int threshold) {
        double sum = 0;
        long n = 0;
        for (Curve c : curves) {
            for (int t = 0; t < IOU_THRESHOLDS.length; t++) {
                if (threshold < 0 || t == threshold) {
                    sum += Arrays.stream(c.precision[t]).sum();
                    n += RECALL_THRESHOLDS.length;
                }
            }
        }
        return n == 0 ? -1 : sum / n;
    }

    private static double recall(List<Curve> curves) {
        double sum = 0;
        for (Curve c : curves) {
            sum += Arrays.stream(c.recall).sum();
        }
        return curves.isEmpty() ? -1 : sum / (curves.size() * (double) IOU_THRESHOLDS.length);
    }

    /**
     * pycocotools' {@code accumulate} for one category, area range and maxDets: precision at the
     * 101 recall points ([threshold][point]) and final recall per threshold.
     */
    private record Curve(double[][] precision, double[] recall) {
        /** Null when no image has an object to find (pycocotools leaves -1 there). */
        static Curve of(List<CocoImageMatch> matches, int maxDets) {
            int counted = matches.stream().mapToInt(CocoImageMatch::countedTruth).sum();
            if (counted == 0) {
                return null;
            }
            record Det(CocoImageMatch image, int index) {}
            List<Det> dets = new ArrayList<>();
            for (CocoImageMatch m : matches) {
                for (int d = 0; d < Math.min(maxDets, m.scores().length); d++) {
                    dets.add(new Det(m, d));
                }
            }
            dets.sort(Comparator.comparingDouble(d -> -d.image.scores()[d.index])); // stable, as numpy's mergesort
            int nd = dets.size();
            double[][] precision = new double[IOU_THRESHOLDS.length][RECALL_THRESHOLDS.length];
            double[] recall = new double[IOU_THRESHOLDS.length];
            for (int t = 0; t < IOU_THRESHOLDS.length; t++) {
                double[] rc = new double[nd];
                double[] pr = new double[nd];
                double tp = 0;
                double fp = 0;
                for (int i = 0; i < nd; i++) {
                    Det d = dets.get(i);
                    if (!d.image.ignored()[t][d.index]) {
                        if (d.image.matched()[t][d.index]) {
                            tp++;
                        } else {
                            fp++;
                        }
                    }
                    rc[i] = tp / counted;
                    pr[i] = tp / (fp + tp + Math.ulp(1.0));
                }
                recall[t] = nd == 0 ? 0 : rc[nd - 1];
                for (int i = nd - 1; i > 0; i--) {
                    pr[i - 1] = Math.max(pr[i - 1], pr[i]);
                }
                // precision at the first rank reaching each recall point; 0 past the last recall reached
                int i = 0;
                for (int r = 0; r < RECALL_THRESHOLDS.length; r++) {
                    while (i < nd && rc[i] < RECALL_THRESHOLDS[r]) {
                        i++;
                    }
                    if (i == nd) {
                        break;
                    }
                    precision[t][r] = pr[i];
                }
            }
            return new Curve(precision, recall);
        }
    }

    /** numpy's {@code linspace}, value for value: the thresholds must equal pycocotools' to the last bit. */
    private static double[] linspace(double start, double stop, int num) {
        double step = (stop - start) / (num - 1);
        double[] y = new double[num];
        for (int i = 0; i < num; i++) {
            y[i] = i * step + start;
        }
        y[num - 1] = stop;
        return y;
    }
}
