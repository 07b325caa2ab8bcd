package dev.panamax.ops;

/** How a row of a [N, 4] box tensor is laid out, as torchvision's box_convert names it. */
public enum BoxFormat {
    /** Corners: x1, y1, x2, y2 (torchvision's "xyxy", what every other box op takes). */
    XYXY,
    /** Top-left corner and size: x, y, width, height ("xywh"). */
    XYWH,
    /** Centre and size: cx, cy, width, height ("cxcywh"). */
    CXCYWH
}
