package dev.panamax.optim;

import dev.panamax.tensor.Tensor;
import java.util.Map;

/**
 * Adagrad (Duchi et al.): each element's step is divided by the root of its summed squared
 * gradients. PyTorch's {@code torch.optim.Adagrad} and its defaults (lr 1e-2, lr_decay 0,
 * weight_decay 0, initial_accumulator_value 0, eps 1e-10).
 */
public final class Adagrad extends FirstOrderOptimizer {
    private Adagrad(Map<String, Double> defaults, ParamGroup... groups) {
        super(defaults, groups);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder extends Optimizer.Builder<Builder, Adagrad> {
        private Builder() {
            set("lr", 1e-2);
            set("lr_decay", 0);
            set("weight_decay", 0);
            set("initial_accumulator_value", 0);
            set("eps", 1e-10);
        }

        /** The step's rate is {@code lr / (1 + (step - 1)·lr_decay)}. */
        public Builder lrDecay(double lrDecay) {
            return set("lr_decay", lrDecay);
        }

        public Builder weightDecay(double weightDecay) {
            return set("weight_decay", weightDecay);
        }

        public Builder initialAccumulatorValue(double value) {
            return set("initial_accumulator_value", value);
        }

        public Builder eps(double eps) {
            return set("eps", eps);
        }

        @Override
        public Adagrad build(ParamGroup... groups) {
            return new Adagrad(defaults, groups);
        }
    }

    @Override
    protected void checkGroup(ParamGroup g, int index) {
        requireNonNegative(g, index, "lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps");
    }

    @Override
    protected void update(ParamGroup g, Tensor param, Tensor grad, ParamState state) {
        double step = nextStep(state);
        Tensor sum = buffer(state, "sum", param, g.get("initial_accumulator_value"));
        Tensor d = withWeightDecay(grad, param, g.get("weight_decay"));
        double clr = g.lr() / (1 + (step - 1) * g.get("lr_decay"));
        addProduct(sum, d, d, 1);
        try (Tensor root = sum.sqrt(); Tensor std = root.add(g.get("eps"))) {
            addQuotient(param, d, std, -clr);
        }
    }
}
