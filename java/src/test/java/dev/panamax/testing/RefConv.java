package dev.panamax.testing;

/** Naive double-precision convolutions, written from the definitions. */
public final class RefConv {
    private RefConv() {}

    /** y[n,k,p,q] = b[k] + sum over c in k's group, r, s of x[n, c, p·sh - pt + r·dh, q·sw - pl + s·dw] · w[k, c', r, s]. */
    public static Ref conv2d(Ref x, Ref w, Ref b, int sh, int sw, int pt, int pl, int dh, int dw, int groups, int p, int q) {
        int n = (int) x.shape[0], c = (int) x.shape[1], h = (int) x.shape[2], wd = (int) x.shape[3];
        int k = (int) w.shape[0], cg = (int) w.shape[1], r = (int) w.shape[2], s = (int) w.shape[3];
        int kg = k / groups;
        Ref y = Ref.zeros(n, k, p, q);
        for (int in = 0; in < n; in++) {
            for (int ik = 0; ik < k; ik++) {
                int grp = ik / kg;
                for (int ip = 0; ip < p; ip++) {
                    for (int iq = 0; iq < q; iq++) {
                        double acc = b == null ? 0 : b.data[ik];
                        for (int ic = 0; ic < cg; ic++) {
                            for (int ir = 0; ir < r; ir++) {
                                for (int is = 0; is < s; is++) {
                                    int hh = ip * sh - pt + ir * dh;
                                    int ww = iq * sw - pl + is * dw;
                                    if (hh >= 0 && hh < h && ww >= 0 && ww < wd) {
                                        acc += x.get(in, grp * cg + ic, hh, ww) * w.get(ik, ic, ir, is);
                                    }
                                }
                            }
                        }
                        y.data[y.index(in, ik, ip, iq)] = acc;
                    }
                }
            }
        }
        return y;
    }

    /** Transposed convolution: every input pixel scatters weight·value into the output. w [cin, cout/g, r, s]. */
    public static Ref convTranspose2d(Ref x, Ref w, Ref b, int sh, int sw, int ph, int pw, int dh, int dw, int groups, int hOut, int wOut) {
        int n = (int) x.shape[0], cin = (int) x.shape[1], h = (int) x.shape[2], wd = (int) x.shape[3];
        int coutG = (int) w.shape[1], r = (int) w.shape[2], s = (int) w.shape[3];
        int cinG = cin / groups;
        int cout = coutG * groups;
        Ref y = Ref.zeros(n, cout, hOut, wOut);
        for (int in = 0; in < n; in++) {
            for (int co = 0; co < cout; co++) {
                for (int i = 0; i < hOut; i++) {
                    for (int j = 0; j < wOut; j++) {
                        y.data[y.index(in, co, i, j)] = b == null ? 0 : b.data[co];
                    }
                }
            }
            for (int ci = 0; ci < cin; ci++) {
                int grp = ci / cinG;
                for (int ip = 0; ip < h; ip++) {
                    for (int iq = 0; iq < wd; iq++) {
                        double v = x.get(in, ci, ip, iq);
                        for (int oc = 0; oc < coutG; oc++) {
                            for (int ir = 0; ir < r; ir++) {
                                for (int is = 0; is < s; is++) {
                                    int oi = ip * sh - ph + ir * dh;
                                    int oj = iq * sw - pw + is * dw;
                                    if (oi >= 0 && oi < hOut && oj >= 0 && oj < wOut) {
                                        y.data[y.index(in, grp * coutG + oc, oi, oj)] += v * w.get(ci, oc, ir, is);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return y;
    }
}
