package dev.panamax.testing;

/**
 * Naive double-precision pooling, written from PyTorch's and torchvision's definitions: every
 * window is scanned in row-major order, one output at a time. Sizes of the outputs are given by
 * the tests (hand-computed), so the library's output-size rules are checked too.
 */
public final class RefPool {
    private RefPool() {}

    /** Geometry of one pooling along both axes. */
    public record Window(int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
        public static Window of(int k, int s, int p) {
            return new Window(k, k, s, s, p, p, 1, 1);
        }

        public Window dilated(int d) {
            return new Window(kh, kw, sh, sw, ph, pw, d, d);
        }
    }

    /** Values and indices (h·W + w, as doubles) of max pooling; ties keep the first, a NaN replaces anything. */
    public static Ref[] maxPool2d(Ref x, Window g, int p, int q) {
        int n = (int) x.shape[0], c = (int) x.shape[1], h = (int) x.shape[2], w = (int) x.shape[3];
        Ref y = Ref.zeros(n, c, p, q);
        Ref idx = Ref.zeros(n, c, p, q);
        for (int in = 0; in < n; in++) {
            for (int ic = 0; ic < c; ic++) {
                for (int i = 0; i < p; i++) {
                    for (int j = 0; j < q; j++) {
                        double best = Double.NEGATIVE_INFINITY;
                        int at = -1;
                        for (int a = 0; a < g.kh; a++) {
                            for (int b = 0; b < g.kw; b++) {
                                int hh = i * g.sh - g.ph + a * g.dh;
                                int ww = j * g.sw - g.pw + b * g.dw;
                                if (hh < 0 || hh >= h || ww < 0 || ww >= w) {
                                    continue;
                                }
                                double v = x.get(in, ic, hh, ww);
                                if (at < 0 || v > best || Double.isNaN(v)) {
                                    best = v;
                                    at = hh * w + ww;
                                }
                            }
                        }
                        y.data[y.index(in, ic, i, j)] = best;
                        idx.data[idx.index(in, ic, i, j)] = at;
                    }
                }
            }
        }
        return new Ref[] {y, idx};
    }

    /**
     * Average pooling: a window's divisor is the override when non-zero, else the window clipped
     * to the input padded on each side (countIncludePad) or its number of input elements.
     */
    public static Ref avgPool2d(Ref x, Window g, int p, int q, boolean countIncludePad, int divisorOverride) {
        int n = (int) x.shape[0], c = (int) x.shape[1], h = (int) x.shape[2], w = (int) x.shape[3];
        Ref y = Ref.zeros(n, c, p, q);
        for (int in = 0; in < n; in++) {
            for (int ic = 0; ic < c; ic++) {
                for (int i = 0; i < p; i++) {
                    for (int j = 0; j < q; j++) {
                        int h0 = i * g.sh - g.ph;
                        int w0 = j * g.sw - g.pw;
                        int padded = (Math.min(h0 + g.kh, h + g.ph) - h0) * (Math.min(w0 + g.kw, w + g.pw) - w0);
                        double sum = 0;
                        int inside = 0;
                        for (int hh = h0; hh < h0 + g.kh; hh++) {
                            for (int ww = w0; ww < w0 + g.kw; ww++) {
                                if (hh >= 0 && hh < h && ww >= 0 && ww < w) {
                                    sum += x.get(in, ic, hh, ww);
                                    inside++;
                                }
                            }
                        }
                        double div = divisorOverride != 0 ? divisorOverride : countIncludePad ? padded : inside;
                        y.data[y.index(in, ic, i, j)] = sum / div;
                    }
                }
            }
        }
        return y;
    }

    private static int adaptiveStart(int i, int in, int out) {
        return (int) Math.floor((double) i * in / out);
    }

    private static int adaptiveEnd(int i, int in, int out) {
        return (int) Math.ceil((double) (i + 1) * in / out);
    }

