package dev.panamax.detection;

import dev.panamax.ops.Intermediates;
import dev.panamax.tensor.Tensor;
import java.util.List;

/**
 * Encodes boxes as regression targets relative to reference boxes and decodes predictions back,
 * exactly as torchvision.models.detection._utils.BoxCoder (encode_single, decode_single):
 * widths are x2 - x1 (no +1), centres x1 + 0.5·width, and decoded log-sizes are clamped at
 * {@code bboxXformClip} before exp so that no prediction blows up. Both are composed of tensor
 * ops in the inputs' dtype, so decode is differentiable with respect to its codes.
 *
 * <p>The weights wx, wy, ww, wh scale (dx, dy, dw, dh): torchvision's RPN uses (1, 1, 1, 1), its
 * ROI heads (10, 10, 5, 5).
 */
public record BoxCoder(double wx, double wy, double ww, double wh, double bboxXformClip) {
    /** torchvision's default clip: log(1000 / 16). */
    public static final double DEFAULT_CLIP = Math.log(1000.0 / 16);

    public BoxCoder {
        for (double w : new double[] {wx, wy, ww, wh}) {
            if (!(w > 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("BoxCoder: weights must be positive and finite, got (" + wx + ", " + wy + ", " + ww
                        + ", " + wh + ")");
            }
        }
        if (Double.isNaN(bboxXformClip)) {
            throw new IllegalArgumentException("BoxCoder: bboxXformClip must be a number, got NaN");
        }
    }

    public BoxCoder(double wx, double wy, double ww, double wh) {
        this(wx, wy, ww, wh, DEFAULT_CLIP);
    }

    /**
     * The targets (dx, dy, dw, dh) [N, 4] that move each proposal onto its reference (ground
     * truth) box: dx = wx·(gx - px) / pw, dw = ww·log(gw / pw), likewise y and h.
     */
    public Tensor encode(Tensor referenceBoxes, Tensor proposals) {
        check("BoxCoder.encode: referenceBoxes", referenceBoxes, "N", 4);
        check("BoxCoder.encode: proposals", proposals, String.valueOf(referenceBoxes.size(0)), 4);
        if (proposals.size(0) != referenceBoxes.size(0) || proposals.dtype() != referenceBoxes.dtype()) {
            throw new IllegalArgumentException("BoxCoder.encode: proposals must match referenceBoxes " + referenceBoxes.describe()
                    + " row for row, got " + proposals.describe());
        }
        try (Intermediates t = new Intermediates()) {
            Tensor pSize = size(t, proposals);
            Tensor gSize = size(t, referenceBoxes);
            Tensor shift = t.track(centre(t, referenceBoxes, gSize).sub(centre(t, proposals, pSize)));
            Tensor dxy = t.track(t.track(pair(t, proposals, wx, wy).mul(shift)).div(pSize));
            Tensor dwh = t.track(pair(t, proposals, ww, wh).mul(t.track(t.track(gSize.div(pSize)).log())));
            return Tensor.cat(List.of(dxy, dwh), 1);
        }
    }

    /**
     * The boxes [N, k, 4] (x1, y1, x2, y2) that codes [N, 4k] (k sets of dx, dy, dw, dh, one per
     * class) predict from the boxes [N, 4] (converted to the codes' dtype).
     */
    public Tensor decode(Tensor relCodes, Tensor boxes) {
        check("BoxCoder.decode: relCodes", relCodes, "N", -4);
        check("BoxCoder.decode: boxes", boxes, String.valueOf(relCodes.size(0)), 4);
        if (boxes.size(0) != relCodes.size(0)) {
            throw new IllegalArgumentException("BoxCoder.decode: boxes must have one row per row of relCodes " + relCodes.shape() + ", got "
                    + boxes.describe());
        }
        long n = relCodes.size(0);
        long k = relCodes.size(1) / 4;
        try (Intermediates t = new Intermediates()) {
            Tensor b = t.track(boxes.to(relCodes.dtype()));
            Tensor bSize = size(t, b);
            // boxes as [N, 1, 2] against codes [N, k, 2]
            Tensor size = t.track(bSize.unsqueeze(1));
            Tensor bCentre = t.track(centre(t, b, bSize).unsqueeze(1));
            Tensor codes = t.track(relCodes.reshape(n, k, 4));
            Tensor dxy = t.track(t.track(codes.narrow(2, 0, 2)).div(pair(t, relCodes, wx, wy)));
            Tensor dwh = t.track(t.track(t.track(codes.narrow(2, 2, 2)).div(pair(t, relCodes, ww, wh))).clampMax(bboxXformClip));
            Tensor centre = t.track(t.track(dxy.mul(size)).add(bCentre));
            Tensor half = t.track(t.track(t.track(dwh.exp()).mul(size)).mul(0.5));
            return Tensor.cat(List.of(t.track(centre.sub(half)), t.track(centre.add(half))), 2);
        }
    }

    /** Requires a floating-point [rows, cols] tensor; cols < 0 asks for a positive multiple of -cols. */
    private static void check(String what, Tensor t, String rows, int cols) {
        boolean colsOk = t.rank() == 2 && (cols > 0 ? t.size(1) == cols : t.size(1) > 0 && t.size(1) % -cols == 0);
        if (!colsOk || !t.dtype().isFloatingPoint()) {
            String expected = cols > 0 ? String.valueOf(cols) : -cols + "k";
            throw new IllegalArgumentException(what + " must be a floating-point [" + rows + ", " + expected + "] tensor, got " + t.describe());
        }
    }

    /** (width, height) [N, 2], tracked by t like every helper's result and intermediates. */
    private static Tensor size(Intermediates t, Tensor boxes) {
        return t.track(t.track(boxes.narrow(1, 2, 2)).sub(t.track(boxes.narrow(1, 0, 2))));
    }

    /** (x1 + 0.5·width, y1 + 0.5·height) [N, 2]. */
    private static Tensor centre(Intermediates t, Tensor boxes, Tensor size) {
        return t.track(t.track(boxes.narrow(1, 0, 2)).add(t.track(size.mul(0.5))));
    }

    /** A [2] tensor of two weights in {@code like}'s dtype, on its device. */
    private static Tensor pair(Intermediates t, Tensor like, double a, double b) {
        return t.track(t.track(t.track(Tensor.of(new double[] {a, b}, 2)).to(like.dtype())).to(like.device()));
    }
}
