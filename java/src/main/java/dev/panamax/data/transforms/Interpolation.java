package dev.panamax.data.transforms;

/** How geometric transforms sample between pixels, as torchvision's {@code InterpolationMode}. */
public enum Interpolation {
    /** The nearest pixel (ties to even, as {@code grid_sample}). */
    NEAREST,
    /** Weighted mean of the four surrounding pixels. */
    BILINEAR
}
