package dev.panamax.optim;

import dev.panamax.tensor.Tensor;
import java.util.Map;

/**
 * BFGS with a dense inverse-Hessian approximation (n² doubles: for small problems), starting
 * from the identity, as {@code scipy.optimize.minimize(method="BFGS")}, with a strong-Wolfe
 * line search from scipy's initial step guess. Curvature pairs with {@code y·s <= 1e-10} are
 * skipped. Options and defaults as {@link LBFGS} (lr scales the trial step).
 */
public final class BFGS extends SecondOrderOptimizer {
    /** Row-major n×n inverse-Hessian approximation. */
    private double[] inverseHessian;

    private BFGS(Map<String, Double> defaults, ParamGroup... groups) {
        super(defaults, groups);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder extends SecondOrderOptimizer.Builder<Builder, BFGS> {
        private Builder() {}

        @Override
        public BFGS build(ParamGroup... groups) {
            return new BFGS(defaults, groups);
        }
    }

    @Override
    double[] direction(double[] x, double[] g, Previous previous, Objective objective) {
        int n = g.length;
        if (previous == null) {
            inverseHessian = new double[n * n];
            for (int i = 0; i < n; i++) {
                inverseHessian[i * n + i] = 1;
            }
        } else {
            update(previous.step(), VectorMath.minus(g, previous.grad()));
        }
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < n; j++) {
                s -= inverseHessian[i * n + j] * g[j];
            }
            d[i] = s;
        }
        return d;
    }

    /** H ← (I - ρ s yᵀ) H (I - ρ y sᵀ) + ρ s sᵀ, with ρ = 1 / y·s, in the O(n²) form. */
    private void update(double[] s, double[] y) {
        double ys = VectorMath.dot(y, s);
        if (ys <= 1e-10) {
            return;
        }
        int n = s.length;
        double rho = 1 / ys;
        double[] hy = new double[n];
        for (int i = 0; i < n; i++) {
            double v = 0;
            for (int j = 0; j < n; j++) {
                v += inverseHessian[i * n + j] * y[j];
            }
            hy[i] = v;
        }
        double sScale = rho * (1 + rho * VectorMath.dot(y, hy));
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                inverseHessian[i * n + j] += sScale * s[i] * s[j] - rho * (hy[i] * s[j] + s[i] * hy[j]);
            }
        }
    }

    @Override
    double initialStep(boolean first, double[] g, double gtd, double loss, double previousLoss, double lr) {
        return interpolatedStep(g, gtd, loss, previousLoss) * lr;
    }

    @Override
    void restoreMemory(ParamState state) {
        inverseHessian = array(state.tensor("inverse_hessian"));
    }

    @Override
    void saveMemory(ParamState state, int n) {
        if (inverseHessian != null) {
            state.put("inverse_hessian", Tensor.of(inverseHessian, n, n));
        }
    }
}
