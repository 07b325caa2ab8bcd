package dev.panamax.ops;

import dev.panamax.autograd.GradMode;
import dev.panamax.backend.Backend;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Box ops with torchvision's semantics ({@code torchvision.ops}: box_area, box_iou, box_convert,
 * clip_boxes_to_image, remove_small_boxes, nms, batched_nms). Boxes are [N, 4] floating-point
 * tensors of (x1, y1, x2, y2) unless a {@link BoxFormat} says otherwise.
 *
 * <p>Area, IoU, conversion and clipping are composed of differentiable tensor ops; the NMS ops
 * and removeSmallBoxes return int64 indices and record no gradient.
 *
 * <p><b>Degenerate boxes.</b> As in torchvision, nothing here checks x1 &le; x2 and y1 &le; y2
 * (box_iou and nms do not; torchvision asserts it only on the targets given to its detection
 * models, and so does {@code dev.panamax.detection}). Where a union is 0 (two boxes of zero area,
 * such as the same point twice) the IoU is 0 here, where torchvision's box_iou gives NaN (0/0);
 * its nms kernel compares that NaN with the threshold, which is false, so it treats it as 0 too.
 */
public final class BoxOps {
    private BoxOps() {}

    /** (x2 - x1)·(y2 - y1) of each box: [N]. */
    public static Tensor boxArea(Tensor boxes) {
        checkBoxes("boxArea", "boxes", boxes);
        try (Intermediates t = new Intermediates()) {
            return area(t, boxes);
        }
    }

