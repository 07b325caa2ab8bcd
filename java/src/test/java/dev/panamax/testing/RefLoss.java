package dev.panamax.testing;

import dev.panamax.ops.LossReduction;

/**
 * Naive double-precision losses, written from PyTorch's definitions with plain loops: the
 * reference every loss is checked against. Class-index targets arrive as Refs of whole numbers.
 */
public final class RefLoss {
    private RefLoss() {}

    /** none keeps the per-element losses; mean and sum give a 0-d Ref. */
    public static Ref reduce(Ref losses, LossReduction reduction) {
        if (reduction == LossReduction.NONE) {
            return losses;
        }
        double s = 0;
        for (double v : losses.data) {
            s += v;
        }
        return scalar(reduction == LossReduction.MEAN ? s / losses.numel() : s);
    }

    public static Ref scalar(double v) {
        return new Ref(new double[] {v});
    }

    // ---------------------------------------------------------------- regression

    public static Ref mse(Ref x, Ref y, LossReduction r) {
        return reduce(Ref.zip(x, y, (a, b) -> (a - b) * (a - b)), r);
    }

    public static Ref l1(Ref x, Ref y, LossReduction r) {
        return reduce(Ref.zip(x, y, (a, b) -> Math.abs(a - b)), r);
    }

    public static Ref smoothL1(Ref x, Ref y, LossReduction r, double beta) {
        return reduce(Ref.zip(x, y, (a, b) -> {
            double d = Math.abs(a - b);
            return d < beta ? 0.5 * d * d / beta : d - 0.5 * beta;
        }), r);
    }

    public static Ref huber(Ref x, Ref y, LossReduction r, double delta) {
        return reduce(Ref.zip(x, y, (a, b) -> {
            double d = Math.abs(a - b);
            return d < delta ? 0.5 * d * d : delta * (d - 0.5 * delta);
        }), r);
    }

    // ---------------------------------------------------------------- binary

    /** -w·(y·max(log x, -100) + (1 - y)·max(log(1 - x), -100)); w broadcast to x (null: 1). */
    public static Ref binaryCrossEntropy(Ref x, Ref y, Ref w, LossReduction r) {
        Ref out = Ref.zeros(x.shape);
        for (int i = 0; i < x.numel(); i++) {
            double p = x.data[i];
            double t = y.data[i];
            double loss = -(t * Math.max(Math.log(p), -100) + (1 - t) * Math.max(Math.log(1 - p), -100));
            out.data[i] = loss * weightAt(w, x, i);
        }
        return reduce(out, r);
    }

    /** w·((1 - y)·x + (1 + (p - 1)·y)·log(1 + exp(-x))), with log(1 + exp(-x)) evaluated without overflow. */
    public static Ref binaryCrossEntropyWithLogits(Ref x, Ref y, Ref w, Ref posWeight, LossReduction r) {
        return reduce(logitLosses(x, y, w, posWeight), r);
    }

    private static Ref logitLosses(Ref x, Ref y, Ref w, Ref posWeight) {
        Ref out = Ref.zeros(x.shape);
        for (int i = 0; i < x.numel(); i++) {
            double v = x.data[i];
            double t = y.data[i];
            double p = posWeight == null ? 1 : posWeight.data[posWeight.broadcastIndex(x.unravel(i))];
            double softplusOfNegative = Math.max(-v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
            out.data[i] = ((1 - t) * v + (1 + (p - 1) * t) * softplusOfNegative) * weightAt(w, x, i);
        }
        return out;
    }

    /** Sum over the last dim of the weighted logistic losses, divided by its size; then reduced. */
    public static Ref multilabelSoftMargin(Ref x, Ref y, Ref w, LossReduction r) {
        Ref losses = logitLosses(x, y, w, null);
        int c = (int) x.shape[x.rank() - 1];
        long[] shape = java.util.Arrays.copyOf(x.shape, x.rank() - 1);
        Ref out = Ref.zeros(shape);
        for (int i = 0; i < out.numel(); i++) {
            double s = 0;
            for (int k = 0; k < c; k++) {
                s += losses.data[i * c + k];
            }
            out.data[i] = s / c;
        }
        return reduce(out, r);
    }

    private static double weightAt(Ref w, Ref x, int i) {
        return w == null ? 1 : w.data[w.broadcastIndex(x.unravel(i))];
    }

    // ---------------------------------------------------------------- multi-class

    /** Sizes of an [N, C, d...] (or [C]) input: batch, classes, and the product of the trailing dims. */
    private record Layout(int n, int c, int rest) {
        static Layout of(Ref x) {
            if (x.rank() == 1) {
                return new Layout(1, (int) x.shape[0], 1);
            }
            int rest = 1;
            for (int d = 2; d < x.rank(); d++) {
                rest *= (int) x.shape[d];
            }
            return new Layout((int) x.shape[0], (int) x.shape[1], rest);
        }

        int at(int n, int c, int r) {
            return (n * this.c + c) * rest + r;
        }
    }

    /** log-softmax over the class dim, max-shifted. */
    public static Ref logSoftmax(Ref x) {
        Layout l = Layout.of(x);
        Ref out = Ref.zeros(x.shape);
        for (int n = 0; n < l.n; n++) {
            for (int r = 0; r < l.rest; r++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < l.c; c++) {
                    max = Math.max(max, x.data[l.at(n, c, r)]);
                }
                double sum = 0;
                for (int c = 0; c < l.c; c++) {
                    sum += Math.exp(x.data[l.at(n, c, r)] - max);
                }
                for (int c = 0; c < l.c; c++) {
                    out.data[l.at(n, c, r)] = x.data[l.at(n, c, r)] - max - Math.log(sum);
                }
            }
        }
        return out;
    }

