package dev.panamax.optim;

import dev.panamax.autograd.GradMode;
import dev.panamax.tensor.Tensor;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Damped Newton's method: the direction solves {@code (H + τI) d = -g}, where H is the exact
 * Hessian from a user function (e.g. {@code Xᵀ diag(p(1-p)) X / N} for logistic regression) or,
 * without one, forward differences of the gradient (n extra closure calls per iteration). τ is 0
 * when H is positive definite, else the smallest of 10⁻³·max(1, max|H_ii|)·10^k that makes
 * Cholesky succeed (Nocedal &amp; Wright, algorithm 3.3). The step length comes from a strong-Wolfe
 * line search starting at {@code lr} (1, the Newton step). Options and defaults as {@link LBFGS};
 * {@code max_eval} bounds the line searches' evaluations, not the finite differences'.
 */
public final class Newton extends SecondOrderOptimizer {
    private final Supplier<Tensor> hessian;

    private Newton(Map<String, Double> defaults, Supplier<Tensor> hessian, ParamGroup... groups) {
        super(defaults, groups);
        this.hessian = hessian;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder extends SecondOrderOptimizer.Builder<Builder, Newton> {
        private Supplier<Tensor> hessian;

        private Builder() {}

        /**
         * The Hessian of the loss at the parameters' current values, as an [n, n] tensor over the
         * parameters flattened in order (the optimizer closes it). Runs with grad mode off.
         */
        public Builder hessian(Supplier<Tensor> hessian) {
            this.hessian = hessian;
            return this;
        }

        @Override
        public Newton build(ParamGroup... groups) {
            return new Newton(defaults, hessian, groups);
        }
    }

    @Override
    double[] direction(double[] x, double[] g, Previous previous, Objective objective) {
        double[] h = hessian != null ? exactHessian(g.length) : finiteDifferenceHessian(x, g, objective);
        return dampedSolve(h, g);
    }

    private double[] exactHessian(int n) {
        try (GradMode.Guard ignored = GradMode.noGrad(); Tensor h = hessian.get()) {
            if (h.rank() != 2 || h.size(0) != n || h.size(1) != n) {
                throw new IllegalArgumentException(name() + ": the Hessian function returned shape " + h.shape() + ", expected [" + n
                        + ", " + n + "] (the " + n + " parameter elements, flattened in order)");
            }
            return h.toDoubleArray();
        }
    }

    /** Forward differences of the gradient, column by column, symmetrised; the parameters end back at x. */
    private static double[] finiteDifferenceHessian(double[] x, double[] g, Objective objective) {
        int n = x.length;
        double[] h = new double[n * n];
        double relative = Math.sqrt(objective.parameters().epsilon());
        for (int i = 0; i < n; i++) {
            double[] shifted = x.clone();
            shifted[i] += relative * Math.max(1, Math.abs(x[i]));
            double[] gi = objective.evaluateAt(shifted).grad();
            double step = shifted[i] - x[i]; // what the parameter dtype could represent
            for (int j = 0; j < n; j++) {
                h[j * n + i] = (gi[j] - g[j]) / step;
            }
        }
        objective.parameters().set(x.clone());
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                double mean = (h[i * n + j] + h[j * n + i]) / 2;
                h[i * n + j] = mean;
                h[j * n + i] = mean;
            }
        }
        return h;
    }

    /** -(H + τI)⁻¹ g with the smallest τ of the sequence that makes H + τI positive definite. */
    static double[] dampedSolve(double[] h, double[] g) {
        int n = g.length;
        double maxDiag = 0;
        double minDiag = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            maxDiag = Math.max(maxDiag, Math.abs(h[i * n + i]));
            minDiag = Math.min(minDiag, h[i * n + i]);
        }
        double beta = 1e-3 * Math.max(1, maxDiag);
        double tau = minDiag > 0 ? 0 : beta - minDiag;
        while (true) {
            double[] l = cholesky(h, n, tau);
            if (l != null) {
                return choleskySolve(l, n, g);
            }
            tau = Math.max(10 * tau, beta);
            if (!Double.isFinite(tau)) {
                throw new ArithmeticException("Newton: no damping makes the Hessian positive definite (it holds non-finite values)");
            }
        }
    }

    /** The lower factor L of H + τI = L Lᵀ (row-major), or null when that matrix is not positive definite. */
    private static double[] cholesky(double[] h, int n, double tau) {
        double[] l = new double[n * n];
        for (int j = 0; j < n; j++) {
            double diag = h[j * n + j] + tau;
            for (int k = 0; k < j; k++) {
                diag -= l[j * n + k] * l[j * n + k];
            }
            if (!(diag > 0)) {
                return null;
            }
            double root = Math.sqrt(diag);
            l[j * n + j] = root;
            for (int i = j + 1; i < n; i++) {
                double v = h[i * n + j];
                for (int k = 0; k < j; k++) {
                    v -= l[i * n + k] * l[j * n + k];
                }
                l[i * n + j] = v / root;
            }
        }
        return l;
    }

    /** d = -(L Lᵀ)⁻¹ g by forward and back substitution. */
    private static double[] choleskySolve(double[] l, int n, double[] g) {
        double[] z = new double[n];
        for (int i = 0; i < n; i++) {
            double v = -g[i];
            for (int k = 0; k < i; k++) {
                v -= l[i * n + k] * z[k];
            }
            z[i] = v / l[i * n + i];
        }
        double[] d = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double v = z[i];
            for (int k = i + 1; k < n; k++) {
                v -= l[k * n + i] * d[k];
            }
            d[i] = v / l[i * n + i];
        }
        return d;
    }

    @Override
    double initialStep(boolean first, double[] g, double gtd, double loss, double previousLoss, double lr) {
        return lr;
    }

    @Override
    void restoreMemory(ParamState state) {}

    @Override
    void saveMemory(ParamState state, int n) {}
}
