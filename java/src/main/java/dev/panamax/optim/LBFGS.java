package dev.panamax.optim;

import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Limited-memory BFGS, PyTorch's {@code torch.optim.LBFGS}: the two-loop recursion over the last
 * {@code history_size} curvature pairs, the first step scaled to {@code min(1, 1/|g|₁)·lr}, and
 * either fixed steps of {@code lr} (PyTorch's default) or a strong-Wolfe line search
 * ({@link Builder#lineSearchFn}). Defaults: lr 1, max_iter 20, max_eval 25, tolerance_grad 1e-7,
 * tolerance_change 1e-9, history_size 100.
 */
public final class LBFGS extends SecondOrderOptimizer {
    /** PyTorch's {@code line_search_fn}. */
    public enum LineSearch {
        /** Fixed steps of {@code lr} (PyTorch's {@code None}). */
        NONE,
        /** {@code "strong_wolfe"}. */
        STRONG_WOLFE
    }

    private List<double[]> oldDirs;
    private List<double[]> oldSteps;
    private List<Double> ro;
    private double hDiag;

    private LBFGS(Map<String, Double> defaults, ParamGroup... groups) {
        super(defaults, groups);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder extends SecondOrderOptimizer.Builder<Builder, LBFGS> {
        private Builder() {
            set("history_size", 100);
            set("strong_wolfe", false);
        }

        /** Curvature pairs kept. */
        public Builder historySize(int historySize) {
            return set("history_size", historySize);
        }

        public Builder lineSearchFn(LineSearch lineSearch) {
            return set("strong_wolfe", lineSearch == LineSearch.STRONG_WOLFE);
        }

        @Override
        public LBFGS build(ParamGroup... groups) {
            return new LBFGS(defaults, groups);
        }
    }

    @Override
    protected void checkGroup(ParamGroup g, int index) {
        super.checkGroup(g, index);
        requireInRange(g, index, "history_size", 1, Integer.MAX_VALUE, true);
    }

    @Override
    boolean lineSearch(ParamGroup group) {
        return group.flag("strong_wolfe");
    }

    @Override
    double[] direction(double[] x, double[] g, Previous previous, Objective objective) {
        if (previous == null) {
            oldDirs = new ArrayList<>();
            oldSteps = new ArrayList<>();
            ro = new ArrayList<>();
            hDiag = 1;
            return steepestDescent(g);
        }
        double[] y = VectorMath.minus(g, previous.grad());
        double[] step = previous.step();
        double ys = VectorMath.dot(y, step);
        if (ys > 1e-10) {
            if (oldDirs.size() == (int) paramGroups().get(0).get("history_size")) {
                oldDirs.remove(0);
                oldSteps.remove(0);
                ro.remove(0);
            }
            oldDirs.add(y);
            oldSteps.add(step);
            ro.add(1.0 / ys);
            hDiag = ys / VectorMath.dot(y, y);
        }
        int k = oldDirs.size();
        double[] al = new double[k];
        double[] q = VectorMath.scaled(-1, g);
        for (int i = k - 1; i >= 0; i--) {
            al[i] = VectorMath.dot(oldSteps.get(i), q) * ro.get(i);
            VectorMath.axpy(-al[i], oldDirs.get(i), q);
        }
        double[] r = VectorMath.scaled(hDiag, q);
        for (int i = 0; i < k; i++) {
            double be = VectorMath.dot(oldDirs.get(i), r) * ro.get(i);
            VectorMath.axpy(al[i] - be, oldSteps.get(i), r);
        }
        return r;
    }

    @Override
    double initialStep(boolean first, double[] g, double gtd, double loss, double previousLoss, double lr) {
        return first ? Math.min(1.0, 1.0 / VectorMath.sumAbs(g)) * lr : lr;
    }

    @Override
    void restoreMemory(ParamState state) {
        oldDirs = new ArrayList<>(List.of(rows(state.tensor("old_dirs"))));
        oldSteps = new ArrayList<>(List.of(rows(state.tensor("old_stps"))));
        ro = new ArrayList<>();
        Tensor savedRo = state.tensor("ro");
        if (savedRo != null) {
            for (double v : savedRo.toDoubleArray()) {
                ro.add(v);
            }
        }
        hDiag = state.scalar("H_diag", 1);
    }

    @Override
    void saveMemory(ParamState state, int n) {
        state.put("old_dirs", matrix(oldDirs, n));
        state.put("old_stps", matrix(oldSteps, n));
        state.put("ro", Tensor.of(ro.stream().mapToDouble(Double::doubleValue).toArray(), ro.size()));
        state.put("H_diag", hDiag);
    }
}
