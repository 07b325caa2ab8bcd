package dev.panamax.testing;

/**
 * LeNet-5 (conv 1→6 k5 p2, relu, maxpool 2, conv 6→16 k5, relu, maxpool 2, linear 400→120→84→10,
 * cross-entropy) forward and hand-written backward in double precision, sharing no code with
 * the library.
 */
public final class RefLeNet {
    /** Loss and the gradient of every weight. */
    public record Result(double loss, double[][] grads) {}

    private RefLeNet() {}

    /** @param w conv1.w, conv1.b, conv2.w, conv2.b, fc1.w, fc1.b, fc2.w, fc2.b, fc3.w, fc3.b (row-major) */
    public static Result step(double[] x, long[] labels, int n, double[][] w) {
        // forward
        double[] c1 = conv(x, n, 1, 28, 28, w[0], w[1], 6, 5, 2);          // [n,6,28,28]
        double[] r1 = relu(c1);
        int[] a1 = new int[n * 6 * 14 * 14];
        double[] p1 = maxPool(r1, n, 6, 28, 28, a1);                      // [n,6,14,14]
        double[] c2 = conv(p1, n, 6, 14, 14, w[2], w[3], 16, 5, 0);        // [n,16,10,10]
        double[] r2 = relu(c2);
        int[] a2 = new int[n * 16 * 5 * 5];
        double[] p2 = maxPool(r2, n, 16, 10, 10, a2);                     // [n,400]
        double[] f1 = linear(p2, n, 400, w[4], w[5], 120);
        double[] h1 = relu(f1);
        double[] f2 = linear(h1, n, 120, w[6], w[7], 84);
        double[] h2 = relu(f2);
        double[] logits = linear(h2, n, 84, w[8], w[9], 10);
        // cross-entropy (mean) and its gradient
        double loss = 0;
        double[] g = new double[n * 10];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < 10; c++) {
                max = Math.max(max, logits[i * 10 + c]);
            }
            double sum = 0;
            for (int c = 0; c < 10; c++) {
                sum += Math.exp(logits[i * 10 + c] - max);
            }
            loss += -(logits[i * 10 + (int) labels[i]] - max - Math.log(sum)) / n;
            for (int c = 0; c < 10; c++) {
                g[i * 10 + c] = (Math.exp(logits[i * 10 + c] - max) / sum - (c == labels[i] ? 1 : 0)) / n;
            }
        }
        // backward
        double[][] grads = new double[10][];
        double[] gh2 = linearBackward(g, h2, n, 84, w[8], 10, grads, 8);
        double[] gf2 = reluBackward(gh2, f2);
        double[] gh1 = linearBackward(gf2, h1, n, 120, w[6], 84, grads, 6);
        double[] gf1 = reluBackward(gh1, f1);
        double[] gp2 = linearBackward(gf1, p2, n, 400, w[4], 120, grads, 4);
        double[] gr2 = poolBackward(gp2, a2, n * 16 * 10 * 10);
        double[] gc2 = reluBackward(gr2, c2);
        double[] gp1 = convBackward(gc2, p1, n, 6, 14, 14, w[2], 16, 5, 0, grads, 2);
        double[] gr1 = poolBackward(gp1, a1, n * 6 * 28 * 28);
        double[] gc1 = reluBackward(gr1, c1);
        convBackward(gc1, x, n, 1, 28, 28, w[0], 6, 5, 2, grads, 0);
        return new Result(loss, grads);
    }

    private static double[] conv(double[] x, int n, int c, int h, int wd, double[] w, double[] b, int k, int r, int pad) {
        int p = h + 2 * pad - r + 1;
        int q = wd + 2 * pad - r + 1;
        double[] y = new double[n * k * p * q];
        for (int in = 0; in < n; in++) {
            for (int ik = 0; ik < k; ik++) {
                for (int ip = 0; ip < p; ip++) {
                    for (int iq = 0; iq < q; iq++) {
                        double acc = b[ik];
                        for (int ic = 0; ic < c; ic++) {
                            for (int ir = 0; ir < r; ir++) {
                                for (int is = 0; is < r; is++) {
                                    int hh = ip - pad + ir;
                                    int ww = iq - pad + is;
                                    if (hh >= 0 && hh < h && ww >= 0 && ww < wd) {
                                        acc += x[((in * c + ic) * h + hh) * wd + ww] * w[((ik * c + ic) * r + ir) * r + is];
                                    }
                                }
                            }
                        }
                        y[((in * k + ik) * p + ip) * q + iq] = acc;
                    }
                }
            }
        }
        return y;
    }

    /** Returns dL/dx; writes dL/dw and dL/db into grads[slot], grads[slot + 1]. */
    private static double[] convBackward(double[] gy, double[] x, int n, int c, int h, int wd, double[] w, int k, int r, int pad,
                                         double[][] grads, int slot) {
        int p = h + 2 * pad - r + 1;
        int q = wd + 2 * pad - r + 1;
        double[] gx = new double[x.length];
        double[] gw = new double[w.length];
        double[] gb = new double[k];
        for (int in = 0; in < n; in++) {
            for (int ik = 0; ik < k; ik++) {
                for (int ip = 0; ip < p; ip++) {
                    for (int iq = 0; iq < q; iq++) {
                        double g = gy[((in * k + ik) * p + ip) * q + iq];
                        gb[ik] += g;
                        for (int ic = 0; ic < c; ic++) {
                            for (int ir = 0; ir < r; ir++) {
                                for (int is = 0; is < r; is++) {
                                    int hh = ip - pad + ir;
                                    int ww = iq - pad + is;
                                    if (hh >= 0 && hh < h && ww >= 0 && ww < wd) {
                                        int xi = ((in * c + ic) * h + hh) * wd + ww;
                                        int wi = ((ik * c + ic) * r + ir) * r + is;
                                        gw[wi] += g * x[xi];
                                        gx[xi] += g * w[wi];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        grads[slot] = gw;
        grads[slot + 1] = gb;
        return gx;
    }

    private static double[] relu(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.max(0, x[i]);
        }
        return y;
    }

    private static double[] reluBackward(double[] g, double[] x) {
        double[] r = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            r[i] = x[i] > 0 ? g[i] : 0;
        }
        return r;
    }

    /** 2×2, stride 2; argmax[o] = flat input index of the (first) maximum. */
    private static double[] maxPool(double[] x, int n, int c, int h, int wd, int[] argmax) {
        int p = h / 2;
        int q = wd / 2;
        double[] y = new double[n * c * p * q];
        for (int plane = 0; plane < n * c; plane++) {
            for (int ip = 0; ip < p; ip++) {
                for (int iq = 0; iq < q; iq++) {
                    int best = -1;
                    for (int dr = 0; dr < 2; dr++) {
                        for (int ds = 0; ds < 2; ds++) {
                            int idx = (plane * h + 2 * ip + dr) * wd + 2 * iq + ds;
                            if (best < 0 || x[idx] > x[best]) {
                                best = idx;
                            }
                        }
                    }
                    int o = (plane * p + ip) * q + iq;
                    y[o] = x[best];
                    argmax[o] = best;
                }
            }
        }
        return y;
    }

    private static double[] poolBackward(double[] gy, int[] argmax, int inputSize) {
        double[] gx = new double[inputSize];
        for (int o = 0; o < gy.length; o++) {
            gx[argmax[o]] += gy[o];
        }
        return gx;
    }

    private static double[] linear(double[] x, int n, int in, double[] w, double[] b, int out) {
        double[] y = new double[n * out];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < out; o++) {
                double acc = b[o];
                for (int j = 0; j < in; j++) {
                    acc += x[i * in + j] * w[o * in + j];
                }
                y[i * out + o] = acc;
            }
        }
        return y;
    }

    private static double[] linearBackward(double[] gy, double[] x, int n, int in, double[] w, int out, double[][] grads, int slot) {
        double[] gx = new double[n * in];
        double[] gw = new double[out * in];
        double[] gb = new double[out];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < out; o++) {
                double g = gy[i * out + o];
                gb[o] += g;
                for (int j = 0; j < in; j++) {
                    gw[o * in + j] += g * x[i * in + j];
                    gx[i * in + j] += g * w[o * in + j];
                }
            }
        }
        grads[slot] = gw;
        grads[slot + 1] = gb;
        return gx;
    }
}
