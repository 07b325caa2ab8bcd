package dev.panamax.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * PyTorch's recurrent equations written out naively in double precision, one sequence at a time:
 * a variable-length sequence is simply run for its own length (the reverse direction from its own
 * last step), which is what a packed sequence means. Gradients come from central differences of
 * this reference, so nothing here shares code with the layers under test.
 */
final class RecurrentReference {
    private RecurrentReference() {}

    /** Output (in the input's layout), h_n and c_n (LSTM; else empty), flat. */
    record Result(double[] output, double[] hN, double[] cN) {}

    /**
     * @param x       flat, [T, B, in] or with batch-first [B, T, in]
     * @param h0      flat [L·D, B, out], or null for zeros
     * @param c0      flat [L·D, B, H], or null for zeros
     * @param weights in PyTorch's flat order, each flat row-major
     */
    static Result forward(Recurrence.Config cfg, int steps, int batch, double[] x, double[] h0, double[] c0, long[] lengths,
                          List<double[]> weights) {
        int dirs = cfg.directions();
        int hid = (int) cfg.hiddenSize();
        int out = (int) cfg.outSize();
        int in = (int) cfg.inputSize();
        int per = cfg.weightsPerDirection();
        boolean lstm = cfg.mode() == Recurrence.Mode.LSTM;
        double[] output = new double[steps * batch * dirs * out];
        double[] hN = new double[cfg.numLayers() * dirs * batch * out];
        double[] cN = new double[lstm ? cfg.numLayers() * dirs * batch * hid : 0];
        for (int b = 0; b < batch; b++) {
            int len = lengths == null ? steps : (int) lengths[b];
            double[][] seq = new double[len][in];
            for (int t = 0; t < len; t++) {
                System.arraycopy(x, at(cfg, steps, batch, t, b) * in, seq[t], 0, in);
            }
            for (int l = 0; l < cfg.numLayers(); l++) {
                double[][] next = new double[len][dirs * out];
                for (int d = 0; d < dirs; d++) {
                    int index = l * dirs + d;
                    int base = index * per;
                    double[] wIh = weights.get(base);
                    double[] wHh = weights.get(base + 1);
                    double[] bIh = cfg.bias() ? weights.get(base + 2) : null;
                    double[] bHh = cfg.bias() ? weights.get(base + 3) : null;
                    double[] wHr = cfg.projSize() > 0 ? weights.get(base + per - 1) : null;
                    double[] h = new double[out];
                    double[] c = new double[hid];
                    if (h0 != null) {
                        System.arraycopy(h0, (index * batch + b) * out, h, 0, out);
                    }
                    if (c0 != null) {
                        System.arraycopy(c0, (index * batch + b) * hid, c, 0, hid);
                    }
                    for (int k = 0; k < len; k++) {
                        int t = d == 0 ? k : len - 1 - k;
                        double[] gi = matvec(wIh, seq[t], bIh);
                        double[] gh = matvec(wHh, h, bHh);
                        switch (cfg.mode()) {
                            case RNN_TANH, RNN_RELU -> {
                                for (int j = 0; j < hid; j++) {
                                    double a = gi[j] + gh[j];
                                    h[j] = cfg.mode() == Recurrence.Mode.RNN_TANH ? Math.tanh(a) : Math.max(a, 0);
                                }
                            }
                            case LSTM -> {
                                double[] full = new double[hid];
                                for (int j = 0; j < hid; j++) {
                                    double i = sigmoid(gi[j] + gh[j]);
                                    double f = sigmoid(gi[hid + j] + gh[hid + j]);
                                    double g = Math.tanh(gi[2 * hid + j] + gh[2 * hid + j]);
                                    double o = sigmoid(gi[3 * hid + j] + gh[3 * hid + j]);
                                    c[j] = f * c[j] + i * g;
                                    full[j] = o * Math.tanh(c[j]);
                                }
                                h = wHr == null ? full : matvec(wHr, full, null);
                            }
                            case GRU -> {
                                double[] hNew = new double[hid];
                                for (int j = 0; j < hid; j++) {
                                    double r = sigmoid(gi[j] + gh[j]);
                                    double z = sigmoid(gi[hid + j] + gh[hid + j]);
                                    double n = Math.tanh(gi[2 * hid + j] + r * gh[2 * hid + j]);
                                    hNew[j] = (1 - z) * n + z * h[j];
                                }
                                h = hNew;
                            }
                        }
                        System.arraycopy(h, 0, next[t], d * out, out);
                    }
                    System.arraycopy(h, 0, hN, (index * batch + b) * out, out);
                    if (lstm) {
                        System.arraycopy(c, 0, cN, (index * batch + b) * hid, hid);
                    }
                }
                seq = next;
            }
            for (int t = 0; t < len; t++) {
                System.arraycopy(seq[t], 0, output, at(cfg, steps, batch, t, b) * dirs * out, dirs * out);
            }
        }
        return new Result(output, hN, cN);
    }

    /** Σ output·r1 + Σ h_n·r2 + Σ c_n·r3: a scalar that every result element feeds. */
    static double loss(Result r, double[] r1, double[] r2, double[] r3) {
        double s = 0;
        for (int i = 0; i < r.output().length; i++) {
            s += r.output()[i] * r1[i];
        }
        for (int i = 0; i < r.hN().length; i++) {
            s += r.hN()[i] * r2[i];
        }
        for (int i = 0; i < r.cN().length; i++) {
            s += r.cN()[i] * r3[i];
        }
        return s;
    }

    /** Central differences of {@code f} with respect to every element of every array in {@code args} (which it perturbs and restores). */
    static List<double[]> gradients(java.util.function.DoubleSupplier f, List<double[]> args) {
        double eps = 1e-6;
        List<double[]> grads = new ArrayList<>();
        for (double[] a : args) {
            double[] g = new double[a == null ? 0 : a.length];
            for (int j = 0; j < g.length; j++) {
                double keep = a[j];
                a[j] = keep + eps;
                double plus = f.getAsDouble();
                a[j] = keep - eps;
                double minus = f.getAsDouble();
                a[j] = keep;
                g[j] = (plus - minus) / (2 * eps);
            }
            grads.add(g);
        }
        return grads;
    }

    private static int at(Recurrence.Config cfg, int steps, int batch, int t, int b) {
        return cfg.batchFirst() ? b * steps + t : t * batch + b;
    }

    private static double[] matvec(double[] w, double[] v, double[] bias) {
        int rows = w.length / v.length;
        double[] r = new double[rows];
        for (int i = 0; i < rows; i++) {
            double s = bias == null ? 0 : bias[i];
            for (int j = 0; j < v.length; j++) {
                s += w[i * v.length + j] * v[j];
            }
            r[i] = s;
        }
        return r;
    }

    private static double sigmoid(double a) {
        return 1 / (1 + Math.exp(-a));
    }
}
