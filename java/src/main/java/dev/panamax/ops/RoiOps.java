package dev.panamax.ops;

import dev.panamax.autograd.Autograd;
import dev.panamax.backend.Backend;
import dev.panamax.backend.RoiAlignPlan;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;

/**
 * Region-of-interest pooling with torchvision's semantics ({@code torchvision.ops.roi_pool} and
 * {@code roi_align}). x is [N, C, H, W]; boxes is [K, 5] in x's dtype, one row (batch index,
 * x1, y1, x2, y2) per box in input-image coordinates, scaled by {@code spatialScale} to x's
 * cells. The output is [K, C, outH, outW]. Boxes partly or wholly outside the map and empty
 * boxes behave as in torchvision; gradients flow to x only (as torchvision's, none to boxes).
 */
public final class RoiOps {
    private RoiOps() {}

    /**
     * Max over each of outH × outW bins of the box, whose corners are rounded to whole cells (a
     * degenerate box becomes 1×1); an empty bin gives 0 and no gradient.
     */
    public static Tensor roiPool(Tensor x, Tensor boxes, int outH, int outW, double spatialScale) {
        String op = "roiPool";
        check(op, x, boxes, outH, outW, spatialScale);
        Backend be = OpSupport.backend(op, x, boxes);
        Shape shape = Shape.of(boxes.size(0), x.size(1), outH, outW);
        Tensor out = OpSupport.empty(x, shape, x.dtype());
        Tensor argmax = OpSupport.empty(x, shape, DType.INT64);
        Tensor bc = boxes.contiguous();
        try (Tensor xc = x.contiguous()) {
            be.roiPool(xc.operand(), bc.operand(), spatialScale, out.operand(), argmax.operand());
        }
        Autograd.record("RoIPoolBackward", out, (gy, needs) -> {
            OpSupport.noHigherOrder("RoIPoolBackward");
            try (Tensor gyc = gy.contiguous()) {
                Tensor gx = OpSupport.empty(x, x.shape(), x.dtype());
                be.roiPoolBackward(gyc.operand(), bc.operand(), argmax.operand(), gx.operand());
                return new Tensor[] {gx, null};
            }
        }, x, boxes);
        return OpSupport.saveForBackward(out, bc, argmax);
    }

    public static Tensor roiPool(Tensor x, Tensor boxes, int outputSize, double spatialScale) {
        return roiPool(x, boxes, outputSize, outputSize, spatialScale);
    }

    /**
     * The average of bilinear samples over each bin: samplingRatio² samples per bin, or
     * ceil(bin size) per axis when samplingRatio <= 0 (adaptive). {@code aligned} shifts the box
     * by half a cell so that a cell's centre is at its integer coordinate plus 0.5 (torchvision's
     * recommended setting); without it a box is at least 1×1 cell.
     */
    public static Tensor roiAlign(Tensor x, Tensor boxes, int outH, int outW, double spatialScale, int samplingRatio, boolean aligned) {
        String op = "roiAlign";
        check(op, x, boxes, outH, outW, spatialScale);
        Backend be = OpSupport.backend(op, x, boxes);
        Tensor out = OpSupport.empty(x, Shape.of(boxes.size(0), x.size(1), outH, outW), x.dtype());
        Tensor bc = boxes.contiguous();
        // one plan for the forward and the backward (on CPU, every box's bilinear samples, held with the graph)
        RoiAlignPlan plan = be.prepareRoiAlign(bc.operand(), x.shape().toArray(), outH, outW, spatialScale, samplingRatio, aligned);
        try (Tensor xc = x.contiguous()) {
            be.roiAlign(xc.operand(), plan, out.operand());
        }
        Autograd.record("RoIAlignBackward", out, (gy, needs) -> {
            OpSupport.noHigherOrder("RoIAlignBackward");
            try (Tensor gyc = gy.contiguous()) {
                Tensor gx = OpSupport.empty(x, x.shape(), x.dtype());
                be.roiAlignBackward(gyc.operand(), plan, gx.operand());
                return new Tensor[] {gx, null};
            }
        }, x, boxes);
        return OpSupport.saveForBackward(out, bc);
    }

    /** roiAlign with torchvision's defaults: spatial scale 1, adaptive sampling, not aligned. */
    public static Tensor roiAlign(Tensor x, Tensor boxes, int outputSize) {
        return roiAlign(x, boxes, outputSize, outputSize, 1.0, -1, false);
    }

    private static void check(String op, Tensor x, Tensor boxes, int outH, int outW, double spatialScale) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException(op + ": input must be [N, C, H, W], got " + x.shape());
        }
        OpSupport.requireFloatingPoint(op, "input", x);
        if (x.size(2) == 0 || x.size(3) == 0) {
            throw new IllegalArgumentException(op + ": input " + x.shape() + " must have non-zero height and width");
        }
        if (boxes.rank() != 2 || boxes.size(1) != 5) {
            throw new IllegalArgumentException(op + ": boxes must be [K, 5] (batch index, x1, y1, x2, y2), got " + boxes.shape());
        }
        if (boxes.dtype() != x.dtype()) {
            throw new IllegalArgumentException(op + ": boxes must have the input's dtype " + x.dtype().pyName() + ", got " + boxes.describe());
        }
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException(op + ": output size must be positive, got " + outH + "x" + outW);
        }
        if (!(spatialScale > 0) || Double.isInfinite(spatialScale)) {
            throw new IllegalArgumentException(op + ": spatialScale must be positive and finite, got " + spatialScale);
        }
        double[] b = boxes.toDoubleArray();
        long images = x.size(0);
        for (int k = 0; k < boxes.size(0); k++) {
            double index = b[5 * k];
            if (index != Math.floor(index) || index < 0 || index >= images) {
                throw new IllegalArgumentException(op + ": box " + k + " has batch index " + index + ", but the input " + x.shape()
                        + " holds " + images + " image(s): the index must be a whole number from 0 to " + (images - 1));
            }
            for (int i = 1; i < 5; i++) {
                if (!Double.isFinite(b[5 * k + i])) {
                    throw new IllegalArgumentException(op + ": box " + k + " has a non-finite coordinate " + b[5 * k + i]);
                }
            }
        }
    }
}
