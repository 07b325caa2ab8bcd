package dev.panamax.optim;

import dev.panamax.autograd.GradMode;
import dev.panamax.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The line-search family (L-BFGS, BFGS, nonlinear conjugate gradient, Newton): closure based,
 * one parameter group, all parameters seen as one flat vector. A {@link #step(LossClosure)}
 * runs up to {@code max_iter} iterations, PyTorch's {@code LBFGS.step} loop generalised: take a
 * search direction, guess a step length, search along the line (strong Wolfe), and stop on
 * {@code max_iter}, {@code max_eval}, a gradient within {@code tolerance_grad} (infinity norm), or
 * a change of step or loss below {@code tolerance_change}.
 *
 * <p>The vector algebra runs on the host in double precision (these methods are for problems of
 * modest size); the iterate is the parameters' own values, rounded to their dtype. The state
 * (iteration and evaluation counts, last direction and step, the method's curvature memory) is
 * kept as float64 tensors under the first parameter, as PyTorch does, so a {@link #stateDict()}
 * resumes a run exactly.
 */
public abstract class SecondOrderOptimizer extends Optimizer {
    SecondOrderOptimizer(Map<String, Double> defaults, ParamGroup... groups) {
        super(defaults, groups);
    }

    /** The first direction, and the one after a restart. */
    static double[] steepestDescent(double[] g) {
        return VectorMath.scaled(-1, g);
    }

    /** The last iteration: the gradient at its start, its direction and its accepted step length. */
    record Previous(double[] grad, double[] direction, double t) {
        /** The step taken, t·d. */
        double[] step() {
            return VectorMath.scaled(t, direction);
        }
    }

    /**
     * The search direction at {@code x} with gradient {@code g}; {@code previous} is null on the
     * first iteration ever (and the method resets its memory). May evaluate the objective (and
     * move the parameters) if it puts them back at {@code x}.
     */
    abstract double[] direction(double[] x, double[] g, Previous previous, Objective objective);

    /** The first trial step length along {@code d}; {@code previousLoss} is NaN on the first iteration. */
    abstract double initialStep(boolean first, double[] g, double gtd, double loss, double previousLoss, double lr);

    /**
     * scipy's first trial step for BFGS and CG: the step that would repeat the last decrease of
     * the loss along a quadratic model (Nocedal &amp; Wright eq. 3.60),
     * {@code min(1, 2.02·(f_k - f_(k-1)) / g·d)}, with {@code f_(k-1) = f_k + |g|/2} on the first
     * iteration, and 1 when that gives no positive step.
     */
    static double interpolatedStep(double[] g, double gtd, double loss, double previousLoss) {
        double older = Double.isNaN(previousLoss) ? loss + VectorMath.norm(g) / 2 : previousLoss;
        double a = Math.min(1.0, 1.01 * 2 * (loss - older) / gtd);
        return a > 0 ? a : 1.0;
    }

    /** The curvature condition of the line search (0.9 suits Newton-like methods, less for conjugate gradient). */
    double wolfeC2() {
        return 0.9;
    }

    /** Whether steps are searched along the line; otherwise a fixed step of the initial length is taken. */
    boolean lineSearch(ParamGroup group) {
        return true;
    }

    /** Restores the method's memory from the state at the start of a step. */
    abstract void restoreMemory(ParamState state);

    /** Saves the method's memory into the state at the end of a step ({@code n} parameter elements). */
    abstract void saveMemory(ParamState state, int n);

    /** The line-search methods need the loss at many points: use {@link #step(LossClosure)}. */
    @Override
    public void step() {
        throw new IllegalStateException(name() + ".step() needs a closure that re-evaluates the loss: call step(LossClosure)");
    }

    /** Runs up to {@code max_iter} iterations; returns the loss at the starting point, as PyTorch. */
    @Override
    public double step(LossClosure closure) {
        ParamGroup group = paramGroups().get(0);
        double lr = group.lr();
        int maxIter = (int) group.get("max_iter");
        int maxEval = (int) group.get("max_eval");
        double toleranceGrad = group.get("tolerance_grad");
        double toleranceChange = group.get("tolerance_change");
        boolean search = lineSearch(group);
        ParamState state = stateOf(group.params().get(0));
        FlatParameters flat = new FlatParameters(group.params());
        Objective objective = new Objective(flat, closure);
        try (GradMode.Guard ignored = GradMode.noGrad()) {
            Objective.Evaluation start = objective.evaluate();
            double originalLoss = start.loss();
            double loss = originalLoss;
            double[] g = start.grad();
            int currentEvals = 1;
            double funcEvals = state.scalar("func_evals", 0) + 1;
            double nIterTotal = state.scalar("n_iter", 0);
            state.put("func_evals", funcEvals);
            if (VectorMath.maxAbs(g) <= toleranceGrad) {
                return originalLoss;
            }
            double[] d = array(state.tensor("d"));
            double t = state.scalar("t", Double.NaN);
            double[] previousGrad = array(state.tensor("prev_flat_grad"));
            double previousLoss = state.scalar("prev_loss", Double.NaN);
            restoreMemory(state);
            double[] x = flat.values();
            int nIter = 0;
            while (nIter < maxIter) {
                nIter++;
                nIterTotal++;
                boolean first = nIterTotal == 1;
                int before = objective.evaluations();
                d = direction(x, g, first ? null : new Previous(previousGrad, d, t), objective);
                funcEvals += objective.evaluations() - before;
                double lossBefore = previousLoss;
                previousGrad = g;
                previousLoss = loss;
                double gtd = VectorMath.dot(g, d);
                t = initialStep(first, g, gtd, loss, first ? Double.NaN : lossBefore, lr);
                if (gtd > -toleranceChange) {
                    break;
                }
                int lsEvals = 0;
                boolean optimal = false;
                if (search) {
                    double[] base = x;
                    double[] dir = d;
                    StrongWolfe.Result r = StrongWolfe.search(s -> objective.evaluateAt(VectorMath.plus(base, s, dir)),
                            t, d, loss, g, gtd, wolfeC2(), toleranceChange);
                    loss = r.loss();
                    g = r.grad();
                    t = r.t();
                    lsEvals = r.evaluations();
                    x = VectorMath.plus(base, t, d);
                    flat.set(x);
                    optimal = VectorMath.maxAbs(g) <= toleranceGrad;
                } else {
                    x = VectorMath.plus(x, t, d);
                    flat.set(x);
                    if (nIter != maxIter) {
                        Objective.Evaluation e = objective.evaluate();
                        loss = e.loss();
                        g = e.grad();
                        lsEvals = 1;
                        optimal = VectorMath.maxAbs(g) <= toleranceGrad;
                    }
                }
                currentEvals += lsEvals;
                funcEvals += lsEvals;
                if (nIter == maxIter || currentEvals >= maxEval || optimal) {
                    break;
                }
                if (VectorMath.maxAbs(d) * Math.abs(t) <= toleranceChange || Math.abs(loss - previousLoss) < toleranceChange) {
                    break;
                }
            }
            state.put("func_evals", funcEvals);
            state.put("n_iter", nIterTotal);
            state.put("d", Tensor.of(d, d.length));
            state.put("t", t);
            state.put("prev_flat_grad", Tensor.of(previousGrad, previousGrad.length));
            state.put("prev_loss", previousLoss);
            saveMemory(state, flat.size());
            return originalLoss;
        }
    }

    /** Iterations run so far, over every step (PyTorch's {@code state["n_iter"]}). */
    public int iterations() {
        return (int) stateOf(paramGroups().get(0).params().get(0)).scalar("n_iter", 0);
    }

    /** Closure evaluations so far, over every step (PyTorch's {@code state["func_evals"]}). */
    public int functionEvaluations() {
        return (int) stateOf(paramGroups().get(0).params().get(0)).scalar("func_evals", 0);
    }

    /** Checks the options every method shares; the family supports a single parameter group. */
    @Override
    protected void checkGroup(ParamGroup g, int index) {
        if (index > 0) {
            throw new IllegalArgumentException(name() + " doesn't support per-parameter options (parameter groups)");
        }
        requireNonNegative(g, index, "lr", "tolerance_grad", "tolerance_change");
        requireInRange(g, index, "max_iter", 1, Integer.MAX_VALUE, true);
        requireInRange(g, index, "max_eval", 1, Integer.MAX_VALUE, true);
    }

    /** The whole state lives under the first parameter; its sizes follow from the checked shapes. */
    @Override
    protected void checkLoadedState(int position, Tensor param, ParamState loaded, String what) {
        if (position != 0) {
            throw new IllegalArgumentException(what + name() + " keeps its state under parameter position 0, the loaded state has an entry"
                    + " for position " + position);
        }
    }

    static double[] array(Tensor t) {
        return t == null ? null : t.toDoubleArray();
    }

    /** Rows of a [k, n] tensor. */
    static double[][] rows(Tensor t) {
        if (t == null) {
            return new double[0][];
        }
        int k = (int) t.size(0);
        int n = (int) t.size(1);
        double[] all = t.toDoubleArray();
        double[][] r = new double[k][];
        for (int i = 0; i < k; i++) {
            r[i] = Arrays.copyOfRange(all, i * n, (i + 1) * n);
        }
        return r;
    }

    /** A [k, n] float64 tensor of k rows of length n. */
    static Tensor matrix(List<double[]> rows, int n) {
        double[] all = new double[rows.size() * n];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, all, i * n, n);
        }
        return Tensor.of(all, rows.size(), n);
    }

    /**
     * Options every second-order builder has, with PyTorch's L-BFGS defaults: lr 1, max_iter 20,
     * max_eval max_iter·5/4 unless set, tolerance_grad 1e-7, tolerance_change 1e-9.
     */
    public abstract static class Builder<B extends Builder<B, O>, O extends SecondOrderOptimizer> extends Optimizer.Builder<B, O> {
        private boolean maxEvalSet;

        protected Builder() {
            set("lr", 1);
            set("max_iter", 20);
            set("max_eval", 25);
            set("tolerance_grad", 1e-7);
            set("tolerance_change", 1e-9);
        }

        /** Most iterations per {@code step}. */
        public B maxIter(int maxIter) {
            if (!maxEvalSet) {
                set("max_eval", maxIter * 5 / 4);
            }
            return set("max_iter", maxIter);
        }

        /** Most closure evaluations per {@code step} (line searches included). */
        public B maxEval(int maxEval) {
            maxEvalSet = true;
            return set("max_eval", maxEval);
        }

        /** Stop when the gradient's largest element is at most this. */
        public B toleranceGrad(double tolerance) {
            return set("tolerance_grad", tolerance);
        }

        /** Stop when a step or the loss changes by less than this. */
        public B toleranceChange(double tolerance) {
            return set("tolerance_change", tolerance);
        }
    }
}