    /** The IoU of every pair: [N, M] for a [N, 4] and b [M, 4] of one dtype; 0 where the union is 0. */
    public static Tensor boxIou(Tensor a, Tensor b) {
        String op = "boxIou";
        checkBoxes(op, "a", a);
        checkBoxes(op, "b", b);
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(op + ": a and b must have one dtype, got " + a.describe() + " and " + b.describe());
        }
        OpSupport.backend(op, a, b);
        try (Intermediates t = new Intermediates()) {
            // a's corners as [N, 1, 2] against b's [M, 2]
            Tensor lt = t.track(t.track(corner(t, a, 0).unsqueeze(1)).maximum(corner(t, b, 0)));
            Tensor rb = t.track(t.track(corner(t, a, 2).unsqueeze(1)).minimum(corner(t, b, 2)));
            Tensor wh = t.track(t.track(rb.sub(lt)).clampMin(0));
            Tensor inter = t.track(t.track(wh.select(2, 0)).mul(t.track(wh.select(2, 1))));
            Tensor union = t.track(t.track(t.track(t.track(area(t, a)).unsqueeze(1)).add(t.track(area(t, b)))).sub(inter));
            // inter <= union, so where the union is 0 so is inter, and inter / 1 gives the IoU 0
            return inter.div(t.track(union.maskedFill(t.track(union.eq(0)), 1)));
        }
    }

    /** Boxes re-expressed in another format (a copy when the formats agree), as box_convert. */
    public static Tensor convert(Tensor boxes, BoxFormat from, BoxFormat to) {
        checkBoxes("convert", "boxes", boxes);
        if (from == null || to == null) {
            throw new IllegalArgumentException("convert: formats must not be null, got " + from + " to " + to);
        }
        if (from == to) {
            return ShapeOps.copy(boxes);
        }
        try (Intermediates t = new Intermediates()) {
            // through corners (c1, c2), as torchvision, with its exact arithmetic
            Tensor p = corner(t, boxes, 0);
            Tensor q = corner(t, boxes, 2);
            Tensor c1 = switch (from) {
                case XYXY, XYWH -> p;
                case CXCYWH -> t.track(p.sub(t.track(q.mul(0.5))));
            };
            Tensor c2 = switch (from) {
                case XYXY -> q;
                case XYWH -> t.track(p.add(q));
                case CXCYWH -> t.track(p.add(t.track(q.mul(0.5))));
            };
            List<Tensor> out = switch (to) {
                case XYXY -> List.of(c1, c2);
                case XYWH -> List.of(c1, t.track(c2.sub(c1)));
                case CXCYWH -> List.of(t.track(t.track(c1.add(c2)).div(2)), t.track(c2.sub(c1)));
            };
            return Tensor.cat(out, 1);
        }
    }

    /** x coordinates clamped to [0, width], y coordinates to [0, height], as clip_boxes_to_image. */
    public static Tensor clipBoxesToImage(Tensor boxes, double height, double width) {
        String op = "clipBoxesToImage";
        checkBoxes(op, "boxes", boxes);
        if (!(height >= 0 && width >= 0) || Double.isInfinite(height) || Double.isInfinite(width)) {
            throw new IllegalArgumentException(op + ": image size must be finite and non-negative, got height " + height + ", width " + width);
        }
        try (Intermediates t = new Intermediates()) {
            Tensor corners = t.track(boxes.reshape(boxes.size(0), 2, 2));
            Tensor x = t.track(t.track(corners.select(2, 0)).clamp(0, width));
            Tensor y = t.track(t.track(corners.select(2, 1)).clamp(0, height));
            return t.track(Tensor.stack(List.of(x, y), 2)).reshape(boxes.size(0), 4);
        }
    }

    /**
     * Indices (int64, ascending) of the boxes whose width and height are both at least
     * {@code minSize}, computed in the boxes' dtype as remove_small_boxes.
     */
    public static Tensor removeSmallBoxes(Tensor boxes, double minSize) {
        String op = "removeSmallBoxes";
        checkBoxes(op, "boxes", boxes);
        if (Double.isNaN(minSize)) {
            throw new IllegalArgumentException(op + ": minSize must not be NaN");
        }
        int n = (int) boxes.size(0);
        long[] kept = new long[n];
        int k = 0;
        if (boxes.dtype() == DType.FLOAT32) {
            float[] b = boxes.toFloatArray();
            float min = (float) minSize;
            for (int i = 0; i < n; i++) {
                if (b[4 * i + 2] - b[4 * i] >= min && b[4 * i + 3] - b[4 * i + 1] >= min) {
                    kept[k++] = i;
                }
            }
        } else {
            double[] b = boxes.toDoubleArray();
            for (int i = 0; i < n; i++) {
                if (b[4 * i + 2] - b[4 * i] >= minSize && b[4 * i + 3] - b[4 * i + 1] >= minSize) {
                    kept[k++] = i;
                }
            }
        }
        try (Tensor host = Tensor.of(Arrays.copyOf(kept, k), k)) {
            return host.to(boxes.device());
        }
    }

    /**
     * Greedy non-maximum suppression, as torchvision's nms: visits the boxes by decreasing score
     * and keeps each one unless a box kept before it has an IoU greater than {@code iouThreshold}
     * with it. Returns the kept indices, int64 [K], in that order. Equal scores are visited by
     * increasing index (torch's sort leaves their order unspecified); a NaN score counts as the
     * highest, as in torch.sort. boxes are float32 [N, 4], scores float32 [N]; the IoU is
     * computed in float32 as torchvision's kernel does, and a NaN IoU (two boxes of zero area)
     * suppresses nothing. Threshold 1 keeps every box.
     */
    public static Tensor nms(Tensor boxes, Tensor scores, double iouThreshold) {
        String op = "nms";
        checkNms(op, boxes, scores, iouThreshold);
        Backend be = OpSupport.backend(op, boxes, scores);
        int n = (int) boxes.size(0);
        try (Tensor bc = boxes.contiguous(); Tensor sc = scores.contiguous();
             Tensor all = OpSupport.empty(boxes, Shape.of(n), DType.INT64)) {
            int k = be.nms(bc.operand(), sc.operand(), iouThreshold, all.operand());
            try (Tensor kept = all.narrow(0, 0, k)) {
                return kept.contiguousCopy();
            }
        }
    }

    /**
     * NMS within each category {@code idxs} (int64 [N]): boxes of different categories never
     * suppress each other. One {@link #nms} pass over boxes shifted by idx·offset, as
     * torchvision's _batched_nms_coordinate_trick; the offset is its max coordinate + 1, widened by
     * -min when a coordinate is negative (where torchvision's shifted categories could overlap).
     */
    public static Tensor batchedNms(Tensor boxes, Tensor scores, Tensor idxs, double iouThreshold) {
        String op = "batchedNms";
        checkNms(op, boxes, scores, iouThreshold);
        if (idxs.rank() != 1 || idxs.size(0) != boxes.size(0) || idxs.dtype() != DType.INT64) {
            throw new IllegalArgumentException(op + ": idxs must be int64 [" + boxes.size(0) + "] (one category per box), got "
                    + idxs.describe());
        }
        OpSupport.backend(op, boxes, scores, idxs);
        if (boxes.size(0) == 0) {
            return Tensor.empty(Shape.of(0), DType.INT64, boxes.device());
        }
        try (Scope s = Scope.open(); GradMode.Guard noGrad = GradMode.noGrad()) {
            Tensor offset = boxes.max().add(1).sub(boxes.min().clampMax(0));
            Tensor shifted = boxes.add(idxs.to(boxes.dtype()).mul(offset).unsqueeze(1));
            return s.keep(nms(shifted, scores, iouThreshold));
        }
    }

    /** (x2 - x1)·(y2 - y1), its intermediates tracked by t. */
    private static Tensor area(Intermediates t, Tensor boxes) {
        Tensor wh = t.track(corner(t, boxes, 2).sub(corner(t, boxes, 0)));
        return t.track(wh.select(1, 0)).mul(t.track(wh.select(1, 1)));
    }

    /** Columns (from, from + 1) of boxes [N, 4]: (x1, y1) for 0, (x2, y2) for 2. */
    private static Tensor corner(Intermediates t, Tensor boxes, int from) {
        return t.track(boxes.narrow(1, from, 2));
    }

    private static void checkBoxes(String op, String arg, Tensor boxes) {
        if (boxes.rank() != 2 || boxes.size(1) != 4 || !boxes.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": " + arg + " must be a floating-point [N, 4] tensor of boxes, got " + boxes.describe());
        }
    }

    private static void checkNms(String op, Tensor boxes, Tensor scores, double iouThreshold) {
        if (boxes.rank() != 2 || boxes.size(1) != 4 || boxes.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException(op + ": boxes must be float32 [N, 4] (x1, y1, x2, y2), got " + boxes.describe());
        }
        if (scores.rank() != 1 || scores.size(0) != boxes.size(0) || scores.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException(op + ": scores must be float32 [" + boxes.size(0) + "] (one per box of boxes "
                    + boxes.shape() + "), got " + scores.describe());
        }
        if (Double.isNaN(iouThreshold)) {
            throw new IllegalArgumentException(op + ": iouThreshold must be a number, got NaN");
        }
    }
}
