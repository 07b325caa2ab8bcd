package dev.panamax.optim;

import java.util.Map;

/**
 * Nonlinear conjugate gradient: {@code d = -g + β·d_prev} with β by Polak–Ribière+
 * ({@code max(0, g·(g - g_prev) / |g_prev|²)}, as {@code scipy.optimize.minimize(method="CG")})
 * or Fletcher–Reeves ({@code |g|² / |g_prev|²}), restarting along {@code -g} whenever that is not
 * a descent direction. Strong-Wolfe line search with c2 = 0.4 (scipy's) from scipy's initial step
 * guess. Options and defaults as {@link LBFGS}.
 */
public final class ConjugateGradient extends SecondOrderOptimizer {
    /** How β is computed. */
    public enum Variant {
        POLAK_RIBIERE_PLUS,
        FLETCHER_REEVES
    }

    private ConjugateGradient(Map<String, Double> defaults, ParamGroup... groups) {
        super(defaults, groups);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder extends SecondOrderOptimizer.Builder<Builder, ConjugateGradient> {
        private Builder() {
            set("fletcher_reeves", false);
        }

        public Builder variant(Variant variant) {
            return set("fletcher_reeves", variant == Variant.FLETCHER_REEVES);
        }

        @Override
        public ConjugateGradient build(ParamGroup... groups) {
            return new ConjugateGradient(defaults, groups);
        }
    }

    @Override
    double wolfeC2() {
        return 0.4;
    }

    @Override
    double[] direction(double[] x, double[] g, Previous previous, Objective objective) {
        if (previous == null) {
            return steepestDescent(g);
        }
        double[] gp = previous.grad();
        double previousNorm = VectorMath.dot(gp, gp);
        double beta = paramGroups().get(0).flag("fletcher_reeves")
                ? VectorMath.dot(g, g) / previousNorm
                : Math.max(0, (VectorMath.dot(g, g) - VectorMath.dot(g, gp)) / previousNorm);
        double[] d = VectorMath.plus(steepestDescent(g), beta, previous.direction());
        return VectorMath.dot(g, d) < 0 ? d : steepestDescent(g);
    }

    @Override
    double initialStep(boolean first, double[] g, double gtd, double loss, double previousLoss, double lr) {
        return interpolatedStep(g, gtd, loss, previousLoss) * lr;
    }

    @Override
    void restoreMemory(ParamState state) {}

    @Override
    void saveMemory(ParamState state, int n) {}
}