    /** Shape of the per-target losses: the input without its class dim. */
    private static long[] targetShape(Ref x) {
        if (x.rank() == 1) {
            return new long[0];
        }
        long[] s = new long[x.rank() - 1];
        s[0] = x.shape[0];
        System.arraycopy(x.shape, 2, s, 1, x.rank() - 2);
        return s;
    }

    /**
     * PyTorch's cross entropy of class indices with label smoothing ε: per target
     * (1 - ε)·(-w[t]·logq[t]) + ε/C·(-sum_c w[c]·logq[c]), 0 where ignored; the mean divides by
     * the summed w[t] of the kept targets.
     */
    public static Ref crossEntropy(Ref x, Ref target, Ref w, long ignoreIndex, LossReduction r, double eps) {
        return nllOfLogProbs(logSoftmax(x), target, w, ignoreIndex, r, eps);
    }

    public static Ref nll(Ref logProbs, Ref target, Ref w, long ignoreIndex, LossReduction r) {
        return nllOfLogProbs(logProbs, target, w, ignoreIndex, r, 0);
    }

    private static Ref nllOfLogProbs(Ref lp, Ref target, Ref w, long ignoreIndex, LossReduction r, double eps) {
        Layout l = Layout.of(lp);
        Ref out = Ref.zeros(targetShape(lp));
        double weightSum = 0;
        for (int n = 0; n < l.n; n++) {
            for (int rr = 0; rr < l.rest; rr++) {
                int i = n * l.rest + rr;
                long t = (long) target.data[i];
                if (t == ignoreIndex) {
                    continue;
                }
                double wt = w == null ? 1 : w.data[(int) t];
                double smooth = 0;
                for (int c = 0; c < l.c; c++) {
                    smooth -= (w == null ? 1 : w.data[c]) * lp.data[l.at(n, c, rr)];
                }
                out.data[i] = (1 - eps) * -wt * lp.data[l.at(n, (int) t, rr)] + eps / l.c * smooth;
                weightSum += wt;
            }
        }
        if (r != LossReduction.MEAN) {
            return reduce(out, r);
        }
        double s = 0;
        for (double v : out.data) {
            s += v;
        }
        return scalar(s / weightSum);
    }

    /** -sum_c w[c]·p'[c]·logq[c] with p' = (1 - ε)·p + ε/C; the mean divides by the number of samples. */
    public static Ref crossEntropyProbabilities(Ref x, Ref p, Ref w, LossReduction r, double eps) {
        Ref lp = logSoftmax(x);
        Layout l = Layout.of(x);
        Ref out = Ref.zeros(targetShape(x));
        for (int n = 0; n < l.n; n++) {
            for (int rr = 0; rr < l.rest; rr++) {
                double s = 0;
                for (int c = 0; c < l.c; c++) {
                    double target = (1 - eps) * p.data[l.at(n, c, rr)] + eps / l.c;
                    s -= (w == null ? 1 : w.data[c]) * target * lp.data[l.at(n, c, rr)];
                }
                out.data[n * l.rest + rr] = s;
            }
        }
        return reduce(out, r);
    }

    /** Pointwise xlogy(t, t) - t·x (or exp(t)·(t - x) for log targets), broadcast; batchmean = sum / x.shape[0]. */
    public static Ref klDiv(Ref x, Ref t, LossReduction r, boolean logTarget) {
        Ref pointwise = Ref.zip(x, t, (a, b) -> logTarget ? Math.exp(b) * (b - a) : (b == 0 ? 0 : b * Math.log(b)) - b * a);
        if (r != LossReduction.BATCHMEAN) {
            return reduce(pointwise, r);
        }
        double s = reduce(pointwise, LossReduction.SUM).data[0];
        return scalar(x.rank() == 0 ? s : s / x.shape[0]);
    }

    // ---------------------------------------------------------------- margins

    public static Ref marginRanking(Ref x1, Ref x2, Ref y, double margin, LossReduction r) {
        Ref d = Ref.zip(x1, x2, (a, b) -> a - b);
        return reduce(Ref.zip(d, y, (a, b) -> Math.max(0, -b * a + margin)), r);
    }

    /** x where y = 1, max(0, margin - x) where y = -1, their sum for other labels. */
    public static Ref hingeEmbedding(Ref x, Ref y, double margin, LossReduction r) {
        return reduce(Ref.zip(x, y, (a, b) -> (b != 1 ? Math.max(0, margin - a) : 0) + (b != -1 ? a : 0)), r);
    }
}