    public static Ref adaptiveAvgPool2d(Ref x, int p, int q) {
        int n = (int) x.shape[0], c = (int) x.shape[1], h = (int) x.shape[2], w = (int) x.shape[3];
        Ref y = Ref.zeros(n, c, p, q);
        for (int in = 0; in < n; in++) {
            for (int ic = 0; ic < c; ic++) {
                for (int i = 0; i < p; i++) {
                    for (int j = 0; j < q; j++) {
                        double sum = 0;
                        int count = 0;
                        for (int hh = adaptiveStart(i, h, p); hh < adaptiveEnd(i, h, p); hh++) {
                            for (int ww = adaptiveStart(j, w, q); ww < adaptiveEnd(j, w, q); ww++) {
                                sum += x.get(in, ic, hh, ww);
                                count++;
                            }
                        }
                        y.data[y.index(in, ic, i, j)] = sum / count;
                    }
                }
            }
        }
        return y;
    }

    /** Values and indices of adaptive max pooling. */
    public static Ref[] adaptiveMaxPool2d(Ref x, int p, int q) {
        int n = (int) x.shape[0], c = (int) x.shape[1], h = (int) x.shape[2], w = (int) x.shape[3];
        Ref y = Ref.zeros(n, c, p, q);
        Ref idx = Ref.zeros(n, c, p, q);
        for (int in = 0; in < n; in++) {
            for (int ic = 0; ic < c; ic++) {
                for (int i = 0; i < p; i++) {
                    for (int j = 0; j < q; j++) {
                        double best = Double.NEGATIVE_INFINITY;
                        int at = -1;
                        for (int hh = adaptiveStart(i, h, p); hh < adaptiveEnd(i, h, p); hh++) {
                            for (int ww = adaptiveStart(j, w, q); ww < adaptiveEnd(j, w, q); ww++) {
                                double v = x.get(in, ic, hh, ww);
                                if (at < 0 || v > best || Double.isNaN(v)) {
                                    best = v;
                                    at = hh * w + ww;
                                }
                            }
                        }
                        y.data[y.index(in, ic, i, j)] = best;
                        idx.data[idx.index(in, ic, i, j)] = at;
                    }
                }
            }
        }
        return new Ref[] {y, idx};
    }

    /** y[n, c, i, j] = x[n, c][indices[n, c, i, j]]: an output made of picked input elements. */
    public static Ref pick(Ref x, Ref indices) {
        int n = (int) x.shape[0], c = (int) x.shape[1];
        int plane = (int) (x.shape[2] * x.shape[3]);
        int outPlane = (int) (indices.shape[2] * indices.shape[3]);
        Ref y = Ref.zeros(indices.shape);
        for (int i = 0; i < n * c; i++) {
            for (int j = 0; j < outPlane; j++) {
                y.data[i * outPlane + j] = x.data[i * plane + (int) indices.data[i * outPlane + j]];
            }
        }
        return y;
    }

    /** An outH × outW zero plane per (n, c) with x's elements written at their indices. */
    public static Ref maxUnpool2d(Ref x, Ref indices, int outH, int outW) {
        int planes = (int) (x.shape[0] * x.shape[1]);
        int inPlane = (int) (x.shape[2] * x.shape[3]);
        Ref y = Ref.zeros(x.shape[0], x.shape[1], outH, outW);
        for (int i = 0; i < planes; i++) {
            for (int j = 0; j < inPlane; j++) {
                y.data[i * outH * outW + (int) indices.data[i * inPlane + j]] = x.data[i * inPlane + j];
            }
        }
        return y;
    }

    /** Stochastic pooling's evaluation output: sum(a²) / sum(a) over each window's input elements, 0 for zero windows. */
    public static Ref stochasticExpectation(Ref x, Window g, int p, int q) {
        Ref num = avgPool2d(x.map(v -> v * v), g, p, q, true, 1);
        Ref den = avgPool2d(x, g, p, q, true, 1);
        return Ref.zip(num, den, (a, b) -> b == 0 ? 0 : a / b);
    }

    // ---------------------------------------------------------------- RoI ops (torchvision)

    private static double roundHalfAway(double v) {
        return Math.signum(v) * Math.floor(Math.abs(v) + 0.5);
    }

