package dev.panamax.data.transforms;

/**
 * Naive double-precision references of the geometric transforms, on one image [C][H][W] at a
 * time, written from the torchvision definitions independently of the production code: padding
 * builds the padded image, reflection walks back and forth, the affine map inverts the full 3×3
 * forward matrix numerically.
 */
final class RefImages {
    private RefImages() {}

    /** An image [C][H][W] from flat data (image n of a [B, C, H, W] array). */
    static double[][][] image(double[] flat, int n, int c, int h, int w) {
        double[][][] img = new double[c][h][w];
        for (int k = 0; k < c; k++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    img[k][y][x] = flat[((n * c + k) * h + y) * w + x];
                }
            }
        }
        return img;
    }

    static double[] flat(double[][][] img) {
        int c = img.length;
        int h = img[0].length;
        int w = img[0][0].length;
        double[] r = new double[c * h * w];
        for (int k = 0; k < c; k++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(img[k][y], 0, r, (k * h + y) * w, w);
            }
        }
        return r;
    }

    /** The image padded by (left, top, right, bottom) in a torchvision padding mode. */
    static double[][][] pad(double[][][] img, int left, int top, int right, int bottom, PaddingMode mode, double fill) {
        int c = img.length;
        int h = img[0].length;
        int w = img[0][0].length;
        double[][][] out = new double[c][h + top + bottom][w + left + right];
        for (int k = 0; k < c; k++) {
            for (int y = 0; y < h + top + bottom; y++) {
                for (int x = 0; x < w + left + right; x++) {
                    int sy = index(y - top, h, mode);
                    int sx = index(x - left, w, mode);
                    out[k][y][x] = sy < 0 || sx < 0 ? fill : img[k][sy][sx];
                }
            }
        }
        return out;
    }

    private static int index(int i, int n, PaddingMode mode) {
        if (i >= 0 && i < n) {
            return i;
        }
        switch (mode) {
            case CONSTANT:
                return -1;
            case EDGE:
                return Math.max(0, Math.min(n - 1, i));
            case REFLECT:
                if (n == 1) {
                    return 0;
                }
                while (i < 0 || i >= n) {
                    i = i < 0 ? -i : 2 * (n - 1) - i;
                }
                return i;
            default:
                while (i < 0 || i >= n) {
                    i = i < 0 ? -i - 1 : 2 * n - 1 - i;
                }
                return i;
        }
    }

    static double[][][] crop(double[][][] img, int top, int left, int h, int w) {
        double[][][] out = new double[img.length][h][w];
        for (int k = 0; k < img.length; k++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    out[k][y][x] = img[k][top + y][left + x];
                }
            }
        }
        return out;
    }

    static double[][][] hflip(double[][][] img) {
        int w = img[0][0].length;
        double[][][] out = new double[img.length][img[0].length][w];
        for (int k = 0; k < img.length; k++) {
            for (int y = 0; y < img[0].length; y++) {
                for (int x = 0; x < w; x++) {
                    out[k][y][x] = img[k][y][w - 1 - x];
                }
            }
        }
        return out;
    }

    /**
     * torchvision's affine: forward map T · C · R(angle) · S(scale) · SHy · SHx · C⁻¹ in coordinates
     * centred on the image, (cx, cy) the centre offset from the image centre; each output pixel
     * centre is pulled back through the inverse and sampled like grid_sample(align_corners=False).
     */
    static double[][][] affine(double[][][] img, double angleDeg, double tx, double ty, double scale, double shearXDeg,
                               double shearYDeg, double cx, double cy, boolean bilinear, double[] fill) {
        double a = Math.toRadians(angleDeg);
        double sx = Math.toRadians(shearXDeg);
        double sy = Math.toRadians(shearYDeg);
        double[][] rotate = {{Math.cos(a), -Math.sin(a), 0}, {Math.sin(a), Math.cos(a), 0}, {0, 0, 1}};
        double[][] scaling = {{scale, 0, 0}, {0, scale, 0}, {0, 0, 1}};
        double[][] shearY = {{1, 0, 0}, {-Math.tan(sy), 1, 0}, {0, 0, 1}};
        double[][] shearX = {{1, -Math.tan(sx), 0}, {0, 1, 0}, {0, 0, 1}};
        double[][] toCentre = {{1, 0, cx}, {0, 1, cy}, {0, 0, 1}};
        double[][] fromCentre = {{1, 0, -cx}, {0, 1, -cy}, {0, 0, 1}};
        double[][] translate = {{1, 0, tx}, {0, 1, ty}, {0, 0, 1}};
        double[][] forward = mul(translate, mul(toCentre, mul(rotate, mul(scaling, mul(shearY, mul(shearX, fromCentre))))));
        double[][] inv = invert(forward);
        int c = img.length;
        int h = img[0].length;
        int w = img[0][0].length;
        double[][][] out = new double[c][h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double ox = x + 0.5 - w / 2.0;
                double oy = y + 0.5 - h / 2.0;
                double px = inv[0][0] * ox + inv[0][1] * oy + inv[0][2] + w / 2.0 - 0.5;
                double py = inv[1][0] * ox + inv[1][1] * oy + inv[1][2] + h / 2.0 - 0.5;
                for (int k = 0; k < c; k++) {
                    out[k][y][x] = bilinear ? bilinear(img[k], px, py, fill[k]) : at(img[k], (int) Math.rint(py), (int) Math.rint(px), fill[k]);
                }
            }
        }
        return out;
    }

    private static double bilinear(double[][] plane, double px, double py, double fill) {
        double sum = 0;
        for (int y = (int) Math.floor(py); y <= (int) Math.floor(py) + 1; y++) {
            for (int x = (int) Math.floor(px); x <= (int) Math.floor(px) + 1; x++) {
                double weight = (1 - Math.abs(px - x)) * (1 - Math.abs(py - y));
                sum += weight * at(plane, y, x, fill);
            }
        }
        return sum;
    }

    private static double at(double[][] plane, int y, int x, double fill) {
        return y >= 0 && y < plane.length && x >= 0 && x < plane[0].length ? plane[y][x] : fill;
    }

    private static double[][] mul(double[][] a, double[][] b) {
        double[][] r = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 3; k++) {
                    r[i][j] += a[i][k] * b[k][j];
                }
            }
        }
        return r;
    }

    /** Gauss–Jordan elimination with partial pivoting. */
    private static double[][] invert(double[][] m) {
        double[][] a = new double[3][6];
        for (int i = 0; i < 3; i++) {
            System.arraycopy(m[i], 0, a[i], 0, 3);
            a[i][3 + i] = 1;
        }
        for (int col = 0; col < 3; col++) {
            int pivot = col;
            for (int r = col + 1; r < 3; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            double[] t = a[col];
            a[col] = a[pivot];
            a[pivot] = t;
            double p = a[col][col];
            for (int j = 0; j < 6; j++) {
                a[col][j] /= p;
            }
            for (int r = 0; r < 3; r++) {
                if (r != col) {
                    double f = a[r][col];
                    for (int j = 0; j < 6; j++) {
                        a[r][j] -= f * a[col][j];
                    }
                }
            }
        }
        double[][] inv = new double[3][3];
        for (int i = 0; i < 3; i++) {
            System.arraycopy(a[i], 3, inv[i], 0, 3);
        }
        return inv;
    }
}
