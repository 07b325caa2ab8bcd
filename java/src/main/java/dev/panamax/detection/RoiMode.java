package dev.panamax.detection;

/** How the box head pools each region from its pyramid level. */
public enum RoiMode {
    /** Bilinear sampling ({@code roi_align}, sampling ratio 2), torchvision's choice. */
    ALIGN,
    /** Max over bins with corners rounded to cells ({@code roi_pool}), as the original Fast R-CNN. */
    POOL
}