    /** torchvision's roi_pool: boxes [K, 5] (batch, x1, y1, x2, y2). */
    public static Ref roiPool(Ref x, Ref boxes, int ph, int pw, double scale) {
        int c = (int) x.shape[1], h = (int) x.shape[2], w = (int) x.shape[3];
        int k = (int) boxes.shape[0];
        Ref y = Ref.zeros(k, c, ph, pw);
        for (int r = 0; r < k; r++) {
            int batch = (int) boxes.get(r, 0);
            int x1 = (int) roundHalfAway(boxes.get(r, 1) * scale);
            int y1 = (int) roundHalfAway(boxes.get(r, 2) * scale);
            int x2 = (int) roundHalfAway(boxes.get(r, 3) * scale);
            int y2 = (int) roundHalfAway(boxes.get(r, 4) * scale);
            double binH = Math.max(y2 - y1 + 1, 1) / (double) ph;
            double binW = Math.max(x2 - x1 + 1, 1) / (double) pw;
            for (int ic = 0; ic < c; ic++) {
                for (int i = 0; i < ph; i++) {
                    for (int j = 0; j < pw; j++) {
                        int hs = Math.min(Math.max((int) Math.floor(i * binH) + y1, 0), h);
                        int he = Math.min(Math.max((int) Math.ceil((i + 1) * binH) + y1, 0), h);
                        int ws = Math.min(Math.max((int) Math.floor(j * binW) + x1, 0), w);
                        int we = Math.min(Math.max((int) Math.ceil((j + 1) * binW) + x1, 0), w);
                        double best = he <= hs || we <= ws ? 0 : -Float.MAX_VALUE;
                        for (int hh = hs; hh < he; hh++) {
                            for (int ww = ws; ww < we; ww++) {
                                best = Math.max(best, x.get(batch, ic, hh, ww));
                            }
                        }
                        y.data[y.index(r, ic, i, j)] = best;
                    }
                }
            }
        }
        return y;
    }

    /** torchvision's roi_align. */
    public static Ref roiAlign(Ref x, Ref boxes, int ph, int pw, double scale, int samplingRatio, boolean aligned) {
        int c = (int) x.shape[1];
        int k = (int) boxes.shape[0];
        Ref y = Ref.zeros(k, c, ph, pw);
        double offset = aligned ? 0.5 : 0;
        for (int r = 0; r < k; r++) {
            int batch = (int) boxes.get(r, 0);
            double x1 = boxes.get(r, 1) * scale - offset;
            double y1 = boxes.get(r, 2) * scale - offset;
            double roiW = boxes.get(r, 3) * scale - offset - x1;
            double roiH = boxes.get(r, 4) * scale - offset - y1;
            if (!aligned) {
                roiW = Math.max(roiW, 1);
                roiH = Math.max(roiH, 1);
            }
            double binH = roiH / ph;
            double binW = roiW / pw;
            int gh = samplingRatio > 0 ? samplingRatio : (int) Math.ceil(roiH / ph);
            int gw = samplingRatio > 0 ? samplingRatio : (int) Math.ceil(roiW / pw);
            double count = Math.max(gh * gw, 1);
            for (int ic = 0; ic < c; ic++) {
                for (int i = 0; i < ph; i++) {
                    for (int j = 0; j < pw; j++) {
                        double sum = 0;
                        for (int iy = 0; iy < gh; iy++) {
                            double sy = y1 + i * binH + (iy + 0.5) * binH / gh;
                            for (int ix = 0; ix < gw; ix++) {
                                double sx = x1 + j * binW + (ix + 0.5) * binW / gw;
                                sum += bilinear(x, batch, ic, sy, sx);
                            }
                        }
                        y.data[y.index(r, ic, i, j)] = sum / count;
                    }
                }
            }
        }
        return y;
    }

    /** Bilinear interpolation as torchvision's: 0 beyond one cell outside, clamped to the border within it. */
    private static double bilinear(Ref x, int n, int c, double sy, double sx) {
        int h = (int) x.shape[2], w = (int) x.shape[3];
        if (sy < -1 || sy > h || sx < -1 || sx > w) {
            return 0;
        }
        double yy = Math.min(Math.max(sy, 0), h - 1);
        double xx = Math.min(Math.max(sx, 0), w - 1);
        int y0 = (int) Math.floor(yy);
        int x0 = (int) Math.floor(xx);
        int y1 = Math.min(y0 + 1, h - 1);
        int x1 = Math.min(x0 + 1, w - 1);
        double ly = yy - y0;
        double lx = xx - x0;
        return (1 - ly) * (1 - lx) * x.get(n, c, y0, x0) + (1 - ly) * lx * x.get(n, c, y0, x1)
                + ly * (1 - lx) * x.get(n, c, y1, x0) + ly * lx * x.get(n, c, y1, x1);
    }
}
