package dev.panamax.optim;

import dev.panamax.autograd.GradMode;

/** A loss closure over flat parameters: loss and gradient at the current point or at a given one, counted. */
final class Objective {
    /** A loss and its gradient at one point. */
    record Evaluation(double loss, double[] grad) {}

    private final FlatParameters flat;
    private final LossClosure closure;
    private int evaluations;

    Objective(FlatParameters flat, LossClosure closure) {
        this.flat = flat;
        this.closure = closure;
    }

    FlatParameters parameters() {
        return flat;
    }

    /** Runs the closure (with grad mode on) at the parameters' current values. */
    Evaluation evaluate() {
        double loss;
        try (GradMode.Guard ignored = GradMode.set(true)) {
            loss = closure.evaluate();
        }
        evaluations++;
        return new Evaluation(loss, flat.gradients());
    }

    /** Moves the parameters to {@code x} (rounded in place to their dtype) and evaluates there. */
    Evaluation evaluateAt(double[] x) {
        flat.set(x);
        return evaluate();
    }

    /** Closure calls so far. */
    int evaluations() {
        return evaluations;
    }
}
