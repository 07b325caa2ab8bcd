package dev.panamax.optim;

import dev.panamax.autograd.GradMode;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.Map;
import java.util.function.Consumer;

/**
 * An optimizer whose step updates each parameter from its own gradient and state alone: the
 * loop over groups and parameters, and helpers shared by the update rules.
 */
abstract class FirstOrderOptimizer extends Optimizer {
    FirstOrderOptimizer(Map<String, Double> defaults, ParamGroup... groups) {
        super(defaults, groups);
    }

    /** Updates every parameter that has a gradient; those without one are skipped, as in PyTorch. */
    @Override
    public void step() {
        try (GradMode.Guard ignored = GradMode.noGrad()) {
            for (ParamGroup group : paramGroups()) {
                for (Tensor p : group.params()) {
                    if (p.isClosed()) {
                        throw new IllegalStateException(name() + ": parameter " + p.describe() + " was used after close()");
                    }
                    if (p.grad() == null) {
                        continue;
                    }
                    // temporaries of one parameter's update are freed before the next one's
                    try (Scope ignoredScope = Scope.open()) {
                        update(group, p, gradientOf(p), stateOf(p));
                    }
                }
            }
        }
    }

    /** Applies the rule to one parameter in place; {@code grad} is dense, in the parameter's dtype. */
    protected abstract void update(ParamGroup group, Tensor param, Tensor grad, ParamState state);

    /** One more step of this parameter: increments and returns its {@code step} count. */
    static double nextStep(ParamState state) {
        double step = state.scalar("step", 0) + 1;
        state.put("step", step);
        return step;
    }

    /** The state buffer {@code name}, created filled with {@code initial} (parameter's shape and dtype) on first use. */
    static Tensor buffer(ParamState state, String name, Tensor param, double initial) {
        Tensor t = state.tensor(name);
        return t != null ? t : state.put(name, Tensor.full(param.shape(), initial, param.dtype(), param.device()));
    }

    private static Tensor gradientOf(Tensor p) {
        Tensor g = p.grad();
        if (g.dtype() != p.dtype()) {
            return g.to(p.dtype()).contiguous();
        }
        return g.isContiguous() ? g : g.contiguous();
    }

    /** Runs a fused kernel on {@code param}, through a contiguous copy written back when the parameter is strided. */
    static void updateDense(Tensor param, Consumer<Tensor> kernel) {
        if (param.isContiguous()) {
            kernel.accept(param);
            return;
        }
        try (Tensor dense = param.contiguousCopy()) {
            kernel.accept(dense);
            param.copy_(dense);
        }
    }

    /** {@code grad + weightDecay·param}, PyTorch's {@code grad.add(param, alpha=weight_decay)}; grad itself when the decay is 0. */
    static Tensor withWeightDecay(Tensor grad, Tensor param, double weightDecay) {
        if (weightDecay == 0) {
            return grad;
        }
        try (Tensor decay = param.mul(weightDecay)) {
            return grad.add(decay);
        }
    }

    /** {@code self += value·a·b}, PyTorch's {@code addcmul_}. */
    static void addProduct(Tensor self, Tensor a, Tensor b, double value) {
        try (Tensor scaled = a.mul(value); Tensor product = scaled.mul(b)) {
            self.add_(product);
        }
    }

    /** {@code self += value·(a / b)}, PyTorch's {@code addcdiv_}. */
    static void addQuotient(Tensor self, Tensor a, Tensor b, double value) {
        try (Tensor q = a.div(b); Tensor scaled = q.mul(value)) {
            self.add_(scaled);
        }
    }

    /** {@code self = lerp(self, end, weight)} with PyTorch's two forms, each exact at its own end. */
    static void lerp(Tensor self, Tensor end, double weight) {
        try (Tensor diff = end.sub(self)) {
            if (weight < 0.5) {
                try (Tensor step = diff.mul(weight)) {
                    self.add_(step);
                }
            } else {
                try (Tensor back = diff.mul(1 - weight); Tensor r = end.sub(back)) {
                    self.copy_(r);
                }
            }
        }
    }
}
