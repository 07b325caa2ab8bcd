package dev.panamax.optim;

/**
 * Line search for a step length satisfying the strong Wolfe conditions, a port of PyTorch's
 * {@code _strong_wolfe} (itself from minFunc): bracket with cubic extrapolation, then zoom with
 * safeguarded cubic interpolation.
 */
final class StrongWolfe {
    /** Sufficient decrease (Armijo) constant. */
    static final double C1 = 1e-4;
    static final int MAX_LS = 25;

    private StrongWolfe() {}

    /** The objective along the search line: loss and gradient at x + t·d. */
    @FunctionalInterface
    interface Line {
        Objective.Evaluation at(double t);
    }

    /** The accepted step, the loss and gradient there, and the evaluations the search took. */
    record Result(double loss, double[] grad, double t, int evaluations) {}

    /**
     * Searches from step {@code t} along {@code d}, starting from loss {@code f}, gradient {@code g}
     * and directional derivative {@code gtd} (negative) at t = 0.
     */
    static Result search(Line line, double t, double[] d, double f, double[] g, double gtd, double c2, double toleranceChange) {
        double dNorm = VectorMath.maxAbs(d);
        Objective.Evaluation e = line.at(t);
        double fNew = e.loss();
        double[] gNew = e.grad();
        int evals = 1;
        double gtdNew = VectorMath.dot(gNew, d);

        double tPrev = 0;
        double fPrev = f;
        double[] gPrev = g;
        double gtdPrev = gtd;
        boolean done = false;
        int lsIter = 0;
        double[] bracket = null;
        double[] bracketF = null;
        double[][] bracketG = null;
        double[] bracketGtd = null;
        while (lsIter < MAX_LS) {
            if (fNew > f + C1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
                bracket = new double[] {tPrev, t};
                bracketF = new double[] {fPrev, fNew};
                bracketG = new double[][] {gPrev, gNew};
                bracketGtd = new double[] {gtdPrev, gtdNew};
                break;
            }
            if (Math.abs(gtdNew) <= -c2 * gtd) {
                bracket = new double[] {t};
                bracketF = new double[] {fNew};
                bracketG = new double[][] {gNew};
                done = true;
                break;
            }
            if (gtdNew >= 0) {
                bracket = new double[] {tPrev, t};
                bracketF = new double[] {fPrev, fNew};
                bracketG = new double[][] {gPrev, gNew};
                bracketGtd = new double[] {gtdPrev, gtdNew};
                break;
            }
            // extrapolate: somewhere between just past t and ten times t
            double minStep = t + 0.01 * (t - tPrev);
            double maxStep = t * 10;
            double tmp = t;
            t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, minStep, maxStep);
            tPrev = tmp;
            fPrev = fNew;
            gPrev = gNew;
            gtdPrev = gtdNew;
            e = line.at(t);
            fNew = e.loss();
            gNew = e.grad();
            evals++;
            gtdNew = VectorMath.dot(gNew, d);
            lsIter++;
        }
        if (lsIter == MAX_LS) {
            bracket = new double[] {0, t};
            bracketF = new double[] {f, fNew};
            bracketG = new double[][] {g, gNew};
        }

        // zoom: shrink the bracket until a point satisfies the conditions
        boolean insufficientProgress = false;
        int low = bracketF[0] <= bracketF[bracketF.length - 1] ? 0 : 1;
        int high = 1 - low;
        while (!done && lsIter < MAX_LS) {
            if (Math.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) {
                break;
            }
            t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1],
                    Math.min(bracket[0], bracket[1]), Math.max(bracket[0], bracket[1]));
            // a point too close to an end of the bracket makes little progress: move it 10% inside
            double hi = Math.max(bracket[0], bracket[1]);
            double lo = Math.min(bracket[0], bracket[1]);
            double eps = 0.1 * (hi - lo);
            if (Math.min(hi - t, t - lo) < eps) {
                if (insufficientProgress || t >= hi || t <= lo) {
                    t = Math.abs(t - hi) < Math.abs(t - lo) ? hi - eps : lo + eps;
                    insufficientProgress = false;
                } else {
                    insufficientProgress = true;
                }
            } else {
                insufficientProgress = false;
            }
            e = line.at(t);
            fNew = e.loss();
            gNew = e.grad();
            evals++;
            gtdNew = VectorMath.dot(gNew, d);
            lsIter++;
            if (fNew > f + C1 * t * gtd || fNew >= bracketF[low]) {
                bracket[high] = t;
                bracketF[high] = fNew;
                bracketG[high] = gNew;
                bracketGtd[high] = gtdNew;
                low = bracketF[0] <= bracketF[1] ? 0 : 1;
                high = 1 - low;
            } else {
                if (Math.abs(gtdNew) <= -c2 * gtd) {
                    done = true;
                } else if (gtdNew * (bracket[high] - bracket[low]) >= 0) {
                    // the old low end becomes the high end
                    bracket[high] = bracket[low];
                    bracketF[high] = bracketF[low];
                    bracketG[high] = bracketG[low];
                    bracketGtd[high] = bracketGtd[low];
                }
                bracket[low] = t;
                bracketF[low] = fNew;
                bracketG[low] = gNew;
                bracketGtd[low] = gtdNew;
            }
        }
        return new Result(bracketF[low], bracketG[low], bracket[low], evals);
    }

    /**
     * The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2, clamped to
     * [lower, upper]; the interval's midpoint when the cubic has no minimum.
     */
    static double cubicInterpolate(double x1, double f1, double g1, double x2, double f2, double g2, double lower, double upper) {
        double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        double d2Square = d1 * d1 - g1 * g2;
        if (d2Square >= 0) {
            double d2 = Math.sqrt(d2Square);
            double minPos = x1 <= x2
                    ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                    : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
            return Math.min(Math.max(minPos, lower), upper);
        }
        return (lower + upper) / 2.0;
    }
}
