package dev.panamax.data.transforms;

/**
 * Resamples one image through an inverse affine matrix: each output pixel centre, in coordinates
 * with the origin at the image centre, is mapped to the input and sampled as
 * {@code grid_sample(align_corners=False)} samples it; input pixels outside the image read as the
 * channel's fill value.
 */
final class AffineSampler {
    private AffineSampler() {}

    /** Writes image {@code n} of {@code in}, resampled through {@code m}, into {@code out} (same layout). */
    static void sample(Images in, int n, double[] m, Interpolation interpolation, double[] fill, double[] out) {
        int h = in.height;
        int w = in.width;
        for (int y = 0; y < h; y++) {
            double oy = y - h * 0.5 + 0.5;
            for (int x = 0; x < w; x++) {
                double ox = x - w * 0.5 + 0.5;
                double px = m[0] * ox + m[1] * oy + m[2] + w * 0.5 - 0.5;
                double py = m[3] * ox + m[4] * oy + m[5] + h * 0.5 - 0.5;
                for (int c = 0; c < in.channels; c++) {
                    int plane = (n * in.channels + c) * h * w;
                    out[plane + y * w + x] = interpolation == Interpolation.NEAREST
                            ? pixel(in, plane, (int) Math.rint(py), (int) Math.rint(px), fill[c])
                            : bilinear(in, plane, py, px, fill[c]);
                }
            }
        }
    }

    private static double bilinear(Images in, int plane, double py, double px, double fill) {
        double fy = Math.floor(py);
        double fx = Math.floor(px);
        double wy = py - fy;
        double wx = px - fx;
        int y0 = clampToInt(fy);
        int x0 = clampToInt(fx);
        return (1 - wy) * ((1 - wx) * pixel(in, plane, y0, x0, fill) + wx * pixel(in, plane, y0, x0 + 1, fill))
                + wy * ((1 - wx) * pixel(in, plane, y0 + 1, x0, fill) + wx * pixel(in, plane, y0 + 1, x0 + 1, fill));
    }

    /** Keeps far-away (or NaN) coordinates out of int overflow; they read as fill anyway. */
    private static int clampToInt(double v) {
        return v > -2 && v < Integer.MAX_VALUE - 2 ? (int) v : -2;
    }

    private static double pixel(Images in, int plane, int y, int x, double fill) {
        return y >= 0 && y < in.height && x >= 0 && x < in.width ? in.pixels[plane + y * in.width + x] : fill;
    }
}
