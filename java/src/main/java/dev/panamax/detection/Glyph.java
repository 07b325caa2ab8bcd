package dev.panamax.detection;

/**
 * A grey image in a plain array, resized with bilinear interpolation and cut to its non-zero
 * pixels: the items {@link FashionScenes} places on its canvases.
 *
 * @param pixels row-major, {@code height × width}
 */
record Glyph(float[] pixels, int width, int height) {
    /**
     * Resized to {@code w × h} as {@code torch.nn.functional.interpolate(mode="bilinear",
     * align_corners=False)} without antialiasing: each output pixel samples the input at its centre.
     */
    Glyph resize(int w, int h) {
        float[] out = new float[w * h];
        for (int oy = 0; oy < h; oy++) {
            double sy = Math.max(0, (oy + 0.5) * height / h - 0.5);
            int y0 = Math.min((int) sy, height - 1);
            int y1 = Math.min(y0 + 1, height - 1);
            double ly = sy - y0;
            for (int ox = 0; ox < w; ox++) {
                double sx = Math.max(0, (ox + 0.5) * width / w - 0.5);
                int x0 = Math.min((int) sx, width - 1);
                int x1 = Math.min(x0 + 1, width - 1);
                double lx = sx - x0;
                double top = pixels[y0 * width + x0] * (1 - lx) + pixels[y0 * width + x1] * lx;
                double bottom = pixels[y1 * width + x0] * (1 - lx) + pixels[y1 * width + x1] * lx;
                out[oy * w + ox] = (float) (top * (1 - ly) + bottom * ly);
            }
        }
        return new Glyph(out, w, h);
    }

    /** The part holding every non-zero pixel; null when all are zero. */
    Glyph cropToInk() {
        int[] ink = inkBounds();
        if (ink == null) {
            return null;
        }
        int w = ink[2] - ink[0] + 1;
        int h = ink[3] - ink[1] + 1;
        float[] out = new float[w * h];
        for (int y = 0; y < h; y++) {
            System.arraycopy(pixels, (ink[1] + y) * width + ink[0], out, y * w, w);
        }
        return new Glyph(out, w, h);
    }

    /** The first and last column and row holding a non-zero pixel, {minX, minY, maxX, maxY}; null when all are zero. */
    int[] inkBounds() {
        int minX = width;
        int minY = height;
        int maxX = -1;
        int maxY = -1;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (pixels[y * width + x] > 0) {
                    minX = Math.min(minX, x);
                    maxX = Math.max(maxX, x);
                    minY = Math.min(minY, y);
                    maxY = Math.max(maxY, y);
                }
            }
        }
        return maxX < 0 ? null : new int[] {minX, minY, maxX, maxY};
    }
}
