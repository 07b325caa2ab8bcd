package dev.panamax.testing;

import dev.panamax.ops.BoxFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Naive double-precision box ops written from torchvision's definitions (torchvision.ops.boxes and
 * models.detection._utils.BoxCoder), one box or pair at a time. Boxes are Refs of shape [N, 4].
 */
public final class RefBoxes {
    private RefBoxes() {}

    public static double area(double[] b, int i) {
        return (b[4 * i + 2] - b[4 * i]) * (b[4 * i + 3] - b[4 * i + 1]);
    }

    /** IoU of box i of a and box j of b; 0 where the union is 0 (Panamax's choice, documented in BoxOps). */
    public static double iou(double[] a, int i, double[] b, int j) {
        double w = Math.max(0, Math.min(a[4 * i + 2], b[4 * j + 2]) - Math.max(a[4 * i], b[4 * j]));
        double h = Math.max(0, Math.min(a[4 * i + 3], b[4 * j + 3]) - Math.max(a[4 * i + 1], b[4 * j + 1]));
        double inter = w * h;
        double union = area(a, i) + area(b, j) - inter;
        return union == 0 ? 0 : inter / union;
    }

    public static Ref area(Ref boxes) {
        int n = (int) boxes.shape[0];
        Ref out = Ref.zeros(n);
        for (int i = 0; i < n; i++) {
            out.data[i] = area(boxes.data, i);
        }
        return out;
    }

    public static Ref iou(Ref a, Ref b) {
        int n = (int) a.shape[0];
        int m = (int) b.shape[0];
        Ref out = Ref.zeros(n, m);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                out.data[i * m + j] = iou(a.data, i, b.data, j);
            }
        }
        return out;
    }

    /** box_convert, one row at a time through (x1, y1, x2, y2). */
    public static Ref convert(Ref boxes, BoxFormat from, BoxFormat to) {
        Ref out = boxes.copy();
        for (int i = 0; i < boxes.shape[0]; i++) {
            double[] r = Arrays.copyOfRange(boxes.data, 4 * i, 4 * i + 4);
            double[] c = switch (from) {
                case XYXY -> r;
                case XYWH -> new double[] {r[0], r[1], r[0] + r[2], r[1] + r[3]};
                case CXCYWH -> new double[] {r[0] - r[2] / 2, r[1] - r[3] / 2, r[0] + r[2] / 2, r[1] + r[3] / 2};
            };
            double[] o = switch (to) {
                case XYXY -> c;
                case XYWH -> new double[] {c[0], c[1], c[2] - c[0], c[3] - c[1]};
                case CXCYWH -> new double[] {(c[0] + c[2]) / 2, (c[1] + c[3]) / 2, c[2] - c[0], c[3] - c[1]};
            };
            System.arraycopy(o, 0, out.data, 4 * i, 4);
        }
        return out;
    }

    public static Ref clip(Ref boxes, double height, double width) {
        Ref out = boxes.copy();
        for (int k = 0; k < out.data.length; k++) {
            double limit = k % 2 == 0 ? width : height;
            out.data[k] = Math.min(Math.max(out.data[k], 0), limit);
        }
        return out;
    }

    /** Greedy NMS in double: by decreasing score (ties by index), suppressing IoU > threshold. */
    public static long[] nms(double[] boxes, double[] scores, double threshold) {
        Integer[] order = new Integer[scores.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (i, j) -> Double.compare(scores[j], scores[i]));
        List<Integer> kept = new ArrayList<>();
        for (int i : order) {
            if (kept.stream().noneMatch(k -> iou(boxes, k, boxes, i) > threshold)) {
                kept.add(i);
            }
        }
        return kept.stream().mapToLong(Integer::longValue).toArray();
    }

    /** Batched NMS the slow way: NMS per category, the kept boxes of all merged by decreasing score. */
    public static long[] batchedNms(double[] boxes, double[] scores, long[] idxs, double threshold) {
        List<Long> kept = new ArrayList<>();
        for (long category : Arrays.stream(idxs).distinct().toArray()) {
            int[] members = java.util.stream.IntStream.range(0, idxs.length).filter(i -> idxs[i] == category).toArray();
            double[] b = new double[4 * members.length];
            double[] s = new double[members.length];
            for (int m = 0; m < members.length; m++) {
                System.arraycopy(boxes, 4 * members[m], b, 4 * m, 4);
                s[m] = scores[members[m]];
            }
            for (long k : nms(b, s, threshold)) {
                kept.add((long) members[(int) k]);
            }
        }
        kept.sort((i, j) -> scores[(int) (long) j] != scores[(int) (long) i]
                ? Double.compare(scores[(int) (long) j], scores[(int) (long) i]) : Long.compare(i, j));
        return kept.stream().mapToLong(Long::longValue).toArray();
    }

    /** BoxCoder.encode_single in double: (dx, dy, dw, dh) [N, 4]. */
    public static Ref encode(Ref gt, Ref proposals, double[] weights) {
        int n = (int) gt.shape[0];
        Ref out = Ref.zeros(n, 4);
        for (int i = 0; i < n; i++) {
            double[] g = Arrays.copyOfRange(gt.data, 4 * i, 4 * i + 4);
            double[] p = Arrays.copyOfRange(proposals.data, 4 * i, 4 * i + 4);
            for (int axis = 0; axis < 2; axis++) {
                double gs = g[axis + 2] - g[axis];
                double ps = p[axis + 2] - p[axis];
                out.data[4 * i + axis] = weights[axis] * ((g[axis] + gs / 2) - (p[axis] + ps / 2)) / ps;
                out.data[4 * i + 2 + axis] = weights[2 + axis] * Math.log(gs / ps);
            }
        }
        return out;
    }

    /** BoxCoder.decode_single in double, shaped [N, k, 4] as BoxCoder.decode. */
    public static Ref decode(Ref codes, Ref boxes, double[] weights, double clip) {
        int n = (int) codes.shape[0];
        int k = (int) codes.shape[1] / 4;
        Ref out = Ref.zeros(n, k, 4);
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < k; c++) {
                for (int axis = 0; axis < 2; axis++) {
                    double size = boxes.data[4 * i + 2 + axis] - boxes.data[4 * i + axis];
                    double centre = boxes.data[4 * i + axis] + size / 2;
                    double d = codes.data[4 * (i * k + c) + axis] / weights[axis];
                    double ds = Math.min(codes.data[4 * (i * k + c) + 2 + axis] / weights[2 + axis], clip);
                    double predCentre = d * size + centre;
                    double predSize = Math.exp(ds) * size;
                    out.data[4 * (i * k + c) + axis] = predCentre - predSize / 2;
                    out.data[4 * (i * k + c) + 2 + axis] = predCentre + predSize / 2;
                }
            }
        }
        return out;
    }
}
